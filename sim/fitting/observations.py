"""The table's rows as what the likelihood sees: acts (answered or not) and answer groups.

Answers and the acts they answer form a bipartite graph; each connected part of it is one
*group*, one observation of delay and size, so that an answer to three acts is not counted as
three answers, and three answers to one act are not three independent draws:

- its delay is from the latest act of the group to its first answer (a joint answer comes
  after the last of what it answers);
- its size pair, when the group has acts and answers of one kind that counts people: the
  acts' total of that kind against the answers' total of it.

Every act is also one answered-or-not observation, and an answered follower's act of a
coalition says whom the answer went to (its actor, or the coalition's leader).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sim.core.kinds import PEOPLE_KINDS
from sim.fitting.table import Row, Table


@dataclass(frozen=True)
class Act:
    """One act's answered-or-not observation."""

    episode: str
    act_id: str
    kind: str
    size: int
    follower: bool
    answered: bool
    #: for an answered follower's act: whether an answer went to the coalition's leader
    to_leader: bool


@dataclass(frozen=True)
class Group:
    """Acts and their answers, one observation of delay and (maybe) size."""

    episode: str
    acts: tuple[str, ...]
    #: days from the episode's first act to the group's latest act (batch decision days)
    day: int
    delay: int
    kind: str
    size_in: int | None
    size_out: int | None


@dataclass(frozen=True)
class Data:
    acts: tuple[Act, ...]
    groups: tuple[Group, ...]
    window: int

    @property
    def sized(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.size_in is not None)


def _first_dates(table: Table) -> dict[str, dt.date]:
    first: dict[str, dt.date] = {}
    for row in table.rows:
        day = dt.date.fromisoformat(row.date)
        first[row.episode] = min(first.get(row.episode, day), day)
    return first


def _acts(table: Table) -> tuple[Act, ...]:
    by_act: dict[tuple[str, str], list[Row]] = {}
    for row in table.rows:
        by_act.setdefault((row.episode, row.act_id), []).append(row)
    acts = []
    for (episode, act_id), rows in by_act.items():
        head = rows[0]
        answered = head.answers > 0
        to_leader = answered and head.follower and any(r.answer_target == head.leader for r in rows)
        acts.append(Act(episode, act_id, head.kind, head.size, head.follower, answered, to_leader))
    return tuple(acts)


def _components(rows: list[Row]) -> list[list[Row]]:
    """The connected parts of one episode's act-answer graph (union-find over ids)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        parent[find("a:" + row.act_id)] = find("r:" + str(row.answer_id))
    parts: dict[str, list[Row]] = {}
    for row in rows:
        parts.setdefault(find("a:" + row.act_id), []).append(row)
    return list(parts.values())


def _group(rows: list[Row], first: dt.date) -> Group:
    acts = {r.act_id: r for r in rows}
    answers = {r.answer_id: r for r in rows}
    latest = max(dt.date.fromisoformat(r.date) for r in acts.values())
    earliest_answer = min(dt.date.fromisoformat(str(r.answer_date)) for r in answers.values())
    kinds = [r.kind for r in acts.values()]
    kind = next(
        (k for k in kinds if k in PEOPLE_KINDS and any(a.answer_kind == k for a in answers.values())), None
    )
    size_in = size_out = None
    if kind is not None:
        size_in = sum(r.size for r in acts.values() if r.kind == kind)
        size_out = sum(int(r.answer_size or 0) for r in answers.values() if r.answer_kind == kind)
    return Group(
        episode=rows[0].episode,
        acts=tuple(acts),
        day=(latest - first).days,
        delay=max(0, (earliest_answer - latest).days),
        kind=kind or kinds[0],
        size_in=size_in,
        size_out=size_out,
    )


def observations(table: Table) -> Data:
    """Acts and groups of the table, in the table's order (so fits do not depend on dict order)."""
    first = _first_dates(table)
    groups: list[Group] = []
    for episode in table.episodes:
        answered = [r for r in table.rows if r.episode == episode and r.answer_id is not None]
        groups.extend(_group(part, first[episode]) for part in _components(answered))
    return Data(_acts(table), tuple(groups), table.window)
