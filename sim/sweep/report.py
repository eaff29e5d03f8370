"""A finished sweep's report: the summary per grid cell, fan charts and a metrics comparison.

Written into the sweep's directory: ``summary.csv`` (one row per cell: runs, and the median,
10th and 90th percentile of each metric), ``fan.png`` (``fan-2.png``, ... past 12 cells: per
cell, each mission's median headcount and its 10-90% band over time) and ``metrics.png`` (the
main metrics of every cell side by side, median and 10-90% range).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.figure_style import date_ticks, styled
from sim.sweep.plan import cell_label

if TYPE_CHECKING:
    from sim.sweep.plan import SweepOutcome, SweepPlan

PANELS_PER_PAGE = 12
QUANTILES = (0.1, 0.5, 0.9)


# --- labels -----------------------------------------------------------------------------------


# --- loading ----------------------------------------------------------------------------------


def load_results(plan: SweepPlan, out: Path) -> pd.DataFrame:
    """This plan's runs from ``results.parquet`` (a directory that may hold more runs)."""
    from sim.sweep.parts import RESULTS

    frame = _read_dataset(out / RESULTS)
    ids = {run.run_id for run in plan.runs()}
    frame = frame[frame["run_id"].isin(ids)]
    unique = frame.drop_duplicates("run_id", keep="first")
    unique = unique.sort_values(["cell", "replicate"]).reset_index(drop=True)
    unique.attrs["duplicates_dropped"] = len(frame) - len(unique)
    return unique


def readable(summary: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """The summary rounded as a person reads it (summary.csv): shares to 3 decimals, other
    numbers (percentiles of counts and days) to 1; grid values are kept as given."""
    places = {
        column: 3 if "share" in column else 1
        for column in summary.columns
        if column not in keys and pd.api.types.is_float_dtype(summary[column])
    }
    return summary.round(places)


def load_staffing(plan: SweepPlan, out: Path) -> pd.DataFrame:
    from sim.sweep.parts import STAFFING, STAFFING_SCHEMA, SweepDamaged

    frame = _read_dataset(out / STAFFING)
    missing = set(STAFFING_SCHEMA.names) - set(frame.columns)
    if missing:
        raise SweepDamaged(
            f"{out / STAFFING}: not this sweep's series (no {', '.join(sorted(missing))}); use --force"
        )
    ids = {run.run_id for run in plan.runs()}
    frame = frame[frame["run_id"].isin(ids)]
    return frame.drop_duplicates(["run_id", "mission", "day"], keep="first")


def _read_dataset(directory: Path) -> pd.DataFrame:
    """Every part of a dataset, each read on its own so that a damaged one is named."""
    from sim.sweep.parts import part_files, read_part

    parts = [read_part(path) for _, path in sorted(part_files(directory).items())]
    if not parts:
        return pd.read_parquet(directory)
    import pyarrow as pa

    from sim.sweep.parts import SweepDamaged

    try:
        return pa.concat_tables(parts, promote_options="default").to_pandas()
    except pa.ArrowException as exc:
        raise SweepDamaged(
            f"{directory}: its parts do not share one schema (a foreign or damaged part: {exc});"
            " use --force to start over"
        ) from None


# --- the summary --------------------------------------------------------------------------------


def numeric_metrics(plan: SweepPlan) -> list[str]:
    from sim.analysis.metrics import metric_columns

    return [c for c in metric_columns(plan.sides) if c != "last_actor"]


def summarise(plan: SweepPlan, results: pd.DataFrame) -> pd.DataFrame:
    """One row per cell: the cell's values, its runs, and per numeric metric its median, p10
    and p90 (over the runs where it is defined); the share of runs in which each mission fell
    below half its start; the share of runs each side acted last."""
    rows = []
    grouped = dict(tuple(results.groupby("cell"))) if len(results) else {}
    for cell, values in enumerate(plan.cells):
        frame = grouped.get(cell, results.iloc[0:0])
        row: dict[str, Any] = {"cell": cell, "label": cell_label(plan, cell)}
        row.update(values)
        row["runs"] = len(frame)
        for column in numeric_metrics(plan):
            series = pd.to_numeric(frame[column], errors="coerce").dropna()
            for q, name in zip(QUANTILES, ("p10", "median", "p90"), strict=True):
                row[f"{column}_{name}"] = float(series.quantile(q)) if len(series) else None
        for side in plan.sides:
            below = frame[f"below_half_day_{side}"]
            row[f"below_half_share_{side}"] = float(below.notna().mean()) if len(frame) else None
        for who in [*plan.sides, "both"]:
            share = float((frame["last_actor"] == who).mean()) if len(frame) else None
            row[f"last_actor_share_{who}"] = share
        rows.append(row)
    return pd.DataFrame(rows)


def summary_table(plan: SweepPlan, summary: pd.DataFrame, title: str) -> Any:
    """The summary as a Rich table (medians, with the 10-90% range of final headcounts)."""
    from rich.table import Table

    sides = _shown_missions(plan, summary)
    if len(sides) < len(plan.sides):
        shown = f"the {len(sides)} of {len(plan.sides)} missions that lost most to expulsions"
        title += f"\n({shown}; all in summary.csv)"
    table = Table(title=title, title_justify="left")
    table.add_column("cell", overflow="fold", max_width=48)
    table.add_column("runs", justify="right")
    for side in sides:
        table.add_column(f"final {side}\nmedian [p10-p90]", justify="right")
    for side in sides:
        table.add_column(f"min {side}", justify="right")
    for side in sides:
        table.add_column(f"<half {side}", justify="right")
    for side in sides:
        table.add_column(f"hostile\nacts {side}", justify="right")
    table.add_column("escalation\nrounds", justify="right")
    table.add_column("acted last", justify="right")

    def num(value: Any) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return "-"
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"

    def whole(value: Any) -> str:
        return "-" if value is None or np.isnan(value) else f"{value:.0f}"

    for row in summary.to_dict("records"):
        cells = [str(row["label"]), str(row["runs"])]
        for side in sides:
            low, mid, high = (row[f"final_{side}_{q}"] for q in ("p10", "median", "p90"))
            cells.append(f"{whole(mid)} [{whole(low)}-{whole(high)}]")
        cells += [whole(row[f"min_{side}_median"]) for side in sides]
        cells += [_pct(row[f"below_half_share_{side}"]) for side in sides]
        cells += [num(row[f"hostile_acts_{side}_median"]) for side in sides]
        cells.append(num(row["escalation_rounds_median"]))
        cells.append(_last_actor(row, plan.sides))
        table.add_row(*cells)
    return table


#: Missions a terminal summary has columns for (more are in summary.csv).
SHOWN_MISSIONS = 3


def _shown_missions(plan: SweepPlan, summary: pd.DataFrame) -> list[str]:
    """Every mission with two sides; with more, the ``SHOWN_MISSIONS`` whose median expelled
    (over the cells) is largest, in the plan's order, so the table stays one screen wide."""
    if len(plan.sides) <= 2 or summary.empty:
        return list(plan.sides)
    expelled = {side: float(summary[f"expelled_{side}_median"].fillna(0).max()) for side in plan.sides}
    chosen = set(sorted(plan.sides, key=lambda side: (-expelled[side], side))[:SHOWN_MISSIONS])
    return [side for side in plan.sides if side in chosen]


def _pct(value: Any) -> str:
    return "-" if value is None or np.isnan(value) else f"{100 * value:.0f}%"


def _last_actor(row: dict[str, Any], sides: list[str]) -> str:
    shares = {who: row[f"last_actor_share_{who}"] for who in [*sides, "both"]}
    if any(v is None for v in shares.values()):
        return "-"
    shares = {who: v for who, v in shares.items() if v > 0}
    if not shares:
        return "nobody"
    return " ".join(f"{who} {_pct(v)}" for who, v in sorted(shares.items(), key=lambda kv: -kv[1]))


# --- charts ------------------------------------------------------------------------------------


@styled
def fan_charts(plan: SweepPlan, staffing: pd.DataFrame, out: Path) -> list[Path]:
    """Per cell, each mission's median headcount and 10-90% band over time (pages of 12)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.analysis.charts import COLORS

    bands = (
        staffing.groupby(["cell", "mission", "day"], sort=True)["headcount"]
        .quantile(list(QUANTILES))
        .unstack()
    )
    cells = list(range(len(plan.cells)))
    pages = [cells[i : i + PANELS_PER_PAGE] for i in range(0, len(cells), PANELS_PER_PAGE)]
    top = float(bands[QUANTILES[-1]].max()) if len(bands) else 1.0
    paths = []
    for number, page in enumerate(pages, start=1):
        columns = {1: 1, 2: 2, 3: 3, 4: 2}.get(len(page), 3 if len(page) <= 9 else 4)
        rows = -(-len(page) // columns)
        fig, axes = plt.subplots(
            rows, columns, figsize=(4.6 * columns, 3.2 * rows + 0.9), squeeze=False, sharey=True
        )
        for slot, ax in enumerate(axes.flat):
            if slot >= len(page):
                ax.set_visible(False)
                continue
            cell = page[slot]
            start = plan.variants[cell].start
            for color, side in zip(COLORS, plan.sides, strict=False):
                if (cell, side) not in bands.index.droplevel("day"):
                    continue
                band = bands.loc[(cell, side)]
                dates = [start + dt.timedelta(days=int(d)) for d in band.index]
                ax.fill_between(dates, band[QUANTILES[0]], band[QUANTILES[-1]], color=color, alpha=0.22, lw=0)
                ax.plot(dates, band[QUANTILES[1]], color=color, lw=1.8, label=f"{side} mission")
            runs = int((staffing["cell"] == cell).sum() // max(1, len(plan.sides) * len(plan.days(cell))))
            ax.set_title(f"{cell_label(plan, cell)}\n{runs} runs", fontsize=11)
            ax.set_ylim(0, top * 1.05)
            ax.grid(alpha=0.3)
            date_ticks(ax, dates[0], dates[-1], max_ticks=5)
            ax.tick_params(labelsize=10)
            if slot % columns == 0:
                ax.set_ylabel("headcount", fontsize=11)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.suptitle(
            f"{plan.scenario.name}: headcount of each mission, median and 10-90% of runs per grid cell"
            + (f" (page {number} of {len(pages)})" if len(pages) > 1 else ""),
            fontsize=13,
        )
        fig.legend(handles, labels, loc="lower center", fontsize=11, frameon=False, ncols=len(labels))
        fig.tight_layout(rect=(0, 0.5 / fig.get_figheight(), 1, 0.97))
        path = out / ("fan.png" if number == 1 else f"fan-{number}.png")
        fig.savefig(path, dpi=200)
        plt.close(fig)
        paths.append(path)
    return paths


MAIN_METRICS = (
    ("final_{}", "final headcount of each mission"),
    ("min_{}", "minimum headcount of each mission"),
    ("hostile_acts_{}", "hostile acts by each side"),
    ("escalation_rounds", "escalation rounds (longest chain of answers)"),
)


@styled
def metrics_chart(plan: SweepPlan, results: pd.DataFrame, out: Path) -> Path:
    """The main metrics of every cell: median (dot) and 10-90% range (bar), both sides."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.analysis.charts import COLORS

    n = len(plan.cells)
    labels = [cell_label(plan, cell) for cell in range(n)]
    panel = min(0.34 * n + 0.9, 9)
    fig, grid = plt.subplots(2, 2, figsize=(13, 2 * panel + 1.0), sharey=True, squeeze=False)
    axes = list(grid.flat)
    y = np.arange(n)
    grouped = dict(tuple(results.groupby("cell")))
    for ax, (pattern, title) in zip(axes, MAIN_METRICS, strict=True):
        per_side = "{}" in pattern
        pairs = zip(plan.sides, COLORS, strict=False)
        series = [(side, pattern.format(side), color) for side, color in pairs]
        if not per_side:
            series = [("all", pattern, "#444444")]
        offsets = np.linspace(-0.15, 0.15, len(series)) if len(series) > 1 else [0.0]
        for (side, column, color), offset in zip(series, offsets, strict=True):
            low, mid, high = [], [], []
            for cell in range(n):
                values = grouped[cell][column].astype(float) if cell in grouped else pd.Series(dtype=float)
                qs = values.quantile(list(QUANTILES)).to_numpy() if len(values) else [np.nan] * 3
                low.append(qs[0])
                mid.append(qs[1])
                high.append(qs[2])
            ax.hlines(y + offset, low, high, color=color, lw=2.2, alpha=0.55)
            ax.plot(mid, y + offset, "o", color=color, ms=5, label=side if per_side else None)
        ax.set_title(title, fontsize=12)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlim(left=0)
        ax.set_ylim(n - 0.5, -0.5)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper right", fontsize=11, frameon=False, ncols=len(names))
    for ax in (axes[0], axes[2]):
        ax.set_yticks(y, labels, fontsize=10)
    fig.suptitle(
        f"{plan.scenario.name}: main metrics per grid cell (dot: median; bar: 10-90% of runs)", fontsize=13
    )
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    path = out / "metrics.png"
    fig.savefig(path, dpi=200)
    plt.close(fig)
    return path


def write_report(plan: SweepPlan, outcome: SweepOutcome) -> None:
    """Read the datasets back, write ``summary.csv`` and the charts, fill ``outcome``.

    The report is drawn into a hidden staging folder and moved in only when every file is
    done, so an interrupt while drawing leaves the previous report whole (not a new summary
    beside old charts); the old ``fan-*.png`` go only when the new set replaces them."""
    import os
    import shutil

    from sim.infra.atomic import fsync_dir, write_atomic

    out = outcome.out
    results = load_results(plan, out)
    summary = summarise(plan, results)
    stage = out / f".report.{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        text = readable(summary, plan.keys).to_csv(index=False, lineterminator="\n")
        write_atomic(stage / "summary.csv", text.encode())
        drawn = fan_charts(plan, load_staffing(plan, out), stage)
        drawn.append(metrics_chart(plan, results, stage))
        for old in out.glob("fan-*.png"):
            if not (stage / old.name).exists():
                old.unlink()
        charts = []
        for path in [stage / "summary.csv", *drawn]:
            os.replace(path, out / path.name)
            if path.suffix == ".png":
                charts.append(out / path.name)
        fsync_dir(out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    outcome.results = results
    outcome.summary = summary
    outcome.charts = charts
