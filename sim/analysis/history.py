"""A documented log as a table: for reading, and for export with CAMEO and PLOVER codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.core.codes import codes_for
from sim.infra.atomic import atomic_path
from sim.scenario.documented import SeedsLog

COLUMNS = [
    "id",
    "date",
    "actor",
    "target",
    "kind",
    "size",
    "deadline",
    "answers",
    "cameo",
    "plover",
    "plover_mode",
    "resolution",
    "source",
]


def history_frame(log: SeedsLog) -> pd.DataFrame:
    """One row per documented act, oldest first, with its event codes."""
    rows = []
    for act in log.acts:
        cameo, plover, mode = codes_for(act.kind, act.visa_policy)
        deadline = act.deadline
        if deadline is None and act.deadline_days:
            deadline = act.date + pd.Timedelta(days=act.deadline_days).to_pytimedelta()
        rows.append(
            {
                "id": act.id or "",
                "date": act.date.isoformat(),
                "actor": act.actor,
                "target": act.target,
                "kind": act.kind if act.kind != "visa_policy" else f"visa_policy:{act.visa_policy}",
                "size": act.size,
                "deadline": deadline.isoformat() if deadline else "",
                "answers": ";".join(act.in_response_to),
                "cameo": cameo,
                "plover": plover,
                "plover_mode": mode,
                "resolution": " ".join((act.resolution or "").split()),
                "source": " ".join(act.source.split()),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically: a temporary file beside ``path``, then a rename."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")
