"""``sim fit --figure``: predicted against documented answers, out of sample.

Two panels, sizes (people, log scale: the record runs from 1 to 73) and delays (days), each
point a held-out answer group predicted by the family fitted to the other episodes, beside
the baseline's prediction (exact mirror after 7 days) in the other colour. On the diagonal a
prediction is exact. Identical points are drawn once, their area growing with their number,
so a pile of one-for-one answers reads as a pile.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from sim.analysis.figure_style import BLUE, VERMILLION, plt, save, style
from sim.fitting.scores import Predictions


def _scatter(axis, pairs: Sequence[tuple[int, int]], colour: str, marker: str, label: str) -> None:
    """Hollow markers for the baseline, filled for the fit, so that where they agree both show."""
    counts = Counter((int(d), int(p)) for p, d in pairs)
    xs = [d for d, _ in counts]
    ys = [p for _, p in counts]
    sizes = [36 * n**0.6 for n in counts.values()]
    hollow = marker == "s"
    axis.scatter(
        xs,
        ys,
        s=sizes,
        marker=marker,
        label=label,
        linewidths=1.6 if hollow else 0.6,
        facecolors="none" if hollow else colour,
        edgecolors=colour if hollow else "white",
        alpha=0.9 if hollow else 0.65,
    )


def _mae(
    axis, model: Sequence[tuple[int, int]], base: Sequence[tuple[int, int]], unit: str, top: bool = False
) -> None:
    def mae(pairs: Sequence[tuple[int, int]]) -> float:
        return sum(abs(p - d) for p, d in pairs) / max(len(pairs), 1)

    axis.text(
        0.03 if top else 0.98,
        0.97 if top else 0.03,
        f"mean absolute error: fit {mae(model):.2f} {unit}, baseline {mae(base):.2f} {unit}"
        f"\n{len(model)} held-out answer groups",
        transform=axis.transAxes,
        ha="left" if top else "right",
        va="top" if top else "bottom",
        fontsize="small",
    )


def _diagonal(axis, top: float, low: float) -> None:
    axis.plot([low, top], [low, top], color="#555555", linewidth=1, linestyle="--", zorder=0)
    axis.text(top, top, " exact", va="bottom", ha="right", color="#555555", fontsize="small")


def draw(model: Predictions, base: Predictions, family: str, paths: Sequence[Path], dpi: int = 150) -> None:
    """Draw the two panels and save them to ``paths`` (formats by suffix)."""
    with style():
        fig, (sizes, delays) = plt.subplots(1, 2, figsize=(12, 5.4), layout="constrained")
        _scatter(sizes, base.sizes, VERMILLION, "s", "baseline: exact mirror after 7 days")
        _scatter(sizes, model.sizes, BLUE, "o", f"{family}, fitted to the other episodes")
        top = max([1] + [max(p, d) for p, d in model.sizes + base.sizes]) * 1.3
        _diagonal(sizes, top, 0.8)
        sizes.set(
            xscale="log",
            yscale="log",
            xlim=(0.8, top),
            ylim=(0.8, top),
            xlabel="documented answer size (people)",
            ylabel="predicted answer size (people)",
            title="Answer sizes",
        )
        ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200) if t <= top]
        for axis in (sizes.xaxis, sizes.yaxis):
            axis.set_major_locator(FixedLocator(ticks))
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_locator(NullLocator())
        _scatter(delays, base.delays, VERMILLION, "s", "baseline")
        _scatter(delays, model.delays, BLUE, "o", family)
        top = max([1] + [max(p, d) for p, d in model.delays + base.delays]) * 1.08
        _diagonal(delays, top, 0)
        delays.set(
            xlim=(-1, top),
            ylim=(-1, top),
            xlabel="documented delay (days)",
            ylabel="predicted delay (days)",
            title="Delays from the act to its first answer",
        )
        _mae(sizes, model.sizes, base.sizes, "people")
        _mae(delays, model.delays, base.delays, "days", top=True)
        legend = sizes.legend(loc="upper left", frameon=False)
        for handle in legend.legend_handles:
            handle.set_sizes([60])
        fig.suptitle(
            "Leave one episode out: each episode predicted by a fit to the others", x=0.01, ha="left"
        )
        save(fig, paths, dpi)
        plt.close(fig)
