"""Coalitions and more than two states, mechanic by mechanic: what an observer is told of a
coalition, whom an answer may name, what a documented act answering a coalition cites, and
the placed errors of scenarios that get the new fields wrong."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sim.core import events as ev
from sim.engine.loop import simulate
from sim.policies.guard import PolicyError
from sim.scenario.documented import SeedsLog
from sim.scenario.models import Scenario

STAFF = {"embassy": {"diplomat": 10, "admin_technical": 5, "local": 5}}


def _scenario(
    names: list[str], acts: list[dict[str, Any]], policies: dict[str, Any] | None = None
) -> Scenario:
    """Every pair of ``names`` with a mission of 20 both ways; ``policies`` by name."""
    policies = policies or {}
    return Scenario.model_validate(
        {
            "start": "2018-03-01",
            "end": "2018-06-30",
            "seed": 5,
            "sides": [{"name": n, "policy": policies.get(n, {"kind": "none"})} for n in names],
            "missions": [{"sender": a, "host": b, "posts": STAFF} for a in names for b in names if a != b],
            "acts": acts,
        }
    )


def _expel(
    day: int, actor: str, target: str, size: int = 1, coalition: str | None = "wave"
) -> dict[str, Any]:
    act = {"date": f"2018-03-{day:02d}", "actor": actor, "target": target, "kind": "expel", "size": size}
    return {**act, "deadline_days": 7, **({"coalition": coalition} if coalition else {})}


def _observed(engine: Any, observer: str) -> list[ev.ActObserved]:
    return [e for e in engine.log if type(e) is ev.ActObserved and e.actor == observer]


def test_an_observer_is_told_the_coalition_its_partners_so_far_and_its_leader() -> None:
    acts = [_expel(10, "UK", "RU"), _expel(20, "US", "RU"), _expel(20, "FR", "RU"), _expel(21, "DE", "RU")]
    engine = simulate(
        _scenario(["RU", "UK", "US", "FR", "DE"], acts, {"RU": {"kind": "tit_for_tat", "delay_days": 3}})
    )
    seen = {(e.target, e.partners, e.leader, e.coalition) for e in _observed(engine, "RU")}
    # UK's act is seen on the 13th, alone so far; the others on the 23rd-24th, when all four had acted.
    assert seen == {
        ("UK", 0, "UK", "wave"),
        ("US", 3, "UK", "wave"),
        ("FR", 3, "UK", "wave"),
        ("DE", 3, "UK", "wave"),
    }
    assert all(e.coalition == "wave" for e in engine.log if e.IS_ACT and e.source == "exogenous")


def test_of_two_first_acts_on_one_day_the_leader_is_the_first_by_name_not_by_position() -> None:
    acts = [_expel(10, "US", "RU"), _expel(10, "FR", "RU")]
    for names in (["RU", "US", "FR"], ["RU", "FR", "US"]):
        engine = simulate(_scenario(names, acts, {"RU": {"kind": "tit_for_tat", "delay_days": 3}}))
        assert {e.leader for e in _observed(engine, "RU")} == {"FR"}


def test_a_documented_log_names_the_leader_and_an_act_may_answer_the_whole_coalition() -> None:
    names = ["RU", "UK", "US"]
    log = SeedsLog.model_validate(
        {
            "title": "a wave",
            "sides": names,
            "coalitions": {"wave": {"leader": "US"}},
            "acts": [
                {**_expel(10, "UK", "RU"), "id": "A1", "source": "a paper"},
                {**_expel(12, "US", "RU"), "id": "A2", "source": "a paper"},
                {
                    **_expel(15, "RU", "UK", coalition=None),
                    "id": "A3",
                    "source": "a paper",
                    "in_response_to": ["wave"],
                },
            ],
        }
    )
    scenario = _scenario(names, [], {"UK": {"kind": "tit_for_tat", "delay_days": 2}}).with_prelude(log)
    engine = simulate(scenario)
    by_id = {e.act_id: e for e in engine.log if e.act_id}
    assert by_id["A3"].cause == by_id["A2"].seq  # the coalition's newest act so far
    assert log.leader_of("wave") == "US"
    answered = [e for e in _observed(engine, "UK")]
    assert [(e.target, e.leader) for e in answered] == [("RU", None)]  # A3 is Russia's own, no coalition


def test_hold_leader_answers_a_follower_against_the_leader() -> None:
    acts = [_expel(10, "UK", "RU", 2), _expel(20, "US", "RU", 3)]
    policy = {"RU": {"kind": "hold_leader", "delay_days": 3, "deadline_days": 5}}
    engine = simulate(_scenario(["RU", "UK", "US"], acts, policy))
    answers = [(e.target, e.count) for e in engine.log if type(e) is ev.ExpulsionOrdered and e.actor == "RU"]
    assert answers == [("UK", 2), ("UK", 3)]  # the UK pays for the US's act too


def test_an_answer_against_a_side_without_missions_stops_the_run_in_one_line(tmp_path: Any) -> None:
    plugin = tmp_path / "stray.py"
    plugin.write_text(
        "from sim.policies import ActSpec, Reactive\n"
        "class Stray(Reactive):\n"
        "    name = 'stray'\n"
        "    def respond(self, history, view):\n"
        "        return [ActSpec(kind='expel', size=1, target='FR')]\n"
    )
    scenario = Scenario.model_validate(
        {
            "start": "2018-03-01",
            "end": "2018-04-30",
            "sides": [
                {"name": "RU", "policy": {"kind": f"file:{plugin}:Stray"}},
                {"name": "UK"},
                {"name": "FR"},
            ],
            "missions": [
                {"sender": "RU", "host": "UK", "posts": STAFF},
                {"sender": "UK", "host": "RU", "posts": STAFF},
                {"sender": "UK", "host": "FR", "posts": STAFF},
                {"sender": "FR", "host": "UK", "posts": STAFF},
            ],
            "acts": [_expel(10, "UK", "RU", coalition=None)],
        }
    )
    with pytest.raises(PolicyError, match="an act against 'FR', a side it keeps no missions with"):
        simulate(scenario)


def test_grit_takes_its_unilateral_steps_towards_every_side_it_keeps_missions_with() -> None:
    engine = simulate(
        _scenario(["RU", "UK", "US"], [], {"RU": {"kind": "grit", "steps": 1, "first_day": 10}})
    )
    steps = {e.target for e in engine.log if e.IS_ACT and e.actor == "RU"}
    assert steps == {"UK", "US"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"acts": [{"date": "2018-03-10", "actor": "UK", "kind": "expel"}]}, "acts.0.target", "say whom"),
        ({"acts": [_expel(10, "UK", "UK")]}, "acts.0.target", "not one of the other sides"),
        (
            {"missions": [{"sender": "UK", "host": "RU", "posts": STAFF}]},
            "missions.0",
            "list its counterpart",
        ),
        ({"missions": None}, "sides", "with 3 sides, list the missions"),
        ({"missions": [{"sender": "UK", "host": "UK", "posts": STAFF}]}, "missions.0.host", "own capital"),
    ],
)
def test_a_scenario_of_three_sides_that_gets_its_missions_or_targets_wrong_says_where(
    change: dict[str, Any], field: str, message: str
) -> None:
    data = _scenario(["RU", "UK", "US"], []).model_dump(mode="json", exclude_none=True)
    data.update(change)
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(data)
    error = caught.value.errors()[0]
    assert message in error["msg"], error
    assert field.split(".")[0] in str(error["msg"]) or field.split(".")[0] in ".".join(map(str, error["loc"]))


def test_a_sweep_of_more_than_two_states_has_a_column_per_mission_and_a_narrow_summary(tmp_path: Any) -> None:
    """Metrics per mission (``SENDER>HOST``); the terminal summary lists the 3 missions that
    lost most, and summary.csv every one."""
    import json

    import pandas as pd
    import yaml

    from tests.cli_runner import sim_inline

    names = ["RU", "UK", "US", "FR"]
    acts = [_expel(10, "UK", "RU", 3), _expel(12, "US", "RU", 2), _expel(13, "FR", "RU", 1)]
    scenario = _scenario(names, acts, {"RU": {"kind": "tit_for_tat", "delay_days": 3}})
    path = tmp_path / "four.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True)), encoding="utf-8")
    outcome = sim_inline(
        "sweep", path, "--seeds", 2, "--workers", 1, "--out", tmp_path / "out", "--no-progress"
    )
    assert outcome.code == 0, outcome.stderr
    results = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert {f"expelled_{s}>{h}" for s in names for h in names if s != h} <= set(results.columns)
    assert set(results["expelled_RU>UK"]) == {3} and set(results["expelled_UK>RU"]) == {3}
    assert "the 3 of 12 missions that lost most" in outcome.stdout
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert "final_FR>RU_median" in summary.columns
    assert json.loads((tmp_path / "out" / "sweep.json").read_text())["sides"][0] == "RU>UK"
