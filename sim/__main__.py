"""``python -m sim`` and the ``sim`` console script: the one place Ctrl-C is handled.

An interrupt must end every command the same way, wherever it lands: one line,
"interrupted", exit code 130, no traceback, outputs either complete or untouched.
Three windows make that harder than a bare ``except KeyboardInterrupt``:

- start-up: the handler is installed before the command modules are imported, inside the
  ``try`` (an interrupt that arrived earlier is delivered on the very next line);
- C extensions: a KeyboardInterrupt raised while one runs can come out as another error
  (matplotlib's path code turns it into ``ValueError: Invalid bounding box``), so any
  exception after an interrupt counts as the interrupt;
- shutdown: CPython restores the default action for SIGINT while it tears down, and a late
  Ctrl-C would then kill the process without a word; once the command has returned there
  is nothing left to interrupt, so SIGINT is ignored from then on.
"""

from __future__ import annotations

import signal
import sys

from sim.interrupts import HANDLED
from sim.interrupts import RECEIVED as _interrupts

EXIT_INTERRUPTED = 130


def _interrupted(signum: int, frame: object) -> None:
    """Say so in one line, then unwind: ``finally`` blocks still run (a run's partial store
    is flushed and kept for resuming)."""
    if not _interrupts:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
    _interrupts.append(signum)
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: Ctrl-C at any moment ends with a short message and exit code 130."""
    try:
        signal.signal(signal.SIGINT, _interrupted)
        HANDLED[0] = True
        from sim.cli import app

        app()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except Exception:
        if _interrupts:
            sys.exit(EXIT_INTERRUPTED)
        raise
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    main()
