"""What ``sim fit`` writes and prints: the JSON record (data digest, each family's estimates,
intervals, log-likelihood, AIC and BIC, its policy block, its out-of-sample scores beside the
baseline's) and a policy block a scenario can paste as is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.fitting.fit import FamilyFit
from sim.fitting.scores import held_out_scores, leave_one_out
from sim.fitting.table import Table

SCORES = ("size_mae", "size_exact", "delay_mae", "answered_accuracy")


def record_of(table: Table, fits: Sequence[FamilyFit], test: Table | None = None) -> dict[str, Any]:
    """The fit's record: reproducible from the digest (the fit has no randomness)."""
    families = {}
    for fitted in fits:
        entry = fitted.record()
        entry["leave_one_episode_out"] = leave_one_out(table, fitted.family.name)
        if test is not None:
            entry["test"] = {
                "digest": test.digest,
                "episodes": test.episodes,
                **held_out_scores(fitted, test),
            }
        families[fitted.family.name] = entry
    return {
        "digest": table.digest,
        "window_days": table.window,
        "episodes": table.episodes,
        "families": families,
        "best_aic": min(families, key=lambda n: families[n]["aic"]) if families else None,
    }


def policy_yaml(fitted: FamilyFit, digest: str) -> str:
    """``policy: {...}`` as a scenario writes it, with where it came from in comments."""
    block = fitted.policy()
    items = ", ".join(f"{k}: {v}" for k, v in block.items())
    return (
        f"# sim fit --policy {fitted.family.name}: {fitted.family.about}\n"
        f"# data digest {digest}\n"
        f"# log-likelihood {fitted.loglik:.3f}, AIC {fitted.aic:.2f}, BIC {fitted.bic:.2f}\n"
        f"policy: {{{items}}}\n"
    )


def _score_line(label: str, scores: dict[str, Any]) -> str:
    def show(v: object) -> str:
        return "-" if v is None else f"{v:.3f}"

    cells = "  ".join(f"{show(scores[k]):>8}" for k in SCORES)
    return f"  {label:<22}{cells}"


def summary_lines(record: dict[str, Any]) -> list[str]:
    """The printed summary: per family its estimates, fit and scores against the baseline."""
    lines = [
        f"data digest {record['digest'][:16]}  episodes {len(record['episodes'])}  "
        f"window {record['window_days']} days"
    ]
    for name, entry in record["families"].items():
        lines.append(
            f"{name} ({entry['about']}): loglik {entry['loglik']:.2f}  k {entry['k']}  "
            f"AIC {entry['aic']:.2f}  BIC {entry['bic']:.2f}"
        )
        for key, value in entry["params"].items():
            lo_hi = entry["intervals_95"].get(key)
            interval = f"  [{lo_hi[0]:.4g}, {lo_hi[1]:.4g}]" if lo_hi else ""
            lines.append(f"    {key:<14}{value:.4g}{interval}")
        lines.append(f"    policy: {entry['policy']}")
        for title, scores in (
            ("leave one episode out", entry["leave_one_episode_out"]),
            ("test", entry.get("test")),
        ):
            if scores is None:
                continue
            lines.append(
                f"  {title:<22}" + "  ".join(f"{k:>8}" for k in ("size_mae", "exact", "delaymae", "answered"))
            )
            lines.append(_score_line("fit", scores["fit"]))
            lines.append(_score_line("baseline (mirror, 7 d)", scores["baseline"]))
            verdict = scores["against_baseline"]
            for word in ("better", "tie", "worse"):
                keys = [k for k, v in verdict.items() if v == word]
                if keys:
                    lines.append(
                        "    ties the baseline on: "
                        if word == "tie"
                        else f"    {word} than the baseline on: "
                    )
                    lines[-1] += ", ".join(keys)
            if scores["skipped"]:
                lines.append(
                    f"    episodes left out (too few answers without them): {', '.join(scores['skipped'])}"
                )
    if record["best_aic"]:
        lines.append(f"lowest AIC: {record['best_aic']}")
    return lines
