"""The bundled two-state episodes of seeds/sources/expulsions_pre2022.csv: the 2021 Czech and
2018 UK exchanges, whose documented logs use the per-role cap, the local-hire limit and
post-scoped expulsions. Each act cites its row by id; the numbers the rows give hold."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sim.core import events as ev
from sim.core.working import fold
from sim.engine.loop import simulate
from sim.scenario.loading import load_scenario
from tests.test_mechanics import day_states, role_counts

ROOT = Path(__file__).resolve().parent.parent
CZECH = ROOT / "scenarios" / "czech-russia-2021.yaml"
UK = ROOT / "scenarios" / "uk-russia-2018.yaml"
ROW = {"czech-russia-2021": re.compile(r"^VRB21-\d{3}$"), "uk-russia-2018": re.compile(r"^SKR18-\d{3}$")}


@pytest.mark.parametrize("path", [CZECH, UK], ids=lambda p: p.stem)
def test_every_act_is_a_row_cited_by_id_and_nothing_reads_the_shared_folder(path: Path) -> None:
    scenario = load_scenario(path)
    log = scenario.prelude_log
    assert log is not None and len(log.sides) == 2
    for act in log.acts:
        assert act.id is not None and ROW[path.stem].match(act.id), act.id
        assert f"expulsions_pre2022.csv {act.id}" in act.source
    for text in (path.read_text(), (path.parent / scenario.prelude).read_text()):  # type: ignore[operator]
        assert "shared" not in text


def _day(scenario, when: str) -> int:  # type: ignore[no-untyped-def]
    return scenario.day_of(dt.date.fromisoformat(when))


def test_the_czech_cap_holds_per_role_and_the_local_limit_holds() -> None:
    scenario = load_scenario(CZECH)
    engine = simulate(scenario)
    cap, limit = _day(scenario, "2021-05-31"), _day(scenario, "2021-08-01")
    for day, state in day_states(engine.log, scenario.horizon):
        russians, czechs = role_counts(state.mission("RU")), role_counts(state.mission("CZ"))
        if day >= cap:
            assert russians["diplomat"] <= 5 and russians["admin_technical"] <= 19, day
        if day >= limit:
            assert czechs["local"] <= 19, day
    at_cap = fold(e for e in engine.log if e.day <= cap)
    assert role_counts(at_cap.mission("RU")) == {"diplomat": 5, "admin_technical": 19, "local": 0}
    at_limit = fold(e for e in engine.log if e.day <= limit)
    assert role_counts(at_limit.mission("CZ"))["local"] == 19


def test_the_uk_exchange_expels_from_the_embassies_and_cuts_to_parity() -> None:
    scenario = load_scenario(UK)
    engine = simulate(scenario)
    expelled = [e for e in engine.log if type(e) is ev.StaffDeparted and e.reason == "expelled"]
    assert len(expelled) == 46
    capped = [e for e in engine.log if type(e) is ev.StaffDeparted and e.reason == "cap"]
    assert 45 <= len(capped) <= 60  # "a little over 50" (SKR18-045), less the tours that ended
    deadline = _day(scenario, "2018-04-30")
    at = fold(e for e in engine.log if e.day <= deadline)
    counts = role_counts(at.mission("UK"))
    assert counts["diplomat"] <= 57 and counts["admin_technical"] <= 47
    assert "st_petersburg" in at.mission("UK").closed_posts
