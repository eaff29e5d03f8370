"""Coalitions inferred from an imported CSV, which has no column for them (``sim import``).

Two rules, applied to the hostile acts (``expel``, ``cap``, ``close_post``, after mapping)
of one episode:

1. Joint action: acts by two or more different actors against one target, each within
   ``days`` of the previous act of the group, form one coalition, id
   ``<episode>-<target>-<first date>``, led by the actor of the group's first act (the
   2018 Salisbury wave: the UK's expulsion of 14 March, then 28 states and NATO).
2. One announcement: one actor's acts of one day against two or more targets (Russia's
   replies of 30 March 2018), id ``<episode>-<actor>-<date>``, led by that actor.

An act belongs to at most one coalition. Rule 1 wins: it is found first, and the acts it
takes are left out of rule 2 (a joint action is what the side answering it sees; a batch
that loses an act to one still counts if two or more targets remain). ``days = 0`` turns
inference off. An id longer than 32 characters (a name's limit) is cut in its episode part;
one already taken (by an act or another coalition) gets ``-2``, ``-3``... The coalition's
note says which rule made it and from which acts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sim.scenario.importer import NAME_LIMIT, Act

HOSTILE = ("expel", "cap", "close_post")
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Coalition:
    id: str
    leader: str
    note: str
    members: tuple[Act, ...]


def coalition_id(episode: str, who: str, date: str, taken: set[str]) -> str:
    """``<episode>-<who>-<date>``, cut to a name's 32 characters in its episode part (then in
    ``who``), with ``-2``, ``-3``... if taken; always a valid, unused name."""
    for number in range(1, len(taken) + 2):
        suffix = "" if number == 1 else f"-{number}"
        tail = f"-{date}{suffix}"
        head = f"{episode}-{who}"
        if len(head) + len(tail) > NAME_LIMIT:
            room = NAME_LIMIT - len(tail) - len(who) - 1
            head = f"{episode[:room].rstrip('_-')}-{who}" if room >= 1 else who[: NAME_LIMIT - len(tail)]
        candidate = f"{head}{tail}"
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: one of len(taken) + 1 candidates is free")


def infer(acts: list[Act], days: int) -> list[Coalition]:
    """Every coalition of ``acts`` (in log order), each act's ``coalition`` set; none if
    ``days`` is 0."""
    if days <= 0:
        return []
    taken = {act.id for act in acts}
    found = _joint_actions(acts, days, taken)
    claimed = {id(act) for coalition in found for act in coalition.members}
    found += _announcements([a for a in acts if id(a) not in claimed], taken)
    found.sort(key=lambda c: (c.members[0].row.date, c.members[0].row.line))
    for coalition in found:
        for act in coalition.members:
            act.coalition = coalition.id
    return found


def _groups(acts: list[Act], key: Callable[[Act], K]) -> dict[K, list[Act]]:
    """The hostile acts by ``key``, each group in log order."""
    groups: dict[K, list[Act]] = {}
    for act in acts:
        if act.kind in HOSTILE:
            groups.setdefault(key(act), []).append(act)
    return groups


def _joint_actions(acts: list[Act], days: int, taken: set[str]) -> list[Coalition]:
    """Rule 1: chains of acts against one target, each within ``days`` of the one before."""
    found = []
    for (episode, target), group in _groups(acts, lambda a: (a.row.episode, a.row.target)).items():
        chains: list[list[Act]] = []
        for act in group:
            if chains and (act.row.date - chains[-1][-1].row.date).days <= days:
                chains[-1].append(act)
            else:
                chains.append([act])
        for chain in chains:
            actors = list(dict.fromkeys(a.row.actor for a in chain))
            if len(actors) < 2:
                continue
            first, last = chain[0].row.date, chain[-1].row.date
            name = coalition_id(episode, target, first.isoformat(), taken)
            taken.add(name)
            note = (
                f"inferred by sim import (episode {episode}): {len(chain)} acts against {target} by "
                f"{len(actors)} actors ({', '.join(actors)}) from {first} to {last}, each within "
                f"{days} days of the one before; led by the actor of the first act"
            )
            found.append(Coalition(name, actors[0], note, tuple(chain)))
    return found


def _announcements(acts: list[Act], taken: set[str]) -> list[Coalition]:
    """Rule 2: one actor's acts of one day against two or more targets."""
    found = []
    batches = _groups(acts, lambda a: (a.row.episode, a.row.actor, a.row.date))
    for (episode, actor, date), group in batches.items():
        targets = list(dict.fromkeys(a.row.target for a in group))
        if len(targets) < 2:
            continue
        name = coalition_id(episode, actor, date.isoformat(), taken)
        taken.add(name)
        note = (
            f"inferred by sim import (episode {episode}): {actor}'s {len(group)} acts of {date} "
            f"against {len(targets)} targets ({', '.join(targets)}), one announcement"
        )
        found.append(Coalition(name, actor, note, tuple(group)))
    return found
