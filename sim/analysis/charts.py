"""The staffing figure of ``sim run`` and ``sim report``: drawn to go into a paper or onto a
lecture slide.

Three kinds of panel share one date axis:

1. each mission's **total** headcount (thick lines, one colour per mission), the reported
   figures of a documented log (black diamonds) and the fork date of a counterfactual;
2. per mission, its **roles** as stacked areas, so the total is the top of the stack and is
   never confused with a role (as dash styles alone were);
3. a **timeline** of acts, one row per acting side: a triangle for a hostile act, a circle for
   any other, a bar to its deadline, and a label in plain words ("3-year limit", "expel 10").

Every mark is in the legend. Labels are placed from their rendered extents and never overlap
(:mod:`sim.analysis.placement`); when a run has more acts than fit, documented acts are labelled
first and the panel's title says how many are labelled.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from sim.analysis.figure_style import (
    BLACK,
    MISSION_COLORS,
    ROLE_COLORS,
    ROLE_NAMES,
    FigureOptions,
    date_ticks,
    legend_columns,
    save,
    style,
    thin_y_ticks,
)
from sim.analysis.labels import short_label
from sim.analysis.placement import Placer
from sim.analysis.projections import roles_by_day
from sim.core import events as ev
from sim.core.acts import describe
from sim.core.dated_acts import Observation
from sim.core.kinds import is_hostile

COLORS = MISSION_COLORS  # the missions' colours (the sweep charts use them)
LANES = 5  # label lanes above each side's row of the timeline
LANE = 0.34  # their spacing, in row units
ROW = 1.0 + LANE * LANES + 0.25  # distance between the sides' rows
MAX_TRIED = 150  # acts whose labels are tried (documented ones first)
SOURCE_RANK = {"documented": 0, "exogenous": 1, "simulated": 2}


def act_label(event: ev.Event) -> str:
    """Kept for callers of the old name: the act's short label in plain words."""
    return short_label(event)


def _day(start: dt.date, day: int) -> dt.date:
    return start + dt.timedelta(days=day)


def _layout(
    missions: Sequence[str], font_scale: float
) -> tuple[plt.Figure, plt.Axes, list[plt.Axes], plt.Axes]:
    ratios = [3.0] + [1.2] * len(missions) + [1.1 * len(missions) + 0.3]
    fig = plt.figure(figsize=(12, 11 + 4.5 * (font_scale - 1)))
    grid = fig.add_gridspec(len(ratios), 1, height_ratios=ratios, hspace=0.2 + 0.22 * font_scale)
    totals = fig.add_subplot(grid[0])
    roles = [fig.add_subplot(grid[1 + i], sharex=totals) for i in range(len(missions))]
    timeline = fig.add_subplot(grid[-1], sharex=totals)
    return fig, totals, roles, timeline


def _draw_totals(
    axis: plt.Axes, by_role: pd.DataFrame, dates: pd.DatetimeIndex, missions: Sequence[str]
) -> None:
    for slot, name in enumerate(missions):
        host = missions[1 - slot] if len(missions) == 2 else "host"
        total = by_role[name].sum(axis=1)
        axis.step(
            dates,
            total,
            where="post",
            color=MISSION_COLORS[slot % 2],
            lw=2.8,
            label=f"{name} mission in {host}",
        )
    axis.set_ylabel("people at post")
    axis.grid(alpha=0.3)


def _draw_roles(
    axes: Sequence[plt.Axes], by_role: pd.DataFrame, dates: pd.DatetimeIndex, missions: Sequence[str]
) -> None:
    for slot, (axis, name) in enumerate(zip(axes, missions, strict=True)):
        below = pd.Series(0, index=range(len(dates)))
        for role in ROLE_COLORS:
            values = by_role[(name, role)].reset_index(drop=True) if (name, role) in by_role else below * 0
            above = below + values
            axis.fill_between(dates, below, above, step="post", color=ROLE_COLORS[role], alpha=0.85, lw=0)
            below = above
        axis.step(dates, below, where="post", color=MISSION_COLORS[slot % 2], lw=1.6)
        axis.set_title(f"{name} mission by role", loc="left", fontsize=plt.rcParams["font.size"])
        axis.set_ylabel("people")
        axis.grid(alpha=0.3)
        axis.tick_params(labelbottom=False)


def _draw_acts(axis: plt.Axes, acts: Sequence[ev.Event], missions: Sequence[str], start: dt.date) -> None:
    """Markers and deadline bars, one collection per side and kind (thousands of acts draw fast)."""
    for slot, name in enumerate(missions):
        color, row = MISSION_COLORS[slot % 2], slot * ROW
        mine = [e for e in acts if e.actor == name]
        timed = [e for e in mine if getattr(e, "deadline", None) is not None and e.deadline > e.day]
        if timed:
            axis.hlines(
                [row] * len(timed),
                [_day(start, e.day) for e in timed],
                [_day(start, e.deadline) for e in timed],
                color=color,
                lw=3,
                alpha=0.4,
            )
            axis.scatter(
                [_day(start, e.deadline) for e in timed], [row] * len(timed), marker="|", color=color, s=120
            )
        for hostile, marker, face in ((True, "v", color), (False, "o", "white")):
            days = [_day(start, e.day) for e in mine if is_hostile(e) == hostile]
            if days:
                axis.scatter(
                    days,
                    [row] * len(days),
                    marker=marker,
                    s=70,
                    facecolors=face,
                    edgecolors=color,
                    linewidths=1.4,
                    zorder=4,
                )
    axis.set_yticks([slot * ROW for slot in range(len(missions))], list(missions))
    axis.set_ylabel("acts by")
    axis.set_ylim(-0.45, (len(missions) - 1) * ROW + 0.3 + LANE * LANES + 0.25)
    axis.grid(axis="x", alpha=0.3)
    for spine in ("left",):
        axis.spines[spine].set_visible(False)
    axis.tick_params(axis="y", length=0)


def _label_acts(
    axis: plt.Axes,
    placer: Placer,
    acts: Sequence[ev.Event],
    missions: Sequence[str],
    start: dt.date,
    window: tuple[dt.date, dt.date],
) -> int:
    """Place each act's label on the lowest free lane above its marker (or left of it);
    return how many are labelled."""
    shown = [
        e
        for e in _worth_a_label(acts)
        if window[0] <= _day(start, e.day) <= window[1] and e.actor in missions
    ]
    # latest first: in a cluster, earlier acts take higher lanes and their leader lines pass
    # left of the later acts' labels (a falling staircase), never through them; acts that move
    # people come first, then other hostile acts, then the rest
    shown.sort(key=lambda e: (SOURCE_RANK.get(e.source, 3), _tier(e), -e.day, -e.seq))
    size = plt.rcParams["font.size"] * 0.85
    nudge = _days_per_px(axis) * 5
    labelled = 0
    for event in shown[:MAX_TRIED]:
        row = list(missions).index(event.actor) * ROW
        when = _day(start, event.day)
        text = axis.text(when, row, short_label(event), fontsize=size, va="bottom", color="#222222", zorder=5)
        candidates = []
        for lane in range(LANES):
            y = row + 0.3 + LANE * lane
            candidates += [
                ((when + dt.timedelta(days=nudge), y), "left"),
                ((when - dt.timedelta(days=nudge), y), "right"),
            ]
        if placer.place(text, candidates, axis, leader=(_num(when), row)) is not None:
            y = text.get_position()[1]
            axis.plot([when, when], [row + 0.12, y], color="#999999", lw=0.6, zorder=3)
            labelled += 1
    return labelled


def _acts_note(labelled: int, shown: int, echoes: int) -> str:
    if labelled == shown:
        return ""
    again = ", answers in kind once" if echoes else ""
    return f" ({labelled:,} of {shown:,} labelled{again}; all acts in 'sim report')"


def _worth_a_label(acts: Sequence[ev.Event]) -> list[ev.Event]:
    """All acts but the simulated answers that repeat the act they answer (an echo is
    labelled where it starts, where it changes and at each side's last act, not every round)."""
    by_seq = {e.seq: e for e in acts}
    last = {e.actor: e.seq for e in acts}
    kept = []
    for e in acts:
        cause = by_seq.get(e.cause) if e.cause is not None else None
        echo = e.source == "simulated" and cause is not None and short_label(cause) == short_label(e)
        if not echo or last[e.actor] == e.seq:
            kept.append(e)
    return kept


def _tier(event: ev.Event) -> int:
    if describe(event)[0] in ("expel", "cap", "rotation_limit", "close_post", "local_hire_ban"):
        return 0
    return 1 if is_hostile(event) else 2


def _days_per_px(axis: plt.Axes) -> float:
    lo, hi = axis.get_xlim()
    return (hi - lo) / max(axis.get_window_extent().width, 1)


def _num(when: dt.date) -> float:
    return float(mdates.date2num(when))


def _of_totals(obs: Observation) -> bool:
    """Whether a figure is one of a mission's totals (every post and role, not a flow): the
    only ones the totals panel can show beside its lines (``sim score`` scores the others)."""
    return obs.posts is None and obs.roles is None and obs.kind != "flow"


def _draw_observations(
    axis: plt.Axes, placer: Placer, observations: Sequence[Observation], missions: Sequence[str]
) -> None:
    """Black diamonds, each labelled beside it clear of the lines, the other diamonds and labels."""
    for line in axis.get_lines():
        xs, ys = line.get_xdata(), line.get_ydata()
        placer.block_series(axis, mdates.date2num(xs), ys)
    for obs in observations:
        x, y = axis.transData.transform((_num(obs.date), obs.headcount))
        placer.block_box(Bbox.from_extents(x - 7, y - 7, x + 7, y + 7))
    px = _days_per_px(axis)
    lo, hi = axis.get_ylim()
    per_px_y = (hi - lo) / max(axis.get_window_extent().height, 1)
    for obs in sorted(observations, key=lambda o: (o.date, -o.headcount)):
        slot = list(missions).index(obs.mission) if obs.mission in missions else None
        edge = MISSION_COLORS[slot % 2] if slot is not None else BLACK
        axis.scatter(
            [obs.date],
            [obs.headcount],
            marker="D",
            s=60,
            color=BLACK,
            edgecolors=edge,
            linewidths=1.5,
            zorder=6,
        )
        text = axis.text(
            obs.date,
            obs.headcount,
            f"reported {'~' if obs.approximate else ''}{obs.headcount:,} ({obs.mission})",
            fontsize=plt.rcParams["font.size"] * 0.85,
            va="center",
            zorder=6,
        )
        candidates = [
            ((obs.date + dt.timedelta(days=dx * px), obs.headcount + dy * per_px_y), ha)
            for dy in (0, 14, -14, 28, -28, 44, -44, 62, -62, 84, -84)
            for dx, ha in ((10, "left"), (-10, "right"), (40, "left"))
        ]
        if placer.place(text, candidates, axis) not in (None, 0, 1):
            axis.annotate(
                "", (obs.date, obs.headcount), xytext=text.get_position(), arrowprops=_LEADER, zorder=5
            )


_LEADER = {"arrowstyle": "-", "color": "#888888", "lw": 0.7, "shrinkA": 0, "shrinkB": 5}


def _draw_fork(axes: Sequence[plt.Axes], fork: dt.date, first: dt.date) -> None:
    for axis in axes:
        axis.axvspan(first, fork, color="#000000", alpha=0.05, lw=0)
        axis.axvline(fork, color=BLACK, ls="--", lw=1.4)


def _legend(fig: plt.Figure, totals: plt.Axes, observations: bool, fork: dt.date | None, columns: int) -> int:
    """The figure's one legend, below the panels; returns its number of rows."""
    handles, labels = totals.get_legend_handles_labels()
    handles += [Patch(color=ROLE_COLORS[r], alpha=0.85) for r in ROLE_COLORS]
    labels += [f"role: {ROLE_NAMES[r]}" for r in ROLE_COLORS]
    if observations:
        handles.append(Line2D([], [], marker="D", ls="", color=BLACK, ms=8))
        labels.append("reported figure (documented log)")
    if fork is not None:
        handles.append(Line2D([], [], color=BLACK, ls="--", lw=1.4))
        labels.append(f"fork {fork}: shaded = history, after = counterfactual")
    gray = "#555555"
    handles += [
        Line2D([], [], marker="v", ls="", color=gray, ms=9),
        Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor=gray, ms=9),
        Line2D([], [], color=gray, lw=3, alpha=0.5, marker="|", ms=12),
    ]
    labels += [
        "hostile act (on the day announced)",
        "other act (lift, return, statement)",
        "act to its deadline",
    ]
    fig.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(0.02, 0.0),
        ncol=columns,
        frameon=False,
        columnspacing=1.6,
        handlelength=2.2,
    )
    return -(-len(labels) // columns)


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
    options: FigureOptions | None = None,
) -> plt.Figure:
    """Draw the figure and save it to each of ``paths`` (format from the suffix)."""
    options = options or FigureOptions()
    end = _day(start, horizon)
    window = options.window(start, end)
    dates = pd.date_range(start, periods=horizon + 1, freq="D")
    by_role = roles_by_day(changes, horizon)
    acts = [e for e in log if e.IS_ACT]
    fork = _day(start, fork_day) if fork_day is not None else None
    with style(options.font_scale):
        fig, totals, roles, timeline = _layout(missions, options.font_scale)
        _draw_totals(totals, by_role, dates, missions)
        _draw_roles(roles, by_role, dates, missions)
        _draw_acts(timeline, acts, missions, start)
        if fork is not None:
            _draw_fork([totals, *roles, timeline], fork, start)
        shown = [o for o in observations if window[0] <= o.date <= window[1] and _of_totals(o)]
        for axis in (totals, *roles):
            _fit_y(axis, by_role, dates, window, [o.headcount for o in shown] if axis is totals else [])
        totals.set_xlim(window[0], window[1])
        date_ticks(timeline, *window)
        totals.tick_params(labelbottom=False)
        _frame(fig, totals, options.title or title, bool(shown), fork, options.font_scale)
        thin_y_ticks(fig, [totals, *roles])
        fig.canvas.draw()
        panels = (totals, *roles, timeline)
        fixed = [t for axis in panels for t in (*axis.get_xticklabels(), *axis.get_yticklabels(), axis.title)]
        placers = [Placer(fig.canvas.get_renderer()) for _ in range(2)]  # the totals' labels, the acts'
        for placer in placers:
            placer.block(fixed)
        _draw_observations(totals, placers[0], shown, missions)
        labelled = _label_acts(timeline, placers[1], acts, missions, start, window)
        in_window = sum(window[0] <= _day(start, e.day) <= window[1] for e in acts)
        note = _acts_note(labelled, in_window, len(acts) - len(_worth_a_label(acts)))
        heading = textwrap.fill(f"Acts{note}", int(110 / options.font_scale))
        timeline.set_title(heading, loc="left", fontsize=plt.rcParams["font.size"])
        save(fig, [Path(p) for p in paths], options.dpi)
    return fig


def _frame(
    fig: plt.Figure, totals: plt.Axes, title: str, observations: bool, fork: dt.date | None, scale: float
) -> None:
    """The title (wrapped), the legend below the panels, and margins that fit both."""
    heading = textwrap.fill(title, int(90 / scale))
    totals.set_title(heading, loc="left", fontsize=plt.rcParams["font.size"] * 1.25, pad=12)
    rows = _legend(fig, totals, observations, fork, legend_columns(scale))
    height = fig.get_figheight()
    bottom = (0.75 + rows * 0.3 * scale) / height
    top = 1 - (0.3 + 0.3 * (heading.count("\n") + 1) * scale) / height
    fig.subplots_adjust(left=0.055 + 0.038 * scale, right=0.98, top=top, bottom=bottom)


def _fit_y(
    axis: plt.Axes,
    by_role: pd.DataFrame,
    dates: pd.DatetimeIndex,
    window: tuple[dt.date, dt.date],
    extra: list[int],
) -> None:
    """The y range of the window shown (so ``--from``/``--to`` zooms in), from zero."""
    mask = (dates >= pd.Timestamp(window[0])) & (dates <= pd.Timestamp(window[1]))
    peak = max([*extra, 1])
    for line in axis.get_lines():
        ys = pd.Series(line.get_ydata())
        if len(ys) == len(dates):
            peak = max(peak, float(ys[mask].max()))
    axis.set_ylim(0, peak * 1.12)
