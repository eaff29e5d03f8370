"""Each policy's own test: its classifier and two short tables (see ``tests/policy_contract.py``,
whose generic tests every class here inherits), plus what a table cannot say.

``versus`` rows: (the scripted opponent's moves, this policy's moves) in the repeated game.
``answers`` rows: (acts observed, the answer to the last, optional SideView fields).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.game import GAME_START, generosity, play
from sim.core.acts import ActSpec
from sim.core.state import Observation
from sim.engine.loop import simulate
from sim.policies import REGISTRY, make_policy
from sim.policies.common import encroaches
from sim.policies.generous_tit_for_tat import DEFAULT_GENEROSITY
from sim.policies.plugins import origin
from sim.scenario.models import Scenario
from sim.testing import policy_inputs
from tests.policy_contract import (
    PolicyContract,
    assert_pure,
    default_view,
    engine_scenario,
    observed,
    read_back,
)

START = dt.date(2020, 1, 1)
MEMORY_1 = {"stochastic": False, "memory_depth": 1, "escalatory": False, "forgiving": True}


def answer(kind: str, seen: str, params: dict[str, Any] | None = None, **view: Any) -> list[str]:
    """The policy's answer to the last of the acts ``seen``, read back."""
    history = observed(seen)
    side = default_view(history, **view)
    return read_back(make_policy({"kind": kind, **(params or {})}).respond(history, side), side)


class TestNone(PolicyContract):
    kind = "none"
    classifier: ClassVar[dict[str, Any]] = {"stochastic": False, "memory_depth": 0, "forgiving": True}
    versus = (("DDDD", "CCCC"),)
    answers = (("expel 5", ""),)


class TestScripted(PolicyContract):
    kind = "scripted"
    classifier: ClassVar[dict[str, Any]] = {"stochastic": False, "memory_depth": 0}
    versus = (("DDDD", "CCCC"),)
    answers = (("expel 5", ""),)


class TestTitForTat(PolicyContract):
    kind = "tit_for_tat"
    classifier = MEMORY_1
    versus = (("CDDCDC", "CCDDCD"), ("DDDD", "CDDD"))
    answers = (
        ("expel 5", "expel 5"),
        ("cap 20", "cap 20"),
        ("~expel 5, cap 20", "cap 20"),
        ("lift_cap", ""),
        ("lift_cap", "lift_cap", {"my_measures": frozenset({"cap"})}),
        ("statement", ""),
    )


class TestProportional(PolicyContract):
    kind = "proportional"
    params: ClassVar[dict[str, Any]] = {"factor": 2.0}
    classifier = MEMORY_1
    versus = (("CDDC", "CCDD"),)
    answers = (
        ("expel 5", "expel 10"),
        ("threaten 3", "threaten 6"),
        ("cap 20", "cap 20"),
        ("close_post", "close_post"),
    )


def test_proportional_by_mission_ratio_takes_the_same_share() -> None:
    """5 of my 50 is a tenth: a tenth of their 120 is 12; a cap of 40 (4/5 of mine) caps theirs at 96."""
    ratio = {"scale": "mission_ratio"}
    assert answer("proportional", "expel 5", ratio, my_headcount=50, their_headcount=120) == ["expel 12"]
    assert answer("proportional", "cap 40", ratio, my_headcount=50, their_headcount=120) == ["cap 96"]


def test_proportional_below_one_person_is_no_act() -> None:
    assert answer("proportional", "expel 1", {"factor": 0.4}) == []
    assert answer("proportional", "expel 2", {"factor": 0.4}) == ["expel 1"]


class TestEscalate(PolicyContract):
    kind = "escalate"
    params: ClassVar[dict[str, Any]] = {"add": 1, "multiply": 2.0}
    classifier: ClassVar[dict[str, Any]] = {**MEMORY_1, "escalatory": True}
    versus = (("CDDC", "CCDD"),)
    answers = (
        ("expel 5", "expel 11"),
        ("threaten 2", "threaten 5"),
        ("cap 20", "cap 9"),
        ("lift_cap", "lift_cap", {"my_measures": frozenset({"cap"})}),
    )


def test_escalate_one_rung_up_expulsion_cap_closure() -> None:
    """Rung up: an expulsion of 5 (+1) becomes a cap taking 6 of their 100; a cap a closure;
    with no consulate left to close, a tighter cap."""
    up = {"rung_up": True}
    assert answer("escalate", "expel 5", up) == ["cap 94"]
    assert answer("escalate", "cap 20", up) == ["close_post"]
    assert answer("escalate", "cap 20", up, their_open_posts=("embassy",)) == ["cap 19"]


def test_escalate_sizes_grow_and_stop_at_the_scenario_limit() -> None:
    """Two escalators (x2) after one shock: 1, 2, 4, ... each round, held at 100,000."""
    game = play("escalate:add=0,multiply=2.0", "escalate:add=0,multiply=2.0", rounds=40, shock=1)
    sizes = [game.moves_a[t] if t % 2 == 0 else game.moves_b[t] for t in range(40)]
    assert sizes[:6] == [1, 2, 4, 8, 16, 32]
    assert max(sizes) == sizes[-1] == 100_000


class TestTitForTwoTats(PolicyContract):
    kind = "tit_for_two_tats"
    classifier: ClassVar[dict[str, Any]] = {**MEMORY_1, "memory_depth": 2}
    versus = (("DCDDDCC", "CCCCDDC"), ("DCDCDC", "CCCCCC"))
    answers = (
        ("expel 5", ""),
        ("expel 5, expel 3", "expel 3"),
        ("expel 5, lift_cap, expel 3", ""),
        ("expel 5, ~expel 4, expel 3", "expel 3"),
        ("lift_cap", "lift_cap", {"my_measures": frozenset({"cap"})}),
    )


class TestGenerousTitForTat(PolicyContract):
    kind = "generous_tit_for_tat"
    params: ClassVar[dict[str, Any]] = {"g": 0.5, "seed": 1}
    classifier: ClassVar[dict[str, Any]] = {**MEMORY_1, "stochastic": True}
    answers = (
        ("statement", ""),
        ("lift_cap", "lift_cap", {"my_measures": frozenset({"cap"})}),
    )


def test_generous_default_is_nowak_sigmund_generosity() -> None:
    assert DEFAULT_GENEROSITY == pytest.approx(generosity()) == pytest.approx(1 / 3)
    assert REGISTRY["generous_tit_for_tat"].Params().g == pytest.approx(1 / 3)


def test_generous_with_g_0_is_tit_for_tat_and_with_g_1_never_answers() -> None:
    opponent = "DCDDCDDDCC" * 3
    tft = play("tit_for_tat", "always_hostile", rounds=30).actions_a
    assert play("generous_tit_for_tat:g=0", "always_hostile", rounds=30).actions_a == tft
    assert play("generous_tit_for_tat:g=1", "always_hostile", rounds=30).hostile_rate_a == 0
    assert len(opponent) == 30


def test_generous_forgives_a_share_g_of_hostile_acts() -> None:
    """4,000 distinct expulsions at g = 1/3: forgiven ~ Binomial(4000, 1/3), sd 29.8; the
    tolerance of 150 is five sd."""
    policy = make_policy({"kind": "generous_tit_for_tat", "seed": 7})
    view = default_view(())
    forgiven = sum(
        not policy.respond((Observation(n, n, "expel", 2, (), "", False),), view) for n in range(4000)
    )
    assert abs(forgiven - 4000 / 3) < 150


def test_generous_draws_are_keyed_by_act_side_and_seed() -> None:
    """The same act gets the same answer every time; another seed or side forgives other acts."""
    acts = [(Observation(n, n, "expel", 2, (), "", False),) for n in range(200)]

    def pattern(seed: int, me: str) -> list[bool]:
        policy = make_policy({"kind": "generous_tit_for_tat", "seed": seed})
        view = default_view((), me=me)
        return [bool(policy.respond(h, view)) for h in acts]

    assert pattern(1, "A") == pattern(1, "A")
    assert pattern(1, "A") != pattern(2, "A")
    assert pattern(1, "A") != pattern(1, "B")


class TestGrimTrigger(PolicyContract):
    kind = "grim_trigger"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "forgiving": False,
    }
    versus = (("CCDCCC", "CCCDDD"), ("CCCCCC", "CCCCCC"))
    answers = (
        ("expel 5", "expel 5"),
        ("expel 5, lift_cap", "expel 5", {"my_measures": frozenset({"cap"})}),
        ("expel 2, cap 30", "cap 30"),
        ("statement, cap 20, statement", "cap 20"),
        ("lift_cap", "lift_cap", {"my_measures": frozenset({"cap"})}),
        ("~expel 5, lift_cap", "lift_cap", {"my_measures": frozenset({"cap"})}),
    )


class TestWinStayLoseShift(PolicyContract):
    kind = "win_stay_lose_shift"
    classifier = MEMORY_1
    versus = (("CDCDDC", "CCDDCD"), ("DDDDDD", "CDCDCD"))
    answers = (
        ("expel 5", "expel 5"),  # calm, hit: shift to hostile
        ("statement", ""),  # calm, calm: stay
        ("expel 5, expel 3", "", {"my_acts": ((7, "expel", 5),)}),  # both hostile: shift...
        ("expel 5, expel 3", "lift_cap", {"my_acts": ((7, "expel", 5),), "my_measures": frozenset({"cap"})}),
        ("expel 5, statement", "expel 5", {"my_acts": ((7, "expel", 5),)}),  # hit them, calm back: stay
        ("expel 5, statement", "", {"my_acts": ((3, "expel", 5),)}),  # my act predates their last
    )


class TestGraduated(PolicyContract):
    kind = "graduated"
    classifier: ClassVar[dict[str, Any]] = {"stochastic": False, "memory_depth": float("inf")}
    versus = (("DCCCCCDCCCCC", "CDCCCCCDDCCC"), ("DDDDDDDDDD", "CDCCDDDDCC"))
    answers = (
        ("expel 5", "expel 5, statement, statement"),
        ("expel 5, expel 2", ""),  # within the punishment and calm of the first answer
        ("expel 5, expel 2, expel 2", ""),
        ("expel 5, statement, statement, expel 4", "expel 4, expel 4, statement, statement"),
        ("expel 5, expel 1, expel 1, expel 4", "expel 4, expel 4, expel 4, expel 4, statement, statement"),
        ("lift_cap", "lift_cap", {"my_measures": frozenset({"cap"})}),
    )


@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60), st.integers(0, 3))
def test_graduated_continued_folds_equal_fresh_folds(moves: list[tuple[bool, bool]], calm: int) -> None:
    """Graduated continues the fold of a history it folded before (engine histories grow by
    appending): every prefix of a growing history, and a history that shares the first and
    last observation objects but differs between them, get the answers of a fresh fold (a
    list is never continued)."""
    policy = make_policy({"kind": "graduated", "calm": calm, "most": 4})
    made = [Observation(n, n, "expel" if hostile else "none", 1, (), "", missed) for n, (hostile, missed) in
            enumerate(moves)]  # fmt: skip
    for end in range(1, len(made) + 1):
        assert policy.punishment(tuple(made[:end])) == policy.punishment(list(made[:end]))
    if len(made) >= 3:
        changed = (made[0], *[m._replace(kind="none" if m.kind == "expel" else "expel") for m in made[1:-1]],
                   made[-1])  # fmt: skip
        assert policy.punishment(changed) == policy.punishment(list(changed))


class TestGrit(PolicyContract):
    kind = "grit"
    params: ClassVar[dict[str, Any]] = {"first_day": 3, "interval_days": 2, "steps": 2}
    classifier: ClassVar[dict[str, Any]] = {**MEMORY_1, "memory_depth": float("inf")}
    versus = (("DDDDDDDDD", "CDDCDCDCD"), ("CDCCCCCCC", "CCDCCCCCC"))
    answers = (
        ("expel 5", "expel 5", {"day": 8}),
        ("expel 5", "", {"day": 5}),  # a step day (3, 5, 7): no retaliation
        ("lift_cap", "lift_cap", {"day": 5, "my_measures": frozenset({"cap"})}),
        ("cap 20", "cap 20", {"day": 2}),  # before the programme: tit for tat
        ("cap 20, cap 20", "cap 20", {"day": 2}),
        ("cap 20, cap 20", "", {"day": 8}),  # in it: a re-imposed cap is no fresh encroachment
        ("cap 20, cap 15", "cap 15", {"day": 8}),  # a tighter one is
        ("cap 20, lift_cap, cap 20", "cap 20", {"day": 8}),  # so is one imposed again after a lift
        ("visa_deny, visa_deny", "", {"day": 8}),
        ("expel 2, expel 2", "expel 2", {"day": 8}),  # an expulsion always is
    )


@pytest.mark.parametrize(
    ("seen", "fresh"),
    [
        ("expel 3", True),
        ("expel 3, expel 3", True),
        ("cap 40", True),
        ("cap 40, cap 40", False),
        ("cap 40, cap 50", False),
        ("cap 40, statement, cap 30", True),
        ("cap 40, lift_cap, cap 40", True),
        ("~cap 40, cap 40", True),  # the first one was missed: the second is news
        ("rotation_limit 900, rotation_limit 700", True),
        ("visa_one_for_one, visa_deny", True),
        ("visa_deny, visa_one_for_one", False),
        ("local_hire_ban, local_hire_ban", False),
        ("close_post, close_post", True),
    ],
)
def test_encroaches_tells_fresh_harm_from_an_echo(seen: str, fresh: bool) -> None:
    assert encroaches(observed(seen)) is fresh


def test_grit_announces_then_steps_down_on_schedule() -> None:
    policy = make_policy({"kind": "grit", "first_day": 100, "interval_days": 30, "steps": 4})
    plan = [(item.day, item.spec) for item in policy.scheduled(START)]
    assert [day for day, _ in plan] == [100, 130, 160, 190, 220]
    assert plan[0][1].kind == "statement" and "4 unilateral steps" in plan[0][1].note
    assert [spec.kind for _, spec in plan[1:]] == [
        "lift_cap",
        "lift_rotation_limit",
        "visa_policy",
        "lift_cap",
    ]
    assert plan[3][1].visa_policy == "issue"


class TestParity(PolicyContract):
    kind = "parity"
    classifier = MEMORY_1
    versus = (("CDDC", "CCDD"),)
    answers = (
        ("expel 5", "cap 80", {"my_headcount": 80}),
        ("expel 5", "cap 100", {"their_headcount": 90}),
        ("expel 5", "", {"their_headcount": 90, "my_measures": frozenset({"cap"})}),  # parity holds
        ("expel 5", "cap 80", {"my_headcount": 80, "their_headcount": 90, "my_measures": frozenset({"cap"})}),
        ("lift_cap", "lift_cap", {"my_measures": frozenset({"cap"})}),
    )


class TestBatchTitForTat(PolicyContract):
    kind = "batch_tit_for_tat"
    classifier = MEMORY_1
    versus = (("CDDC", "CCDD"),)  # in the game every day is a decision day (delay 1, every 1)
    params: ClassVar[dict[str, Any]] = {"delay_days": 1, "every_days": 1}
    answers = (
        ("expel 5", "expel 5"),
        ("expel 5, cap 20", "cap 20"),
        ("expel 2 @L", "expel 2"),  # each actor of a coalition in kind, on the decision day
        ("~expel 5", ""),
        ("lift_cap", "lift_cap", {"my_measures": frozenset({"cap"})}),
    )


@pytest.mark.parametrize(
    ("params", "act_day", "answer_day"),
    [
        ({"delay_days": 3, "every_days": 7}, 0, 7),  # decision days 0, 7, 14, ...
        ({"delay_days": 3, "every_days": 7}, 4, 7),
        ({"delay_days": 3, "every_days": 7}, 5, 14),  # day 7 is too soon (3 days at least)
        ({"delay_days": 3, "every_days": 7, "offset_days": 2}, 25, 30),
        ({"delay_days": 3, "every_days": 7, "offset_days": 2}, 26, 30),  # 2018: 26 and 27 March
        ({"delay_days": 3, "every_days": 7, "offset_days": 2}, 27, 30),  # answered on the 30th
        ({"delay_days": 3, "every_days": 1}, 9, 12),  # every day: tit_for_tat with delay 3
    ],
)
def test_batch_answers_on_the_first_decision_day_at_least_delay_days_later(
    params: dict[str, int], act_day: int, answer_day: int
) -> None:
    policy = make_policy({"kind": "batch_tit_for_tat", **params})
    assert act_day + policy.delay_after(act_day) == answer_day


def test_acts_of_one_window_are_answered_on_one_day_in_the_engine() -> None:
    """Three expulsions on days 3, 4 and 5 of a run, answered together on decision day 14."""
    scenario = engine_scenario({"kind": "batch_tit_for_tat", "delay_days": 3, "every_days": 7})
    acts = [
        {"date": f"2020-01-0{4 + i}", "actor": "B", "kind": "expel", "size": 1 + i, "deadline_days": 10}
        for i in range(3)
    ]
    data = scenario.model_dump(mode="json")
    data["acts"] = acts
    data["sides"][1]["policy"] = {"kind": "none"}
    engine = simulate(Scenario.model_validate(data))
    answers = [e for e in engine.log if e.IS_ACT and e.actor == "A"]
    assert [(e.day, e.count) for e in answers] == [(7, 1), (7, 2), (14, 3)]


class TestAnswerLeaderOnly(PolicyContract):
    kind = "answer_leader_only"
    classifier = MEMORY_1
    versus = (("CDDC", "CCDD"),)
    answers = (
        ("expel 5", "expel 5"),  # no coalition: in kind
        ("expel 2 @L", ""),  # a follower of L's coalition: ignored
        ("expel 23 @B", "expel 23"),  # the leader itself: in kind
        ("expel 2 @L, cap 20", "cap 20"),
    )


class TestHoldLeader(PolicyContract):
    kind = "hold_leader"
    classifier: ClassVar[dict[str, Any]] = {**MEMORY_1, "escalatory": True}
    versus = (("CDDC", "CCDD"),)
    answers = (
        ("expel 5", "expel 5"),
        (
            "expel 2 @L",
            "expel 2 >L",
            {"headcounts": {("A", "L"): 40, ("L", "A"): 90}},
        ),  # the leader pays for the follower
        ("expel 2 @L", "expel 2", {}),  # no mission of its in L: nothing to hold it by, in kind
        ("expel 23 @B", "expel 23"),
        (
            "close_post @L",
            "",
            {"headcounts": {("A", "L"): 40, ("L", "A"): 90}},
        ),  # a follower's closure names its own posts: nothing for the leader
    )


class TestHoldLeaderParityCap(PolicyContract):
    kind = "hold_leader"
    params: ClassVar[dict[str, Any]] = {"answer": "parity_cap"}
    classifier: ClassVar[dict[str, Any]] = {**MEMORY_1, "escalatory": True}
    versus = (("CDDC", "CCDD"),)
    answers = (
        ("expel 2 @L", "cap 40 >L", {"headcounts": {("A", "L"): 40, ("L", "A"): 90}}),
        ("expel 2 @L", "", {"headcounts": {("A", "L"): 40, ("L", "A"): 40}}),  # parity holds
        (
            "expel 2 @L",
            "",
            {"headcounts": {("A", "L"): 40, ("L", "A"): 90}, "measures": {"L": frozenset({"cap"})}},
        ),  # capped already
        ("expel 2 @L", "expel 2", {}),  # no mission of its in L: nothing to cap, so in kind
        ("expel 3", "expel 3"),
    )


class TestThreshold(PolicyContract):
    kind = "threshold"
    classifier = MEMORY_1
    versus = (("DDDD", "CCCC"),)  # the game's acts are of size 1, under the default threshold 3
    answers = (
        ("expel 2", ""),
        ("expel 3", "expel 3"),
        ("threaten 1", ""),
        ("cap 20", "cap 20"),
        ("close_post", "close_post"),
    )


def test_threshold_one_is_tit_for_tat_in_the_game() -> None:
    game = play("threshold:min_size=1", "always_hostile", rounds=10)
    assert game.actions_a == play("tit_for_tat", "always_hostile", rounds=10).actions_a


class TestReverseIfReversed(PolicyContract):
    kind = "reverse_if_reversed"
    classifier: ClassVar[dict[str, Any]] = {**MEMORY_1, "memory_depth": float("inf")}
    versus = (("CDDC", "CCDD"),)
    answers = (
        ("expel 5", "expel 5"),
        (
            "cap 20, lift_cap",
            "lift_cap, lift_rotation_limit, visa_issue, reopen_post, return_ambassador",
            {
                "my_measures": frozenset({"cap", "rotation_limit", "visa_policy"}),
                "their_closed_posts": ("north",),
                "my_ambassador_present": False,
            },
        ),
    )


def test_reverse_if_reversed_with_condition_all_waits_for_every_lift() -> None:
    mine = {"my_measures": frozenset({"cap", "rotation_limit"})}
    both = ["lift_cap", "lift_rotation_limit"]
    wait = {"condition": "all"}
    assert answer("reverse_if_reversed", "cap 20, rotation_limit 900, lift_cap", wait, **mine) == []
    assert answer("reverse_if_reversed", "cap 20, rotation_limit 900, lift_cap", {}, **mine) == both
    seen = "cap 20, rotation_limit 900, lift_cap, lift_rotation_limit"
    assert answer("reverse_if_reversed", seen, wait, **mine) == both
    seen = "close_post, close_post, reopen_post"
    assert answer("reverse_if_reversed", seen, wait, **mine) == []


class TestAlwaysHostile(PolicyContract):
    kind = "always_hostile"
    classifier: ClassVar[dict[str, Any]] = {"memory_depth": 0, "escalatory": True, "forgiving": False}
    versus = (("CCCC", "DDDD"), ("DCDC", "DDDD"))
    answers = (("expel 5", "expel 2"), ("lift_cap", "expel 2"), ("statement", "expel 2"))


def test_always_hostile_expels_on_schedule() -> None:
    days = [item.day for item in make_policy({"kind": "always_hostile"}).scheduled(START)]
    assert days[:3] == [0, 90, 180] and days[-1] <= 36_525
    counted = make_policy({"kind": "always_hostile", "first_day": 10, "period_days": 7, "count": 3})
    plan = counted.scheduled(START)
    assert [item.day for item in plan] == [10, 17, 24]
    assert all(item.spec == ActSpec(kind="expel", size=2, deadline_days=30) for item in plan)


class TestNeverRespond(PolicyContract):
    kind = "never_respond"
    classifier: ClassVar[dict[str, Any]] = {"memory_depth": 0, "escalatory": False, "forgiving": True}
    versus = (("DDDD", "CCCC"),)
    answers = (("expel 5", ""), ("lift_cap", "", {"my_measures": frozenset({"cap"})}))


@given(st.lists(policy_inputs(), min_size=1, max_size=4))
def test_every_decision_depends_only_on_observations(inputs: list[tuple[Any, Any]]) -> None:
    """The contract's purity check, with inputs Hypothesis draws (and shrinks), for every policy."""
    for cls in REGISTRY.values():
        assert_pure(cls(), inputs)


def test_every_built_in_policy_has_a_contract_test() -> None:
    """(Installed plugins, such as examples/custom-policy, are tested in their own packages.)"""
    tested = {cls.kind for cls in PolicyContract.__subclasses__()}
    assert tested == {name for name, cls in REGISTRY.items() if origin(cls).where == "built-in"}


def test_game_start_is_day_zero_of_scheduled_acts() -> None:
    """Scripted acts dated GAME_START + t are played in round t."""
    opponent = make_policy(
        {"kind": "scripted", "acts": [{"date": GAME_START + dt.timedelta(days=2), "kind": "expel"}]}
    )
    assert play("never_respond", opponent, rounds=4).actions_b == "CCDC"
