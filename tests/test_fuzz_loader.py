"""Fuzzing the loader: the bundled scenarios and documented logs, mutated (lines deleted,
duplicated or swapped, characters flipped, YAML punctuation, anchors, aliases and tags inserted,
the file truncated, random bytes), must load into a :class:`Scenario` or raise
:class:`InputError`, whose every problem has a line and a column (from 1) and a message. Any
other exception is a loader bug.

Mutated files are written beside copies of ``scenarios/`` and ``seeds/`` so that preludes and
fork sources still resolve; a mutated documented log is loaded as the prelude of the bundled
scenario that uses it. Example counts follow the Hypothesis profile (``tests/conftest.py``):
the ``ci`` profile runs six times as many as the default.
"""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.infra.errors import InputError
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
LOGS = sorted((ROOT / "seeds").glob("*.yaml"))

TOKENS = [
    b"\t", b":", b": ", b" :", b"[", b"]", b"{", b"}", b",", b"-", b"- ", b"? ", b"#", b"|", b">",
    b'"', b"'", b"\\", b"\n", b"\r", b"  ", b"~", b"&a ", b"*a", b"&a [*a]", b"<<: *a\n", b"---\n",
    b"...\n", b"%YAML 1.1\n", b"!!python/object/apply:os.system ", b"!!python/name:os.remove ",
    b"!!int ", b"!!float ", b"!!bool ", b"!!binary ", b"!!set ", b"!!omap ", b"!!str ", b"!tag ",
    b"\x00", b"\x07", b"\xef\xbb\xbf", b"\xff", b"\xe2\x80\xa8", b"-1", b"0", b"1e999", b".nan",
    b"99999999999999999999", b"2022-02-30", b"2022-13-01", b"1900-01-01", b"null", b"true",
]

_line = st.integers(min_value=0, max_value=10**6)
_offset = st.integers(min_value=0, max_value=10**7)
MUTATIONS = st.one_of(
    st.tuples(st.just("delete"), _line),
    st.tuples(st.just("duplicate"), _line),
    st.tuples(st.just("swap"), _line, _line),
    st.tuples(st.just("flip"), _offset, st.binary(min_size=1, max_size=1)),
    st.tuples(st.just("insert"), _offset, st.sampled_from(TOKENS)),
    st.tuples(st.just("truncate"), _offset),
    st.tuples(st.just("bytes"), _offset, st.binary(min_size=1, max_size=12)),
)


def mutate(data: bytes, mutation: tuple) -> bytes:  # type: ignore[type-arg]
    kind = mutation[0]
    lines = data.splitlines(keepends=True)
    if kind in ("delete", "duplicate", "swap"):
        if not lines:
            return data
        i = mutation[1] % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        else:
            j = mutation[2] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        return b"".join(lines)
    at = mutation[1] % (len(data) + 1)
    if kind == "flip":
        return data[:at] + mutation[2] + data[at + 1 :]
    if kind == "truncate":
        return data[:at]
    return data[:at] + mutation[2] + data[at:]  # insert a token or random bytes


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copies of scenarios/ and seeds/, so that relative preludes and fork sources resolve."""
    root = tmp_path_factory.mktemp("fuzz")
    for name in ("scenarios", "seeds"):
        shutil.copytree(ROOT / name, root / name)
    return root


_numbers = itertools.count()


def assert_loads_or_input_error(path: Path) -> None:
    try:
        scenario = load_scenario(path)
    except InputError as exc:
        assert exc.problems, "an InputError without problems"
        for problem in exc.problems:
            assert problem.file, problem
            assert problem.line >= 1 and problem.column >= 1, problem
            assert problem.message.strip(), problem
            assert "\n" not in str(problem), problem  # one line per problem
        return
    assert isinstance(scenario, Scenario)


def _examples(factor: int) -> settings:
    return settings(
        max_examples=factor * settings.default.max_examples,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@_examples(8)
@given(source=st.sampled_from(SCENARIOS), mutations=st.lists(MUTATIONS, min_size=1, max_size=4))
def test_mutated_scenarios_load_or_fail_cleanly(workspace: Path, source: Path, mutations: list) -> None:  # type: ignore[type-arg]
    data = source.read_bytes()
    for mutation in mutations:
        data = mutate(data, mutation)
    path = workspace / "scenarios" / f"mutant-{next(_numbers)}.yaml"  # a new name: no stale cache
    path.write_bytes(data)
    assert_loads_or_input_error(path)


def _users_of(log: Path) -> list[Path]:
    """The bundled scenarios whose prelude is ``log``."""
    pattern = re.compile(rf"^prelude:\s*\.\./seeds/{re.escape(log.name)}\s*$", re.M)
    return [s for s in SCENARIOS if pattern.search(s.read_text(encoding="utf-8"))]


LOG_USERS = [(log, user) for log in LOGS for user in _users_of(log)[:1]]
#: Logs that no bundled scenario replays, fuzzed on their own (when every log has a scenario,
#: every log is also fuzzed alone: it must load or fail cleanly without one).
ALONE = [log for log in LOGS if not _users_of(log)] or list(LOGS)


def test_every_documented_log_is_fuzzed() -> None:
    assert {log for log, _ in LOG_USERS} | set(ALONE) == set(LOGS)


@_examples(2)
@given(log=st.sampled_from(ALONE), mutations=st.lists(MUTATIONS, min_size=1, max_size=4))
def test_mutated_logs_that_no_scenario_uses_load_or_fail_cleanly(
    workspace: Path,
    log: Path,
    mutations: list,  # type: ignore[type-arg]
) -> None:
    from sim.scenario.documented import SeedsLog, load_seeds

    data = log.read_bytes()
    for mutation in mutations:
        data = mutate(data, mutation)
    mutant = workspace / "seeds" / f"mutant-alone-{next(_numbers)}.yaml"
    mutant.write_bytes(data)
    try:
        assert isinstance(load_seeds(mutant), SeedsLog)
    except InputError as exc:
        assert exc.problems and all(p.line >= 1 and p.column >= 1 and p.message.strip() for p in exc.problems)
        assert all("\n" not in str(p) for p in exc.problems)


@_examples(4)
@given(pair=st.sampled_from(LOG_USERS), mutations=st.lists(MUTATIONS, min_size=1, max_size=4))
def test_mutated_documented_logs_load_or_fail_cleanly(
    workspace: Path,
    pair: tuple[Path, Path],
    mutations: list,  # type: ignore[type-arg]
) -> None:
    log, user = pair
    data = log.read_bytes()
    for mutation in mutations:
        data = mutate(data, mutation)
    number = next(_numbers)
    mutant = workspace / "seeds" / f"mutant-{number}.yaml"
    mutant.write_bytes(data)
    text = user.read_text(encoding="utf-8").replace(f"../seeds/{log.name}", f"../seeds/{mutant.name}")
    scenario = workspace / "scenarios" / f"uses-mutant-{number}.yaml"
    scenario.write_text(text, encoding="utf-8")
    assert_loads_or_input_error(scenario)
