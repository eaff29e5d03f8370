"""Numbers that summarise a run, per mission, computed from the log and its staffing series."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim import events as ev
from sim.projections import totals_by_day


def mission_metrics(
    log: Sequence[ev.Event], changes: pd.DataFrame, missions: Sequence[str], start: dt.date, horizon: int
) -> list[dict[str, Any]]:
    """One dict per mission: headcounts (start, end, minimum and when), flows and acts."""
    totals = totals_by_day(changes, horizon)
    departures: dict[str, Counter[str]] = {name: Counter() for name in missions}
    arrivals: Counter[str] = Counter()
    hostile: Counter[str] = Counter()
    for e in log:
        if type(e) is ev.StaffDeparted:
            departures[e.actor][e.reason] += 1
        elif type(e) is ev.StaffArrived and e.day > 0:
            arrivals[e.actor] += 1
        elif e.IS_ACT and ev.is_hostile(e):
            hostile[e.actor] += 1
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
