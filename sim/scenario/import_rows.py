"""The rows of an expulsions CSV (``sim import``), read and checked one cell at a time.

The file has exactly the columns of ``seeds/sources/expulsions_pre2022.csv`` (in any order).
Every bad row gives one placed problem (its first bad cell, left to right: a later cell's
check often depends on an earlier one, and one line per row keeps a broken file readable),
and all bad rows are reported in one run. A problem's column is the cell's column number
in the header (1 = the first column), so ``FILE:14:3: column date: ...`` is row 14's date.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from sim.core.dated_acts import MAX_SIZE, NAME_PATTERN
from sim.infra.errors import InputError, Problem

COLUMNS = (
    "id", "episode", "date", "actor", "target", "action_type", "count", "target_mission",
    "deadline", "in_response_to", "source_url", "note",
)  # fmt: skip
ACTION_TYPES = ("expel", "close_consulate", "staff_cap", "recall_ambassador", "statement", "other")
#: ``in_response_to`` lists ids separated by this (as in the project's US-Russia file: A01;A02).
SEPARATOR = ";"
MAX_CSV_BYTES = 10_000_000
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ID = re.compile(r"[^\s;,]+")
_MONTH_ONLY_NOTE = re.compile(r"\bmonth[- ]only\b", re.I)


@dataclass(frozen=True, slots=True)
class Row:
    """One checked row: typed cells, the line it starts on, and whether its date is known
    only to the month (a ``YYYY-MM`` date, or a note saying 'month only')."""

    line: int
    id: str
    episode: str
    date: dt.date
    month_only: bool
    actor: str
    target: str
    action: str
    count: int | None
    mission: str
    deadline: dt.date | None
    answers: tuple[str, ...]
    source: str
    note: str
    columns: dict[str, int]  # column name -> its number in the file's header (from 1)


class _Bad(Exception):
    """A cell's problem: the column and the message (turned into a placed Problem)."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


def read_csv_text(path: Path) -> str:
    """The file's text, or one placed problem for a missing, huge, binary or non-UTF-8 file."""
    name = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError.at(name, "is not a regular file; give a CSV file")
        if info.st_size > MAX_CSV_BYTES:
            raise InputError.at(name, f"file is {info.st_size:,} bytes; the limit is {MAX_CSV_BYTES:,}")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError.at(name, "file not found") from None
    except OSError as exc:
        raise InputError.at(name, f"file cannot be read ({exc.strerror})") from None
    if b"\x00" in raw or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError.at(name, "file is binary or UTF-16, not UTF-8 CSV text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError.at(name, "file is not valid UTF-8", line) from None


def records(text: str, name: str) -> list[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted cell may span lines); blank lines
    are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out, line = [], 1
    try:
        for cells in reader:
            if cells:
                out.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        text = str(exc)
        if "unexpected end of data" in text:
            text = "a quoted cell of this row is never closed"
        raise InputError.at(name, f"not CSV: {text}", line) from None
    return out


def check_header(cells: list[str], name: str) -> dict[str, int]:
    """Column name -> index; the problems name every missing, unknown or repeated column."""
    problems = []
    for index, cell in enumerate(cells):
        if cell not in COLUMNS:
            guess = difflib.get_close_matches(cell, COLUMNS, n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            problems.append(Problem(name, 1, index + 1, "header", f"unknown column {cell!r}{hint}"))
        elif cell in cells[:index]:
            problems.append(Problem(name, 1, index + 1, "header", f"column {cell!r} appears twice"))
    missing = [c for c in COLUMNS if c not in cells]
    if missing:
        problems.append(Problem(name, 1, 1, "header", f"missing column(s) {', '.join(missing)}; "
                                f"the header is {','.join(COLUMNS)}"))  # fmt: skip
    if problems:
        raise InputError(problems)
    return {column: cells.index(column) for column in COLUMNS}


def read_rows(path: Path) -> list[Row]:
    """Every row of ``path``, checked; an :class:`InputError` with one problem per bad row."""
    name = str(path)
    text = read_csv_text(path)
    found = records(text, name)
    if not found:
        raise InputError.at(name, f"file is empty; a CSV starts with the header {','.join(COLUMNS)}")
    columns = check_header(found[0][1], name)
    if len(found) == 1:
        raise InputError.at(name, "the file has a header and no rows", found[0][0])
    rows, problems, lines = [], [], {}
    for line, cells in found[1:]:
        try:
            rows.append(_row(line, cells, columns, lines))
        except _Bad as bad:
            column = columns.get(bad.column, -1) + 1 or 1
            where = f"column {bad.column}" if bad.column else ""
            problems.append(Problem(name, line, column, where, bad.message))
    every_id = {cells[columns["id"]].strip() for _, cells in found[1:] if len(cells) == len(COLUMNS)}
    problems += _answer_problems(rows, every_id, columns, name, {p.line for p in problems})
    if problems:
        raise InputError(problems)
    return rows


def _row(line: int, cells: list[str], columns: dict[str, int], lines: dict[str, int]) -> Row:
    if len(cells) != len(COLUMNS):
        raise _Bad("", f"{len(cells)} cells; the header has {len(COLUMNS)} (a comma in an unquoted cell?)")
    cell = {column: cells[index].strip() for column, index in columns.items()}
    row_id = _id(cell["id"], lines, line)
    date, month_only = _date(cell["date"], "date")
    actor, target = _name(cell["actor"], "actor"), _name(cell["target"], "target")
    if actor == target:
        raise _Bad("target", f"{target!r} is also the actor")
    action = _action(cell["action_type"])
    count = _count(cell["count"], action)
    if action == "close_consulate" and not cell["target_mission"]:
        raise _Bad("target_mission", "a close_consulate row names the post it closes")
    deadline = _deadline(cell["deadline"], date) if cell["deadline"] else None
    answers = _answers(cell["in_response_to"], row_id)
    if not cell["source_url"]:
        raise _Bad("source_url", "every row cites its source")
    episode = _episode(cell["episode"])
    month_only = month_only or bool(_MONTH_ONLY_NOTE.search(cell["note"]))
    lines[row_id] = line
    return Row(
        line, row_id, episode, date, month_only, actor, target, action, count,
        cell["target_mission"], deadline, answers, cell["source_url"], cells[columns["note"]],
        {column: index + 1 for column, index in columns.items()},
    )  # fmt: skip


def _id(text: str, lines: dict[str, int], line: int) -> str:
    if not text:
        raise _Bad("id", "every row needs an id")
    if not _ID.fullmatch(text):
        raise _Bad("id", f"{text!r} is not an id: no spaces, ';' or ','")
    if text in lines:
        raise _Bad("id", f"{text!r} is already the id of the row on line {lines[text]}")
    return text


def _episode(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", text):
        raise _Bad("episode", f"{text!r} is not an episode name (letters, digits, _ or -, from a letter)")
    return text


def _date(text: str, column: str) -> tuple[dt.date, bool]:
    """A ``YYYY-MM-DD`` date, or ``YYYY-MM`` (known to the month: read as its 1st, as the
    data file's convention has it, and said so in the act's resolution)."""
    match = _DATE.fullmatch(text) or _MONTH.fullmatch(text)
    try:
        if match and len(match.groups()) == 3:
            return dt.date(*map(int, match.groups())), False
        if match:
            return dt.date(int(match[1]), int(match[2]), 1), True
    except ValueError:
        pass
    raise _Bad(column, f"{text!r} is not a date YYYY-MM-DD" if text else "the date is missing")


def _name(text: str, column: str) -> str:
    if not re.fullmatch(NAME_PATTERN, text):
        shown = repr(text) if text else "nothing"
        raise _Bad(column, f"{shown} is not a state's code (up to 32 letters, digits, _ or -, from a letter)")
    return text


def _action(text: str) -> str:
    if text not in ACTION_TYPES:
        guess = difflib.get_close_matches(text, ACTION_TYPES, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        raise _Bad("action_type", f"{text!r} is not one of {', '.join(ACTION_TYPES)}{hint}")
    return text


def _count(text: str, action: str) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdecimal()):
        raise _Bad("count", f"{text!r} is not a whole number of people or posts")
    value = int(text)
    if value > MAX_SIZE:
        raise _Bad("count", f"{value:,} is more than {MAX_SIZE:,} (a typo?)")
    if action == "expel" and value == 0:
        raise _Bad("count", "an expel row expels at least 1 person (leave the cell empty if unknown)")
    return value


def _deadline(text: str, date: dt.date) -> dt.date:
    if not _DATE.fullmatch(text):
        raise _Bad("deadline", f"{text!r} is not a date YYYY-MM-DD")
    deadline, _ = _date(text, "deadline")
    if deadline < date:
        raise _Bad("deadline", f"{deadline} is before the row's date {date}")
    return deadline


def _answers(text: str, row_id: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in text.split(SEPARATOR) if part.strip())
    for answered in ids:
        if not _ID.fullmatch(answered):
            raise _Bad("in_response_to", f"{answered!r} is not an id (ids are separated by '{SEPARATOR}')")
        if answered == row_id:
            raise _Bad("in_response_to", "a row cannot answer itself")
    return ids


def _answer_problems(
    rows: list[Row], every_id: set[str], columns: dict[str, int], name: str, bad: set[int]
) -> list[Problem]:
    """An answer must name a row of the file, dated no later than the answer (an answer to a
    row that is itself bad is left alone: that row has its own problem)."""
    dates = {row.id: row.date for row in rows}
    problems = []
    column = columns["in_response_to"] + 1
    for row in rows:
        for answered in row.answers:
            if answered not in dates and answered in every_id:
                continue
            if answered not in dates:
                message = f"{answered!r} is not the id of a row in this file"
            elif dates[answered] > row.date:
                message = f"{answered!r} is dated {dates[answered]}, after this row ({row.date})"
            else:
                continue
            if row.line not in bad:
                problems.append(Problem(name, row.line, column, "column in_response_to", message))
                bad.add(row.line)
    return problems
