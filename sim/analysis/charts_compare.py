"""The ``sim compare`` figure: several runs' total staffing, one panel per mission.

The first run (usually the history or the base) is drawn in thick black, the others in
colour-blind-safe hues, thinner, so a run that coincides with another stays visible on top
of it; a run identical to an earlier one over the whole window is drawn dashed and named so
in the legend ("same as ..."), instead of vanishing under it. Fork dates are dashed lines
whose labels are placed like every other label (:mod:`sim.analysis.placement`): stacked, never on
top of each other.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from sim.analysis.figure_style import (
    BLACK,
    RUN_COLORS,
    FigureOptions,
    date_ticks,
    legend_columns,
    save,
    style,
    thin_y_ticks,
)
from sim.analysis.placement import Placer

if TYPE_CHECKING:
    from sim.analysis.compare import RunOutputs


def _window(runs: Sequence[RunOutputs], options: FigureOptions) -> tuple[dt.date, dt.date]:
    first = min(run.totals.index[0] for run in runs).date()
    last = max(run.totals.index[-1] for run in runs).date()
    return options.window(first, last)


def _same_as(
    runs: Sequence[RunOutputs], mission: str, index: int, window: tuple[dt.date, dt.date]
) -> str | None:
    """The label of an earlier run with the very same series as run ``index`` in the window."""
    lo, hi = (pd.Timestamp(d) for d in window)
    mine = runs[index].totals[mission].loc[lo:hi]
    for earlier in runs[:index]:
        if mission in earlier.totals and earlier.totals[mission].loc[lo:hi].equals(mine):
            return earlier.label
    return None


def _draw_panel(
    axis: plt.Axes, runs: Sequence[RunOutputs], mission: str, window: tuple[dt.date, dt.date]
) -> None:
    for index, run in enumerate(runs):
        if mission not in run.totals:
            continue
        twin = _same_as(runs, mission, index, window) if index else None
        color = BLACK if index == 0 else RUN_COLORS[(index - 1) % len(RUN_COLORS)]
        style_ = {
            "lw": 3.4 if index == 0 else max(2.4 - 0.3 * index, 1.2),
            "color": color,
            "zorder": 3 + index,
        }
        if twin is not None:
            style_.update(ls=(0, (4, 3)), lw=2.2)
        label = run.label if twin is None else f"{run.label} (same as {twin})"
        axis.step(run.totals.index, run.totals[mission], where="post", label=label, **style_)
    axis.set_ylabel(f"{mission} mission: people")
    axis.grid(alpha=0.3)
    lo, hi = (pd.Timestamp(d) for d in window)
    peak = max(float(run.totals[mission].loc[lo:hi].max()) for run in runs if mission in run.totals)
    axis.set_ylim(0, max(peak, 1) * 1.3)  # headroom for the fork labels


def _label_forks(axis: plt.Axes, placer: Placer, runs: Sequence[RunOutputs]) -> None:
    forks: dict[dt.date, list[str]] = {}
    for run in runs:
        if run.fork_date is not None:
            forks.setdefault(run.fork_date, []).append(run.label)
    lo, hi = axis.get_ylim()
    per_px = (hi - lo) / max(axis.get_window_extent().height, 1)
    x_lo, x_hi = axis.get_xlim()
    days_px = (x_hi - x_lo) / max(axis.get_window_extent().width, 1)
    for date, labels in sorted(forks.items()):
        axis.axvline(pd.Timestamp(date), color="#444444", ls="--", lw=1.2, zorder=2)
        text = axis.text(
            date, hi, f"fork {date}: {', '.join(labels)}", fontsize=plt.rcParams["font.size"] * 0.85
        )
        nudge = dt.timedelta(days=6 * days_px)
        candidates = [
            ((date + shift, hi - (8 + 20 * lane) * per_px), ha)
            for lane in range(6)
            for shift, ha in ((nudge, "left"), (-nudge, "right"))
        ]
        text.set_verticalalignment("top")
        placer.place(text, candidates, axis)


def compare_figure(
    runs: Sequence[RunOutputs], paths: Sequence[Path], options: FigureOptions | None = None
) -> plt.Figure:
    """One panel per mission, one line per run, fork dates marked; saved to each of ``paths``
    (the caller closes the figure returned)."""
    options = options or FigureOptions()
    missions = list(runs[0].totals.columns)
    window = _window(runs, options)
    with style(options.font_scale):
        fig, axes = plt.subplots(
            len(missions),
            1,
            figsize=(12, 1.6 + (2.4 + 1.6 * options.font_scale) * len(missions)),
            sharex=True,
            squeeze=False,
        )
        panels = list(axes[:, 0])
        for axis, mission in zip(panels, missions, strict=True):
            _draw_panel(axis, runs, mission, window)
        panels[0].set_xlim(window[0], window[1])
        date_ticks(panels[-1], *window)
        title = options.title or "Staffing by run: " + ", ".join(dict.fromkeys(run.label for run in runs))
        title = textwrap.fill(title, int(96 / options.font_scale))
        panels[0].set_title(title, loc="left", fontsize=plt.rcParams["font.size"] * 1.2, pad=10)
        handles, labels = [], []
        for axis in panels:
            for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
                if label not in labels:
                    handles.append(handle)
                    labels.append(label)
        if any(run.fork_date for run in runs):
            handles.append(Line2D([], [], color="#444444", ls="--", lw=1.2))
            labels.append("fork date (the counterfactual starts)")
        columns = legend_columns(options.font_scale, 2)
        rows = -(-len(labels) // columns)
        fig.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.02, 0.0), ncol=columns, frameon=False)
        height = fig.get_figheight()
        fig.subplots_adjust(
            left=0.07 + 0.025 * options.font_scale,
            right=0.98,
            top=1 - (0.25 + 0.3 * (title.count("\n") + 1) * options.font_scale) / height,
            bottom=(0.7 + 0.32 * rows * options.font_scale) / height,
            hspace=0.1 + 0.1 * options.font_scale,
        )
        thin_y_ticks(fig, panels, [f"{mission} mission" for mission in missions])
        fig.canvas.draw()
        placer = Placer(fig.canvas.get_renderer())
        placer.block(
            [t for axis in panels for t in (*axis.get_xticklabels(), *axis.get_yticklabels(), axis.title)]
        )
        for axis in panels:
            _label_forks(axis, placer, runs)
        save(fig, paths, options.dpi)
    return fig


def compare_chart(runs: list[RunOutputs], path: Path, options: Any = None) -> None:
    """One panel per mission, one line per run, fork dates marked: the figure of ``sim compare``."""
    plt.close(compare_figure(runs, [path], options))
