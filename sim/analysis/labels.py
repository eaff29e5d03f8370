"""Human words for acts, for every figure, graph and report (never raw identifiers).

A reader of a paper or a lecture slide should see "3-year rotation limit" or "threat to
expel 10", not ``threat: rotation_limit``. ``short`` fits under a marker on a timeline;
``long`` is a sentence fragment for tooltips, tables and the report's timeline.
"""

from __future__ import annotations

from sim.core import events as ev
from sim.core.acts import describe, particulars

#: act kind -> a reader's name for it (the legend and table wording).
KIND_NAMES: dict[str, str] = {
    "expel": "expulsion",
    "lift_expulsions": "expulsions lifted",
    "cap": "staff cap",
    "lift_cap": "cap lifted",
    "rotation_limit": "rotation limit",
    "lift_rotation_limit": "rotation limit lifted",
    "close_post": "post closed",
    "close_own_post": "own post closed",
    "reopen_post": "post reopened",
    "reopen_own_post": "own post reopened",
    "local_hire_ban": "local-hire ban",
    "lift_local_hire_ban": "local-hire ban lifted",
    "visa_deny": "visas denied",
    "visa_one_for_one": "visas one-for-one",
    "visa_issue": "visas issued again",
    "visa_processing": "visa processing time changed",
    "recall_ambassador": "ambassador recalled",
    "return_ambassador": "ambassador returned",
    "threaten": "threat",
    "close_compound": "compound closed",
    "cut_services": "services cut",
    "statement": "statement",
}

#: kinds whose ``describe`` size is a real number (the rest are 1 by convention: no size).
SIZED: frozenset[str] = frozenset({"expel", "cap", "rotation_limit", "threaten"})


def place(name: str) -> str:
    """``san_francisco`` -> ``San Francisco``; ``embassy`` stays lower case."""
    if name == "embassy":
        return "embassy"
    return " ".join(part.capitalize() for part in name.replace("-", "_").split("_"))


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind.replace("_", " "))


def act_size(event: ev.Event) -> int | None:
    """The act's size where it has one (people, a cap, days), ``None`` for statements, closures..."""
    kind, size = describe(event)
    if kind not in SIZED or (kind == "threaten" and not size):
        return None
    return size


def _limit(days: int) -> str:
    years = days / 365
    return f"{years:.0f}-year" if abs(years - round(years)) < 0.02 else f"{days}-day"


def short_label(event: ev.Event) -> str:
    """A few words under a marker: ``expel 10``, ``cap 455``, ``3-year limit``, ``close Vladivostok``."""
    kind, size = describe(event)
    _, detail = particulars(event)
    if kind == "expel":
        return f"expel {size}"
    if kind == "cap":
        return f"cap {size}"
    if kind == "rotation_limit":
        return f"{_limit(size)} limit"
    if kind in ("close_post", "close_own_post", "reopen_post", "reopen_own_post"):
        verb = {"close_post": "close", "close_own_post": "close own", "reopen_post": "reopen"}.get(
            kind, "reopen own"
        )
        return f"{verb} {place(detail)}"
    if kind == "threaten":
        threatened = kind_name(detail) if detail else "reprisal"
        return f"threat: {threatened} {size}" if size else f"threat: {threatened}"
    return kind_name(kind)


def long_label(event: ev.Event) -> str:
    """One line for a tooltip or a table: who did what to whom."""
    kind, size = describe(event)
    _, detail = particulars(event)
    verbs = {
        "expel": f"expels {size} of {event.target}'s staff",
        "cap": f"caps {event.target}'s mission at {size}",
        "rotation_limit": f"sets a {_limit(size)} rotation limit on {event.target}'s staff",
        "close_post": f"closes {event.target}'s post {place(detail)}",
        "close_own_post": f"closes its own post {place(detail)}",
        "reopen_post": f"lets {event.target} reopen {place(detail)}",
        "reopen_own_post": f"reopens its own post {place(detail)}",
        "threaten": f"threatens {kind_name(detail) if detail else 'a reprisal'}"
        + (f" of {size}" if size else ""),
        "close_compound": f"closes {event.target}'s property: {detail}" if detail else "closes a compound",
        "cut_services": f"cuts {detail or 'services'}",
    }
    if kind in verbs:
        return f"{event.actor} {verbs[kind]}"
    note = " ".join(str(getattr(event, "note", "") or "").split())
    if kind == "statement" and note:
        return f"{event.actor} states: {note if len(note) <= 140 else note[:139] + '…'}"
    return f"{event.actor}: {kind_name(kind)}"
