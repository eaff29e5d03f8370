"""Read models built from a log with pandas: the events table and staffing over time.

These are views, never sources of truth: each one is recomputed from the log, vectorised
(a person's role is found by joining the departure to the arrival that created the person,
whose ``seq`` is the person's id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pandas as pd

from sim.core import events as ev
from sim.core.state import PAIR, pair_label

STAFFING_COLUMNS = ["date", "day", "mission", "role", "headcount"]


def events_frame(log: Sequence[ev.Event], start: dt.date) -> pd.DataFrame:
    """One row per event: the common fields as columns, the rest as a JSON ``payload``."""
    rows = [
        {
            "seq": e.seq,
            "day": e.day,
            "date": start + dt.timedelta(days=e.day),
            "type": type(e).__name__,
            "actor": e.actor,
            "target": e.target,
            "cause": e.cause,
            "source": e.source,
            "reference": e.reference,
            "act_id": e.act_id,
            "payload": ev.payload_json(e),
        }
        for e in log
    ]
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    if not frame.empty:
        frame["cause"] = frame["cause"].astype("Int64")
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def paired(missions: Sequence[str]) -> bool:
    """Whether ``missions`` are ``SENDER>HOST`` labels (more than two sides) or senders."""
    return any(PAIR in name for name in missions)


def split_label(label: str) -> tuple[str, str | None]:
    """``"UK>RU"`` -> ``("UK", "RU")``; a sender's name alone -> ``(name, None)``."""
    sender, _, host = label.partition(PAIR)
    return sender, host or None


def labeller(missions: Sequence[str]) -> Callable[[ev.Event], str]:
    """The label of the mission a staff movement (or a mission's own act) concerns."""
    if paired(missions):
        return lambda e: pair_label(e.actor, e.target)
    return lambda e: e.actor


def staffing_changes(log: Sequence[ev.Event], missions: Sequence[str], start: dt.date) -> pd.DataFrame:
    """Headcount by mission and role at the end of each day on which it changed.

    Day 0 has a row for every mission and role (zeros included) so every series starts.
    ``missions`` are the scenario's labels (``Scenario.mission_labels``).
    """
    label = labeller(missions)
    arrivals = [(e.seq, e.day, label(e), e.role) for e in log if type(e) is ev.StaffArrived]
    departures = [(e.person, e.day) for e in log if type(e) is ev.StaffDeparted]
    people = pd.DataFrame(arrivals, columns=["person", "day", "mission", "role"])
    gone = pd.DataFrame(departures, columns=["person", "day"]).merge(
        people[["person", "mission", "role"]], on="person", how="left", validate="one_to_one"
    )
    deltas = pd.concat([people.assign(delta=1), gone.assign(delta=-1)], ignore_index=True)[
        ["day", "mission", "role", "delta"]
    ]
    grid = pd.MultiIndex.from_product([list(missions), list(ev.ROLES)], names=["mission", "role"])
    zero = pd.DataFrame(index=grid).reset_index().assign(day=0, delta=0)
    deltas = pd.concat([zero, deltas], ignore_index=True)
    daily = deltas.groupby(["mission", "role", "day"], sort=True)["delta"].sum().reset_index()
    daily["headcount"] = daily.groupby(["mission", "role"])["delta"].cumsum()
    daily = daily[(daily["day"] == 0) | (daily["delta"] != 0)]
    order = {name: i for i, name in enumerate(missions)}
    roles = {role: i for i, role in enumerate(ev.ROLES)}
    daily = daily.sort_values(
        ["day", "mission", "role"],
        key=lambda col: (
            col.map(order) if col.name == "mission" else (col.map(roles) if col.name == "role" else col)
        ),
    )
    daily["date"] = [start + dt.timedelta(days=int(d)) for d in daily["day"]]
    return daily[STAFFING_COLUMNS].reset_index(drop=True).astype({"headcount": "int64", "day": "int64"})


def totals_by_day(changes: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Daily total headcount per mission (days 0..horizon as index, one column per mission)."""
    wide = changes.pivot_table(index="day", columns=["mission", "role"], values="headcount", aggfunc="last")
    wide = wide.reindex(range(horizon + 1)).ffill()
    return wide.T.groupby(level="mission", sort=False).sum().T.astype("int64")


def roles_by_day(changes: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Daily headcount per (mission, role) column."""
    wide = changes.pivot_table(index="day", columns=["mission", "role"], values="headcount", aggfunc="last")
    return wide.reindex(range(horizon + 1)).ffill().astype("int64")


def staffing_csv(changes: pd.DataFrame) -> pd.DataFrame:
    """The table ``staffing.csv`` holds: as ``staffing_changes`` gives it, and with more than
    two sides a ``sender`` and a ``host`` column after ``mission`` (one row per mission and
    role on each day it changed)."""
    if changes.empty or not paired(list(changes["mission"].unique())):
        return changes
    parts = changes["mission"].str.partition(PAIR)
    out = changes.copy()
    out.insert(3, "sender", parts[0])
    out.insert(4, "host", parts[2])
    return out
