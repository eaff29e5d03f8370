"""Numbers that summarise a run, computed from the log and its staffing series.

``mission_metrics`` is the per-mission table of ``sim run``; ``run_metrics`` is the flat row
per run that ``sim sweep`` stores (cheap: one pass over the log and numpy, no pandas).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.projections import labeller, paired, totals_by_day
from sim.core import events as ev
from sim.core.kinds import is_hostile


def mission_metrics(
    log: Sequence[ev.Event], changes: pd.DataFrame, missions: Sequence[str], start: dt.date, horizon: int
) -> list[dict[str, Any]]:
    """One dict per mission: headcounts (start, end, minimum and when), flows and acts."""
    totals = totals_by_day(changes, horizon)
    departures: dict[str, Counter[str]] = {name: Counter() for name in missions}
    arrivals: Counter[str] = Counter()
    hostile: Counter[str] = Counter()
    label = labeller(missions)  # with more than two sides: an act counts for actor>target
    for e in log:
        if type(e) is ev.StaffDeparted:
            departures[label(e)][e.reason] += 1
        elif type(e) is ev.StaffArrived and e.day > 0:
            arrivals[label(e)] += 1
        elif e.IS_ACT and is_hostile(e):
            hostile[label(e)] += 1
    rows = []
    for name in missions:
        series = totals[name]
        first = int(series.iloc[0])
        low_day = int(series.idxmin())
        half = series[series < first / 2]
        rows.append(
            {
                "mission": name,
                "start": first,
                "end": int(series.iloc[-1]),
                "minimum": int(series.min()),
                "minimum_date": (start + dt.timedelta(days=low_day)).isoformat(),
                "below_half_from": (start + dt.timedelta(days=int(half.index[0]))).isoformat()
                if len(half)
                else None,
                "arrivals": arrivals[name],
                "departures": sum(departures[name].values()),
                "expelled": departures[name]["expelled"],
                "left_under_rotation_limit": departures[name]["rotation_limit"],
                "hostile_acts_by_side": hostile[name],
            }
        )
    return rows


# --- per-run metrics for sweeps (one flat row per run, no pandas) ---------------------------

#: Metric columns per mission (sending side) and per acting side; ``{}`` is the side's name.
MISSION_COLUMNS: tuple[str, ...] = ("final_{}", "min_{}", "below_half_day_{}", "expelled_{}")
SIDE_COLUMNS: tuple[str, ...] = ("hostile_acts_{}",)
RUN_COLUMNS: tuple[str, ...] = ("escalation_rounds", "last_actor", "last_hostile_day", "events")


def metric_columns(sides: Sequence[str]) -> list[str]:
    """The names :func:`run_metrics` returns for a scenario with these two sides, in order."""
    columns = [pattern.format(side) for side in sides for pattern in MISSION_COLUMNS]
    columns += [pattern.format(side) for side in sides for pattern in SIDE_COLUMNS]
    return columns + list(RUN_COLUMNS)


def headcount_series(log: Sequence[ev.Event], missions: Sequence[str], horizon: int) -> dict[str, np.ndarray]:
    """Each mission's total headcount at the end of every day ``0..horizon`` (an int64 array).

    Only arrivals and departures move headcounts, and both concern the actor's own mission,
    so the series is a cumulative sum of +1/-1 per (mission, day): no state fold needed.
    """
    return series_and_counts(log, missions, horizon)[0]


def series_from_columns(
    rows: np.ndarray, days: np.ndarray, signs: np.ndarray, missions: Sequence[str], horizon: int
) -> dict[str, np.ndarray]:
    """The vectorised core of :func:`headcount_series`: ``rows`` (mission index), ``days`` and
    ``signs`` (+1 arrival, -1 departure) of the staff movements, as equal-length arrays."""
    width = horizon + 1
    flat = np.bincount(rows * width + days, weights=signs, minlength=len(missions) * width)
    daily = np.cumsum(flat.reshape(len(missions), width), axis=1).astype(np.int64)
    return {name: daily[i] for i, name in enumerate(missions)}


def answer_depths(log: Sequence[ev.Event]) -> dict[int, int]:
    """For every act (by ``seq``), the length of the chain of answers that ends with it.

    An act's parent is the act its ``cause`` names, directly (a documented answer, a policy's
    answer) or through the ``ActObserved`` that recorded the side noticing it. An act with
    no such parent (an opening move, an answer to a false alarm) starts a chain of 1.
    """
    by_seq = {e.seq: e for e in log}
    depths: dict[int, int] = {}
    for e in log:
        if not e.IS_ACT:
            continue
        parent = e.cause
        seen = 0
        while parent is not None and type(by_seq.get(parent)) is ev.ActObserved and seen < 8:
            parent = by_seq[parent].act  # type: ignore[attr-defined]
            seen += 1
        depths[e.seq] = depths.get(parent, 0) + 1 if parent is not None else 1
    return depths


Counts = tuple[Counter[str], Counter[str], dict[str, int], dict[int, int]]


def series_and_counts(
    log: Sequence[ev.Event], missions: Sequence[str], horizon: int
) -> tuple[dict[str, np.ndarray], Counts]:
    """:func:`headcount_series` and what :func:`run_metrics` counts, in one pass over the log
    (a sweep does this for every run: once the engine is fast, three passes were a tenth of
    the time).

    A movement is kept as one int, its mission's row times the days plus its day, in a list
    of arrivals or of departures: the series is then two ``bincount``s and a ``cumsum``.
    """
    width = horizon + 1
    offset = {name: i * width for i, name in enumerate(missions)}
    label = labeller(missions) if paired(missions) else None  # SENDER>HOST labels: more sides
    arrivals: list[int] = []
    departures: list[int] = []
    expelled: Counter[str] = Counter()
    hostile: Counter[str] = Counter()
    last_day: dict[str, int] = {}
    depths: dict[int, int] = {}
    arrived, departed = ev.StaffArrived, ev.StaffDeparted
    for e in log:
        kind = type(e)
        if kind is arrived:
            arrivals.append(offset[e.actor if label is None else label(e)] + e.day)
        elif kind is departed:
            who = e.actor if label is None else label(e)
            departures.append(offset[who] + e.day)
            if e.reason == "expelled":  # type: ignore[attr-defined]
                expelled[who] += 1
        elif kind.IS_ACT:
            _count_act(e, log, hostile, last_day, depths, None if label is None else label(e))
    size = len(missions) * width
    moved = np.bincount(np.asarray(arrivals, dtype=np.int64), minlength=size)
    if departures:
        moved -= np.bincount(np.asarray(departures, dtype=np.int64), minlength=size)
    if len(moved) != size:
        raise ValueError(f"a staff movement falls after the horizon (day {horizon})")
    daily = np.cumsum(moved.reshape(len(missions), width), axis=1, dtype=np.int64)
    return {name: daily[i] for i, name in enumerate(missions)}, (expelled, hostile, last_day, depths)


def _count_act(
    e: ev.Event,
    log: Sequence[ev.Event],
    hostile: Counter[str],
    last_day: dict[str, int],
    depths: dict[int, int],
    who: str | None = None,
) -> None:
    """One act's part of the counts: hostility (for ``who``: its actor, or the actor>target
    label), its day, and its depth in a chain of answers (:func:`answer_depths`; a log's
    ``seq`` is its index)."""
    if is_hostile(e):
        who = who or e.actor
        hostile[who] += 1
        last_day[who] = max(last_day.get(who, e.day), e.day)
    parent = e.cause
    seen = 0
    while parent is not None and 0 <= parent < len(log) and type(log[parent]) is ev.ActObserved and seen < 8:
        parent = log[parent].act  # type: ignore[attr-defined]
        seen += 1
    depths[e.seq] = depths.get(parent, 0) + 1 if parent is not None else 1


def _counts(log: Sequence[ev.Event]) -> Counts:
    expelled: Counter[str] = Counter()
    hostile: Counter[str] = Counter()
    last_day: dict[str, int] = {}
    depths: dict[int, int] = {}
    for e in log:
        if type(e) is ev.StaffDeparted:
            if e.reason == "expelled":  # type: ignore[attr-defined]
                expelled[e.actor] += 1
        elif e.IS_ACT:
            _count_act(e, log, hostile, last_day, depths)
    return expelled, hostile, last_day, depths


def run_metrics(
    log: Sequence[ev.Event],
    missions: Sequence[str],
    horizon: int,
    series: dict[str, np.ndarray] | None = None,
    counts: Counts | None = None,
) -> dict[str, Any]:
    """One flat dict of numbers per run, keyed as :func:`metric_columns` lists them
    (``series`` and ``counts`` from :func:`series_and_counts`, if already at hand).

    - ``final_M``, ``min_M``: mission M's headcount on the last day, and its lowest over the run;
    - ``below_half_day_M``: the first day M's headcount is below half of its day-0 headcount
      (``None`` if never);
    - ``expelled_M``: people of mission M who left because they were expelled;
    - ``hostile_acts_S``: hostile acts (``kinds.is_hostile``) side S took;
    - ``escalation_rounds``: the longest chain of answers (:func:`answer_depths`), 0 with no act;
    - ``last_actor``: the side whose hostile act came last, ``"both"`` if both sides' last
      hostile acts fall on the same day (same-day order is not a fact about the world),
      ``None`` if nobody acted;
    - ``last_hostile_day``: the day of the last hostile act (``None`` if none);
    - ``events``: the log's length.
    """
    if series is None or (counts is None and paired(missions)):
        series, counts = series_and_counts(log, missions, horizon)
    elif counts is None:
        counts = _counts(log)
    expelled, hostile, last_day, depths = counts
    out: dict[str, Any] = {}
    for name in missions:
        values = series[name]
        below = np.flatnonzero(values * 2 < values[0])
        out[f"final_{name}"] = int(values[-1])
        out[f"min_{name}"] = int(values.min())
        out[f"below_half_day_{name}"] = int(below[0]) if len(below) else None
        out[f"expelled_{name}"] = expelled[name]
    for name in missions:
        out[f"hostile_acts_{name}"] = hostile[name]
    out["escalation_rounds"] = max(depths.values(), default=0)
    if last_day:
        latest = max(last_day.values())
        actors = [name for name in missions if last_day.get(name) == latest]
        out["last_actor"] = actors[0] if len(actors) == 1 else "both"  # "both": a tie
        out["last_hostile_day"] = latest
    else:
        out["last_actor"] = None
        out["last_hostile_day"] = None
    out["events"] = len(log)
    return out
