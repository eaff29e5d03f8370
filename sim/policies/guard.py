"""What a policy returns is checked before anything is recorded.

A user's policy is code the engine calls on every observed act; it may raise, return junk,
return an act no scenario could contain (an expulsion of -5 people, a closure of a post that
does not exist), call ``sys.exit`` or return acts without end. The engine holds every answer
to the rules a scenario's own acts obey (the same pydantic model, :class:`DatedAct`) and stops
the run with :class:`PolicyError`, one line naming the policy, the side, the day and what was
wrong, before any invalid act reaches the log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from sim.core.acts import OWN_POST_KINDS, ActSpec
from sim.core.dated_acts import DatedAct, dated_fields
from sim.infra.errors import exception_line, split_field
from sim.infra.interrupts import user_interrupted
from sim.policies.base import MAX_ACTS_PER_ANSWER, Policy, ScheduledAct

_ANY_DATE = dt.date(2000, 1, 1)
#: Acts that passed :func:`_check_rules` (ActSpec is frozen and hashable).
_PASSED: dict[ActSpec, None] = {}


class PolicyError(ValueError):
    """A policy broke its contract during a run (one line: policy, side, day, what)."""


#: When a policy was asked: "on 2021-02-03", "in round 5", or a function that says so (the
#: engine's hot path passes a function: the words are needed only for an error message).
When = str | Callable[[], str]


def where(policy: Any, side: str, when: When = "") -> str:
    """``policy 'NAME' of side S on DATE``."""
    if callable(when):
        when = when()
    suffix = f" {when}" if when else ""
    return f"policy {getattr(policy, 'name', type(policy).__name__)!r} of side {side}{suffix}"


def check_reaction_days(policy: Any, side: str) -> int:
    """The policy's ``reaction_days``, a whole number of days >= 1 (an answer on the day of
    the act it answers would break side-neutral ties)."""
    try:
        days = policy.reaction_days
    except Exception as exc:
        raise PolicyError(f"{where(policy, side)}: reaction_days raised {exception_line(exc)}") from None
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise PolicyError(f"{where(policy, side)}: reaction_days is {days!r}; it must be a whole number >= 1")
    return days


def checked_delay(policy: Any, side: str) -> Callable[[int], int]:
    """The policy's ``delay_after``, each answer checked to be a whole number of days >= 1
    (the base class's, which returns ``reaction_days``, needs no check: it was checked once)."""
    method = policy.delay_after
    if getattr(type(policy), "delay_after", None) is Policy.delay_after:
        days = policy.reaction_days
        return lambda day: days

    def delay(day: int) -> int:
        days = call_policy(policy, side, "in delay_after()", lambda: method(day))
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise PolicyError(
                f"{where(policy, side)}: delay_after gave {days!r}; it must be a whole number >= 1"
            )
        return days

    return delay


def call_policy(policy: Any, side: str, when: When, call: Callable[[], Any]) -> Any:
    """``call()``, with anything it raises (``SystemExit`` too) turned into a :class:`PolicyError`;
    the user's Ctrl-C still interrupts."""
    try:
        with contextlib.redirect_stdout(sys.stderr):  # a policy's print() must not mix with output
            return call()
    except BaseException as exc:
        if user_interrupted(exc) or isinstance(exc, (MemoryError, PolicyError)):
            raise
        raise PolicyError(f"{where(policy, side, when)}: raised {exception_line(exc)}") from None


def checked_answer(
    answer: Any,
    policy: Any,
    side: str,
    when: When,
    posts: Posts,
) -> list[ActSpec]:
    """``answer`` as a list of valid acts, or :class:`PolicyError`. ``posts`` maps "mine" and
    "theirs" to the posts of the policy's own and the other mission, or is a function giving
    that map for an act's target (``None`` for a side it keeps no missions with)."""

    def here() -> str:
        return where(policy, side, when)

    if answer is None:
        raise PolicyError(f"{here()}: returned None; return a sequence of ActSpec (empty for no answer)")
    if isinstance(answer, (str, bytes, ActSpec)) or not isinstance(answer, Iterable):
        raise PolicyError(f"{here()}: returned {_shown(answer)}; return a sequence of ActSpec")
    acts: list[ActSpec] = []
    items = answer if type(answer) is list and len(answer) <= MAX_ACTS_PER_ANSWER else None
    for item in items if items is not None else call_policy(policy, side, when, lambda: _take(answer)):
        if not isinstance(item, ActSpec):
            raise PolicyError(f"{here()}: returned {_shown(item)} among its acts; each must be an ActSpec")
        acts.append(_valid(item, here, posts))
    return acts


def checked_schedule(policy: Any, side: str, start: dt.date, posts: Posts) -> list[ScheduledAct]:
    """The policy's ``scheduled(start)`` as a list of valid dated acts, or :class:`PolicyError`
    (what it raises, junk, a negative day, an act no scenario could hold). Acts after the
    run's end are the caller's to drop: a plan may be longer than the run."""
    here = where(policy, side, "in scheduled()")
    plan = call_policy(policy, side, "in scheduled()", lambda: policy.scheduled(start))
    if plan is None or isinstance(plan, (str, bytes)) or not isinstance(plan, Iterable):
        raise PolicyError(f"{here}: returned {_shown(plan)}; return a sequence of ScheduledAct")
    items = call_policy(policy, side, "in scheduled()", lambda: _take(plan))
    for item in items:
        if not isinstance(item, ScheduledAct):
            raise PolicyError(f"{here}: returned {_shown(item)}; each must be a ScheduledAct")
        if isinstance(item.day, bool) or not isinstance(item.day, int) or item.day < 0:
            raise PolicyError(f"{here}: an act on day {item.day!r}; days are whole numbers from 0")
        if not isinstance(item.spec, ActSpec):
            raise PolicyError(f"{here}: a ScheduledAct whose spec is {_shown(item.spec)}, not an ActSpec")
        for label in ("act_id", "reference"):
            if not isinstance(getattr(item, label), (str, type(None))):
                raise PolicyError(f"{here}: a ScheduledAct whose {label} is not text")
        _valid(item.spec, here, posts)
    return items


def _take(answer: Iterable[Any]) -> list[Any]:
    items = []
    for item in answer:
        items.append(item)
        if len(items) > MAX_ACTS_PER_ANSWER:
            raise ValueError(f"more than {MAX_ACTS_PER_ANSWER:,} acts in one answer (the limit)")
    return items


#: The posts an act may name: "mine" and "theirs", or a function of the act's target giving them.
Posts = dict[str, Sequence[str]] | Callable[[str | None], dict[str, Sequence[str]] | None]


def _valid(spec: ActSpec, here: When, posts: Posts) -> ActSpec:
    if callable(posts):
        found = posts(spec.target)
        if found is None:
            message = f"an act against {spec.target!r}, a side it keeps no missions with"
            raise PolicyError(f"{_said(here)}: {message}")
        posts = found
    if spec not in _PASSED:  # answers repeat (a mirror answers in kind): each is checked once
        _check_rules(spec, here)
        if len(_PASSED) >= 4096:
            _PASSED.clear()
        _PASSED[spec] = None
    for post in spec.posts:
        if post not in posts["theirs"]:
            message = f"a {spec.kind} act names post {post!r}, which the other mission lacks"
            raise PolicyError(f"{_said(here)}: {message}")
    if spec.post is not None:
        owner = "mine" if spec.kind in OWN_POST_KINDS else "theirs"
        if spec.post not in posts[owner]:
            whose = "its own" if owner == "mine" else "the other"
            message = f"a {spec.kind} act names post {spec.post!r}, which {whose} mission lacks"
            raise PolicyError(f"{_said(here)}: {message}")
    return spec


def _said(here: When) -> str:
    return here() if callable(here) else here


def _check_rules(spec: ActSpec, here: When) -> None:
    """The rules a scenario's own acts obey (the same model, :class:`DatedAct`)."""
    fields = dated_fields(spec)
    try:  # the date is only where a dated act sits; an answer's rules do not depend on it
        DatedAct.model_validate({**fields, "date": _ANY_DATE})
    except ValidationError as exc:
        error = exc.errors()[0]
        parts, message = split_field(error["msg"].removeprefix("Value error, "))
        field = ".".join(str(part) for part in parts or error["loc"]) or "act"
        raise PolicyError(f"{_said(here)}: returned an invalid {spec.kind} act: {field}: {message}") from None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
