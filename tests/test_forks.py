"""Forks declared in files, common random numbers, and causes in documented logs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.core import events as ev
from sim.engine.loop import simulate
from sim.infra.errors import InputError
from sim.scenario.documented import SeedsLog
from sim.scenario.loading import load_scenario
from sim.scenario.models import Scenario
from sim.store.sqlite import log_digest
from sim.testing import acts, scenarios

SPIRAL = Path(__file__).parent.parent / "scenarios" / "tit-for-tat-spiral.yaml"
ROTATION = Path(__file__).parent.parent / "scenarios" / "rotation-rule-2021.yaml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_fork_keeps_history_and_changes_the_future(tmp_path: Path) -> None:
    """B stops answering from 2022-03-10: the spiral's events before that day are kept
    event for event; afterwards B never acts again and both missions stay near full."""
    fork_file = write(
        tmp_path / "b-stops.yaml",
        f"fork: {{from: {SPIRAL}, at: 2022-03-10}}\nsides:\n  - name: B\n    policy: {{kind: none}}\n",
    )
    forked = load_scenario(fork_file)
    base = load_scenario(SPIRAL)
    history, what_if = simulate(base), simulate(forked)
    day = forked.fork_day
    assert day == (dt.date(2022, 3, 10) - base.start).days
    kept = [e for e in history.log if e.day < day]
    assert what_if.log[: len(kept)] == kept
    assert not [e for e in what_if.log if e.IS_ACT and e.actor == "B" and e.day >= day]
    assert [e for e in history.log if e.IS_ACT and e.actor == "B" and e.day >= day], "the base spiral goes on"
    assert what_if.state.mission("A").headcount > history.state.mission("A").headcount + 50
    assert forked.name == "b-stops" and forked.seed == base.seed


def test_fork_drops_documented_acts_and_adds_new_ones(tmp_path: Path) -> None:
    """Russia's rule (A33) dropped from its day on, a lift added by the US: no US staff leave
    under a rotation limit after the fork, while the documented past is untouched."""
    fork_file = write(
        tmp_path / "no-russian-rule.yaml",
        f"""fork: {{from: {ROTATION}, at: 2021-12-01, drop: [A33, A33t]}}
acts:
  - {{date: 2021-12-02, actor: US, kind: lift_rotation_limit}}
""",
    )
    forked = simulate(load_scenario(fork_file))
    ids = {e.act_id for e in forked.log if e.act_id}
    assert "A33" not in ids and "A33t" not in ids and "A30" in ids
    lifted = [e for e in forked.log if type(e) is ev.RotationLimitLifted]
    assert len(lifted) == 1 and lifted[0].actor == "US"
    us_limited = [
        e
        for e in forked.log
        if type(e) is ev.StaffDeparted and e.actor == "US" and e.reason == "rotation_limit"
    ]
    assert us_limited == []


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("fork: {from: SELF, at: 2022-03-10}\n", "fork.from", "circular fork"),
        ("fork: {from: missing.yaml, at: 2022-03-10}\n", "fork.from", "not found"),
        ("fork: {from: SPIRAL, at: 2031-01-01}\n", "fork.at", "outside"),
        ("fork: {from: SPIRAL, at: 2022-03-10, drop: [X1]}\n", "fork.drop[0]", "no documented act"),
        (
            "fork: {from: SPIRAL, at: 2022-03-10}\nacts:\n"
            "  - {date: 2022-03-01, actor: A, kind: expel, size: 1}\n",
            "acts[0].date",
            "before the fork",
        ),
        (
            "fork: {from: SPIRAL, at: 2022-03-10}\nsides:\n  - {name: Q, policy: {kind: none}}\n",
            "sides[0].name",
            "not one of",
        ),
        ("fork: {from: SPIRAL, at: 2022-03-10}\nstart: 2020-01-01\n", "start", "not allowed here"),
    ],
)
def test_bad_forks_are_placed_errors(tmp_path: Path, text: str, field: str, message: str) -> None:
    """Every way a fork can be wrong names the file, the field and the reason."""
    path = tmp_path / "fork.yaml"
    write(path, text.replace("SELF", str(path)).replace("SPIRAL", str(SPIRAL)))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    problem = caught.value.problems[0]
    assert problem.file == str(path) and problem.field == field and message in problem.message


def test_a_fork_cycle_through_two_files_is_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    write(a, "fork: {from: b.yaml, at: 2022-03-10}\n")
    write(b, "fork: {from: a.yaml, at: 2022-03-10}\n")
    with pytest.raises(InputError, match=r"circular fork: a\.yaml -> b\.yaml -> a\.yaml"):
        load_scenario(a)


@given(scenarios(max_days=600, states=(2, 2)), st.data())
def test_scenarios_differing_only_after_day_d_agree_up_to_d(scenario: Scenario, data: st.DataObject) -> None:
    """Common random numbers: add acts dated after day d; every event through day d is the same."""
    d = data.draw(st.integers(0, scenario.horizon - 1), label="d")
    names = [side.name for side in scenario.sides]
    posts = [list(side.mission.posts) for side in scenario.sides]
    extra = []
    for _ in range(data.draw(st.integers(1, 3), label="extra acts")):
        me = data.draw(st.integers(0, 1))
        act = data.draw(acts(scenario.date_of(d + 1), scenario.horizon - d - 1, posts[me], posts[1 - me]))
        extra.append({**act, "actor": names[me]})
    changed = Scenario.model_validate(
        {**scenario.model_dump(mode="json"), "acts": [*scenario.model_dump(mode="json")["acts"], *extra]}
    )
    ours, theirs = simulate(scenario).log, simulate(changed).log
    assert log_digest(e for e in ours if e.day <= d) == log_digest(e for e in theirs if e.day <= d)


@given(st.lists(st.lists(st.integers(0, 7), max_size=3), min_size=1, max_size=8))
def test_a_documented_log_accepts_only_causes_that_come_earlier(answers: list[list[int]]) -> None:
    """``in_response_to`` may only name an earlier act; anything else is refused."""
    acts_ = [
        {
            "id": f"X{i}",
            "date": (dt.date(2020, 1, 1) + dt.timedelta(days=i)).isoformat(),
            "actor": "A" if i % 2 else "B",
            "target": "B" if i % 2 else "A",
            "kind": "statement",
            "source": "test",
            "in_response_to": [f"X{j}" for j in refs],
        }
        for i, refs in enumerate(answers)
    ]
    valid = all(j < i for i, refs in enumerate(answers) for j in refs)
    data = {"title": "t", "sides": ["A", "B"], "acts": acts_}
    if valid:
        SeedsLog.model_validate(data)
    else:
        with pytest.raises(ValueError, match="not the id of an earlier act"):
            SeedsLog.model_validate(data)


@pytest.mark.parametrize("name", ["what-if-mirror-2016", "what-if-no-us-rule-2020", "what-if-stockholm-2021"])
def test_bundled_counterfactuals_keep_the_documented_history(name: str) -> None:
    """Each counterfactual is the documented history, event for event, up to its fork date,
    and differs from it afterwards."""
    root = Path(__file__).parent.parent / "scenarios"
    what_if = load_scenario(root / f"{name}.yaml")
    history = simulate(load_scenario(root / "history-2016-2022.yaml")).log
    forked = simulate(what_if).log
    day = what_if.fork_day
    kept = [e for e in history if e.day < day]
    assert kept and forked[: len(kept)] == kept
    assert log_digest(forked) != log_digest(history)


def test_a_denied_request_frees_its_place_under_a_cap_the_same_day() -> None:
    """Under a full cap, a vacancy waits while a request holds the cap's last place; when the
    host denies that request the place is free, and the mission fills it that day (a local,
    since a denial stops visa requests). Before, nothing looked until the next departure,
    and a fork on the next day filled it a day early (found by the fork property over
    generated scenarios of six states)."""
    from sim.testing import assert_fork_exact
    from tests.test_mechanics import act, make, side

    a = side(
        "A", posts={"embassy": {"diplomat": 5, "local": 5}}, tours={"diplomat": [200, 300], "local": [20, 60]}
    )
    b = side("B", visas={"policy": "deny"})
    scenario = make(
        a=a, b=b, acts=[act(0, "B", "cap", size=9, deadline_days=0, roles=["diplomat", "local"])], days=60
    )
    log = simulate(scenario).log
    denied = next(e for e in log if type(e) is ev.VisaDenied)
    after = log[denied.seq + 1]
    assert (type(after), after.day, after.role) == (ev.StaffArrived, denied.day, "local")  # type: ignore[attr-defined]
    for day in range(1, 40):
        assert_fork_exact(scenario, log, day)
