"""Atomic file writes: a synced temporary file beside the target, then a rename.

A reader (or a run killed half-way) sees the previous file or the new one, never a truncated
one; a failed write leaves no temporary file behind. The temporary name is unique to the
writer (process id and a random part), so two processes writing the same target never
write into one temporary file, and the parent folder is synced after the rename so that the
new name itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

TMP_SUFFIX = ".tmp"


def temporary_name(path: Path) -> Path:
    """``.NAME.PID-RANDOM.tmp`` beside ``path``: hidden from dataset readers, unique per writer."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}")


def writer_pid(tmp: Path) -> int | None:
    """The process id in a :func:`temporary_name`, or None for another name."""
    if not (tmp.name.startswith(".") and tmp.name.endswith(TMP_SUFFIX)):
        return None
    token = tmp.name[: -len(TMP_SUFFIX)].rsplit(".", 1)[-1]
    pid, _, _ = token.partition("-")
    return int(pid) if pid.isdecimal() else None


def is_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (here, on this machine)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fsync_dir(directory: Path) -> None:
    """Make the renames in ``directory`` durable (a no-op where folders cannot be synced)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; on success it replaces ``path``
    (a symbolic link is followed: the link stays, its target is replaced)."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    tmp = temporary_name(path)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data.encode() if isinstance(data, str) else data)
