"""Where outputs go: checks made before any work, and one line for a write that failed anyway.

The checks catch what can be known up front (a name the file system cannot hold, a file in the
way, a read-only file system, no permission), so a long run does not fail at its end. What
cannot be known up front (the disk filling up) is turned into one line naming the path and
the cause by :func:`write_failure`; the caller keeps everything written before it.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

#: Most file systems (ext4, xfs, btrfs, tmpfs) hold at most 255 bytes in one name.
NAME_MAX = 255

_CAUSES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large for this file system or limit",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "a name in the path is too long",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.EIO: "input/output error",
    errno.ELOOP: "a symbolic link loop",
}


#: Bytes the last name needs beyond itself: outputs are written under ``.NAME.PID-RANDOM.tmp``,
#: a run folder under ``.NAME.partial`` and swapped through ``.NAME.old-PID``.
SUFFIX_ROOM = 24


def long_name(path: Path) -> str | None:
    """The first component of ``path`` too long for the file system (the last one with room
    for the temporary names written beside it), shortened."""
    parts = path.parts
    for index, part in enumerate(parts):
        size = len(os.fsencode(part))
        limit = NAME_MAX - SUFFIX_ROOM if index == len(parts) - 1 else NAME_MAX
        if size > limit:
            room = f" ({NAME_MAX} less {SUFFIX_ROOM} for temporary names)" if limit < NAME_MAX else ""
            return f"{part[:24]}...: {size} bytes, the limit is {limit}{room}"
    return None


def output_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot receive an output file: what :func:`unwritable` says, a directory in
    the way, or something that is not a regular file (a device, a FIFO: writing a file in its
    place would replace it, or block)."""
    wrong = unwritable(path)
    if wrong:
        return wrong
    try:
        info = path.stat()  # follows a symbolic link: its target receives the file
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot write to {path}: {_CAUSES.get(exc.errno or 0, exc.strerror)}"
    if stat.S_ISDIR(info.st_mode):
        return f"{path} is a directory"
    if not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file (a device, a FIFO or a socket); not replacing it"
    return None


def _read_only(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def unwritable(path: Path) -> str | None:
    """Why ``path`` (or the folders to be made for it) cannot be written, if it plainly cannot."""
    too_long = long_name(path)
    if too_long:
        return f"cannot write to {path}: a name in it is too long ({too_long})"
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"cannot write to {path}: {ancestor} is a file, not a directory"
    if _read_only(ancestor):
        return f"cannot write to {path}: {ancestor} is on a read-only file system"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"cannot write to {path}: {ancestor} is not writable (permission denied)"
    return None


def write_failure(path: Path, exc: BaseException) -> str:
    """One line for a failed write under ``path``: the file it names and the cause."""
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
        if "full" in text:
            return f"cannot write to {path}: the disk is full (the event store says: {text})"
        if "readonly" in text or "read-only" in text:
            return f"cannot write to {path}: read-only file system (the event store says: {text})"
        return f"cannot write to {path}: the event store failed ({text})"
    if isinstance(exc, OSError):
        cause = _CAUSES.get(exc.errno or 0, exc.strerror or str(exc))
        where = exc.filename or path
        return f"cannot write to {where}: {cause}"
    return f"cannot write to {path}: {exc}"
