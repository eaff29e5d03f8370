"""Out-of-sample scores: a fit predicts episodes it never saw, beside the library's default.

For each held-out act the fit says answered or not (its chance at least 1/2); for each
held-out answer group (documented answers only), the delay it predicts (the median, or the
decision day) and the size (the centre of its size model). Scores, pooled over the held-out
episodes: size MAE and exact-size hit rate over groups with a size, delay MAE over groups,
answered-or-not accuracy over acts. The baseline is ``tit_for_tat``'s default: every hostile
act answered, in kind and size, 7 days later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.fitting.fit import FamilyFit, TooFewAnswers, family, fit_data
from sim.fitting.observations import Data, observations
from sim.fitting.table import Table

BASELINE_DELAY = 7


@dataclass
class Predictions:
    """Pairs of (predicted, documented) for each score, pooled over held-out episodes."""

    sizes: list[tuple[int, int]]
    delays: list[tuple[int, int]]
    answered: list[tuple[bool, bool]]

    def add(self, other: Predictions) -> None:
        self.sizes += other.sizes
        self.delays += other.delays
        self.answered += other.answered

    def scores(self) -> dict[str, Any]:
        def mean(values: Sequence[float]) -> float | None:
            return round(sum(values) / len(values), 4) if values else None

        return {
            "size_mae": mean([abs(p - d) for p, d in self.sizes]),
            "size_exact": mean([float(p == d) for p, d in self.sizes]),
            "delay_mae": mean([abs(p - d) for p, d in self.delays]),
            "answered_accuracy": mean([float(p == d) for p, d in self.answered]),
            "sizes": len(self.sizes),
            "delays": len(self.delays),
            "acts": len(self.answered),
        }


def predict(fit: FamilyFit | None, data: Data) -> Predictions:
    """``fit``'s predictions of ``data`` (``None``: the baseline's)."""
    sizes = [(fit.size(g) if fit else g.size_in, g.size_out) for g in data.groups if g.size_in is not None]
    delays = [(fit.delay(g) if fit else BASELINE_DELAY, g.delay) for g in data.groups]
    answered = [(fit.answers(a) if fit else True, a.answered) for a in data.acts]
    return Predictions(sizes, delays, answered)  # type: ignore[arg-type]


def leave_one_out(table: Table, name: str) -> dict[str, Any]:
    """The leave-one-episode-out scores of :func:`loo_predictions`, fit and baseline."""
    model, base, skipped = loo_predictions(table, name)
    return {
        "family": name,
        "fit": model.scores(),
        "baseline": base.scores(),
        "skipped": skipped,
        "against_baseline": beats(model.scores(), base.scores()),
    }


def loo_predictions(table: Table, name: str) -> tuple[Predictions, Predictions, list[str]]:
    """Each episode predicted by the family fitted to the others; an episode whose others
    hold too few answers to fit is left out (named in ``skipped``), and so is its baseline."""
    chosen = family(name)
    model, base = Predictions([], [], []), Predictions([], [], [])
    skipped = []
    for episode in table.episodes:
        rest = table.only([e for e in table.episodes if e != episode])
        try:
            fitted = fit_data(observations(rest), chosen)
        except TooFewAnswers:
            skipped.append(episode)
            continue
        held_out = observations(table.only([episode]))
        model.add(predict(fitted, held_out))
        base.add(predict(None, held_out))
    return model, base, skipped


def held_out_scores(fit: FamilyFit, table: Table) -> dict[str, Any]:
    """``fit``'s scores on the episodes of ``table`` (which it never saw), beside the baseline's."""
    data = observations(table)
    model, base = predict(fit, data).scores(), predict(None, data).scores()
    return {
        "family": fit.family.name,
        "fit": model,
        "baseline": base,
        "skipped": [],
        "against_baseline": beats(model, base),
    }


def beats(model: dict[str, Any], base: dict[str, Any]) -> dict[str, str | None]:
    """Per score, ``better``, ``tie`` or ``worse`` than the baseline (``None``: nothing to score)."""
    lower = ("size_mae", "delay_mae")
    out: dict[str, str | None] = {}
    for key in ("size_mae", "size_exact", "delay_mae", "answered_accuracy"):
        if model[key] is None or base[key] is None:
            out[key] = None
            continue
        sign = (base[key] - model[key]) if key in lower else (model[key] - base[key])
        out[key] = "better" if sign > 0 else "tie" if sign == 0 else "worse"
    return out
