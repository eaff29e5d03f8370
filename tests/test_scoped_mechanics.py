"""Per-role caps, the local-hire limit and post-scoped acts: example tables of each mechanic
(the tests/test_mechanics.py pattern: small scenarios, concrete numbers), and properties over
generated scenarios (a per-role cap holds for each role after its deadline, a local limit
holds, a post-scoped expulsion never takes anyone from another post)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sim.core import events as ev
from sim.core.dated_acts import DatedAct
from sim.core.kinds import TAKEN_BY
from sim.core.state import fold_pure
from sim.core.working import fold
from sim.engine.loop import simulate
from sim.scenario.models import Scenario
from sim.testing import assert_deadlines_hold, scenarios
from tests.test_mechanics import (
    SHORT_TOURS,
    act,
    day_states,
    departures,
    make,
    of,
    only,
    role_counts,
    run,
    side,
    state_at,
)

MIXED = side("B", posts={"embassy": {"diplomat": 20, "admin_technical": 10, "local": 20}}, tours=SHORT_TOURS)
TWO_POSTS = side(
    "B",
    posts={
        "embassy": {"diplomat": 20, "admin_technical": 10, "local": 5},
        "un_mission": {"diplomat": 10, "admin_technical": 4},
    },
    tours=SHORT_TOURS,
)


# --- the vocabulary -------------------------------------------------------------------------


def test_the_kind_table_says_which_kinds_take_the_scoped_fields() -> None:
    assert TAKEN_BY == {
        "posts": ("expel", "rotation_limit", "visa_processing"),
        "caps": ("cap",),
        "limit": ("local_hire_ban",),
        "processing_days": ("visa_processing",),
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "expel", "caps": {"diplomat": 1}}, "caps"),
        ({"kind": "cap", "limit": 3}, "limit"),
        ({"kind": "cap", "posts": ["embassy"]}, "posts"),
        ({"kind": "cap", "caps": {}}, "caps"),
        ({"kind": "cap", "caps": {"diplomat": 1}, "size": 4}, "caps"),
        ({"kind": "cap", "caps": {"diplomat": 1}, "roles": ["diplomat"]}, "caps"),
        ({"kind": "expel", "posts": ["embassy", "embassy"]}, "posts"),
        ({"kind": "local_hire_ban", "limit": -1}, "limit"),
        ({"kind": "visa_processing"}, "processing_days"),
        ({"kind": "visa_processing", "processing_days": [90, 30]}, "processing_days"),
        ({"kind": "expel", "processing_days": 30}, "processing_days"),
    ],
)
def test_a_scoped_field_on_the_wrong_act_is_an_error_naming_it(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DatedAct.model_validate({"date": "2021-05-14", **fields})
    assert field in str(caught.value)


def test_a_cap_of_each_role_is_their_sum_over_their_roles() -> None:
    spec = DatedAct.model_validate(
        {"date": "2021-05-14", "kind": "cap", "caps": {"local": 19, "diplomat": 7, "admin_technical": 25}}
    ).spec()
    assert (spec.size, spec.roles) == (51, ("diplomat", "admin_technical", "local"))
    assert spec.role_caps == (("diplomat", 7), ("admin_technical", 25), ("local", 19))


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (
            ev.ExpulsionOrdered(
                seq=1, day=0, actor="A", target="B", count=1, roles=(), rule="newest", deadline=0
            ),
            "posts",
        ),
        (
            ev.StaffCapImposed(
                seq=1, day=0, actor="A", target="B", cap=1, roles=(), rule="newest", deadline=0
            ),
            "role_caps",
        ),
        (
            ev.RotationLimitImposed(seq=1, day=0, actor="A", target="B", limit_days=9, roles=(), deadline=0),
            "posts",
        ),
        (ev.LocalHireBanImposed(seq=1, day=0, actor="A", target="B", deadline=0), "limit"),
    ],
)
def test_a_new_field_at_its_default_leaves_the_canonical_json_as_it_was(event: ev.Event, field: str) -> None:
    assert field in type(event).ADDED
    assert f'"{field}"' not in ev.to_json(event)


# --- per-role caps --------------------------------------------------------------------------

ROLE_CAP = {"diplomat": 7, "admin_technical": 5, "local": 4}


def test_a_cap_per_role_brings_each_role_to_its_ceiling_on_the_deadline() -> None:
    engine = run(b=MIXED, acts=[act(30, "A", "cap", caps=ROLE_CAP, deadline_days=14)], days=60)
    order = only(engine.log, ev.StaffCapImposed)
    assert order.role_caps == (("diplomat", 7), ("admin_technical", 5), ("local", 4))
    before = role_counts(state_at(engine.log, 43).mission("B"))
    capped = Counter(
        state_at(engine.log, 43).mission("B").staff[e.person].role for e in departures(engine.log, "B", "cap")
    )
    assert capped == {role: before[role] - ROLE_CAP[role] for role in ROLE_CAP}
    assert role_counts(state_at(engine.log, 44).mission("B")) == ROLE_CAP


def test_a_cap_per_role_holds_for_each_role_as_tours_end() -> None:
    """The cap of 7 diplomats stands while their tours end and replacements are sought."""
    engine = run(b=MIXED, acts=[act(30, "A", "cap", caps={"diplomat": 7}, deadline_days=14)], days=700)
    after = [role_counts(s.mission("B")) for d, s in day_states(engine.log, 700) if d >= 44]
    assert max(c["diplomat"] for c in after) == 7
    assert max(c["admin_technical"] for c in after) == 10  # other roles refill to target
    assert len([e for e in of(engine.log, ev.StaffArrived, actor="B", role="diplomat") if e.day > 44]) >= 7


def test_a_cap_per_role_withdraws_requests_beyond_the_ceiling() -> None:
    """Requests made before the cap that would exceed the ceiling are withdrawn at its deadline."""
    engine = run(b=MIXED, acts=[act(30, "A", "cap", caps={"diplomat": 3}, deadline_days=14)], days=120)
    final = engine.state.mission("B")
    assert role_counts(final)["diplomat"] <= 3
    open_requests = [r for r in final.requests.values() if r.role == "diplomat"]
    assert role_counts(final)["diplomat"] + len(open_requests) <= 3


# --- the local-hire limit ---------------------------------------------------------------------


def test_a_local_limit_lets_go_the_locals_beyond_it_longest_serving_first() -> None:
    engine = run(b=MIXED, acts=[act(30, "A", "local_hire_ban", limit=6, deadline_days=14)], days=60)
    before = state_at(engine.log, 43).mission("B")
    gone = departures(engine.log, "B", "local_hire_ban")
    locals_before = sorted((p.arrived, pid) for pid, p in before.staff.items() if p.role == "local")
    assert [pid for _, pid in locals_before[: len(locals_before) - 6]] == sorted(
        (e.person for e in gone), key=lambda pid: (before.staff[pid].arrived, pid)
    )
    after = state_at(engine.log, 44).mission("B")
    assert role_counts(after)["local"] == 6
    assert after.local_hire_ban and after.local_limit == 6


def test_a_local_limit_is_refilled_up_to_the_limit_never_beyond() -> None:
    engine = run(b=MIXED, acts=[act(30, "A", "local_hire_ban", limit=6, deadline_days=14)], days=700)
    after = [role_counts(s.mission("B"))["local"] for d, s in day_states(engine.log, 700) if d >= 44]
    assert max(after) == 6
    hired = [e for e in of(engine.log, ev.StaffArrived, actor="B", role="local") if e.day > 44]
    assert hired, "locals whose tours ended were replaced up to the limit"


def test_a_ban_is_the_limit_zero() -> None:
    engine = run(b=MIXED, acts=[act(30, "A", "local_hire_ban", limit=0, deadline_days=14)], days=300)
    plain = run(b=MIXED, acts=[act(30, "A", "local_hire_ban", deadline_days=14)], days=300)
    assert [ev.to_json(e) for e in engine.log] == [ev.to_json(e) for e in plain.log]
    assert engine.state.mission("B").local_limit == 0


def test_lifting_a_local_limit_lets_the_mission_refill() -> None:
    engine = run(
        b=MIXED,
        acts=[
            act(30, "A", "local_hire_ban", limit=6, deadline_days=14),
            act(200, "A", "lift_local_hire_ban"),
        ],
        days=250,
    )
    assert role_counts(state_at(engine.log, 200).mission("B"))["local"] == 20
    assert engine.state.mission("B").local_limit == 0


@pytest.mark.parametrize(
    ("measure", "answer"),
    [
        ({"kind": "local_hire_ban", "limit": 6}, {"limit": 6}),
        ({"kind": "local_hire_ban"}, {"limit": 0}),
        (
            {"kind": "cap", "caps": {"diplomat": 15, "admin_technical": 8}},
            {"cap": 23, "role_caps": (("diplomat", 15), ("admin_technical", 8))},
        ),
    ],
)
def test_an_answer_in_kind_keeps_the_measures_terms(measure: dict[str, Any], answer: dict[str, Any]) -> None:
    """Tit for tat answers a local limit with the same limit (not a ban) and a cap per role
    with the same ceilings: what it observed carries them."""
    tit_for_tat = side(
        "B", posts=MIXED["mission"]["posts"], tours=SHORT_TOURS, policy={"kind": "tit_for_tat"}
    )
    engine = run(b=tit_for_tat, acts=[act(30, "A", **measure, deadline_days=14)], days=90)
    seen = only(engine.log, ev.ActObserved, actor="B")
    (answered,) = [e for e in engine.log if e.IS_ACT and e.actor == "B"]
    assert type(answered) is type(engine.log[seen.act])
    assert {field: getattr(answered, field) for field in answer} == answer
    assert (seen.limit, seen.role_caps) == (answer.get("limit", 0), answer.get("role_caps", ()))


# --- post-scoped acts ---------------------------------------------------------------------------


def _posts_of_departures(log: Sequence[ev.Event], cause: int) -> Counter[str]:
    """The post each person caused to leave by ``cause`` was at when they left."""
    where: dict[int, str] = {}
    left: Counter[str] = Counter()
    for e in log:
        if type(e) is ev.StaffArrived:
            where[e.seq] = e.post
        elif type(e) is ev.StaffReassigned:
            where[e.person] = e.post
        elif type(e) is ev.StaffDeparted and e.cause == cause:
            left[where[e.person]] += 1
    return left


def test_an_expulsion_naming_a_post_takes_people_from_it_alone() -> None:
    engine = run(b=TWO_POSTS, acts=[act(30, "A", "expel", size=12, posts=["un_mission"], deadline_days=7)])
    order = only(engine.log, ev.ExpulsionOrdered)
    assert order.posts == ("un_mission",)
    assert _posts_of_departures(engine.log, order.seq) == {"un_mission": 12}


def test_an_expulsion_naming_a_post_stops_when_the_post_is_empty() -> None:
    engine = run(b=TWO_POSTS, acts=[act(30, "A", "expel", size=40, posts=["un_mission"], deadline_days=7)])
    order = only(engine.log, ev.ExpulsionOrdered)
    assert _posts_of_departures(engine.log, order.seq) == {"un_mission": 14}


def test_a_rotation_limit_naming_posts_binds_only_there() -> None:
    engine = run(
        b=TWO_POSTS,
        acts=[act(30, "A", "rotation_limit", size=60, posts=["embassy"], deadline_days=7)],
        days=400,
    )
    order = only(engine.log, ev.RotationLimitImposed)
    assert set(_posts_of_departures(engine.log, order.seq)) == {"embassy"}
    for day, state in day_states(engine.log, 400):
        if day >= 37:
            served = [
                day - p.arrived
                for p in state.mission("B").staff.values()
                if p.post == "embassy" and p.role != "local"
            ]
            assert max(served, default=0) < 60
    longer = [
        p
        for p in engine.state.mission("B").staff.values()
        if p.post == "un_mission" and 400 - p.arrived >= 60
    ]
    assert longer, "the UN mission is not bound by the embassy's limit"


# --- visa processing per post ------------------------------------------------------------------


def _due_after_request(log: Sequence[ev.Event], post: str, since: int) -> set[int]:
    return {e.due - e.day for e in of(log, ev.VisaRequested, actor="B", post=post) if e.day >= since}


@pytest.mark.parametrize(
    ("acts", "embassy", "un_mission"),
    [
        ([], {10}, {200}),  # the terms' own time for the UN mission, the default for the rest
        ([act(0, "A", "visa_processing", processing_days=80, posts=["un_mission"])], {10}, {80}),
        ([act(0, "A", "visa_processing", processing_days=30)], {30}, {30}),  # for every post
    ],
)
def test_a_host_may_decide_some_posts_in_their_own_time(
    acts: list[dict[str, Any]], embassy: set[int], un_mission: set[int]
) -> None:
    """``processing_days_by_post``: requests for those posts take that time, the others the
    terms' ``processing_days``; a dated act for a post or for every post replaces it."""
    host = side("A", visas={"processing_days_by_post": {"un_mission": [200, 200]}})
    log = run(a=host, b=TWO_POSTS, acts=acts, days=400).log
    assert _due_after_request(log, "embassy", 1) == embassy
    assert _due_after_request(log, "un_mission", 1) == un_mission


def test_a_time_for_a_post_the_mission_lacks_is_one_line_naming_the_field() -> None:
    with pytest.raises(
        ValidationError,
        match=r"sides\[0\]\.visas\.processing_days_by_post: B's mission in A has no post 'consulate'",
    ):
        make(a=side("A", visas={"processing_days_by_post": {"consulate": 5}}), b=TWO_POSTS)


def test_a_host_may_take_another_time_for_one_post_and_then_for_all() -> None:
    """A takes 200 days for B's UN mission from day 0 (the embassy keeps the scenario's 10),
    then 50 days for every post from day 300."""
    engine = run(
        b=TWO_POSTS,
        acts=[
            act(0, "A", "visa_processing", processing_days=200, posts=["un_mission"]),
            act(300, "A", "visa_processing", processing_days=[50, 50]),
        ],
        days=600,
    )
    changed = of(engine.log, ev.VisaProcessingChanged)
    assert [(e.low, e.high, e.posts) for e in changed] == [(200, 200, ("un_mission",)), (50, 50, ())]
    assert [e for e in engine.log if e.IS_ACT and e.day == 0] == [changed[0]]
    before = [e for e in of(engine.log, ev.VisaRequested, actor="B") if e.day < 300]
    assert {e.due - e.day for e in before if e.post == "un_mission"} == {200}
    assert {e.due - e.day for e in before if e.post == "embassy"} == {10}
    assert (
        _due_after_request(engine.log, "un_mission", 300)
        == _due_after_request(engine.log, "embassy", 300)
        == {50}
    )
    assert dict(engine.state.mission("B").processing) == {"": (50, 50)}


# --- properties -------------------------------------------------------------------------------


@st.composite
def scoped_scenarios(draw: st.DrawFn) -> Scenario:
    """Generated scenarios with per-role caps, local limits and post-scoped expulsions and
    limits added to their acts."""
    base = draw(scenarios(max_days=500, states=(2, 2)))
    data = base.model_dump(mode="json")
    horizon = (base.end - base.start).days
    for _ in range(draw(st.integers(1, 4))):
        me = draw(st.integers(0, 1))
        actor, target = data["sides"][me]["name"], data["sides"][1 - me]["name"]
        posts = list(data["sides"][1 - me]["mission"]["posts"])
        day = draw(st.integers(0, horizon))
        when = base.start.toordinal() + day
        fields: dict[str, Any] = {"deadline_days": draw(st.integers(0, 40))}
        kind = draw(st.sampled_from(("cap", "local_hire_ban", "expel", "rotation_limit", "visa_processing")))
        if kind == "cap":
            roles = draw(st.lists(st.sampled_from(ev.ROLES), min_size=1, unique=True))
            fields["caps"] = {role: draw(st.integers(0, 6)) for role in roles}
        elif kind == "local_hire_ban":
            fields["limit"] = draw(st.integers(0, 6))
        elif kind == "visa_processing":
            fields = {"processing_days": draw(st.integers(0, 90))}
            if draw(st.booleans()):
                fields["posts"] = draw(st.lists(st.sampled_from(posts), min_size=1, unique=True))
        else:
            fields["posts"] = draw(st.lists(st.sampled_from(posts), min_size=1, unique=True))
            fields["size"] = draw(st.integers(1, 8) if kind == "expel" else st.integers(30, 400))
        act_date = dt.date.fromordinal(when).isoformat()
        data["acts"].append({"date": act_date, "actor": actor, "target": target, "kind": kind, **fields})
    data["acts"].sort(key=lambda a: str(a["date"]))
    return Scenario.model_validate(data)


@settings(max_examples=40, deadline=None)
@given(scoped_scenarios())
def test_per_role_caps_and_local_limits_hold_and_post_scoped_expulsions_stay_at_their_posts(
    scenario: Scenario,
) -> None:
    engine = simulate(scenario)
    assert_deadlines_hold(engine.log, scenario.horizon)  # each role's ceiling, each local limit
    for order in of(engine.log, ev.ExpulsionOrdered):
        if order.posts:
            assert set(_posts_of_departures(engine.log, order.seq)) <= set(order.posts)
    assert fold(engine.log) == fold_pure(engine.log) == engine.state


def test_an_act_naming_a_post_the_target_lacks_is_one_line_naming_the_field(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli.main import app

    path = tmp_path / "bad.yaml"
    path.write_text(
        "start: 2020-01-01\nend: 2020-06-01\n"
        "acts: [{date: 2020-02-01, actor: A, kind: expel, posts: [moon]}]\n"
        "sides:\n  - {name: A, mission: {posts: {embassy: {diplomat: 3}}}}\n"
        "  - {name: B, mission: {posts: {embassy: {diplomat: 2}}}}\n"
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "acts[0].posts" in lines[0] and "no post 'moon'" in lines[0], lines


def test_both_folds_refuse_a_processing_time_for_a_post_the_mission_lacks() -> None:
    from sim.core.state import LogError

    log = [
        ev.MissionOpened(seq=0, day=0, actor="B", target="A", posts=("embassy",), targets=()),
        ev.VisaProcessingChanged(seq=1, day=0, actor="A", target="B", low=1, high=2, posts=("moon",)),
    ]
    for folding in (fold, fold_pure):
        with pytest.raises(LogError, match="no post 'moon'"):
            folding(log)
