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

import contextlib
import os
import signal
import sys
from pathlib import Path

from sim.infra.interrupts import HANDLED
from sim.infra.interrupts import RECEIVED as _interrupts

EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70  # EX_SOFTWARE: an error of this program, never of the user's input


def _interrupted(signum: int, frame: object) -> None:
    """Say so in one line, then unwind: ``finally`` blocks still run (a run's partial store
    is flushed and kept for resuming)."""
    if len(_interrupts) >= 2:  # a third Ctrl-C: something (a user's policy?) swallows them
        sys.stderr.write("interrupted three times: stopping at once\n")
        sys.stderr.flush()
        _force_exit(EXIT_INTERRUPTED)
    if not _interrupts:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
    _interrupts.append(signum)
    raise KeyboardInterrupt


#: Ends the process without unwinding (what a third Ctrl-C does; replaced in tests).
_force_exit = os._exit


def main() -> None:
    """Entry point: Ctrl-C at any moment ends with a short message and exit code 130."""
    try:
        signal.signal(signal.SIGINT, _interrupted)
        HANDLED[0] = True
        from sim.cli.main import app

        try:
            app()
        finally:
            sys.stdout.flush()  # inside the try: a full disk behind a redirection is reported
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:
        if _interrupts:
            sys.exit(EXIT_INTERRUPTED)
        _output_failed(exc)
    except Exception as exc:
        if _interrupts:
            sys.exit(EXIT_INTERRUPTED)
        if os.environ.get("SIM_DEBUG"):
            raise
        _internal_error(exc)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _output_failed(exc: OSError) -> None:
    """Writing failed where no command could catch it: standard output (a full disk behind a
    redirection, ``/dev/full``). One line, exit 2, and stdout is closed so that Python's own
    flush at exit does not print a second error."""
    from sim.infra.paths import write_failure

    where = Path(exc.filename) if exc.filename else Path("standard output")
    sys.stderr.write(write_failure(where, exc) + "\n")
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(2)


def _internal_error(exc: Exception) -> None:
    """The last resort: an error no command anticipated is a bug of this program, not of the
    user's input. One line says so and where to look; ``SIM_DEBUG=1`` shows the traceback."""
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = f" at {frame.tb_frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.tb_lineno}" if frame else ""
    from sim.infra.errors import exception_line

    detail = exception_line(exc)
    sys.stderr.write(
        f"internal error ({detail}{where}); this is a bug: please report it with the output of"
        " SIM_DEBUG=1 and the same command\n"
    )
    sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
