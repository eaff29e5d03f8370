"""Replaying a stored run: fold its log, check it against the recorded final state."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sim import events as ev
from sim.state import LogError, State, apply, digest, headcounts
from sim.store import RunInfo, SQLiteStore, log_digest


class ReplayError(ValueError):
    """The run directory holds no readable, finished run (``code`` 2), or its stored log
    does not fold (``code`` 1: the check failed)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Replay:
    info: RunInfo
    log: list[ev.Event]
    final: State

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.info.start_date)

    def matches_record(self) -> bool:
        """The folded log gives the state (and log) the run recorded when it finished."""
        return (
            digest(self.final) == self.info.final_state_sha256
            and log_digest(self.log) == self.info.log_sha256
        )

    def headcounts_at(self, date: dt.date) -> dict[str, dict[str, int]]:
        """Headcounts at the end of ``date``: the fold of the log's prefix up to that day."""
        day = (date - self.start).days
        state = State()
        for event in self.log:
            if event.day > day:
                break
            state = apply(state, event)
        return headcounts(state)


def load_replay(run_dir: Path) -> Replay:
    """Read the last finished run of ``run_dir/events.sqlite`` (read-only) and fold it."""
    path = Path(run_dir) / "events.sqlite"
    if not path.is_file():
        raise ReplayError(f"{run_dir}: no events.sqlite here (is it a run directory?)")
    try:
        store = SQLiteStore.open_readonly(path)
    except sqlite3.Error as exc:
        raise ReplayError(f"{path}: not a readable event store ({exc})") from None
    try:
        runs = [info for info in store.runs() if info.finished]
        if not runs:
            raise ReplayError(f"{path}: no finished run in this store")
        info = runs[-1]
        log = list(store.events(info.run_id))
    except sqlite3.Error as exc:
        raise ReplayError(f"{path}: not a readable event store ({exc})") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ReplayError(f"{path}: a stored event cannot be decoded ({exc!r})", code=1) from None
    finally:
        store.conn.close()
    final = State()
    try:
        for event in log:
            final = apply(final, event)
    except LogError as exc:
        raise ReplayError(f"{path}: the stored log does not fold: {exc}", code=1) from None
    return Replay(info, log, final)
