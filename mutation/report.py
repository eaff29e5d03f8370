"""The per-module table: mutants, killed, survived, accepted equivalent, and the kill rate
over the non-equivalent ones (an equivalent mutant cannot be killed, so it is left out of
the rate, but only when ``equivalent.toml`` says why)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mutation.run import Verdict


def summarize(
    verdicts: list[Verdict], accepted: list[dict[str, str]]
) -> tuple[list[dict[str, Any]], list[Verdict], list[str]]:
    """Rows per module, the unaccepted survivors, and accepted keys that were killed (stale)."""
    reasons = {a["key"]: a["reason"] for a in accepted}
    rows: dict[str, dict[str, Any]] = {}
    survivors, stale = [], []
    for v in verdicts:
        row = rows.setdefault(
            v.mutant.path,
            {"module": v.mutant.path, "mutants": 0, "killed": 0, "survived": 0, "equivalent": 0},
        )
        row["mutants"] += 1
        if v.outcome != "survived":
            row["killed"] += 1
            if v.mutant.key in reasons:
                stale.append(v.mutant.key)
        elif v.mutant.key in reasons:
            row["equivalent"] += 1
        else:
            row["survived"] += 1
            survivors.append(v)
    for row in rows.values():
        counted = row["mutants"] - row["equivalent"]
        row["rate"] = round(100 * row["killed"] / counted, 1) if counted else None
    return list(rows.values()), survivors, stale


def render(
    mode: str,
    rows: list[dict[str, Any]],
    survivors: list[Verdict],
    stale: list[str],
    tests: list[str],
    seconds: float,
) -> str:
    lines = [
        f"# Mutation run: {mode}",
        "",
        f"{len(tests)} test files, {seconds / 60:.1f} min.",
        "",
        "| module | mutants | killed | survived | equivalent | kill rate (non-equivalent) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = {"mutants": 0, "killed": 0, "survived": 0, "equivalent": 0}
    for r in rows:
        lines.append(
            f"| `{r['module']}` | {r['mutants']} | {r['killed']} | {r['survived']} | {r['equivalent']} | "
            f"{r['rate']}% |"
        )
        for k in total:
            total[k] += r[k]
    counted = total["mutants"] - total["equivalent"]
    rate = round(100 * total["killed"] / counted, 1) if counted else None
    t = total
    lines.append(f"| all | {t['mutants']} | {t['killed']} | {t['survived']} | {t['equivalent']} | {rate}% |")
    lines += ["", f"## Survivors ({len(survivors)})", ""]
    lines += [f"- `{v.mutant.key}` line {v.mutant.line}: `{v.changed}`" for v in survivors]
    if stale:
        lines += ["", "## Accepted as equivalent but killed (remove from equivalent.toml)", ""]
        lines += [f"- `{k}`" for k in stale]
    return "\n".join(lines) + "\n"


def _rows_from(records: list[dict[str, Any]], reasons: dict[str, str], groups: dict[str, list[str]]) -> dict:
    """Per module (and per named group of functions) counts from a run's ``verdicts``."""
    rows: dict[str, dict[str, int]] = {}
    for r in records:
        path, scope = r["key"].split("::")[:2]
        names = [path] + [g for g, fns in groups.items() if path in g and scope in fns]
        for name in names:
            row = rows.setdefault(name, {"mutants": 0, "killed": 0, "survived": 0, "equivalent": 0})
            row["mutants"] += 1
            if r["outcome"] != "survived":
                row["killed"] += 1
            elif r["key"] in reasons:
                row["equivalent"] += 1
            else:
                row["survived"] += 1
    return rows


def _rate(row: dict[str, int] | None) -> str:
    if not row:
        return "-"
    counted = row["mutants"] - row["equivalent"]
    return f"{100 * row['killed'] / counted:.1f}%" if counted else "-"


def compare(before: Path, after: Path, accepted: list[dict[str, str]], groups: dict[str, list[str]]) -> str:
    """The before/after table of two runs' ``.json`` reports (equivalents as accepted now)."""
    reasons = {a["key"]: a["reason"] for a in accepted}
    old = _rows_from(json.loads(before.read_text())["verdicts"], reasons, groups)
    records = json.loads(after.read_text())["verdicts"]
    new = _rows_from(records, reasons, groups)
    lines = [
        "| module | mutants | killed before | killed after | survived after | equivalent | "
        "kill rate before | kill rate after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in sorted(new, key=lambda n: (n.split(" ")[0], n)):
        b, a = old.get(name), new[name]
        lines.append(
            f"| `{name}` | {a['mutants']} | {b['killed'] if b else '-'} | {a['killed']} | {a['survived']} | "
            f"{a['equivalent']} | {_rate(b)} | {_rate(a)} |"
        )
    left = [r for r in records if r["outcome"] == "survived" and r["key"] not in reasons]
    lines += ["", f"Survivors not accepted as equivalent: {len(left)}", ""]
    lines += [f"- `{r['key']}` line {r['line']}: `{r['changed']}`" for r in left]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys
    import tomllib

    here = Path(__file__).resolve().parent
    equivalent = tomllib.loads((here / "equivalent.toml").read_text()).get("equivalent", [])
    targets = tomllib.loads((here / "targets.toml").read_text())
    engine = next(m for m in targets["modes"]["quick"]["modules"] if m["path"] == "sim/engine/loop.py")
    mechanics = {"sim/engine/loop.py (staffing mechanics)": engine["functions"]}
    print(compare(Path(sys.argv[1]), Path(sys.argv[2]), equivalent, mechanics), end="")
