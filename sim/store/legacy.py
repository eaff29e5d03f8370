"""Reading stores of the first layout (one row per event, an 11-column ``events`` table with a
JSON payload): kept so that run folders written before the day rows replay, export and resume
as they are (``sim.store.sqlite`` writes only day rows)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache

from sim.core import events as ev

_ROW_TYPES: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("seq", (int,)),
    ("day", (int,)),
    ("type", (str,)),
    ("actor", (str,)),
    ("target", (str,)),
    ("cause", (int, type(None))),
    ("source", (str,)),
    ("reference", (str, type(None))),
    ("act_id", (str, type(None))),
)


def decode_row(row: tuple[object, ...]) -> ev.Event:
    """One stored row as its event; ``ValueError`` naming the row's ``seq`` and the column
    when the row is damaged (a text ``day``, an unknown type, a payload that is no object),
    so a reader reports a damaged store instead of failing later on a wrong type."""
    *columns, payload = row
    fields = dict(zip((name for name, _ in _ROW_TYPES), columns, strict=True))
    for name, types in _ROW_TYPES:
        if not isinstance(fields[name], types) or isinstance(fields[name], bool):
            raise ValueError(f"event seq {fields['seq']!r}: column {name} holds {fields[name]!r}")
    if fields["type"] not in ev.EVENT_TYPES:
        raise ValueError(f"event seq {fields['seq']}: unknown event type {fields['type']!r}")
    try:
        extra = json.loads(payload) if isinstance(payload, str) else None
    except ValueError:
        extra = None
    if not isinstance(extra, dict):
        raise ValueError(f"event seq {fields['seq']}: its payload is not a JSON object")
    try:
        event = ev.from_dict({**fields, **extra})
    except TypeError as exc:
        raise ValueError(f"event seq {fields['seq']}: {exc}") from None
    for name, check in _field_checks(type(event)):
        if not check(getattr(event, name)):
            raise ValueError(f"event seq {fields['seq']}: field {name} holds {getattr(event, name)!r}")
    return event


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: What each annotation of the event classes admits (the payload is JSON: a field can hold
#: any JSON value after damage, and the fold would fail later on the wrong type).
_CHECKS: dict[str, Callable[[object], bool]] = {
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "int": _is_int,
    "int | None": lambda v: v is None or _is_int(v),
    "str | None": lambda v: v is None or isinstance(v, str),
    "tuple[str, ...]": lambda v: isinstance(v, tuple) and all(isinstance(x, str) for x in v),
    "tuple[tuple[str, str, int], ...]": lambda v: (
        isinstance(v, tuple)
        and all(
            isinstance(x, tuple)
            and len(x) == 3
            and isinstance(x[0], str)
            and isinstance(x[1], str)
            and _is_int(x[2])
            for x in v
        )
    ),
}


@cache
def _field_checks(cls: type) -> tuple[tuple[str, Callable[[object], bool]], ...]:
    """The payload fields of ``cls`` with the check of their annotation (base fields are
    checked from their columns)."""
    base = {name for name, _ in _ROW_TYPES}
    return tuple(
        (name, _CHECKS.get(annotation, lambda v: True))
        for name, annotation in ev.annotations(cls).items()
        if name not in base
    )
