"""The per-module table: mutants, killed, survived, accepted equivalent, and the kill rate
over the non-equivalent ones (an equivalent mutant cannot be killed, so it is left out of
the rate, but only when ``equivalent.toml`` says why)."""

from __future__ import annotations

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
