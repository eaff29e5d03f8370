"""A stored run's event log in the formats other tools read: JSON Lines and CSV.

(``sim run`` writes Parquet itself.) The JSON Lines form is the log's canonical text: one
``to_json`` object per line, so its SHA-256 is the run's ``log_sha256`` and a reader in any
language can check an export against the manifest. The CSV has the Parquet file's columns:
the fields every event has, and the rest as a JSON ``payload``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sim.core import events as ev

FORMATS: tuple[str, ...] = ("jsonl", "csv")


def to_jsonl(log: Sequence[ev.Event]) -> str:
    """One canonical JSON object per line, each line ending in a newline."""
    return "".join(ev.to_json(event) + "\n" for event in log)


def to_csv(log: Sequence[ev.Event], start: dt.date) -> str:
    """The events table (``sim.analysis.projections.events_frame``) as CSV with a ``date`` column."""
    from sim.analysis.projections import events_frame

    return events_frame(log, start).to_csv(index=False, lineterminator="\n")


def export_text(log: Sequence[ev.Event], start: dt.date, fmt: str, codes: bool = False) -> str:
    """``codes``: one row per act with its CAMEO/PLOVER codes instead of every event
    (``sim.analysis.coded``)."""
    if codes:
        from sim.analysis.coded import coded_csv, coded_jsonl

        return coded_jsonl(log, start) if fmt == "jsonl" else coded_csv(log, start)
    if fmt == "jsonl":
        return to_jsonl(log)
    if fmt == "csv":
        return to_csv(log, start)
    raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}")
