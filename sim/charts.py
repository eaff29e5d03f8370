"""Staffing-over-time charts: both missions' headcounts above, each side's acts below.

The lower panel is a timeline with one row per acting side: a marker on the day an act is
announced, a bar to its deadline, and a short label, so a reader can see which act each
drop in the upper panel follows. Reported figures from a documented log appear as black
diamonds beside the simulated series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from sim import events as ev
from sim.acts import describe
from sim.dated_acts import Observation
from sim.projections import roles_by_day

COLORS = ("#1f5fa8", "#c0392b")
ROLE_STYLES = {"diplomat": (0, (5, 2)), "admin_technical": (0, (1, 1.5)), "local": (0, (6, 2, 1, 2))}
MAX_LABELS = 40


def act_label(event: ev.Event) -> str:
    """A few words for an act: ``expel 10``, ``cap 455``, ``3-yr limit``, ``close vladivostok``."""
    kind, size = describe(event)
    if kind == "expel":
        return f"expel {size}"
    if kind == "cap":
        return f"cap {size}"
    if kind == "rotation_limit":
        years = size / 365
        return f"{years:.0f}-yr limit" if abs(years - round(years)) < 0.02 else f"{size}-day limit"
    if kind in ("close_post", "close_own_post", "reopen_post"):
        verb = {"close_post": "close", "close_own_post": "close own", "reopen_post": "reopen"}[kind]
        return f"{verb} {event.post}"  # type: ignore[attr-defined]
    if kind.startswith("visa_"):
        return "visas: " + kind.removeprefix("visa_").replace("_", "-")
    if kind == "threaten":
        return f"threat: {event.kind} {size}" if size else f"threat: {event.kind}"  # type: ignore[attr-defined]
    return kind.replace("_", " ").replace("ambassador", "amb.")


LANE = 0.3  # vertical distance between label lanes in the timeline panel
_AXIS_PX = 12 * (0.78 - 0.07) * 120  # width of the plot area in pixels (figure layout below)
_CHAR_PX = 6.4  # average width of a 7-point character at 120 dpi


def _row_bases(
    labelled: Sequence[ev.Event], missions: Sequence[str], horizon: int
) -> dict[str, tuple[float, dict[int, int]]]:
    """Each side's row height and a lane per label, so that labels never overlap.

    Labels are placed greedily in date order on the lowest lane that is free at their date;
    a side's row sits above the lanes of the row below it.
    """
    days_per_px = max(horizon, 1) / _AXIS_PX
    bases: dict[str, tuple[float, dict[int, int]]] = {}
    floor = 0.0
    for name in missions:
        free_from: list[float] = []
        lanes: dict[int, int] = {}
        for e in sorted((e for e in labelled if e.actor == name), key=lambda e: (e.day, e.seq)):
            width = (len(act_label(e)) * _CHAR_PX + 10) * days_per_px
            lane = next((i for i, end in enumerate(free_from) if e.day >= end), len(free_from))
            if lane == len(free_from):
                free_from.append(0.0)
            free_from[lane] = e.day + width
            lanes[e.seq] = lane
        bases[name] = (floor, lanes)
        floor += 1.0 + LANE * len(free_from)
    return bases


def _draw_acts(
    top: plt.Axes,
    bottom: plt.Axes,
    acts: Sequence[ev.Event],
    labelled: Sequence[ev.Event],
    missions: Sequence[str],
    rows: dict[str, float],
    start: dt.date,
) -> None:
    """Markers, deadline bars and guide lines as one collection per side and kind: a run
    with thousands of acts draws as fast as one with ten."""

    def when(day: int) -> pd.Timestamp:
        return pd.Timestamp(start + dt.timedelta(days=day))

    guided = {e.seq for e in labelled}
    for index, name in enumerate(missions):
        color, row = COLORS[index % 2], rows[name]
        mine = [e for e in acts if e.actor == name]
        timed = [e for e in mine if getattr(e, "deadline", None) is not None and e.deadline > e.day]
        if timed:
            starts = [when(e.day) for e in timed]
            ends = [when(e.deadline) for e in timed]
            bottom.hlines([row] * len(timed), starts, ends, color=color, lw=3, alpha=0.45)
            bottom.scatter(ends, [row] * len(ends), marker="|", color=color, s=110, linewidths=2)
            shown = [when(e.deadline) for e in timed if e.seq in guided]
            top.vlines(
                shown, 0, 1, transform=top.get_xaxis_transform(), color=color, lw=0.6, ls=":", alpha=0.6
            )
        for hostile, marker in ((True, "v"), (False, "o")):
            days = [when(e.day) for e in mine if ev.is_hostile(e) == hostile]
            if days:
                bottom.scatter(
                    days,
                    [row] * len(days),
                    marker=marker,
                    color=color,
                    s=45,
                    edgecolors="white",
                    linewidths=0.6,
                    zorder=4,
                )
        shown = [when(e.day) for e in mine if e.seq in guided]
        top.vlines(shown, 0, 1, transform=top.get_xaxis_transform(), color=color, lw=0.6, alpha=0.25)


def staffing_chart(
    changes: pd.DataFrame,
    log: Sequence[ev.Event],
    missions: Sequence[str],
    start: dt.date,
    horizon: int,
    title: str,
    observations: Sequence[Observation] = (),
    paths: Sequence[Path] = (),
    fork_day: int | None = None,
) -> plt.Figure:
    """Draw the chart and save it to each of ``paths`` (format from the suffix)."""
    dates = pd.date_range(start, periods=horizon + 1, freq="D")
    by_role = roles_by_day(changes, horizon)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(12, 8.4), sharex=True, gridspec_kw={"height_ratios": [3.0, 2.0], "hspace": 0.06}
    )
    for slot, name in enumerate(missions):
        host = missions[1 - slot]
        color = COLORS[slot % 2]
        total = by_role[name].sum(axis=1)
        top.step(dates, total, where="post", color=color, lw=2.2, label=f"{name} mission in {host}: total")
        for role, style in ROLE_STYLES.items():
            if (name, role) in by_role and by_role[(name, role)].max() > 0:
                top.step(
                    dates,
                    by_role[(name, role)],
                    where="post",
                    color=color,
                    lw=1.0,
                    alpha=0.75,
                    linestyle=style,
                    label=f"{name}: {role.replace('_', '-')}",
                )
    end_date = start + dt.timedelta(days=horizon)
    observations = [o for o in observations if start <= o.date <= end_date]
    placed: list[tuple[float, float]] = []  # label anchors in pixels, to keep labels apart
    for obs in sorted(observations, key=lambda o: (o.date, -o.headcount)):
        when = pd.Timestamp(obs.date)
        color = COLORS[list(missions).index(obs.mission) % 2] if obs.mission in missions else "black"
        top.scatter([when], [obs.headcount], marker="D", s=46, color="black", zorder=5, edgecolor=color)
        mark = "~" if obs.approximate else ""
        x, y = top.transData.transform((mdates.date2num(when), obs.headcount))
        lift = 6
        while any(abs(x - px) < 150 and abs(y + lift - py) < 11 for px, py in placed):
            lift -= 12  # the next free line below
        placed.append((x, y + lift))
        top.annotate(
            f"reported {mark}{obs.headcount:,} ({obs.mission})",
            (when, obs.headcount),
            textcoords="offset points",
            xytext=(8, lift),
            fontsize=8,
        )
    if observations:
        top.scatter([], [], marker="D", color="black", label="reported figure (documented log)")
    acts = [e for e in log if e.IS_ACT]
    labelled = acts if len(acts) <= MAX_LABELS else [e for e in acts if e.source != "simulated"]
    base = _row_bases(labelled, missions, horizon)
    rows = {name: base[name][0] for name in missions}
    _draw_acts(top, bottom, acts, labelled, missions, rows, start)
    for e in labelled:
        when = pd.Timestamp(start + dt.timedelta(days=e.day))
        row, lanes = base[e.actor]
        y = row + 0.3 + LANE * lanes[e.seq]
        bottom.annotate(
            act_label(e),
            (when, row),
            xytext=(when, y),
            fontsize=7,
            ha="left",
            va="center",
            color="#222222",
            arrowprops={"arrowstyle": "-", "color": "#aaaaaa", "lw": 0.5},
        )
    top_row = max(row + 0.3 + LANE * max(lanes.values(), default=0) for row, lanes in base.values())
    bottom.set_yticks([rows[name] for name in missions], [f"{name} acts" for name in missions])
    bottom.set_ylim(-0.5, top_row + 0.45)
    bottom.plot([], [], marker="v", ls="", color="#555555", label="hostile act (announced)")
    bottom.plot([], [], marker="o", ls="", color="#555555", label="other act")
    bottom.plot([], [], color="#555555", lw=3, alpha=0.45, marker="|", ms=10, label="to its deadline")
    bottom.legend(loc="upper left", fontsize=7, ncol=3, frameon=False, bbox_to_anchor=(0, -0.18))
    bottom.grid(axis="x", alpha=0.3)
    if fork_day is not None:
        fork_at = pd.Timestamp(start + dt.timedelta(days=fork_day))
        for axis in (top, bottom):
            axis.axvline(fork_at, color="#333333", ls="--", lw=1.2)
        late = fork_day > horizon / 2  # keep the label inside the plot, clear of the legend
        top.annotate(
            f"fork {fork_at.date()}: history before, counterfactual after",
            (fork_at, 1),
            xycoords=("data", "axes fraction"),
            xytext=(-4 if late else 4, -12),
            textcoords="offset points",
            ha="right" if late else "left",
            fontsize=8,
        )
    top.set_ylabel("people at post")
    top.set_ylim(bottom=0)
    top.grid(alpha=0.3)
    top.set_title(title, fontsize=12, loc="left")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    bottom.xaxis.set_major_locator(mdates.YearLocator())
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    bottom.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
    bottom.set_xlim(dates[0], dates[-1])
    fig.subplots_adjust(left=0.07, right=0.78, top=0.94, bottom=0.12)
    for path in paths:
        fig.savefig(path, dpi=120, metadata={"Date": None} if path.suffix == ".svg" else None)
    return fig
