"""Loading a scenario file: parse, validate, attach its prelude (a documented log) or, for a
fork, load its base first. Every problem is an :class:`InputError` placed at its line."""

from __future__ import annotations

from pathlib import Path

from sim.infra.errors import InputError
from sim.infra.yaml_io import parse, read_text, regular_file_problem, validate
from sim.scenario.documented import load_seeds
from sim.scenario.forks import load_fork
from sim.scenario.models import Scenario, field_names, path_context, placed


def load_scenario(path: Path | str, _forking: tuple[Path, ...] = ()) -> Scenario:
    """Load, validate and attach the prelude (and, for a fork, its base scenario); every
    problem raises :class:`InputError`."""
    path = Path(path)
    data, positions = parse(read_text(path), str(path))
    if isinstance(data, dict) and "fork" in data:
        return load_fork(path, data, positions, _forking, load_scenario)
    if not isinstance(data, dict):
        raise InputError.at(str(path), "the top level must be a mapping of fields")
    scenario = validate(Scenario, data, positions, str(path), field_names(), context=path_context(path))
    if "name" not in data:
        scenario = scenario.model_copy(update={"name": path.stem})
    log = None
    if scenario.prelude is not None:
        prelude_path = path.parent / scenario.prelude
        wrong = _not_a_documented_log(path, prelude_path)
        if wrong:
            raise placed(path, positions, ("prelude",), wrong)
        try:
            log = load_seeds(prelude_path)
        except InputError:
            if _is_scenario(prelude_path):  # one clear line instead of every field it lacks
                message = f"prelude {prelude_path} is a scenario, not a documented log (seeds/*.yaml)"
                raise placed(path, positions, ("prelude",), message) from None
            raise
    try:
        return scenario.with_prelude(log)
    except ValueError as exc:
        raise placed(path, positions, ("prelude",), str(exc)) from None


def _not_a_documented_log(path: Path, prelude: Path) -> str | None:
    """Why ``prelude`` cannot be a documented log, if it plainly cannot (missing, a directory,
    this very file); problems inside a log are reported when it is loaded."""
    if prelude.is_dir():
        return f"prelude {prelude} is a directory, not a documented log (seeds/*.yaml)"
    wrong = regular_file_problem(prelude)
    if wrong == "file not found":
        return f"prelude file {prelude} not found"
    if wrong and not wrong.startswith("file is"):  # a file too large is placed in the file itself
        return f"prelude {prelude} {wrong}"
    if prelude.resolve() == path.resolve():
        return "the prelude is this scenario itself; it must name a documented log (seeds/*.yaml)"
    return None


def _is_scenario(path: Path) -> bool:
    try:
        data, _ = parse(read_text(path), str(path))
    except InputError:
        return False
    return isinstance(data, dict) and "title" not in data and ("start" in data or "fork" in data)
