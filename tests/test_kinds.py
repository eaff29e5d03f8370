"""The one table of act kinds (``sim.core.kinds``): every act event has exactly one entry,
each entry builds its own event, and the vocabularies read from it are what the policies,
the codes and the checks have always used (a table test: a change to the table that changes
one of them must change this file too)."""

from __future__ import annotations

import pytest

from sim.core import events as ev
from sim.core import kinds
from sim.core.acts import ActSpec, describe, to_event


def test_every_act_event_has_one_kind_and_every_kind_an_act_event() -> None:
    acts = {cls for cls in ev.EVENT_TYPES.values() if cls.IS_ACT}
    assert set(kinds.KIND_OF_EVENT) == acts
    assert len(kinds.KIND_OF_EVENT) == len(kinds.KINDS)


@pytest.mark.parametrize("name", list(kinds.KINDS))
def test_each_kind_builds_its_own_event_and_reads_its_size_back(name: str) -> None:
    kind = kinds.KINDS[name]
    spec = ActSpec(
        kind=name, size=3, deadline_days=5, post="embassy" if kind.post else None, visa_policy="deny"
    )
    event = to_event(spec, seq=0, day=10, actor="A", target="B")
    assert type(event) is kind.event
    assert describe(event) == (
        "visa_deny" if name == "visa_policy" else name,
        3 if name in ("expel", "cap", "rotation_limit", "threaten") else 1,
    )
    if kind.deadlined:
        assert event.deadline == 15  # type: ignore[attr-defined]


def test_the_vocabularies_read_from_the_table() -> None:
    assert {
        "expel",
        "cap",
        "rotation_limit",
        "close_post",
        "close_own_post",
        "local_hire_ban",
    } == kinds.DEADLINED
    assert {"close_post", "reopen_post", "close_own_post", "reopen_own_post"} == kinds.POST_KINDS
    assert {"close_own_post", "reopen_own_post"} == kinds.OWN_POST_KINDS
    assert {"expel", "threaten"} == kinds.PEOPLE_KINDS
    assert kinds.DEFAULT_ROLES == {
        "expel": ("diplomat", "admin_technical"),
        "cap": ev.ROLES,
        "rotation_limit": ("diplomat", "admin_technical"),
    }
    assert {
        "expel", "cap", "rotation_limit", "close_post", "local_hire_ban", "visa_deny", "visa_one_for_one",
        "recall_ambassador", "threaten", "close_compound", "cut_services",
    } == kinds.HOSTILE_KINDS  # fmt: skip
    assert kinds.LIFTED_BY == {
        "cap": "lift_cap",
        "rotation_limit": "lift_rotation_limit",
        "local_hire_ban": "lift_local_hire_ban",
        "visa_deny": "visa_issue",
        "visa_one_for_one": "visa_issue",
        "close_post": "reopen_post",
        "recall_ambassador": "return_ambassador",
    }
    assert {
        "lift_cap", "lift_rotation_limit", "lift_local_hire_ban",
        "visa_issue", "reopen_post", "return_ambassador",
    } == kinds.CONCILIATORY_KINDS  # fmt: skip
    assert kinds.REVERSES_MEASURE == {
        "lift_expulsions": "expel",
        "lift_cap": "cap",
        "lift_rotation_limit": "rotation_limit",
        "lift_local_hire_ban": "local_hire_ban",
        "visa_issue": "visa_policy",
    }


def test_every_observed_kind_has_a_cameo_code() -> None:
    observed = (set(kinds.KINDS) - {"visa_policy"}) | set(kinds.VISA_TERMS)
    assert set(kinds.CAMEO) == observed
    assert kinds.CAMEO["expel"] == "166" and kinds.CAMEO["threaten"] == "1313"


def test_hostility_of_visa_acts_follows_their_terms() -> None:
    base = {"seq": 0, "day": 0, "actor": "A", "target": "B"}
    assert not kinds.is_hostile(ev.VisaPolicyChanged(**base, policy="issue"))
    assert kinds.is_hostile(ev.VisaPolicyChanged(**base, policy="one_for_one"))
    assert not kinds.is_hostile(ev.StaffArrived(**base, role="local", post="embassy", arrived=0, tour_end=1))
