"""Reading YAML safely and validating it with pydantic, with every error placed in the file.

Safe means: plain data only (any tag other than YAML's own is refused, never constructed),
no duplicate keys, a size limit, strict UTF-8, and a bound on how far aliases may expand
(a "billion laughs" file is refused instead of eating the machine). Positions come from
ruamel.yaml's round-trip loader and are kept beside the plain data, keyed by the path of
each value, so a pydantic error's ``loc`` maps back to ``FILE:LINE:COL``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

from sim.infra.errors import InputError, Problem, exception_line, split_field

MAX_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64  # a scenario nests about 7 levels deep

Path_ = tuple[Any, ...]
Positions = dict[Path_, tuple[int, int]]
M = TypeVar("M", bound=BaseModel)

_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_PLAIN_TAGS = {
    None,
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


def read_text(path: Path) -> str:
    """The file's text, or an :class:`InputError` for a missing, huge, binary or non-UTF-8 file."""
    name = str(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError.at(name, "is a directory, not a YAML file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError.at(name, f"is {_kind_of(info.st_mode)}, not a regular file; give a YAML file")
        size = info.st_size
        if size > MAX_BYTES:
            raise InputError.at(name, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")
        with path.open("rb") as stream:  # a device or a pipe has no size: read no more than the limit
            raw = stream.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise InputError.at(name, f"file is more than {MAX_BYTES:,} bytes (the limit)")
    except FileNotFoundError:
        raise InputError.at(name, "file not found") from None
    except PermissionError:
        raise InputError.at(name, "file cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError.at(name, f"file cannot be read ({exc.strerror})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError.at(name, "file is UTF-16 text; save it as UTF-8")
    if b"\x00" in raw:
        raise InputError.at(name, "file is binary (contains NUL bytes), not YAML")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError.at(name, "file is not valid UTF-8", line, column) from None


def _kind_of(mode: int) -> str:
    """What a non-regular file is, in words (a FIFO would block a reader forever)."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def regular_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a regular file of at most :data:`MAX_BYTES`, checked without opening
    it (a FIFO would block, a huge file would be read whole)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "file not found"
    except OSError as exc:
        return f"file cannot be read ({exc.strerror})"
    if stat.S_ISDIR(info.st_mode):
        return "is a directory"
    if not stat.S_ISREG(info.st_mode):
        return f"is {_kind_of(info.st_mode)}, not a regular file"
    if info.st_size > MAX_BYTES:
        return f"file is {info.st_size:,} bytes; the limit is {MAX_BYTES:,}"
    return None


class _TextDates(RoundTripConstructor):
    """Leaves dates as text, so that pydantic parses them and an impossible date such as
    2022-02-30 becomes a placed validation error instead of a crash inside the parser.

    YAML's own tags for non-plain data (``!!binary``, ``!!set``, ``!!omap``, ``!!pairs``) are
    kept as tagged nodes like any unknown tag, never built, so the loader refuses them with
    their field; a plain tag whose text does not fit (``!!int abc``, ``!!bool maybe``, an
    integer of 5,000 digits) is a placed YAML error, not whatever the constructor raised.
    """

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        try:
            return super().construct_non_recursive_object(node, tag)
        except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError):
            shown = str(tag or node.tag).replace("tag:yaml.org,2002:", "!!")
            text = node.value if isinstance(node.value, str) else ""
            text = text if len(text) <= 40 else text[:37] + "..."
            text = repr(text) if text else "an empty value"
            raise ConstructorError(None, None, f"cannot read {text} as {shown}", node.start_mark) from None

    def construct_mapping(self, node: Any, maptyp: Any, deep: bool = False) -> Any:
        try:
            return super().construct_mapping(node, maptyp, deep=deep)
        except TypeError:  # a key that is, or holds, a mapping: unhashable
            key = next((k for k, _ in node.value if not isinstance(k, ScalarNode)), node)
            message = "a key must be a name, not a mapping or a list"
            raise ConstructorError(None, None, message, key.start_mark) from None


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node))
for _tag in ("binary", "set", "omap", "pairs"):
    _TextDates.add_constructor(f"tag:yaml.org,2002:{_tag}", RoundTripConstructor.construct_unknown)


_UNCLOSED = {"quoted scalar": "a quote", "flow sequence": "a '['", "flow mapping": "a '{'"}


def parse(text: str, name: str) -> tuple[Any, Positions]:
    """Plain Python data (dicts, lists, scalars; dates as text) and every value's position."""
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _TextDates
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_DEPTH
    try:
        document = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and re.search("end of stream|<stream end>", str(exc.problem)):
            mark = exc.context_mark  # where the unclosed quote or bracket began, not the file's end
            opened = next((s for w, s in _UNCLOSED.items() if w in str(exc.context)), None)
            exc.problem = f"{opened} that starts here is never closed" if opened else exc.problem
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        if "'\\t'" in message:
            message = "a tab character here; YAML indents with spaces only"
        if "duplicate key" in message:
            message = message.replace("found duplicate key", "duplicate key")
            message = message.split(" with value")[0]
        if message.startswith("but ") and exc.context:
            message = f"{exc.context}, {message}"  # "expected a single document..., but found another"
        if isinstance(exc, MaxDepthExceededError):
            message = f"nested more than {MAX_DEPTH} levels deep"
        raise InputError.at(name, f"YAML: {message}", line, column) from None
    except ReaderError as exc:
        before = text[: exc.position] if isinstance(exc.position, int) else ""
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        message = str(exc).splitlines()[0]
        if isinstance(exc.character, int):
            message = f"control character U+{exc.character:04X} is not allowed"
        raise InputError.at(name, f"YAML: {message}", line, column) from None
    except YAMLError as exc:
        raise InputError.at(name, f"YAML: {str(exc).splitlines()[0]}") from None
    if document is None:
        raise InputError.at(name, "file is empty")
    positions: Positions = {(): (1, 1)}
    budget = [MAX_NODES]
    data = _plain(document, (), positions, name, budget, (1, 1), set())
    return data, positions


def _plain(
    node: Any,
    path: Path_,
    pos: Positions,
    name: str,
    budget: list[int],
    here: tuple[int, int],
    inside: set[int],
) -> Any:
    """``node`` as plain data; ``inside`` holds the ids of the mappings and lists around it."""
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError.at(name, f"document expands to more than {MAX_NODES:,} values (an alias bomb?)")
    if len(path) > MAX_DEPTH:  # aliases of aliases nest deeper than the text shows
        message = f"nested more than {MAX_DEPTH} levels deep"
        raise InputError.at(name, message, *here, dotted(path[:3]) + "...")
    if id(node) in inside:
        line, column = pos.get(path, here)
        raise InputError.at(name, "an alias refers to a value that contains it", line, column, dotted(path))
    tag = getattr(node, "tag", None)
    tag_value = getattr(tag, "value", tag)
    if isinstance(node, TaggedScalar) and tag_value == _STR:
        return str(node.value)  # an explicit !!str, kept by the round-trip loader
    if isinstance(node, TaggedScalar) or tag_value not in _PLAIN_TAGS:
        shown = str(tag_value).replace("tag:yaml.org,2002:", "!!")
        raise InputError.at(name, f"YAML tag {shown} is not allowed (plain data only)", *here, dotted(path))
    kind = _MAP if isinstance(node, CommentedMap) else _SEQ if isinstance(node, CommentedSeq) else None
    if kind and tag_value not in (None, kind):  # e.g. !!str on a list
        shown = str(tag_value).replace("tag:yaml.org,2002:", "!!")
        message = f"YAML tag {shown} does not fit a {'mapping' if kind == _MAP else 'list'}"
        raise InputError.at(name, message, *here, dotted(path))
    if isinstance(node, (CommentedMap, CommentedSeq)):
        inside.add(id(node))
        try:
            return _container(node, path, pos, name, budget, here, inside)
        finally:
            inside.discard(id(node))
    if isinstance(node, (str, int, float, bool, dt.date)) or node is None:
        if isinstance(node, str):
            return str(node)
        if isinstance(node, bool):
            return bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        return node
    raise InputError.at(name, f"unsupported YAML value {type(node).__name__}", *here, dotted(path))


def _container(
    node: Any,
    path: Path_,
    pos: Positions,
    name: str,
    budget: list[int],
    here: tuple[int, int],
    inside: set[int],
) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        places = node.lc.data or {}
        for key, value in node.items():
            place = places.get(key)  # [line, col, value line, value col]; none if merged by "<<"
            line, column = (place[0], place[1]) if place else (here[0] - 1, here[1] - 1)
            child = (*path, key)
            pos[child] = (line + 1, column + 1)
            if not isinstance(key, str):
                raise InputError.at(name, _key_kind(key), line + 1, column + 1, dotted(path))
            vhere = (place[2] + 1, place[3] + 1) if place else (line + 1, column + 1)
            out[key] = _plain(value, child, pos, name, budget, vhere, inside)
        return out
    items = []
    for index, value in enumerate(node):
        line, column = (node.lc.data or {}).get(index) or (here[0] - 1, here[1] - 1)
        child = (*path, index)
        pos[child] = (line + 1, column + 1)
        items.append(_plain(value, child, pos, name, budget, (line + 1, column + 1), inside))
    return items


def _key_kind(key: Any) -> str:
    if isinstance(key, bool):
        return f"key {str(key).lower()} must be a name, not a boolean"
    if isinstance(key, (int, float)):
        return f"key {key} must be a name, not a number"
    if key is None:
        return "a key must be a name, not null"
    return f"a key must be a name, not a {'mapping' if isinstance(key, Mapping) else 'list'}"


def dotted(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def position(positions: Positions, data: Any, loc: Iterable[Any]) -> tuple[tuple[int, int], str]:
    """The position and dotted name of the deepest part of ``loc`` present in ``data``.

    Parts of a pydantic ``loc`` that are not in the data (a union member's tag, a missing
    field) are skipped for the position but kept in the name when they are field names.
    """
    path: list[Any] = []
    shown: list[Any] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
            path.append(part)
            shown.append(part)
        elif isinstance(part, int) and isinstance(node, list):
            shown.append(part)  # a missing item of a fixed-length list
        elif _is_field_name(part) and not (isinstance(node, dict) and node.get("kind") == part):
            shown.append(part)  # a missing field, not a union member's tag
    return positions.get(tuple(path), (1, 1)), dotted(shown)


def _is_field_name(part: Any) -> bool:
    return isinstance(part, str) and part.isidentifier()


def validate(
    model: type[M],
    data: Any,
    positions: Positions,
    name: str,
    vocabulary: Iterable[str] = (),
    context: dict[str, Any] | None = None,
) -> M:
    """``model.model_validate(data)`` with each error turned into a placed :class:`Problem`."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        known = sorted(set(vocabulary))
        problems = []
        for error in exc.errors(include_url=False):
            message = _message(error, known)
            extra, message = split_field(message)
            loc = [*error["loc"], *extra]
            if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
                loc.append("kind")
            (line, column), field = position(positions, data, loc)
            problems.append(Problem(name, line, column, field, message))
        raise InputError(problems) from None
    except (InputError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a user's validator (a plugin's Params) that raised something else
        detail = exception_line(exc)
        raise InputError.at(name, f"validation raised {detail} (a policy's parameter check?)") from None


def _longer_name(key: str, vocabulary: list[str]) -> list[str]:
    """The shortest field that starts with ``key`` and a separator (``delay`` ->
    ``delay_days``): a name cut short is too far from the whole for difflib's ratio."""
    longer = sorted((name for name in vocabulary if name.startswith(f"{key}_")), key=len)
    return longer[:1] if len(key) >= 3 else []


def _message(error: dict[str, Any], vocabulary: list[str]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        if key in vocabulary:  # a real field, in the wrong place (e.g. ``start`` in a fork)
            return f"field {key!r} is not allowed here"
        guess = difflib.get_close_matches(key, vocabulary, n=1, cutoff=0.7) or _longer_name(key, vocabulary)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return f"unknown field {key!r}{hint}"
    if kind == "missing":
        last = error["loc"][-1] if error["loc"] else None
        return "required item is missing" if isinstance(last, int) else "required field is missing"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        tag = ctx.get("tag", "?")
        expected = ctx.get("expected_tags", "")
        guess = difflib.get_close_matches(str(tag), [t.strip(" '") for t in expected.split(",")], n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return f"unknown kind {tag!r} (known: {expected}){hint}"
    if kind == "union_tag_not_found":
        return "required field is missing"
    if kind == "model_type":
        return f"should be a mapping of fields, not {_yaml_kind(error.get('input'))}"
    if kind in ("tuple_type", "list_type"):
        return f"should be a list, not {_yaml_kind(error.get('input'))}"
    message = error["msg"].replace(" after validation", "").replace("Tuple should", "List should")
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "literal_error" and isinstance(error.get("input"), str):
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",")]
        guess = difflib.get_close_matches(error["input"], choices, n=1)
        if guess:
            message += f"; did you mean {guess[0]!r}?"
    return message


def _yaml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text"


def load_model(path: Path, model: type[M], vocabulary: Iterable[str] = ()) -> tuple[M, Any, Positions]:
    """Read, parse and validate ``path``; returns the model, the raw data and positions."""
    name = str(path)
    data, positions = parse(read_text(path), name)
    if not isinstance(data, dict):
        raise InputError.at(name, "the top level must be a mapping of fields")
    return validate(model, data, positions, name, vocabulary), data, positions
