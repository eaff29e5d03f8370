"""The figures of a run with more than two states: staffing as small multiples, one panel per
pair of states, and who expelled whom as a matrix.

Thirty missions on one axis are a tangle; a panel per pair of states (its two missions, one
in each capital, as two lines) reads at a glance and keeps one scale per panel, since a
mission of 400 and one of 15 share no useful axis. When there are more pairs than fit
(``MAX_PANELS``), the pairs whose missions changed most are drawn and the title says how many
of how many. The matrix counts, for each state, the people it expelled from each other
state's mission (the cell of row *expelling*, column *expelled*), with totals on the margins:
the figure an analyst of a coalition wave draws first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis.figure_style import MISSION_COLORS, FigureOptions, date_ticks, save, style
from sim.analysis.projections import split_label, totals_by_day
from sim.core import events as ev

#: Panels in the small multiples: six columns of five rows still read on a slide.
MAX_PANELS = 30


def pair_panels(totals: pd.DataFrame, limit: int = MAX_PANELS) -> tuple[list[tuple[str, str]], int]:
    """The pairs of states drawn and how many pairs there are. Each pair is its two mission
    labels, the one sent by the state with more missions first (the hub of a wave: "RU in X",
    then "X in RU", in every panel alike); pairs ordered by the largest change of either
    mission over the run, ties by name, at most ``limit``."""
    sent: dict[str, int] = {}
    for label in totals.columns:
        sender = split_label(label)[0]
        sent[sender] = sent.get(sender, 0) + 1
    pairs: dict[frozenset[str], list[str]] = {}
    for label in totals.columns:
        sender, host = split_label(label)
        pairs.setdefault(frozenset((sender, host or "")), []).append(label)

    def first(label: str) -> tuple[int, str]:
        sender = split_label(label)[0]
        return (-sent[sender], sender)

    def change(labels: list[str]) -> int:
        return max(int(totals[label].max() - totals[label].min()) for label in labels)

    ordered = sorted(pairs.values(), key=lambda labels: (-change(labels), sorted(labels)))
    shown = [(*sorted(labels, key=first), "")[:2] for labels in ordered[:limit]]
    return [(a, b) for a, b in shown], len(pairs)


def many_missions_chart(
    changes: pd.DataFrame,
    start: dt.date,
    horizon: int,
    title: str,
    paths: Sequence[Path] = (),
    options: FigureOptions | None = None,
) -> plt.Figure:
    """Small multiples of the pairs of states' missions; saved to each of ``paths``."""
    options = options or FigureOptions()
    totals = totals_by_day(changes, horizon)
    dates = pd.date_range(start, periods=horizon + 1, freq="D")
    panels, pairs = pair_panels(totals)
    columns = min(6, max(1, len(panels)))
    rows = math.ceil(len(panels) / columns)
    window = options.window(start, start + dt.timedelta(days=horizon))
    with style(options.font_scale):
        fig, axes = plt.subplots(
            rows, columns, figsize=(2.6 * columns, 1.9 * rows + 0.9), sharex=True, squeeze=False
        )
        for axis, pair in zip(axes.flat, panels, strict=False):
            for color, label in zip(MISSION_COLORS, [p for p in pair if p], strict=False):
                sender, host = split_label(label)
                axis.plot(dates, totals[label].to_numpy(), color=color, lw=1.6, label=f"{sender} in {host}")
            axis.set_title(" / ".join(split_label(p)[0] for p in pair if p), fontsize="medium")
            axis.legend(loc="best", fontsize="x-small", framealpha=0.8, handlelength=1.2)
            axis.set_ylim(bottom=0)
            axis.set_xlim(window[0], window[1])
            axis.grid(alpha=0.3)
        for axis in list(axes.flat)[len(panels) :]:
            axis.set_visible(False)
        for axis in axes[-1]:
            date_ticks(axis, *window, max_ticks=3)
        shown = (
            f"the {len(panels)} pairs that changed most, of {pairs}"
            if len(panels) < pairs
            else f"{pairs} pairs"
        )
        fig.suptitle(f"{options.title or title}\nheadcount of each mission, {shown}", fontsize="large")
        fig.supylabel("people")
        fig.tight_layout()
        save(fig, paths, options.dpi)
    return fig


def expulsion_matrix(log: Sequence[ev.Event], states: Sequence[str]) -> pd.DataFrame:
    """People expelled, by expelling state (rows) and the state whose mission lost them
    (columns): a departure for an expulsion leaves its sender's mission in the host's capital,
    and the host expelled them."""
    counts = pd.DataFrame(0, index=list(states), columns=list(states), dtype="int64")
    for event in log:
        if type(event) is ev.StaffDeparted and event.reason == "expelled":
            counts.loc[event.target, event.actor] += 1
    return counts


def expulsion_matrix_chart(
    counts: pd.DataFrame, title: str, paths: Sequence[Path] = (), options: FigureOptions | None = None
) -> plt.Figure:
    """The matrix as a figure: states that expelled or lost anyone, in the order of the most
    expelled; each non-zero cell written in, row and column totals on the margins."""
    options = options or FigureOptions()
    involved = [s for s in counts.index if counts.loc[s].sum() or counts[s].sum()] or list(counts.index)
    involved.sort(key=lambda s: (-(counts.loc[s].sum() + counts[s].sum()), s))
    shown = counts.loc[involved, involved]
    values = shown.to_numpy()
    size = max(4.0, 0.32 * len(involved) + 2.5)
    with style(options.font_scale):
        fig, axis = plt.subplots(figsize=(size + 1.2, size))
        image = axis.imshow(np.where(values > 0, values, np.nan), cmap="Reds", vmin=0)
        for (row, column), value in np.ndenumerate(values):
            if value:
                dark = value > 0.6 * np.nanmax(values)
                axis.text(
                    column,
                    row,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize="x-small",
                    color="white" if dark else "black",
                )
        axis.set_xticks(range(len(involved)), [f"{s} ({shown[s].sum()})" for s in involved], rotation=90)
        axis.set_yticks(range(len(involved)), [f"{s} ({shown.loc[s].sum()})" for s in involved])
        axis.set_xlabel("whose staff were expelled (total lost)")
        axis.set_ylabel("who expelled (total)")
        axis.set_xticks(np.arange(-0.5, len(involved)), minor=True)
        axis.set_yticks(np.arange(-0.5, len(involved)), minor=True)
        axis.grid(which="minor", color="0.9", lw=0.5)
        axis.tick_params(which="minor", length=0)
        fig.colorbar(image, ax=axis, shrink=0.6, label="people expelled")
        total = int(values.sum())
        axis.set_title(f"{options.title or title}\nwho expelled whom: {total} people", fontsize="medium")
        fig.tight_layout()
        save(fig, paths, options.dpi)
    return fig
