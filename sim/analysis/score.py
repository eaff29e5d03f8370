"""``sim score``: every documented figure against simulated staffing in the figure's scope.

A reported figure counts some posts and some roles, and it is one of five kinds (see
:data:`~sim.core.dated_acts.OBSERVATION_KINDS`). Comparing it with the mission's total, or a
cap with a headcount, scores the model against something the source never said; so each
figure is compared with the simulated headcount of its own posts and roles (a flow with the
departures from them over its period), and only counts and flows have an error. Bounds and
targets are satisfied or not, seed by seed. The MAPE is over counts alone: a bound has no
error to average and a target is an order, not a measurement.

The simulated side is read from the log itself (arrivals, reassignments, departures), not
from a projection by mission and role, because a scope may name posts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.core import events as ev
from sim.core.dated_acts import Observation

#: Kinds with an error (simulated minus reported); the others are bounds.
MEASURED = frozenset({"count", "flow"})


class ScoreError(ValueError):
    """A figure that cannot be scored against the run (a post or mission it does not have)."""


@dataclass(frozen=True)
class Scope:
    """Which staff a figure counts: the mission (sender, host), its posts and roles (``None``: all)."""

    sender: str
    host: str
    posts: frozenset[str] | None
    roles: frozenset[str] | None
    reasons: frozenset[str] | None = None  # a flow's departure reasons

    def holds(self, sender: str, host: str, post: str, role: str) -> bool:
        return (
            sender == self.sender
            and host == self.host
            and (self.posts is None or post in self.posts)
            and (self.roles is None or role in self.roles)
        )


def scope_of(obs: Observation, sides: Sequence[str], posts: dict[str, tuple[str, ...]], index: int) -> Scope:
    """The scope of ``obs`` in a run of ``sides`` whose missions have ``posts`` (by sender);
    :class:`ScoreError` naming ``observations[index]`` if the run has no such mission or post."""
    where = f"observations[{index}]"
    if obs.mission not in sides:
        raise ScoreError(f"{where}.mission: {obs.mission!r} is not one of the run's sides {list(sides)}")
    host = obs.host
    if host is None:
        others = [side for side in sides if side != obs.mission]
        if len(others) != 1:
            raise ScoreError(f"{where}.host: with more than two sides, say the mission's host")
        host = others[0]
    known = posts.get(obs.mission, ())
    for post in obs.posts or ():
        if post not in known:
            raise ScoreError(
                f"{where}.posts: {obs.mission} has no post {post!r} (its posts: {', '.join(known)})"
            )
    return Scope(
        obs.mission,
        host,
        None if obs.posts is None else frozenset(obs.posts),
        None if obs.roles is None else frozenset(obs.roles),
        None if obs.reasons is None else frozenset(obs.reasons),
    )


def mission_posts(log: Sequence[ev.Event]) -> dict[str, tuple[str, ...]]:
    """Each sender's posts, from the log's ``MissionOpened`` events."""
    return {e.actor: tuple(e.posts) for e in log if type(e) is ev.MissionOpened}  # type: ignore[attr-defined]


def simulated_values(
    log: Sequence[ev.Event],
    start: dt.date,
    observations: Sequence[Observation],
    scopes: Sequence[Scope],
    horizon: int | None = None,
) -> list[int | None]:
    """Each figure's simulated value in one run: the headcount in scope at the end of its date
    (a flow: departures in scope from ``since`` to ``date``, inclusive); ``None`` for a date
    outside the run (days 0 to ``horizon``, by default the log's last day: a quiet run's log
    may end long before the run does)."""
    last_day = horizon if horizon is not None else (log[-1].day if log else -1)
    days = [(obs.date - start).days for obs in observations]
    flows = [
        ((obs.since - start).days, day) if obs.kind == "flow" and obs.since is not None else None
        for obs, day in zip(observations, days, strict=True)
    ]
    queries = sorted((day, i) for i, day in enumerate(days) if flows[i] is None and 0 <= day <= last_day)
    values: list[int | None] = [None] * len(observations)
    people: dict[int, tuple[str, str, str, str]] = {}
    counts: dict[tuple[str, str, str, str], int] = {}
    departures: list[tuple[int, str, tuple[str, str, str, str]]] = []
    q = 0

    def answer_through(day: int) -> int:
        nonlocal q
        while q < len(queries) and queries[q][0] <= day:
            i = queries[q][1]
            values[i] = sum(n for cell, n in counts.items() if scopes[i].holds(*cell))
            q += 1
        return q

    for e in log:
        if q < len(queries) and e.day > queries[q][0]:
            answer_through(e.day - 1)
        _fold_staff(e, people, counts, departures)
    answer_through(last_day)
    for i, window in enumerate(flows):
        if window is not None and window[1] <= last_day and window[0] >= 0:
            low, high = window
            scope = scopes[i]
            values[i] = sum(
                1
                for day, reason, cell in departures
                if low <= day <= high
                and (scope.reasons is None or reason in scope.reasons)
                and scope.holds(*cell)
            )
    return values


def _fold_staff(
    e: ev.Event,
    people: dict[int, tuple[str, str, str, str]],
    counts: dict[tuple[str, str, str, str], int],
    departures: list[tuple[int, str, tuple[str, str, str, str]]],
) -> None:
    """Who is where, by (sender, host, post, role): the three events that move staff."""
    cls = type(e)
    if cls is ev.StaffArrived:
        cell = (e.actor, e.target, e.post, e.role)  # type: ignore[attr-defined]
        people[e.seq] = cell
        counts[cell] = counts.get(cell, 0) + 1
    elif cls is ev.StaffDeparted:
        cell = people.pop(e.person)  # type: ignore[attr-defined]
        counts[cell] -= 1
        departures.append((e.day, e.reason, cell))  # type: ignore[attr-defined]
    elif cls is ev.StaffReassigned:
        old = people[e.person]  # type: ignore[attr-defined]
        new = (old[0], old[1], e.post, old[3])  # type: ignore[attr-defined]
        people[e.person] = new  # type: ignore[attr-defined]
        counts[old] -= 1
        counts[new] = counts.get(new, 0) + 1


@dataclass
class ScoreRow:
    """One figure against its simulated values over the seeds."""

    obs: Observation
    values: list[int] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return bool(self.values)

    def quantile(self, q: float) -> float | None:
        return float(np.quantile(self.values, q)) if self.values else None

    def satisfied(self) -> int | None:
        """Seeds whose value meets the bound (``None`` for counts and flows)."""
        test = _BOUNDS.get(self.obs.kind)
        if test is None or not self.values:
            return None
        return sum(1 for v in self.values if test(v, self.obs.headcount))

    def error(self) -> float | None:
        """Median minus the figure, for counts and flows."""
        if self.obs.kind not in MEASURED or not self.values:
            return None
        return self.quantile(0.5) - self.obs.headcount  # type: ignore[operator]

    def percent_error(self) -> float | None:
        error = self.error()
        if error is None or self.obs.headcount == 0:
            return None
        return 100.0 * error / self.obs.headcount

    def as_dict(self) -> dict[str, Any]:
        obs = self.obs
        return {
            "date": obs.date.isoformat(),
            "since": obs.since.isoformat() if obs.since else None,
            "mission": obs.mission,
            "host": obs.host,
            "kind": obs.kind,
            "figure": obs.headcount,
            "posts": list(obs.posts) if obs.posts else None,
            "roles": list(obs.roles) if obs.roles else None,
            "scope": obs.scope(),
            "median": self.quantile(0.5),
            "p10": self.quantile(0.1),
            "p90": self.quantile(0.9),
            "error": self.error(),
            "percent_error": self.percent_error(),
            "satisfied": self.satisfied(),
            "seeds": len(self.values),
            "source": obs.source,
        }


_BOUNDS: dict[str, Callable[[int, int], bool]] = {
    "at_least": lambda value, figure: value >= figure,
    "at_most": lambda value, figure: value <= figure,
    "target": lambda value, figure: value <= figure,
}


@dataclass
class Score:
    """Every figure's row, the seeds run and the MAPE over counts."""

    rows: list[ScoreRow]
    seeds: list[int]

    def mape(self, kind: str = "count") -> float | None:
        """Mean absolute percentage error of the medians, over the figures of ``kind`` (counts;
        flows are reported apart, ``mape_flows``) with a figure above 0."""
        errors = [
            abs(row.percent_error())  # type: ignore[arg-type]
            for row in self.rows
            if row.obs.kind == kind and row.percent_error() is not None
        ]
        return sum(errors) / len(errors) if errors else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "seeds": self.seeds,
            "mape_counts": self.mape(),
            "mape_flows": self.mape("flow"),
            "rows": [row.as_dict() for row in self.rows],
        }


def score_logs(
    runs: Sequence[Sequence[ev.Event]],
    start: dt.date,
    observations: Sequence[Observation],
    seeds: Sequence[int],
    end: dt.date | None = None,
) -> Score:
    """Score ``observations`` against each run's log (one per seed, all from ``start`` to ``end``)."""
    horizon = None if end is None else (end - start).days
    rows = [ScoreRow(obs) for obs in observations]
    for log in runs:
        opened = [e for e in log if type(e) is ev.MissionOpened]
        sides = list(dict.fromkeys([name for e in opened for name in (e.actor, e.target)]))
        posts = mission_posts(log)
        scopes = [scope_of(obs, sides, posts, i) for i, obs in enumerate(observations)]
        for row, value in zip(rows, simulated_values(log, start, observations, scopes, horizon), strict=True):
            if value is not None:
                row.values.append(value)
    return Score(rows, list(seeds))


def result_text(row: ScoreRow) -> str:
    """The table's last column: the error of a count or flow, the seeds meeting a bound."""
    if not row.scored:
        return "outside the run"
    if row.obs.kind in MEASURED:
        error, percent = row.error(), row.percent_error()
        text = f"{error:+,.0f}"
        return text if percent is None else f"{text} ({percent:+.1f}%)"
    met = row.satisfied()
    word = "met" if row.obs.kind == "target" else "satisfied"
    return f"{word} in {met}/{len(row.values)}"


TABLE_COLUMNS = ("date", "mission", "kind", "figure", "scope", "median", "10-90%", "result")


def table_rows(score: Score) -> list[tuple[str, ...]]:
    """The printed table, one tuple of strings per figure (``TABLE_COLUMNS``)."""
    rows = []
    for row in score.rows:
        obs = row.obs
        when = f"{obs.since}..{obs.date}" if obs.since else obs.date.isoformat()
        mission = obs.mission if obs.host is None else f"{obs.mission} in {obs.host}"
        median, low, high = row.quantile(0.5), row.quantile(0.1), row.quantile(0.9)
        spread = "" if low is None else f"{low:,.0f}-{high:,.0f}"
        rows.append(
            (
                when,
                mission,
                obs.kind,
                f"{'~' if obs.approximate else ''}{obs.headcount:,}",
                obs.scope(),
                "" if median is None else f"{median:,.0f}",
                spread,
                result_text(row),
            )
        )
    return rows


def score_scenario(scenario: Any, observations: Sequence[Observation], seeds: int) -> Score:
    """Run ``scenario`` with ``seeds`` seeds (its own seed and the ones after it, so that the
    first row is the run ``sim run`` makes) and score ``observations`` against the runs."""
    from sim.engine.loop import simulate

    chosen = [(scenario.seed + i) % (2**63) for i in range(seeds)]
    logs = [simulate(scenario.model_copy(update={"seed": seed})).log for seed in chosen]
    return score_logs(logs, scenario.start, observations, chosen, scenario.end)
