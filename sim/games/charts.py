"""The figures of ``sim tournament`` and ``sim moran``: a payoff-matrix heatmap, a boxplot of
scores, fixation probabilities and a Moran population over time.

All use the project's figure style (``sim.analysis.figure_style``: sizes that read on a projector,
Okabe-Ito colours, atomic saving). The heatmap uses cividis, a sequential map designed to
read the same with the common colour-vision deficiencies, and writes each cell's value in
black or white, whichever contrasts with it, so the figure does not depend on colour at all.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis.figure_style import BLACK, BLUE, MISSION_COLORS, RUN_COLORS, VERMILLION, save, style


def _size(count: int) -> tuple[float, float]:
    """Width and height for a ``count`` x ``count`` heatmap: the square cells set the height,
    and the width leaves room for the row labels and the colour bar only (a wider figure left
    the square axes floating in blank space)."""
    side = min(max(5.0, 0.62 * count + 3.0), 16.0)
    return side + 1.5, side + 2.5


def matrix_figure(
    matrix: pd.DataFrame, paths: Sequence[Path], title: str, label: str, dpi: int = 200, decimals: int = 2
) -> plt.Figure:
    """A heatmap of ``matrix`` (row against column), each cell's value written in it."""
    count = len(matrix)
    with style():
        fig, axis = plt.subplots(figsize=_size(count), layout="constrained")
        values = matrix.to_numpy(dtype=float)
        image = axis.imshow(values, cmap="cividis", aspect="equal")
        lo, hi = np.nanmin(values), np.nanmax(values)
        text = max(6.0, min(11.0, 150 / max(count, 1)))
        for (row, column), value in np.ndenumerate(values):
            if np.isnan(value):
                continue
            share = (value - lo) / (hi - lo) if hi > lo else 0.5
            colour = "black" if share > 0.55 else "white"
            axis.text(
                column, row, f"{value:.{decimals}f}", ha="center", va="center", color=colour, fontsize=text
            )
        axis.set_xticks(range(count), list(matrix.columns), rotation=60, ha="right", rotation_mode="anchor")
        axis.set_yticks(range(count), list(matrix.index))
        axis.set_xlabel("against (column)")
        axis.set_ylabel("policy (row)")
        axis.tick_params(length=0)
        for spine in axis.spines.values():
            spine.set_visible(False)
        fig.colorbar(image, ax=axis, shrink=0.8, label=label)
        # The title is the figure's, wrapped to its width: an axes title spills over the colour bar.
        width = int(fig.get_size_inches()[0] * 7)
        fig.suptitle("\n".join(textwrap.fill(line, width) for line in title.split("\n")), x=0.02, ha="left")
        save(fig, paths, dpi)
    return fig


def box_figure(
    scores: pd.DataFrame, paths: Sequence[Path], title: str, label: str, dpi: int = 200
) -> plt.Figure:
    """One horizontal box per column of ``scores`` (its values over repetitions or seeds),
    the first column on top, each repetition drawn as a dot over its box."""
    count = scores.shape[1]
    with style():
        fig, axis = plt.subplots(figsize=(12, max(4.0, 0.45 * count + 1.8)), layout="constrained")
        data = [scores[column].dropna().to_numpy(dtype=float) for column in scores.columns]
        positions = np.arange(count, 0, -1)
        axis.boxplot(
            data,
            positions=positions,
            orientation="horizontal",
            widths=0.6,
            patch_artist=True,
            boxprops={"facecolor": "#56B4E933", "edgecolor": BLUE},
            medianprops={"color": VERMILLION, "linewidth": 2},
            whiskerprops={"color": BLUE},
            capprops={"color": BLUE},
            flierprops={"marker": ""},
        )
        jitter = np.random.default_rng(0)  # a fixed spread: the same figure every time
        for y, values in zip(positions, data, strict=True):
            axis.scatter(
                values, y + jitter.uniform(-0.15, 0.15, len(values)), s=10, color=BLACK, alpha=0.5, zorder=3
            )
        axis.set_yticks(positions, list(scores.columns))
        axis.set_xlabel(label)
        axis.grid(axis="x", alpha=0.3)
        axis.set_title(title, loc="left", wrap=True)
        save(fig, paths, dpi)
    return fig


def fixation_figure(table: pd.DataFrame, paths: Sequence[Path], title: str, dpi: int = 200) -> plt.Figure:
    """Measured fixation probability per policy with its 95% interval, beside the neutral
    value (its initial share) and, where known, the analytic value."""
    count = len(table)
    with style():
        fig, axis = plt.subplots(figsize=(12, max(3.5, 0.6 * count + 2.0)), layout="constrained")
        y = np.arange(count, 0, -1)
        low = table["probability"] - table["ci_low"]
        high = table["ci_high"] - table["probability"]
        axis.barh(y, table["probability"], height=0.55, color="#0072B255", edgecolor=BLUE, label="measured")
        axis.errorbar(
            table["probability"],
            y,
            xerr=[low, high],
            fmt="none",
            ecolor=BLUE,
            capsize=4,
            label="95% interval",
        )
        axis.scatter(
            table["neutral"], y, marker="|", s=600, color=BLACK, zorder=4, label="neutral (initial share)"
        )
        if "analytic" in table and table["analytic"].notna().any():
            axis.scatter(table["analytic"], y, marker="D", s=50, color=VERMILLION, zorder=5, label="analytic")
        axis.set_yticks(y, list(table["policy"]))
        axis.set_xlim(0, 1)
        axis.set_xlabel("probability of taking over the population")
        axis.grid(axis="x", alpha=0.3)
        axis.legend(loc="lower right", frameon=False)
        axis.set_title(title, loc="left", wrap=True)
        save(fig, paths, dpi)
    return fig


def population_figure(counts: pd.DataFrame, paths: Sequence[Path], title: str, dpi: int = 200) -> plt.Figure:
    """Stacked counts of each policy (columns) at each step (rows) of one Moran process."""
    colours = [*MISSION_COLORS, *RUN_COLORS[2:], "#F0E442", "#999999"]
    with style():
        fig, axis = plt.subplots(figsize=(12, 5), layout="constrained")
        steps = counts.index.to_numpy()
        series = [counts[column].to_numpy() for column in counts.columns]
        palette = [colours[i % len(colours)] for i in range(len(series))]
        hatches = [None, "//", "..", "xx", "\\\\", "++"]
        stacks = axis.stackplot(steps, series, labels=list(counts.columns), colors=palette, alpha=0.85)
        for index, stack in enumerate(stacks):
            stack.set_hatch(hatches[(index // len(colours)) % len(hatches)])
        axis.set_xlim(steps[0], max(steps[-1], 1))
        axis.set_ylim(0, counts.sum(axis=1).max())
        axis.set_xlabel("step (one birth and one death)")
        axis.set_ylabel("individuals")
        handles, labels = axis.get_legend_handles_labels()  # listed top to bottom, as stacked
        axis.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        axis.set_title(title, loc="left", wrap=True)
        save(fig, paths, dpi)
    return fig
