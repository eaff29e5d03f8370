"""What a calibration fits: parameters (``PATH=LO:HI``) and the documented figures it fits them
to, split from the figures it holds out for validation.

A parameter is a sweep grid key (``sim.sweep.grid``), so its path and every value it may take
are checked the way a sweep checks them, before anything runs: each corner of the box of
ranges must make a scenario that validates, and a problem is one line naming the path. A
``[min, max]`` range (a processing time, a tour length) is calibrated as one number that sets
both ends (a fixed time); ``PATH.0`` and ``PATH.1`` calibrate one end each, and then the box's
corners must keep ``min <= max``.

Observations have no stable id in a documented log, so they are named by their number in
``sim score``'s table: 1-based, in the log's order. Only counts are fitted (the objective is
``sim score``'s MAPE over counts); flows, bounds and targets may be validated.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.core.dated_acts import Observation
from sim.scenario.models import Scenario
from sim.sweep.grid import Axis, GridError, check_axes, resolve, scenario_data

#: The most parameters one calibration takes: every corner of their box is validated (2**k
#: scenarios), and a search in more dimensions needs far more trials than a command should run.
MAX_PARAMS = 8


class CalibrationError(ValueError):
    """Bad input for a calibration: ``lines`` holds one user-facing line per problem."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(dict.fromkeys(lines))
        super().__init__("\n".join(self.lines))


@dataclass(frozen=True)
class Param:
    """One calibrated parameter: its grid key, its range, whether it is whole and whether it
    stands for both ends of a ``[min, max]`` pair."""

    key: str
    low: float
    high: float
    integer: bool
    pair: bool = False

    def scenario_value(self, value: float) -> Any:
        """What the scenario holds for a sampled ``value``: a whole number, a float, or the pair."""
        number: Any = int(value) if self.integer else float(value)
        return [number, number] if self.pair else number

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.key,
            "low": self.low,
            "high": self.high,
            "integer": self.integer,
            "pair": self.pair,
        }


def parse_param(text: str) -> tuple[str, float, float]:
    """``"sides.0.visas.processing_days=20:200"`` -> ``(key, 20, 200)``; one line if malformed
    or ``LO`` is not below ``HI``."""
    key, sep, rest = text.partition("=")
    key = key.strip()
    low_text, colon, high_text = rest.partition(":")
    if not sep or not key or not colon:
        raise CalibrationError([f"--param: {text!r} is not PATH=LO:HI"])
    bounds = []
    for part in (low_text, high_text):
        try:
            number = float(part)
        except ValueError:
            raise CalibrationError([f"--param: {key}: {part.strip()!r} is not a number"]) from None
        if not math.isfinite(number):
            raise CalibrationError([f"--param: {key}: {part.strip()!r} is not a finite number"])
        bounds.append(number)
    low, high = bounds
    if low >= high:
        raise CalibrationError(
            [
                f"--param: {key}: the range {low_text.strip()}:{high_text.strip()} is empty"
                " (LO must be below HI)"
            ]
        )
    return key, low, high


def _node(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        if data is None:
            return None
        data = data[step] if isinstance(data, list) else data.get(step)
    return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_params(scenario: Scenario, specs: Sequence[tuple[str, float, float]]) -> list[Param]:
    """The parameters of ``specs`` in ``scenario``: each path resolved, each range of the type
    the scenario holds there, every corner of the box a valid scenario (or one line each)."""
    if not specs:
        raise CalibrationError(["--param: give at least one PATH=LO:HI to calibrate"])
    if len(specs) > MAX_PARAMS:
        raise CalibrationError([f"--param: {len(specs)} parameters; at most {MAX_PARAMS} at once"])
    data = scenario_data(scenario)
    params, lines = [], []
    for key, low, high in specs:
        if key.split(".")[0] == "seed":
            lines.append(f"--param: {key}: the runs' seeds come from --seeds (the scenario's seed and after)")
            continue
        try:
            path = resolve(data, Axis(key, ()))
        except GridError as exc:
            lines.extend(_as_param(exc.lines))
            continue
        try:
            params.append(_typed(key, low, high, _node(data, path)))
        except CalibrationError as exc:
            lines.extend(exc.lines)
    if len({p.key for p in params}) < len(params):
        lines.append("--param: a path is given twice")
    if lines:
        raise CalibrationError(lines)
    axes = [Axis(p.key, (p.scenario_value(p.low), p.scenario_value(p.high))) for p in params]
    try:
        check_axes(scenario, axes)
    except GridError as exc:  # the first corner refused says it: one line, not one per corner
        raise CalibrationError(_as_param(exc.lines)[:1]) from None
    return params


def _typed(key: str, low: float, high: float, current: Any) -> Param:
    """A parameter typed by what the scenario holds at its path (whole days stay whole)."""
    pair = isinstance(current, list)
    if pair and not (len(current) == 2 and all(isinstance(v, int | float) for v in current)):
        raise CalibrationError(
            [f"--param: {key}: the scenario holds {json.dumps(current)} there, not a number"]
        )
    values = current if pair else [current]
    if current is None:
        integer = low.is_integer() and high.is_integer()
    elif all(_is_int(v) for v in values):
        integer = True
    elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        integer = False
    else:
        raise CalibrationError(
            [f"--param: {key}: the scenario holds {json.dumps(current)} there, not a number"]
        )
    if integer:
        for bound in (low, high):
            if not bound.is_integer():
                raise CalibrationError(
                    [f"--param: {key}: {bound:g} is not a whole number (this field is whole)"]
                )
    return Param(key, int(low) if integer else low, int(high) if integer else high, integer, pair)


def _as_param(lines: Sequence[str]) -> list[str]:
    """The grid's lines as this command's: its option, and calibrate for sweep."""
    return [
        line.replace("--grid: ", "--param: ", 1).replace("; sweep another", "; calibrate another")
        for line in lines
    ]


@dataclass(frozen=True)
class Split:
    """Which figures are fitted and which validate (indexes into the log's observations, from 0)."""

    fitted: tuple[int, ...]
    validated: tuple[int, ...]

    def as_dict(self) -> dict[str, list[int]]:
        """Numbered as ``sim score``'s table numbers them (from 1)."""
        return {"against": [i + 1 for i in self.fitted], "validate": [i + 1 for i in self.validated]}


def parse_numbers(option: str, texts: Sequence[str] | None, count: int) -> list[int] | None:
    """``--validate 3,4 --validate 6`` -> ``[2, 3, 5]`` (indexes from 0); ``None`` if not given."""
    if texts is None:
        return None
    out: list[int] = []
    for text in texts:
        for piece in text.split(","):
            piece = piece.strip()
            if not piece.isdecimal():
                raise CalibrationError([f"{option}: {piece!r} is not an observation's number"])
            number = int(piece)
            if not 1 <= number <= count:
                raise CalibrationError(
                    [
                        f"{option}: no observation {number} (the log has {count},"
                        " numbered from 1 as in 'sim score')"
                    ]
                )
            out.append(number - 1)
    return list(dict.fromkeys(out))


def split_observations(
    scenario: Scenario,
    observations: Sequence[Observation],
    against: list[int] | None,
    validate: list[int] | None,
) -> Split:
    """The fitted and validating figures, or one line: a figure both fitted and validated, a
    fitted figure that is not a count (or a count of 0, or outside the run), none left to fit."""
    validated = tuple(validate or ())
    both = sorted(set(against or ()) & set(validated))
    if both:
        number = both[0] + 1
        raise CalibrationError(
            [
                f"observation {number} is both fitted (--against) and validated (--validate):"
                " a figure used to fit cannot validate the fit"
            ]
        )
    if against is not None:
        for index in against:
            wrong = _unfittable(scenario, observations[index])
            if wrong:
                raise CalibrationError([f"--against: observation {index + 1} {wrong}"])
        fitted = tuple(against)
    else:
        fitted = tuple(
            i
            for i, obs in enumerate(observations)
            if i not in validated and _unfittable(scenario, obs) is None
        )
    if not fitted:
        counts = [i + 1 for i, obs in enumerate(observations) if obs.kind == "count"]
        held = f"; --validate holds {', '.join(map(str, counts))}" if counts else ""
        raise CalibrationError(
            [
                f"no count observation left to fit (the log's counts:"
                f" {', '.join(map(str, counts)) or 'none'}{held})"
            ]
        )
    return Split(fitted, validated)


def _unfittable(scenario: Scenario, obs: Observation) -> str | None:
    """Why ``obs`` cannot be fitted, or None: the objective is a MAPE over counts in the run."""
    if obs.kind != "count":
        what = {"flow": "a flow", "target": "a target"}.get(obs.kind, f"a bound ({obs.kind})")
        return f"is {what}; only counts are fitted (validate it with --validate)"
    if obs.headcount == 0:
        return "is a count of 0, which has no percentage error"
    if not scenario.start <= obs.date <= scenario.end:
        return f"({obs.date}) is outside the run ({scenario.start}..{scenario.end})"
    return None


def seeds_of(scenario: Scenario, count: int) -> list[int]:
    """The seeds ``sim score SCENARIO --seeds N`` runs: the scenario's own and the ones after,
    so that the calibrated score is the score ``sim score`` gives the calibrated scenario."""
    return [(scenario.seed + i) % (2**63) for i in range(count)]


def observations_sha256(observations: Sequence[Observation]) -> str:
    text = json.dumps([obs.model_dump(mode="json") for obs in observations], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
