"""``sim.testing.documented_logs`` and ``scenario_with_log``: generated documented logs are
valid files, keep their promises (ids, dates, causes, options), and drive runs."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, note, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from sim.core.acts import ACT_KINDS, DEADLINED, describe
from sim.engine.loop import simulate
from sim.scenario.documented import SeedsLog, load_seeds
from sim.scenario.loading import load_scenario
from sim.store.sqlite import log_digest
from sim.testing import (
    SIDE_NAMES,
    assert_causality,
    assert_conservation,
    assert_deadlines_hold,
    assert_replays,
    documented_logs,
    policies,
    scenario_with_log,
)

RUN_FROM = dt.date(2020, 1, 1)
RUN_TO = dt.date(2021, 12, 31)
#: Logs small and short enough that a run takes milliseconds.
runnable_logs = documented_logs(start=RUN_FROM, end=RUN_TO, max_acts=10)
#: A search for a shape the strategy should reach: no shrinking, no example database.
search = settings(max_examples=300, phases=(Phase.generate,), database=None)


def write_yaml(data: Any, path: Path) -> None:
    """Block style: ruamel.yaml 0.19.1 writes a string that starts with ``?`` unquoted in a
    flow mapping (``{source: ?0}``), which its own parser then refuses."""
    yaml = YAML()
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def by_id(log: SeedsLog) -> dict[str, tuple[int, Any]]:
    return {act.id: (index, act) for index, act in enumerate(log.acts) if act.id is not None}


# --- valid files ----------------------------------------------------------------------------


@given(documented_logs(), st.booleans())
def test_a_log_round_trips_through_a_yaml_file(log: SeedsLog, terse: bool) -> None:
    """Dumped to YAML (every field, or only those that differ from the defaults, as people
    write them) and read back by the project's loader, a log is unchanged."""
    data = log.model_dump(mode="json", exclude_defaults=terse)
    with tempfile.TemporaryDirectory() as folder:  # a new path each time: load_seeds caches by path
        path = Path(folder) / "log.yaml"
        write_yaml(data, path)
        note(path.read_text(encoding="utf-8"))
        assert load_seeds(path) == log


@given(documented_logs())
def test_ids_dates_sources_and_causes(log: SeedsLog) -> None:
    """Ids are unique, dates never go backwards, every act cites a source, and each cause is
    an earlier act of the other side, named once: the causes form a DAG across the sides."""
    ids = [act.id for act in log.acts]
    assert None not in ids and len(set(ids)) == len(ids)
    acts = by_id(log)
    for index, act in enumerate(log.acts):
        assert act.source.strip(), f"{act.id}: a blank source"
        assert act.actor != act.target and {act.actor, act.target} == set(log.sides)
        if index:
            assert log.acts[index - 1].date <= act.date
        assert len(set(act.in_response_to)) == len(act.in_response_to)
        for answered in act.in_response_to:
            where, cause = acts[answered]
            assert where < index, f"{act.id} answers {answered}, which is not earlier"
            assert cause.date <= act.date
            assert cause.actor != act.actor, f"{act.id} answers its own side's act {answered}"
        if act.kind in DEADLINED:
            assert act.deadline_after() >= 0


@given(st.data())
def test_the_options_are_honoured(data: st.DataObject) -> None:
    """``min_acts``/``max_acts``, the side names and the date range bind every draw."""
    low = data.draw(st.integers(0, 8), label="min_acts")
    high = data.draw(st.integers(low, 12), label="max_acts")
    names = tuple(
        data.draw(st.lists(st.sampled_from(("US", "RU", "UK", "X1")), min_size=2, max_size=2, unique=True))
    )
    start = data.draw(st.dates(dt.date(1950, 1, 1), dt.date(2100, 1, 1)), label="start")
    end = start + dt.timedelta(days=data.draw(st.integers(0, 400), label="span"))
    log = data.draw(documented_logs(min_acts=low, max_acts=high, sides=names, start=start, end=end))
    assert low <= len(log.acts) <= high
    assert log.sides == names
    assert all(start <= act.date <= end for act in log.acts)
    assert all(start <= obs.date <= end for obs in log.observations)
    assert all(obs.mission in names for obs in log.observations)


@given(documented_logs())
def test_default_sides_are_two_scenario_names(log: SeedsLog) -> None:
    assert log.sides[0] != log.sides[1] and set(log.sides) <= set(SIDE_NAMES)


@given(documented_logs(min_acts=3, own_causes=True))
def test_own_causes_allows_ones_own_earlier_acts(log: SeedsLog) -> None:
    acts = by_id(log)
    for index, act in enumerate(log.acts):
        assert all(acts[answered][0] < index for answered in act.in_response_to)


@pytest.mark.parametrize(
    ("what", "options", "found"),
    [
        (
            "every act kind in one log",
            {"min_acts": 80, "max_acts": 80},
            lambda log: len(kinds(log)) == len(ACT_KINDS),
        ),
        ("an answer on the same day", {}, lambda log: any(same_day_answers(log))),
        ("an answer days later", {}, lambda log: any(a is False for a in same_day_answers(log))),
        ("an act answering two", {}, lambda log: any(len(a.in_response_to) >= 2 for a in log.acts)),
        ("a deadline date", {}, lambda log: any(a.kind in DEADLINED and a.deadline for a in log.acts)),
        ("a deadline in days", {}, lambda log: any(a.deadline_days is not None for a in log.acts)),
        (
            "a measure in force at once",
            {},
            lambda log: any(a.kind in DEADLINED and a.deadline_after() == 0 for a in log.acts),
        ),
        ("a dated threat", {}, lambda log: any(a.kind == "threaten" and a.deadline for a in log.acts)),
        ("an id YAML must quote", {}, lambda log: any(a.id in ("yes", "null", "1", "~") for a in log.acts)),
        ("a multi-line source", {}, lambda log: any("\n" in a.source for a in log.acts)),
        ("an observation", {}, lambda log: bool(log.observations)),
        ("an own-side answer", {"own_causes": True}, lambda log: any(own_side_answers(log))),
    ],
)
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_the_strategy_reaches(what: str, options: dict[str, Any], found: Any) -> None:
    """Each shape the real logs have (or the model allows) is drawn, not just possible."""
    find(documented_logs(**options), found, settings=search)


def kinds(log: SeedsLog) -> set[str]:
    return {act.kind for act in log.acts}


def same_day_answers(log: SeedsLog) -> list[bool]:
    acts = by_id(log)
    return [acts[a][1].date == act.date for act in log.acts for a in act.in_response_to]


def own_side_answers(log: SeedsLog) -> list[bool]:
    acts = by_id(log)
    return [acts[a][1].actor == act.actor for act in log.acts for a in act.in_response_to]


@pytest.mark.parametrize(
    "options",
    [
        {"min_acts": 3, "max_acts": 2},
        {"min_acts": -1},
        {"start": dt.date(2020, 1, 2), "end": dt.date(2020, 1, 1)},
        {"posts": ()},
    ],
)
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        find(documented_logs(**options), lambda _: True, settings=search)


# --- runs -----------------------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(runnable_logs, policies(), policies(), st.integers(0, 2**32))
def test_a_run_preluded_by_a_log(log: SeedsLog, first: dict, second: dict, seed: int) -> None:
    """A scenario around a generated log runs and keeps the invariants; every documented act
    is announced once, on its date, with its id, its source and its causes."""
    scenario = scenario_with_log(log, seed=seed, policies=(first, second))
    engine = simulate(scenario)
    assert_conservation(engine.log)
    assert_causality(engine.log)
    assert_replays(engine.log, engine.state)
    assert_deadlines_hold(engine.log, scenario.horizon)
    documented = {e.act_id: e for e in engine.log if e.IS_ACT and e.source == "documented"}
    assert len(documented) == len(log.acts)
    for act in log.acts:
        event = documented[act.id]
        assert (event.actor, event.target, event.reference) == (act.actor, act.target, act.source)
        assert event.day == scenario.day_of(act.date)
        assert describe(event)[0] == (f"visa_{act.visa_policy}" if act.kind == "visa_policy" else act.kind)
        answered = [documented[a] for a in act.in_response_to]
        # Documented acts keep their log's order, so an answer on the same day as the act it
        # answers (of either side) still comes after it and keeps it as its cause.
        expected_cause = max(cause.seq for cause in answered) if answered else None
        assert event.cause == expected_cause, f"{act.id} lost its cause"


@pytest.mark.parametrize("sides", [("US", "RU"), ("RU", "US")])
def test_a_same_day_answer_of_the_second_listed_side_keeps_its_cause(sides: tuple[str, str]) -> None:
    """RU expels, the US answers the same day: whichever side the log (and so the scenario)
    lists first, the answer comes after the act it answers and names it as its cause (the
    engine once announced each side's acts of a day together, first side first)."""
    log = SeedsLog.model_validate(
        {
            "title": "a same-day answer",
            "sides": list(sides),
            "acts": [
                {
                    "id": "X1",
                    "date": "2020-03-10",
                    "actor": "RU",
                    "target": "US",
                    "kind": "expel",
                    "size": 1,
                    "deadline": "2020-03-20",
                    "source": "test",
                },
                {
                    "id": "X2",
                    "date": "2020-03-10",
                    "actor": "US",
                    "target": "RU",
                    "kind": "expel",
                    "size": 1,
                    "deadline": "2020-03-20",
                    "source": "test",
                    "in_response_to": ["X1"],
                },
            ],
        }
    )
    engine = simulate(scenario_with_log(log, start=RUN_FROM, end=RUN_TO))
    acts = {e.act_id: e for e in engine.log if e.IS_ACT}
    assert acts["X1"].seq < acts["X2"].seq and acts["X2"].cause == acts["X1"].seq


@settings(max_examples=10)
@given(runnable_logs)
def test_the_same_run_from_files(log: SeedsLog) -> None:
    """The log as a seeds file and the scenario as a file naming it as ``prelude`` load into
    the same run as ``scenario_with_log`` builds in memory."""
    scenario = scenario_with_log(log, seed=7)
    with tempfile.TemporaryDirectory() as folder:
        write_yaml(log.model_dump(mode="json", exclude_defaults=True), Path(folder) / "log.yaml")
        data = scenario.model_dump(mode="json", exclude_none=True)
        write_yaml({**data, "prelude": "log.yaml"}, Path(folder) / "run.yaml")
        loaded = load_scenario(Path(folder) / "run.yaml")
    assert loaded.prelude_log == log
    assert log_digest(simulate(loaded).log) == log_digest(simulate(scenario).log)


def test_scenario_with_log_dates_and_posts() -> None:
    """The run spans the acts and their deadlines; posts the log closes exist on the right
    side; an act outside a given range is refused."""
    log = SeedsLog.model_validate(
        {
            "title": "t",
            "sides": ["US", "RU"],
            "acts": [
                {
                    "id": "a",
                    "date": "2020-03-01",
                    "actor": "US",
                    "target": "RU",
                    "kind": "close_post",
                    "post": "north",
                    "deadline": "2020-05-01",
                    "source": "s",
                },
                {
                    "id": "b",
                    "date": "2020-03-02",
                    "actor": "RU",
                    "target": "US",
                    "kind": "close_own_post",
                    "post": "south",
                    "in_response_to": ["a"],
                    "source": "s",
                },
            ],
        }
    )
    scenario = scenario_with_log(log)
    assert (scenario.start, scenario.end) == (dt.date(2020, 3, 1), dt.date(2020, 5, 31))
    assert [sorted(side.mission.posts) for side in scenario.sides] == [
        ["embassy"],
        ["embassy", "north", "south"],
    ]
    assert scenario.prelude_log == log
    with pytest.raises(ValueError, match="outside"):
        scenario_with_log(log, start=dt.date(2020, 3, 2))
    empty = scenario_with_log(SeedsLog(title="nothing", sides=("A", "B")))
    assert_conservation(simulate(empty).log)


@pytest.mark.parametrize("name", ["us-russia-2021-12.yaml", "us-russia-2016-2022.yaml"])
def test_scenario_with_log_runs_the_real_logs(name: str) -> None:
    """The helper takes any valid log, not only generated ones: the bundled ones run too."""
    log = load_seeds(Path(__file__).parent.parent / "seeds" / name)
    engine = simulate(scenario_with_log(log))
    assert_causality(engine.log)
    assert_replays(engine.log, engine.state)
    assert {e.act_id for e in engine.log if e.source == "documented"} == {act.id for act in log.acts}


def test_policies_draws_every_registered_kind_plugins_included() -> None:
    """``sim.testing.policies()`` reads the registry: every kind but the scripted one (whose
    acts ``scenarios()`` draws) comes out, an installed plugin's too, each a valid policy."""
    from hypothesis import HealthCheck, given, settings

    from sim.policies import make_policy, registry
    from sim.testing import policies
    from sim.testing.strategies import DRAWN_ELSEWHERE

    seen: set[str] = set()

    @settings(max_examples=400, suppress_health_check=list(HealthCheck), database=None)
    @given(policies())
    def draw(config: dict) -> None:  # type: ignore[type-arg]
        make_policy(config)
        seen.add(config["kind"])

    draw()
    assert seen == set(registry()) - DRAWN_ELSEWHERE
    assert "cooling_off" in seen  # the example plugin (installed with the test extra)
