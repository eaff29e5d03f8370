"""Errors about the user's input, always pointing at a file, a line, a column and a field.

The CLI prints each problem as one line, ``FILE:LINE:COL: field.path: message``, and exits
with code 2; no traceback reaches the user for anything they wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one place in one file (line and column count from 1)."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        """One line, whatever the file's text held: control characters (a newline in a key or
        a quoted path, a NUL) are shown escaped, as ``\\n`` or ``\\x00``."""
        where = f"{self.file}:{self.line}:{self.column}".translate(_ESCAPES)
        field, message = self.field.translate(_ESCAPES), self.message.translate(_ESCAPES)
        return f"{where}: {field}: {message}" if field else f"{where}: {message}"


_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(32), 0x7F)} | {
    ord("\t"): "\\t",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    0x85: "\\x85",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


class InputError(Exception):
    """The user's input is wrong; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        super().__init__("\n".join(map(str, self.problems)))

    @classmethod
    def at(cls, file: str, message: str, line: int = 1, column: int = 1, field: str = "") -> InputError:
        return cls([Problem(file, line, column, field, message)])


FIELD_MARK = "@"


def field_error(path: str, message: str) -> ValueError:
    """A ``ValueError`` for a model validator that names the field at fault.

    Pydantic places a model validator's error on the model itself; the loader reads the
    ``@path:`` prefix back out and points at ``path`` (e.g. ``sides[1].name``) instead.
    """
    return ValueError(f"{FIELD_MARK}{path}: {message}")


def split_field(message: str) -> tuple[list[str | int], str]:
    """``("@sides[1].name: msg")`` -> ``(["sides", 1, "name"], "msg")``; no mark -> ``([], message)``."""
    if not message.startswith(FIELD_MARK) or ": " not in message:
        return [], message
    path, rest = message[1:].split(": ", 1)
    parts: list[str | int] = []
    for name, index in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return parts, rest


def exception_line(exc: BaseException, limit: int | None = 200) -> str:
    """``Type: first line of the message`` (cut at ``limit`` characters): how an error raised by
    code the user wrote (a policy, a plugin) or by this program itself is shown in one line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:limit]}" if text else type(exc).__name__
