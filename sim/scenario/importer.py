"""``sim import``: an expulsions CSV (the columns of ``seeds/sources/expulsions_pre2022.csv``)
turned into a documented log that :func:`sim.scenario.documented.load_seeds` loads.

The importer reads rows, never a particular file: every rule below is about columns and
values, so other episodes written in the same columns import the same way. Wherever a vague
or missing value had to be made exact (no deadline, a date known to the month, no count, a
post named from free text, a kind the model has no mechanic for), the act says so in its
``resolution``: nothing is invented silently.

Mapping (``action_type`` -> ``kind``): ``expel`` -> ``expel`` (size = count);
``close_consulate`` -> ``close_post`` (the post named by :func:`post_name`);
``recall_ambassador`` -> ``recall_ambassador``; ``statement`` -> ``statement``; ``other`` ->
``statement`` carrying the note; ``staff_cap`` -> ``cap`` when a ceiling can be read
(:func:`ceiling`), else an ``expel`` of ``count`` with ``replaceable: false`` (the posts are
abolished), else (neither) a ``statement``.

Coalitions (the CSV has no column for them) are inferred by :mod:`sim.scenario.import_coalitions`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sim.core.kinds import DEADLINED
from sim.infra.errors import InputError, Problem
from sim.scenario.import_rows import Row, read_rows

#: Days to the deadline of an order whose source gives none: one week, the period most often
#: stated in the orders of the data file (UK, US, DE, FR, IT, DK, EE in 2018; RO, ME, GE...).
DEFAULT_DEADLINE_DAYS = 7
NAME_LIMIT = 32
_ARROW = re.compile(r"(\d[\d,]*)\s*(?:->|→)\s*(\d[\d,]*)")
_CAP = re.compile(r"\bcap(?:ped)?(?: at)? (\d[\d,]*)\b", re.I)
_DROPPED_WORDS = {"of", "the", "in", "at", "and", "for", "to"}


class EpisodeError(ValueError):
    """``--episode`` names no episode of the file (the message lists the known ones)."""


@dataclass(slots=True)
class Act:
    """One act of the log being built, in the order of the keys it is written with."""

    row: Row
    kind: str
    size: int | None = None
    deadline: dt.date | None = None
    post: str | None = None
    replaceable: bool | None = None
    answers: tuple[str, ...] = ()
    coalition: str | None = None
    resolution: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The act's id: its row's."""
        return self.row.id


@dataclass(frozen=True, slots=True)
class Options:
    """What ``sim import`` was asked for (written into the log's header)."""

    episode: str | None = None
    coalition_days: int = 14
    deadline_days: int = DEFAULT_DEADLINE_DAYS


def post_name(mission: str) -> str:
    """The post a ``close_consulate`` row closes, named from its ``target_mission``.

    The rule (readable, deterministic, documented in docs/scenarios.md): parentheses left out,
    the first post named (the text before the first ``;``), folded to ASCII lower case; the
    words (runs of letters and digits) joined by ``_``, with "consulate general" shortened to
    ``cg`` and the words of, the, in, at, and, for, to left out; longer than 32 characters, it
    is cut after the last whole word that fits; a name that would start with a digit gets
    ``post_`` in front. "Russian Consulate General Seattle (office...)" -> ``russian_cg_seattle``.
    """
    posts = _posts(mission)
    first = posts[0] if posts else ""
    ascii_text = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bconsulate[\s-]+general\b", "cg", ascii_text)
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in _DROPPED_WORDS]
    if words and words[0][0].isdigit():
        words.insert(0, "post")
    name = ""
    for word in words:
        longer = f"{name}_{word}" if name else word
        if len(longer) > NAME_LIMIT:
            break
        name = longer
    return name or ("post" if words else "")


def _posts(mission: str) -> list[str]:
    """The posts a target_mission names: its ``;``-separated parts, parentheses left out."""
    bare = re.sub(r"\([^)]*\)?", " ", mission)
    return [" ".join(part.split()) for part in bare.split(";") if part.strip()]


def ceiling(row: Row) -> tuple[int, str] | None:
    """The ceiling a ``staff_cap`` row sets, if one can be read, and where it was read:
    ``A -> B`` (gives B) or ``cap N`` / ``capped at N`` in target_mission, then in the note."""
    for column, text in (("target_mission", row.mission), ("note", row.note)):
        for pattern, group in ((_ARROW, 2), (_CAP, 1)):
            match = pattern.search(text)
            if match:
                return int(match[group].replace(",", "")), f"{column} ({match[0]!r})"
    return None


def map_row(row: Row, options: Options) -> Act:
    """One row as an act: its kind, size, post and deadline, each vague value resolved aloud."""
    act = _kind_of(row)
    if row.month_only:
        act.resolution.append(
            f"the date is known to the month only; {row.date} (the 1st of the month, the data "
            "file's convention for such dates) is used"
        )
    if act.kind in DEADLINED:
        act.deadline = row.deadline
        if row.deadline is None:
            days = options.deadline_days
            act.deadline = row.date + dt.timedelta(days=days)
            act.resolution.append(
                f"the source gives no deadline: {days} days after the act assumed (--deadline-days "
                f"{days}; one week is the period most often stated in such orders)"
            )
    elif row.deadline is not None:
        act.resolution.append(f"the row's deadline {row.deadline} is not kept: a {act.kind} has no deadline")
    return act


def _kind_of(row: Row) -> Act:
    """The act's kind, size and post from the row's action_type, count and target_mission."""
    unused = f"the row's count ({row.count}) is not used: a {{}} has no size" if row.count else None
    if row.action == "expel":
        if row.count is None:
            return Act(row, "expel", 1, resolution=["the row gives no count: 1 person assumed (the fewest)"])
        return Act(row, "expel", row.count)
    if row.action == "close_consulate":
        return _closure(row, unused)
    if row.action == "staff_cap":
        return _staff_cap(row)
    kind = "recall_ambassador" if row.action == "recall_ambassador" else "statement"
    act = Act(row, kind)
    if row.action == "other":
        act.resolution.append(
            "action_type 'other' has no mechanic in the model: a statement carrying the note"
            + (f" (its count, {row.count}, moves nobody)" if row.count else "")
        )
    elif unused:
        act.resolution.append(unused.format(kind))
    return act


def _closure(row: Row, unused: str | None) -> Act:
    post = post_name(row.mission)
    if not post:
        where = row.columns["target_mission"]
        raise InputError([Problem("", row.line, where, "column target_mission", "no post name in it")])
    words = [
        f"post {post} named from target_mission (docs/scenarios.md gives the rule): a scenario "
        f"that replays this log needs a post of that name in {row.target}'s mission in {row.actor}"
    ]
    others = _posts(row.mission)[1:]
    if others:
        words.append(f"the row also names {'; '.join(others)}: a closure has one post, the first is kept")
    if unused:
        words.append(unused.format("closure"))
    return Act(row, "close_post", post=post, resolution=words)


def _staff_cap(row: Row) -> Act:
    read = ceiling(row)
    if read is not None:
        value, where = read
        words = [f"the ceiling {value} is read from {where}"]
        if row.count is not None:
            words.append(f"the row's count ({row.count}) is what the cap removes, not the ceiling")
        return Act(row, "cap", value, resolution=words)
    if row.count is not None:
        return Act(row, "expel", row.count, replaceable=False, resolution=[
            f"staff_cap with no ceiling to read: an expulsion of the count ({row.count}) whose "
            "posts are abolished (replaceable: false)"
        ])  # fmt: skip
    return Act(row, "statement", resolution=[
        "staff_cap with neither a ceiling to read nor a count: a statement carrying the note "
        "(no effect on staffing)"
    ])  # fmt: skip


def select(rows: list[Row], episode: str | None) -> list[Row]:
    """The rows of ``episode`` (all rows without one); an unknown episode names the known ones."""
    if episode is None:
        return rows
    known = list(dict.fromkeys(row.episode for row in rows))
    if episode not in known:
        raise EpisodeError(f"{episode!r} is not an episode of the file; its episodes: {', '.join(known)}")
    return [row for row in rows if row.episode == episode]


def link_answers(acts: list[Act], rows: list[Row], options: Options) -> None:
    """Each act's ``in_response_to``: the rows it answers that this import holds; a row of an
    episode left out (by ``--episode``) is dropped from the links, and the resolution says so."""
    held = {act.id for act in acts}
    episode_of = {row.id: row.episode for row in rows}
    for act in acts:
        act.answers = tuple(a for a in act.row.answers if a in held)
        for left_out in (a for a in act.row.answers if a not in held):
            act.resolution.append(
                f"answers {left_out} (episode {episode_of[left_out]}), which --episode "
                f"{options.episode} leaves out: the link is dropped"
            )


def in_log_order(acts: list[Act], name: str) -> list[Act]:
    """Date order (the log's), the file's order within a day, except that an act answering
    another of the same day comes after it; answers that go round in a circle are an error."""
    ordered: list[Act] = []
    by_date: dict[dt.date, list[Act]] = {}
    for act in sorted(acts, key=lambda a: (a.row.date, a.row.line)):
        by_date.setdefault(act.row.date, []).append(act)
    for day in by_date.values():
        waiting, placed = list(day), {a.id for a in ordered}
        today = {a.id for a in day}
        while waiting:
            ready = next((a for a in waiting if all(x in placed for x in a.answers if x in today)), None)
            if ready is None:
                raise InputError([
                    Problem(name, a.row.line, a.row.columns["in_response_to"], "column in_response_to",
                            "answers an act of the same day that answers it back (a circle)")
                    for a in waiting
                ])  # fmt: skip
            waiting.remove(ready)
            placed.add(ready.id)
            ordered.append(ready)
    return ordered


def sides_of(rows: list[Row], name: str) -> list[str]:
    """The actor and target codes as they appear, in first-appearance order (file order)."""
    from sim.scenario.documented import MAX_STATES

    sides = list(dict.fromkeys(code for row in rows for code in (row.actor, row.target)))
    if len(sides) > MAX_STATES:
        raise InputError.at(
            name, f"{len(sides)} states and organisations; a documented log holds at most "
            f"{MAX_STATES} (import one --episode at a time)"
        )  # fmt: skip
    return sides


def build(path: Path, options: Options) -> tuple[list[Row], list[str], list[Act]]:
    """The rows, sides and acts (in log order, coalitions not yet inferred) of ``path``."""
    name = str(path)
    rows = read_rows(path)
    chosen = select(rows, options.episode)
    acts = []
    problems: list[Problem] = []
    for row in chosen:
        try:
            acts.append(map_row(row, options))
        except InputError as exc:
            problems += [Problem(name, p.line, p.column, p.field, p.message) for p in exc.problems]
    if problems:
        raise InputError(problems)
    link_answers(acts, rows, options)
    return rows, sides_of(chosen, name), in_log_order(acts, name)
