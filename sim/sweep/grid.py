"""Parameter grids: dotted paths into a scenario, their values, and the variants they make.

A grid key is a dotted path into the scenario as a sweep sees it (every field, defaults
included): ``sides.RU.policy.delay_days``, ``sides.0.visas.processing_days``, ``end``. A side
may be named (``sides.RU``) or numbered (``sides.0``); any other list is numbered. Setting a
side's ``policy.kind`` to another kind starts that policy afresh (``{kind: ...}``, then the
grid's other ``policy.*`` keys), since one kind's parameters mean nothing to another.

Everything is checked before anything runs: each key's path, then every grid cell's
scenario as a whole (pydantic), so that a bad value is reported as the value the user typed,
one line per problem (:class:`GridError`).
"""

from __future__ import annotations

import copy
import difflib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sim.infra.commas import split_top_level
from sim.infra.errors import split_field
from sim.infra.yaml_io import _message as pydantic_message
from sim.infra.yaml_io import dotted
from sim.scenario.models import Scenario

#: Keys a grid may not set, and why.
FORBIDDEN: dict[tuple[Any, ...], str] = {
    ("seed",): "each run's seed comes from the sweep (use --seed and --seeds)",
    ("prelude",): "the documented log is read once, with the scenario; sweep another scenario file",
    ("fork",): "a fork's base is read once, with the scenario; sweep another scenario file",
}


@dataclass(frozen=True)
class Origin:
    """Where an axis came from, to place an error: the ``--grid`` option or a sweep file."""

    file: str | None = None  # None: the --grid option
    key_at: tuple[int, int] = (1, 1)
    values_at: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Axis:
    """One grid key and the values it takes."""

    key: str
    values: tuple[Any, ...]
    origin: Origin = field(default_factory=Origin)


class GridError(Exception):
    """Bad grid keys or values: ``lines`` holds one user-facing line per problem."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(dict.fromkeys(lines))
        super().__init__("\n".join(self.lines))


def problem(axis: Axis, message: str, value_index: int | None = None) -> str:
    """One line about ``axis`` (and one of its values) in the style of its origin."""
    origin = axis.origin
    if origin.file is None:
        if value_index is None:
            return f"--grid: {axis.key}: {message}"
        return f"--grid: {axis.key}={_show(axis.values[value_index])}: {message}"
    where = origin.key_at
    name = f"grid.{axis.key}"
    if value_index is not None:
        if value_index < len(origin.values_at):
            where = origin.values_at[value_index]
        name = f"{name}[{value_index}]"
    return f"{origin.file}:{where[0]}:{where[1]}: {name}: {message}"


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# --- parsing the --grid option --------------------------------------------------------------


def parse_option(text: str) -> Axis:
    """``"sides.RU.policy.delay_days=1,7,30"`` -> an :class:`Axis`; values are YAML scalars or
    flow lists (``[1, 7]`` keeps its comma)."""
    from sim.infra.errors import InputError
    from sim.infra.yaml_io import parse

    key, sep, rest = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise GridError([f"--grid: {text!r} is not KEY=VALUE[,VALUE...]"])
    if not rest.strip():
        raise GridError([f"--grid: {key}: no values after '='"])
    values = []
    for piece in _split_values(rest):
        if not piece.strip():
            raise GridError([f"--grid: {key}={rest}: an empty value"])
        try:
            value, _ = parse(piece, "--grid")
        except InputError as exc:
            message = exc.problems[0].message
            raise GridError([f"--grid: {key}={piece.strip()}: {message}"]) from None
        values.append(value)
    return Axis(key, tuple(values))


def _split_values(text: str) -> list[str]:
    """Split at commas outside brackets: ``1,[2, 3],x`` -> ``["1", "[2, 3]", "x"]``."""
    return split_top_level(text)


# --- paths ------------------------------------------------------------------------------------


def resolve(data: dict[str, Any], axis: Axis) -> tuple[Any, ...]:
    """The concrete path (side names turned into indexes) of ``axis.key`` in ``data``.

    Checks that every step exists, except the last step under a side's ``policy``, whose
    parameters depend on the kind the cell gives it (the cell's validation checks those).
    """
    parts = axis.key.split(".")
    if any(not p for p in parts):
        raise GridError([problem(axis, "empty step in the dotted path")])
    path: list[Any] = []
    node: Any = data
    for depth, part in enumerate(parts):
        here = dotted(path) or "the scenario"
        if depth == 0 and (part,) in FORBIDDEN:
            raise GridError([problem(axis, FORBIDDEN[(part,)])])
        if isinstance(node, list):
            index = _list_index(node, path, part, axis)
            path.append(index)
            node = node[index]
        elif isinstance(node, dict):
            in_policy = len(path) == 3 and path[0] == "sides" and path[2] == "policy"
            if part not in node and not (in_policy and depth == len(parts) - 1):
                raise GridError([problem(axis, _unknown(part, node, here))])
            if len(path) == 2 and path[0] == "sides" and part == "name":
                raise GridError([problem(axis, "a side's name cannot vary (results are keyed by it)")])
            path.append(part)
            node = node.get(part)
        elif node is None:
            path.append(part)  # an optional mapping left out (e.g. a mission's targets)
        else:
            raise GridError([problem(axis, f"{here} is a single value ({_show(node)}), not a mapping")])
    return tuple(path)


def _list_index(node: list[Any], path: list[Any], part: str, axis: Axis) -> int:
    here = dotted(path)
    if part.isdigit():
        index = int(part)
        if index >= len(node):
            raise GridError([problem(axis, f"{here} has {len(node)} items; index {index} is past the end")])
        return index
    if path == ["sides"]:
        names = [side.get("name") for side in node]
        if part in names:
            return names.index(part)
        guess = difflib.get_close_matches(part, [str(n) for n in names], n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        sides = ", ".join(map(str, names))
        raise GridError([problem(axis, f"no side named {part!r} (sides: {sides}){hint}")])
    raise GridError([problem(axis, f"{here} is a list: use an index 0..{len(node) - 1}")])


def _unknown(part: str, node: dict[str, Any], here: str) -> str:
    guess = difflib.get_close_matches(part, [str(k) for k in node], n=1, cutoff=0.6)
    hint = f"; did you mean {guess[0]!r}?" if guess else ""
    known = ", ".join(map(str, node)) if len(node) <= 12 else f"{len(node)} fields"
    return f"{here} has no field {part!r} (it has: {known}){hint}"


# --- cells and variants -------------------------------------------------------------------


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data with every default spelled out (what grid paths walk)."""
    return scenario.model_dump(mode="json", by_alias=True)


def cells(axes: Sequence[Axis]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, the first axis varying slowest."""
    keys = [axis.key for axis in axes]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(a.values for a in axes))]


def apply_cell(
    data: dict[str, Any], paths: dict[str, tuple[Any, ...]], cell: dict[str, Any]
) -> dict[str, Any]:
    """A deep copy of ``data`` with the cell's values set (policy kinds first, see the module)."""
    out = copy.deepcopy(data)
    kinds_first = sorted(cell, key=lambda key: paths[key][-1] != "kind" or paths[key][-2] != "policy")
    for key in kinds_first:
        path, value = paths[key], cell[key]
        parent = out
        for step in path[:-1]:
            if isinstance(parent, dict) and parent.get(step) is None:
                parent[step] = {}
            parent = parent[step]
        last = path[-1]
        if last == "kind" and path[-2] == "policy" and parent.get("kind") != value:
            parent.clear()
        parent[last] = copy.deepcopy(value)
    return out


def build_variant(base: Scenario, data: dict[str, Any]) -> Scenario:
    """Validate ``data`` and give it the base's documented log and fork base (raises
    ``ValidationError`` or ``ValueError``)."""
    variant = Scenario.model_validate(data).with_prelude(base.prelude_log)
    if base.fork_base is not None:
        variant = variant.with_fork_base(base.fork_base)
    return variant


def check_axes(base: Scenario, axes: Sequence[Axis]) -> tuple[dict[str, tuple[Any, ...]], list[Scenario]]:
    """The axes' concrete paths and one validated scenario per cell, or :class:`GridError`."""
    lines: list[str] = []
    seen: set[str] = set()
    for axis in axes:
        if axis.key in seen:
            lines.append(problem(axis, "this key is given twice"))
        seen.add(axis.key)
        if not axis.values:
            lines.append(problem(axis, "no values"))
        shown = [json.dumps(v, sort_keys=True) for v in axis.values]
        for index, text in enumerate(shown):
            if text in shown[:index]:
                lines.append(problem(axis, "this value is listed twice", index))
    if lines:
        raise GridError(lines)
    data = scenario_data(base)
    paths: dict[str, tuple[Any, ...]] = {}
    for axis in axes:
        try:
            paths[axis.key] = resolve(data, axis)
        except GridError as exc:
            lines.extend(exc.lines)
    if lines:
        raise GridError(lines)
    by_key = {axis.key: axis for axis in axes}
    variants = []
    for cell in cells(axes):
        variant_data = apply_cell(data, paths, cell)
        try:
            variants.append(build_variant(base, variant_data))
        except ValidationError as exc:
            lines.extend(_blame(exc, variant_data, paths, by_key, cell))
        except ValueError as exc:
            lines.append(_cell_line(axes, cell, str(exc)))
    if lines:
        raise GridError(lines)
    return paths, variants


def _blame(
    exc: ValidationError,
    data: dict[str, Any],
    paths: dict[str, tuple[Any, ...]],
    axes: dict[str, Axis],
    cell: dict[str, Any],
) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False):
        message = pydantic_message(error, [])
        extra, message = split_field(message)
        raw = [*error["loc"], *extra]
        if error["type"] == "union_tag_invalid":
            raw.append("kind")
        loc = _in_data(data, raw)
        suspects = [k for k, p in paths.items() if loc[: len(p)] == p or p[: len(loc)] == loc]
        if len(suspects) > 1:  # prefer the key at or below the error's place
            exact = [k for k in suspects if paths[k][: len(loc)] == loc and len(paths[k]) >= len(loc)]
            suspects = exact if len(exact) == 1 else suspects
        if len(suspects) == 1 and error["type"] == "extra_forbidden":
            axis = axes[suspects[0]]
            lines.append(problem(axis, _no_parameter(data, loc) or message))
        elif len(suspects) == 1:
            axis = axes[suspects[0]]
            index = [json.dumps(v, sort_keys=True) for v in axis.values].index(
                json.dumps(cell[axis.key], sort_keys=True)
            )
            where = dotted(loc)
            note = "" if loc == paths[axis.key] else f" ({where})"
            lines.append(problem(axis, f"{message}{note}", index))
        else:
            lines.append(_cell_line(list(axes.values()), cell, f"{dotted(loc)}: {message}"))
    return lines


def _no_parameter(data: dict[str, Any], loc: tuple[Any, ...]) -> str | None:
    """For an unknown field under a side's policy: which parameters that kind does have."""
    if len(loc) != 4 or loc[0] != "sides" or loc[2] != "policy":
        return None
    from sim.policies import PluginError, UnknownPolicy, policy_class

    kind = data["sides"][loc[1]]["policy"].get("kind")
    try:
        known = list(policy_class(kind).Params.model_fields)
    except (UnknownPolicy, PluginError, TypeError):
        return None
    if known:
        guess = difflib.get_close_matches(str(loc[3]), known, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
    else:  # none, scripted: the side never answers, so no answer setting means anything
        hint = "; that side never answers: vary its policy.kind too, or sweep a scenario where it answers"
    has = ", ".join(known) if known else "none"
    return f"policy kind {kind!r} has no parameter {loc[3]!r} (its parameters: {has}){hint}"


def _cell_line(axes: Sequence[Axis], cell: dict[str, Any], message: str) -> str:
    label = ", ".join(f"{k}={_show(v)}" for k, v in cell.items())
    first = axes[0] if axes else Axis("grid", ())
    if first.origin.file is not None:
        line, column = first.origin.key_at
        return f"{first.origin.file}:{line}:{column}: grid: the cell {label}: {message}"
    return f"--grid: the cell {label}: {message}"


def _in_data(data: Any, loc: Sequence[Any]) -> tuple[Any, ...]:
    """The part of a pydantic ``loc`` that exists in ``data`` (drops union tags like ``'none'``)."""
    path: list[Any] = []
    node = data
    for part in loc:
        present = isinstance(node, dict) and part in node
        present = present or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        if present:
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and node.get("kind") != part:
            path.append(part)  # a missing or unknown field: still part of the place
            node = None
    return tuple(path)


# --- shipping scenarios to workers -----------------------------------------------------------


def to_spec(scenario: Scenario) -> dict[str, Any]:
    """A picklable form of a scenario with its documented log and fork base (scenarios
    themselves hold dynamically made policy models that do not pickle, so they travel as
    data). The documented log travels as itself: it pickles, and it is the log the scenario
    holds, which for a fork is its base's log less the acts it drops. Read back as data, a
    kept act that answered a dropped one would fail the log's own check, and a cap's default
    size written out would too."""
    base = scenario.fork_base
    return {
        "scenario": scenario_data(scenario),
        "prelude": scenario.prelude_log,
        "fork_base": to_spec(base) if base is not None else None,
    }


def from_spec(spec: dict[str, Any]) -> Scenario:
    """Inverse of :func:`to_spec`."""
    scenario = Scenario.model_validate(spec["scenario"])
    if spec["prelude"] is not None:
        scenario = scenario.with_prelude(spec["prelude"])
    if spec["fork_base"] is not None:
        scenario = scenario.with_fork_base(from_spec(spec["fork_base"]))
    return scenario
