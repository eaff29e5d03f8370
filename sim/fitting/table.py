"""The act-response table: what each documented act was answered with, and when.

One row per act that someone answered or could have answered (a hostile act, or any act an
answer cites), and per answer. The rules, which docs/fitting.md repeats:

- An answer of act ``i`` is a later act ``j`` by ``i``'s target whose ``in_response_to``
  names ``i``'s id, or names ``i``'s coalition (a coalition id means its acts against ``j``'s
  actor; all of its acts if none is against it), dated at most ``window`` days after ``i``.
  Acts by third parties citing ``i`` are solidarity, not answers, and are not linked.
- An act answered by several acts gives one row per answer (``answers`` says how many),
  earliest first; an unanswered act gives one row with the answer columns empty.
- An answer to several acts appears in the row of each (``answer_shares`` says how many acts
  it answers); :mod:`sim.fitting.observations` turns such a group into one observation.
- Mission sizes: a documented log has none, so ``actor_mission_size`` (the actor's mission in
  the target's capital) and ``target_mission_size`` are empty unless a scenario supplies
  them (``--scenario``: its missions' starting staff, every post and role; empty for a pair
  it has no mission for). No family uses them yet.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sim.core.dated_acts import DocumentedAct
from sim.core.kinds import HOSTILE_KINDS
from sim.infra.errors import InputError
from sim.scenario.documented import SeedsLog, load_seeds

#: Days after an act within which an answer counts (``--window``).
DEFAULT_WINDOW = 90


@dataclass(frozen=True)
class Row:
    """One act and one of its answers (or none)."""

    episode: str
    act_id: str
    date: str
    actor: str
    target: str
    kind: str
    size: int
    coalition: str | None
    coalition_size: int | None
    leader: str | None
    follower: bool
    actor_mission_size: int | None
    target_mission_size: int | None
    answers: int
    answer_id: str | None = None
    answer_date: str | None = None
    answer_target: str | None = None
    answer_kind: str | None = None
    answer_size: int | None = None
    delay_days: int | None = None
    answer_shares: int | None = None


def episode_name(log: SeedsLog, path: Path) -> str:
    """The episode a log is about: ``episode NAME`` in the title (``sim import`` writes one log
    per episode so titled), else the title itself."""
    found = re.search(r"\bepisode (\S+)", log.title)
    return found.group(1) if found else log.title


def _act_id(act: DocumentedAct, index: int) -> str:
    return act.id if act.id is not None else f"#{index}"


def _cited(log: SeedsLog, answer: DocumentedAct, before: int) -> list[int]:
    """Indexes of the earlier acts ``answer`` cites, a coalition id standing for its acts
    against the answer's actor (or all its acts if none is against it)."""
    ids = {act.id: i for i, act in enumerate(log.acts[:before]) if act.id is not None}
    cited: list[int] = []
    for ref in answer.in_response_to:
        if ref in ids:
            cited.append(ids[ref])
            continue
        members = [i for i, act in enumerate(log.acts[:before]) if act.coalition == ref]
        against = [i for i in members if log.acts[i].target == answer.actor]
        cited.extend(against or members)
    return sorted(set(cited))


def links(log: SeedsLog, window: int) -> dict[int, list[int]]:
    """Each act's answers (act indexes, earliest first): by its target, within ``window`` days."""
    answered: dict[int, list[int]] = {}
    for j, answer in enumerate(log.acts):
        for i in _cited(log, answer, j):
            act = log.acts[i]
            if answer.actor == act.target and (answer.date - act.date).days <= window:
                answered.setdefault(i, []).append(j)
    return answered


def log_rows(log: SeedsLog, path: Path, window: int = DEFAULT_WINDOW) -> list[Row]:
    """The table's rows of one log, in the log's order."""
    episode = episode_name(log, path)
    answered = links(log, window)
    shares: dict[int, int] = {}
    for answers in answered.values():
        for j in answers:
            shares[j] = shares.get(j, 0) + 1
    rows: list[Row] = []
    for i, act in enumerate(log.acts):
        if act.kind not in HOSTILE_KINDS and i not in answered:
            continue
        base = _act_fields(log, episode, act, i)
        answers = answered.get(i, [])
        if not answers:
            rows.append(Row(**base, answers=0))
        for j in answers:
            reply = log.acts[j]
            rows.append(
                Row(
                    **base,
                    answers=len(answers),
                    answer_id=_act_id(reply, j),
                    answer_date=reply.date.isoformat(),
                    answer_target=reply.target,
                    answer_kind=reply.kind,
                    answer_size=reply.size,
                    delay_days=(reply.date - act.date).days,
                    answer_shares=shares[j],
                )
            )
    return rows


def _act_fields(log: SeedsLog, episode: str, act: DocumentedAct, index: int) -> dict[str, object]:
    coalition = act.coalition
    size = None
    leader = None
    if coalition is not None:
        size = len({a.actor for a in log.acts if a.coalition == coalition})
        leader = log.leader_of(coalition)
    return {
        "episode": episode,
        "act_id": _act_id(act, index),
        "date": act.date.isoformat(),
        "actor": act.actor,
        "target": act.target,
        "kind": act.kind,
        "size": act.size,
        "coalition": coalition,
        "coalition_size": size,
        "leader": leader,
        "follower": leader is not None and leader != act.actor,
        "actor_mission_size": None,
        "target_mission_size": None,
    }


@dataclass(frozen=True)
class Table:
    """The rows of several logs and the digest that names them (fits record it)."""

    rows: tuple[Row, ...]
    window: int

    @property
    def digest(self) -> str:
        """SHA-256 of the rows and the window, independent of file names and order of keys."""
        text = json.dumps([asdict(r) for r in self.rows], sort_keys=True) + f"|window={self.window}"
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def episodes(self) -> list[str]:
        return list(dict.fromkeys(r.episode for r in self.rows))

    def only(self, episodes: Sequence[str]) -> Table:
        """The rows of ``episodes`` (for fitting on some episodes and scoring on others)."""
        keep = set(episodes)
        return Table(tuple(r for r in self.rows if r.episode in keep), self.window)


class RepeatedEpisode(ValueError):
    """Two logs name the same episode, or a file is a scenario rather than a documented log."""


def _scenario_problem(path: Path) -> str | None:
    """One line for a scenario given where a log was meant (its validation against the log
    schema would be a page of unknown fields)."""
    from sim.infra.yaml_io import parse, read_text
    from sim.scenario.documented import is_documented_log

    if is_documented_log(path):
        return None
    try:
        data, _ = parse(read_text(path), str(path))
    except InputError:  # the log loader reports what is wrong with the file itself
        return None
    if isinstance(data, dict) and {"start", "fork", "name"} & data.keys():
        return f"{path}: is a scenario; sim responses and sim fit read documented logs (seeds/*.yaml)"
    return None


def load_table(paths: Sequence[Path], window: int = DEFAULT_WINDOW) -> Table:
    """The table of documented logs (each validated by :func:`load_seeds`, which raises the
    placed :class:`~sim.infra.errors.InputError` of a bad log)."""
    rows: list[Row] = []
    seen: dict[str, Path] = {}
    for path in paths:
        wrong = _scenario_problem(path)
        if wrong:
            raise RepeatedEpisode(wrong)
        log = load_seeds(path)
        episode = episode_name(log, path)
        if episode in seen:
            raise RepeatedEpisode(f"{path}: episode {episode!r} is also the episode of {seen[episode]}")
        seen[episode] = path
        rows.extend(log_rows(log, path, window))
    return Table(tuple(rows), window)


def frame(table: Table):  # -> pandas.DataFrame (pandas imported lazily: the CLI starts fast)
    """The table as a pandas frame, nullable integer columns where a value may be missing."""
    import pandas as pd

    data = pd.DataFrame([asdict(r) for r in table.rows], columns=list(Row.__dataclass_fields__))
    for column in (
        "coalition_size",
        "actor_mission_size",
        "target_mission_size",
        "answer_size",
        "delay_days",
        "answer_shares",
    ):
        data[column] = data[column].astype("Int64")
    return data


def mission_sizes(path: Path) -> dict[tuple[str, str], int]:
    """Each ``(sender, host)`` mission's starting staff in the scenario at ``path`` (every
    post and role), which raises the placed :class:`InputError` of a bad scenario."""
    from sim.scenario.loading import load_scenario

    scenario = load_scenario(path)
    sizes = {}
    for sender, host in scenario.mission_pairs():
        mission = scenario.mission_config(sender, host)
        sizes[(sender, host)] = sum(sum(staff.by_role().values()) for staff in mission.posts.values())
    return sizes


def with_mission_sizes(table: Table, sizes: dict[tuple[str, str], int]) -> Table:
    """The table with both missions' sizes filled in where ``sizes`` has them."""
    rows = tuple(
        replace(
            r,
            actor_mission_size=sizes.get((r.actor, r.target)),
            target_mission_size=sizes.get((r.target, r.actor)),
        )
        for r in table.rows
    )
    return Table(rows, table.window)
