"""What a policy returns is checked before anything is recorded.

A user's policy is code the engine calls on every observed act; it may raise, return junk,
return an act no scenario could contain (an expulsion of -5 people, a closure of a post that
does not exist), call ``sys.exit`` or return acts without end. The engine holds every answer
to the rules a scenario's own acts obey (the same pydantic model, :class:`DatedAct`) and stops
the run with :class:`PolicyError`, one line naming the policy, the side, the day and what was
wrong, before any invalid act reaches the log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from sim.acts import OWN_POST_KINDS, ActSpec
from sim.dated_acts import DatedAct
from sim.errors import split_field
from sim.interrupts import user_interrupted
from sim.policies.base import MAX_ACTS_PER_ANSWER

_ANY_DATE = dt.date(2000, 1, 1)


class PolicyError(ValueError):
    """A policy broke its contract during a run (one line: policy, side, day, what)."""


def where(policy: Any, side: str, when: str = "") -> str:
    """``policy 'NAME' of side S on DATE`` (``when``: "on 2021-02-03", "in round 5")."""
    suffix = f" {when}" if when else ""
    return f"policy {getattr(policy, 'name', type(policy).__name__)!r} of side {side}{suffix}"


def check_reaction_days(policy: Any, side: str) -> int:
    """The policy's ``reaction_days``, a whole number of days >= 1 (an answer on the day of
    the act it answers would break side-neutral ties)."""
    try:
        days = policy.reaction_days
    except Exception as exc:
        raise PolicyError(f"{where(policy, side)}: reaction_days raised {_one_line(exc)}") from None
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise PolicyError(f"{where(policy, side)}: reaction_days is {days!r}; it must be a whole number >= 1")
    return days


def call_policy(policy: Any, side: str, when: str, call: Callable[[], Any]) -> Any:
    """``call()``, with anything it raises (``SystemExit`` too) turned into a :class:`PolicyError`;
    the user's Ctrl-C still interrupts."""
    try:
        return call()
    except BaseException as exc:
        if user_interrupted(exc) or isinstance(exc, (MemoryError, PolicyError)):
            raise
        raise PolicyError(f"{where(policy, side, when)}: raised {_one_line(exc)}") from None


def checked_answer(
    answer: Any,
    policy: Any,
    side: str,
    when: str,
    posts: dict[str, Sequence[str]],
) -> list[ActSpec]:
    """``answer`` as a list of valid acts, or :class:`PolicyError`. ``posts`` maps "mine" and
    "theirs" to the posts of the policy's own and the other mission."""
    here = where(policy, side, when)
    if answer is None:
        raise PolicyError(f"{here}: returned None; return a sequence of ActSpec (empty for no answer)")
    if isinstance(answer, (str, bytes, ActSpec)) or not isinstance(answer, Iterable):
        raise PolicyError(f"{here}: returned {_shown(answer)}; return a sequence of ActSpec")
    acts: list[ActSpec] = []
    for item in call_policy(policy, side, when, lambda: _take(answer)):
        if not isinstance(item, ActSpec):
            raise PolicyError(f"{here}: returned {_shown(item)} among its acts; each must be an ActSpec")
        acts.append(_valid(item, here, posts))
    return acts


def _take(answer: Iterable[Any]) -> list[Any]:
    items = []
    for item in answer:
        items.append(item)
        if len(items) > MAX_ACTS_PER_ANSWER:
            raise ValueError(f"more than {MAX_ACTS_PER_ANSWER:,} acts in one answer (the limit)")
    return items


def _valid(spec: ActSpec, here: str, posts: dict[str, Sequence[str]]) -> ActSpec:
    fields = {field.name: getattr(spec, field.name) for field in dataclasses.fields(ActSpec)}
    try:  # the date is only where a dated act sits; an answer's rules do not depend on it
        DatedAct.model_validate({**fields, "date": _ANY_DATE})
    except ValidationError as exc:
        error = exc.errors()[0]
        parts, message = split_field(error["msg"].removeprefix("Value error, "))
        field = ".".join(str(part) for part in parts or error["loc"]) or "act"
        raise PolicyError(f"{here}: returned an invalid {spec.kind} act: {field}: {message}") from None
    if spec.post is not None:
        owner = "mine" if spec.kind in OWN_POST_KINDS else "theirs"
        if spec.post not in posts[owner]:
            whose = "its own" if owner == "mine" else "the other"
            message = f"a {spec.kind} act names post {spec.post!r}, which {whose} mission lacks"
            raise PolicyError(f"{here}: {message}")
    return spec


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__
