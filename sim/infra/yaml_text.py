"""Writing YAML scalars by hand, for generated files that people read (``sim import``).

A generator that emits its own text controls the layout (key order, blank lines, comments)
and stays byte-for-byte deterministic; what it must get right is quoting. A string is written
plain only when it cannot be read as anything else (a number, a date, a boolean, a null, an
indicator); everything else is double-quoted, with every character YAML does not print
escaped, and long text folded at single spaces (a line break inside double quotes reads back
as one space, so the folded text loads as the original string).
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _printable(char: str) -> bool:
    """YAML's printable set (c-printable), less the byte-order mark."""
    code = ord(char)
    return (
        0x20 <= code <= 0x7E
        or code == 0x85
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
        or code >= 0x10000
    )


def _escaped(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if _printable(char) and char not in "\x85\u2028\u2029":
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def quoted(text: str, indent: int = 0, width: int = 96, start: int | None = None) -> str:
    """``text`` double-quoted, folded at single spaces so that no line runs past ``width``
    where it can be helped (a word longer than a line stays whole): the first line begins at
    column ``start`` (default ``indent``), continuation lines are indented by ``indent``."""
    body = "".join(map(_escaped, text))
    words = re.split(r"(?<=\S) (?=\S)", body)  # only a single space between two non-spaces
    lines: list[str] = []
    current = '"' + words[0]
    for word in words[1:]:
        column = indent if lines else indent if start is None else start
        if column + len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}"
    lines.append(current + '"')
    return f"\n{' ' * indent}".join(lines)


def scalar(text: str, indent: int = 0, width: int = 96, start: int | None = None) -> str:
    """``text`` plain if it can only be read as that string, else :func:`quoted`."""
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return quoted(text, indent, width, start)
