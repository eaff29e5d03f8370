"""One-for-one visas count from the day the terms change, not from the start of the run."""

from __future__ import annotations

from sim.core import events as ev
from sim.engine.loop import simulate
from sim.scenario.models import Scenario


def mission(diplomats: int) -> dict[str, object]:
    return {
        "posts": {"embassy": {"diplomat": diplomats, "admin_technical": 0, "local": 0}},
        "tour_days": {"diplomat": [200, 400], "admin_technical": 5000, "local": 5000},
    }


def test_visas_issued_before_the_change_buy_nothing() -> None:
    """Before day 400 A issues B's large mission many more visas than B issues A's small one.
    On day 400 B switches to one-for-one and A to deny: from then on A issues B nothing, so B
    must issue A nothing either. Counting from the start of the run, B would still "owe" A
    the surplus of the first year and let A's replacements in."""
    scenario = Scenario.model_validate(
        {
            "start": "2020-01-01",
            "end": "2022-12-31",
            "seed": 4,
            "acts": [
                {"date": "2021-02-04", "actor": "B", "kind": "visa_policy", "visa_policy": "one_for_one"},
                {"date": "2021-02-04", "actor": "A", "kind": "visa_policy", "visa_policy": "deny"},
            ],
            "sides": [
                {"name": "A", "mission": mission(10), "visas": {"processing_days": [5, 10]}},
                {"name": "B", "mission": mission(80), "visas": {"processing_days": [5, 10]}},
            ],
        }
    )
    log = simulate(scenario).log
    change = next(e for e in log if type(e) is ev.VisaPolicyChanged and e.actor == "B")
    assert change.day == 400
    assert change.issued_to_actor > change.issued_to_target + 20, "A issued B many more visas before"
    requested = [e for e in log if type(e) is ev.VisaRequested and e.actor == "A" and e.day > change.day]
    assert requested, "A keeps asking for replacements after the change"
    after = [e for e in log if type(e) is ev.VisaIssued and e.day >= change.day]
    assert [e for e in after if e.actor == "A"] == []
    assert [e for e in after if e.actor == "B"] == [], "B issued visas A never matched"
