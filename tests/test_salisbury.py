"""The 2018 Salisbury wave: the replay gives every state's expulsions as the shipped data file
has them, and each fork answers its question the way its policy says it must.

The data are the ``expel`` rows of episode ``skripal_2018`` in
``seeds/sources/expulsions_pre2022.csv`` (read here from the project's own copy): 153 people
expelled by 29 states and NATO, 146 by Russia, one for one to each state. Russia's order that
the UK cut its missions by about 50 (SKR18-045) is imported as an expulsion of 50 whose posts
are abolished, so the replay's Russian expulsions of UK staff are 23 + 50.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from sim.core import events as ev
from tests.helpers import bundled_run

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "seeds" / "sources" / "expulsions_pre2022.csv"
SCENARIOS = ROOT / "scenarios"
PARITY_CUT = 50  # SKR18-045, imported as an expulsion


def _documented() -> tuple[Counter[str], Counter[str]]:
    """People expelled by each state (or NATO) and, per state, by Russia, as the file says."""
    by_state: Counter[str] = Counter()
    by_russia: Counter[str] = Counter()
    with DATA.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["episode"] == "skripal_2018" and row["action_type"] == "expel":
                if row["actor"] == "RU":
                    by_russia[row["target"]] += int(row["count"])
                else:
                    by_state[row["actor"]] += int(row["count"])
    return by_state, by_russia


def _expelled(name: str) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """From a run: people each state expelled from Russia's missions, people Russia expelled
    from each state's mission, and people each state lost to a cap."""
    by_state: Counter[str] = Counter()
    by_russia: Counter[str] = Counter()
    capped: Counter[str] = Counter()
    for event in bundled_run(SCENARIOS / f"{name}.yaml").log:
        if type(event) is ev.StaffDeparted and event.reason == "expelled":
            if event.actor == "RU":
                by_state[event.target] += 1
            else:
                by_russia[event.actor] += 1
        elif type(event) is ev.StaffDeparted and event.reason == "cap" and event.actor != "RU":
            capped[event.actor] += 1
    return by_state, by_russia, capped


def test_the_data_file_holds_the_wave_the_issue_describes() -> None:
    by_state, by_russia = _documented()
    assert sum(by_state.values()) == 153 and by_state["NATO"] == 7
    assert sum(by_russia.values()) == 146 and len(by_russia) == 29
    assert all(by_russia[state] == by_state[state] for state in by_russia)  # one for one


def test_the_replay_expels_what_the_record_says_state_by_state() -> None:
    documented_by_state, documented_by_russia = _documented()
    by_state, by_russia, _ = _expelled("salisbury-2018")
    assert by_state == documented_by_state
    assert by_russia == documented_by_russia + Counter({"UK": PARITY_CUT})


def test_answering_only_the_leader_leaves_the_followers_untouched() -> None:
    by_state, by_russia, capped = _expelled("salisbury-2018-only-uk")
    assert sum(by_state.values()) == 153  # the coalition's acts are the record's
    assert by_russia == Counter({"UK": 23}) and not capped


def test_holding_the_leader_responsible_caps_the_uk_at_russias_size_in_the_uk() -> None:
    _, by_russia, capped = _expelled("salisbury-2018-parity-cap")
    assert by_russia == Counter({"UK": 23}) and set(capped) == {"UK"}
    engine = bundled_run(SCENARIOS / "salisbury-2018-parity-cap.yaml")
    state = engine.state
    ours = state.mission("RU", "UK")
    theirs = state.mission("UK", "RU")
    caps = [e for e in engine.log if type(e) is ev.StaffCapImposed and e.actor == "RU"]
    assert len(caps) == 1 and caps[0].target == "UK"  # once, not once per follower
    counted = sum(1 for person in theirs.staff.values() if person.role in caps[0].roles)
    assert counted <= caps[0].cap <= ours.headcount + 23


def test_answering_on_fridays_answers_each_state_in_kind_on_fridays() -> None:
    _, documented_by_russia = _documented()
    _, by_russia, _ = _expelled("salisbury-2018-fridays")
    engine = bundled_run(SCENARIOS / "salisbury-2018-fridays.yaml")
    start = dt.date(2018, 3, 1)
    answers = [e for e in engine.log if e.IS_ACT and e.actor == "RU" and e.source == "simulated"]
    assert answers and {(start + dt.timedelta(days=e.day)).weekday() for e in answers} == {4}  # Friday
    # In kind, one for one, to every state; and to NATO, which the record left unanswered.
    assert by_russia - Counter({"NATO": by_russia["NATO"]}) == documented_by_russia
    assert by_russia["NATO"] > 0


@pytest.mark.parametrize(
    "name", ["salisbury-2018-only-uk", "salisbury-2018-parity-cap", "salisbury-2018-fridays"]
)
def test_a_fork_keeps_the_record_before_its_day(name: str) -> None:
    base = bundled_run(SCENARIOS / "salisbury-2018.yaml").log
    forked = bundled_run(SCENARIOS / f"{name}.yaml").log
    day = (dt.date(2018, 3, 15) - dt.date(2018, 3, 1)).days
    assert [ev.to_json(e) for e in forked if e.day < day] == [ev.to_json(e) for e in base if e.day < day]
