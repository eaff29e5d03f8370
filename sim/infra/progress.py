"""A progress bar for one long run: simulated days done, on standard error, only on a terminal.

A run of 100,000 staff per side takes minutes; without a sign of life a user cannot tell it
from a hang. The bar is drawn by Rich, refreshed at most ten times a second (the engine calls
:meth:`DayBar.day` once per simulated day, which costs a comparison), cleared when the run
ends, and never drawn when standard error is not a terminal (logs, CI, pipes stay clean).
"""

from __future__ import annotations

import sys
import time
from typing import Any


class DayBar:
    """``days simulated  ━━━━━━  1,234/7,300  0:00:12``, on standard error."""

    def __init__(self, horizon: int, label: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn(f"{label}: days simulated"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            auto_refresh=False,
            transient=True,
        )
        self.horizon = horizon
        self.task: Any = None
        self.shown = 0.0

    def day(self, day: int) -> None:
        now = time.monotonic()
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("run", total=self.horizon + 1)
        if now - self.shown >= 0.1:
            self.progress.update(self.task, completed=day)
            self.progress.refresh()
            self.shown = now

    def stop(self) -> None:
        if self.task is not None:
            self.progress.stop()


def day_bar(horizon: int, label: str, wanted: bool) -> DayBar | None:
    """A bar when ``wanted`` and standard error is a terminal, else None."""
    if not wanted or not sys.stderr.isatty():
        return None
    return DayBar(horizon, label)
