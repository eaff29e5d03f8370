"""``python -m mutation [quick|full]``: mutation testing of the core; see README "Tests".

Writes ``mutation/out/<mode>.json`` (every verdict) and ``mutation/out/<mode>.md`` (the table
per module and every surviving mutant), prints the table, and exits 1 if a module's kill
rate over non-equivalent mutants is below ``--fail-under`` (default 97) or an accepted
survivor in ``mutation/equivalent.toml`` is now killed (a stale entry).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path

from mutation.mutants import mutants
from mutation.report import render, summarize
from mutation.run import Verdict, prepare, run_all, run_one

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "mutation"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation", description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="quick", choices=["quick", "full"])
    parser.add_argument("--only", action="append", default=[], help="run mutants whose key contains this")
    parser.add_argument("--module", action="append", default=[], help="only modules whose path contains this")
    parser.add_argument("--tests", action="append", default=[], help="run these test files instead")
    parser.add_argument("--skip-test", action="append", default=[], help="leave this test file out")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument(
        "--survivors-of",
        type=Path,
        help="re-run only the mutants that survived in this earlier report (.json); its kills carry over",
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--fail-under", type=float, default=97.0)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)

    config = tomllib.loads((HERE / "targets.toml").read_text())["modes"][args.mode]
    accepted = tomllib.loads((HERE / "equivalent.toml").read_text()).get("equivalent", [])
    if args.tests:
        config["tests"] = args.tests
    tests = [t for t in config["tests"] if (ROOT / t).exists() and t not in args.skip_test]
    missing = sorted(set(config["tests"]) - set(tests))
    if missing:
        print(f"(test files not present, skipped: {', '.join(missing)})")
    plan = []
    for entry in config["modules"]:
        if args.module and not any(s in entry["path"] for s in args.module):
            continue
        found = mutants(ROOT, entry["path"], entry.get("functions"))
        found = [m for m in found if not args.only or any(s in m.key for s in args.only)]
        plan.append((entry["path"], entry.get("functions"), found))
    if args.list:
        for _, _, found in plan:
            for m in found:
                print(f"{m.key}  (line {m.line})")
        return 0

    carried = []
    if args.survivors_of is not None:
        plan, carried = _rerun_plan(plan, args.survivors_of)
    prepare()
    outcome, baseline = run_one(ROOT, "", None, "", tests, timeout=1800)
    if outcome != "survived":
        print("the tests fail on the unmutated code: fix them first", file=sys.stderr)
        return 2
    timeout = max(30.0, 4 * baseline)
    print(f"{args.mode}: {sum(len(f) for _, _, f in plan)} mutants; tests pass in {baseline:.1f} s")
    started = time.monotonic()
    fresh = {v.mutant.key: v for v in run_all(ROOT, plan, tests, timeout, args.jobs)}
    verdicts = [fresh.get(v.mutant.key, v) for v in carried] if carried else list(fresh.values())
    rows, survivors, stale = summarize(verdicts, accepted)
    text = render(args.mode, rows, survivors, stale, tests, time.monotonic() - started)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.mode}.md").write_text(text)
    records = [
        {"key": v.mutant.key, "line": v.mutant.line, "outcome": v.outcome, "seconds": round(v.seconds, 2),
         "changed": v.changed}
        for v in verdicts
    ]  # fmt: skip
    (args.out / f"{args.mode}.json").write_text(json.dumps({"rows": rows, "verdicts": records}, indent=1))
    print(text)
    low = [r for r in rows if r["rate"] is not None and r["rate"] < args.fail_under]
    return 1 if (low or stale) and not args.only else 0


def _rerun_plan(plan: list, earlier: Path) -> tuple[list, list[Verdict]]:
    """The plan cut to the mutants that were not killed in ``earlier`` (or are new), and every
    mutant's verdict in plan order, the earlier kill standing in for the ones not re-run.

    Sound because the tests only grow: a mutant an earlier test killed is killed again by the
    same test (Hypothesis runs derandomized), so only the earlier survivors need running."""
    before = {r["key"]: r for r in json.loads(earlier.read_text())["verdicts"]}
    cut, carried = [], []
    for path, functions, found in plan:
        again = []
        for m in found:
            old = before.get(m.key)
            if old is not None and old["outcome"] != "survived":
                carried.append(Verdict(m, old["outcome"], 0.0, old["changed"]))
            else:
                again.append(m)
                carried.append(Verdict(m, "survived", 0.0, ""))  # replaced by the fresh verdict
        cut.append((path, functions, again))
    return cut, carried


if __name__ == "__main__":
    sys.exit(main())
