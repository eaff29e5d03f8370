"""A log's acts as a coded table (``sim export --codes``): one row per act, with its CAMEO
and PLOVER codes, for documented, scripted and simulated acts alike.

The codes come from :mod:`sim.core.codes` (the official correspondence). ``size`` is empty where
an act has none (statements, closures, lifts); ``post`` names the post, property or service
an act concerns; ``note`` keeps a statement's or a threat's words; ``answers`` is the ``seq``
of the act it answered (its ``cause``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import pandas as pd

from sim.analysis.labels import act_size
from sim.core import events as ev
from sim.core.acts import describe, particulars
from sim.core.codes import CODES, plover_context

COLUMNS: list[str] = [
    "seq", "date", "actor", "target", "kind", "size", "roles", "post", "deadline", "answers", "source",
    "reference", "act_id", "cameo", "plover", "plover_mode", "plover_context", "note",
]  # fmt: skip


def coded_rows(log: Sequence[ev.Event], start: dt.date) -> list[dict[str, object]]:
    """One dict per act, oldest first."""
    rows = []
    for event in log:
        if not event.IS_ACT:
            continue
        kind, _ = describe(event)
        roles, detail = particulars(event)
        cameo, plover, mode = CODES[kind]
        deadline = getattr(event, "deadline", None)
        rows.append(
            {
                "seq": event.seq,
                "date": (start + dt.timedelta(days=event.day)).isoformat(),
                "actor": event.actor,
                "target": event.target,
                "kind": kind,
                "size": act_size(event),
                "roles": ";".join(roles),
                "post": detail if kind != "threaten" and not kind.startswith("visa_") else "",
                "deadline": (start + dt.timedelta(days=deadline)).isoformat() if deadline is not None else "",
                "answers": event.cause,
                "source": event.source,
                "reference": event.reference or "",
                "act_id": event.act_id or "",
                "cameo": cameo,
                "plover": plover,
                "plover_mode": mode,
                "plover_context": plover_context(kind),
                "note": " ".join(str(getattr(event, "note", "") or "").split()),
            }
        )
    return rows


def coded_csv(log: Sequence[ev.Event], start: dt.date) -> str:
    frame = pd.DataFrame(coded_rows(log, start), columns=COLUMNS)
    frame["size"] = frame["size"].astype("Int64")
    frame["answers"] = frame["answers"].astype("Int64")
    return frame.to_csv(index=False, lineterminator="\n")


def coded_jsonl(log: Sequence[ev.Event], start: dt.date) -> str:
    """One JSON object per act (empty fields as ``null``), keys in :data:`COLUMNS` order."""
    lines = []
    for row in coded_rows(log, start):
        clean = {key: (None if row[key] == "" else row[key]) for key in COLUMNS}
        lines.append(json.dumps(clean, ensure_ascii=False) + "\n")
    return "".join(lines)
