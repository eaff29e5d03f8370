"""Every branch of ``tit_for_tat.mirror``, ``proportional``'s ratio, ``grim_trigger`` and the act
table (``sim.core.acts``), as full expected values.

The policy tests elsewhere read answers back as short strings ("expel 5"), which cannot tell
which consulate is closed, what a threat threatens, or whether a deadline was carried over.
These tables compare whole ``ActSpec`` values and whole events, so a changed field is a
failing row (mutation testing found the gaps: see ``mutation/REPORT.md``).
"""

from __future__ import annotations

import pytest

from sim.core import events as ev
from sim.core.acts import ACT_KINDS, HOSTILE_KINDS, ActSpec, describe, particulars, to_event
from sim.core.dated_acts import DatedAct
from sim.core.kinds import is_hostile
from sim.core.state import Observation
from sim.policies import make_policy
from sim.policies.base import SideView
from sim.policies.tit_for_tat import mirror

D, RULE = 7, "newest"  # the answering side's own deadline and selection rule


def seen(kind: str, size: int = 1, roles: tuple[str, ...] = (), detail: str = "", missed: bool = False):
    return Observation(act=3, day=10, kind=kind, size=size, roles=roles, detail=detail, missed=missed)


def view(**fields: object) -> SideView:
    base = dict(
        day=20,
        me="B",
        other="A",
        my_headcount=30,
        their_headcount=60,
        their_open_posts=("embassy", "north", "south"),
        their_closed_posts=(),
        my_measures=frozenset(),
        my_ambassador_present=True,
    )
    return SideView(**{**base, **fields})  # type: ignore[arg-type]


MIRRORS = [
    # (what was seen, the view's fields, the expected mirror)
    (seen("expel", 5), {}, ActSpec("expel", size=5, deadline_days=D, rule=RULE)),
    (
        seen("expel", 2, roles=("diplomat",)),
        {},
        ActSpec("expel", size=2, roles=("diplomat",), deadline_days=D, rule=RULE),
    ),
    (seen("cap", 20), {}, ActSpec("cap", size=20, deadline_days=D, rule=RULE)),
    (
        Observation(
            3,
            10,
            "cap",
            51,
            ("diplomat", "admin_technical", "local"),
            "",
            False,
            role_caps=(("diplomat", 7),),
        ),
        {},
        ActSpec(
            "cap",
            size=51,
            roles=("diplomat", "admin_technical", "local"),
            deadline_days=D,
            rule=RULE,
            role_caps=(("diplomat", 7),),
        ),
    ),
    (
        Observation(3, 10, "local_hire_ban", 1, (), "", False, limit=19),
        {},
        ActSpec("local_hire_ban", deadline_days=D, local_limit=19),
    ),
    (seen("rotation_limit", 1095), {}, ActSpec("rotation_limit", size=1095, deadline_days=D, rule=RULE)),
    (
        seen("threaten", 4, detail="close_post"),
        {},
        ActSpec("threaten", size=4, threat="close_post", deadline_days=D),
    ),
    (seen("threaten", 4), {}, ActSpec("threaten", size=4, threat="expel", deadline_days=D)),
    (seen("local_hire_ban"), {}, ActSpec("local_hire_ban", deadline_days=D)),
    (
        seen("close_compound", detail="a dacha"),
        {},
        ActSpec("close_compound", note="a property (answering: a dacha)", deadline_days=D),
    ),
    (seen("cut_services", detail="visas"), {}, ActSpec("cut_services", note="visas")),
    # the last consulate still open is closed, never the embassy
    (seen("close_post", detail="x"), {}, ActSpec("close_post", post="south", deadline_days=D)),
    (
        seen("close_post"),
        {"their_open_posts": ("north", "embassy")},
        ActSpec("close_post", post="north", deadline_days=D),
    ),
    (seen("close_post"), {"their_open_posts": ("embassy",)}, None),
    (seen("close_post"), {"their_open_posts": ()}, None),
    (seen("visa_deny"), {}, ActSpec("visa_policy", visa_policy="deny")),
    (seen("visa_one_for_one"), {}, ActSpec("visa_policy", visa_policy="one_for_one")),
    (seen("recall_ambassador"), {}, ActSpec("recall_ambassador")),
    (seen("recall_ambassador"), {"my_ambassador_present": False}, None),
    (seen("return_ambassador"), {}, None),
    (seen("return_ambassador"), {"my_ambassador_present": False}, ActSpec("return_ambassador")),
    # a reopening reopens the last of their posts I closed
    (seen("reopen_post"), {"their_closed_posts": ("north", "south")}, ActSpec("reopen_post", post="south")),
    (seen("reopen_post"), {}, None),
    # a lift is mirrored only when I have that measure against them
    (seen("lift_expulsions"), {"my_measures": frozenset({"expel"})}, ActSpec("lift_expulsions")),
    (seen("lift_cap"), {"my_measures": frozenset({"cap"})}, ActSpec("lift_cap")),
    (
        seen("lift_rotation_limit"),
        {"my_measures": frozenset({"rotation_limit"})},
        ActSpec("lift_rotation_limit"),
    ),
    (
        seen("lift_local_hire_ban"),
        {"my_measures": frozenset({"local_hire_ban"})},
        ActSpec("lift_local_hire_ban"),
    ),
    (
        seen("visa_issue"),
        {"my_measures": frozenset({"visa_policy"})},
        ActSpec("visa_policy", visa_policy="issue"),
    ),
    (seen("lift_cap"), {"my_measures": frozenset({"expel", "rotation_limit"})}, None),
    (seen("visa_issue"), {"my_measures": frozenset({"cap"})}, None),
    (seen("lift_expulsions"), {}, None),
    (seen("statement"), {"my_measures": frozenset({"cap"})}, None),
    (seen("close_own_post"), {}, None),
    (seen("reopen_own_post"), {"their_closed_posts": ("north",)}, None),
]


@pytest.mark.parametrize(("observation", "fields", "expected"), MIRRORS)
def test_mirror(observation: Observation, fields: dict[str, object], expected: ActSpec | None) -> None:
    assert mirror(observation, view(**fields), D, RULE) == expected


@pytest.mark.parametrize("kind", ["tit_for_tat", "grim_trigger", "proportional"])
def test_a_missed_act_is_not_answered(kind: str) -> None:
    policy = make_policy({"kind": kind})
    assert tuple(policy.respond((seen("expel", 5, missed=True),), view())) == ()


@pytest.mark.parametrize(
    ("params", "mine", "theirs", "ratio"),
    [
        ({"scale": "factor", "factor": 2.5}, 30, 60, 2.5),
        ({"scale": "mission_ratio"}, 30, 60, 2.0),
        ({"scale": "mission_ratio"}, 60, 30, 0.5),
        ({"scale": "mission_ratio"}, 0, 12, 12.0),  # an empty mission of mine counts as one
        ({"scale": "mission_ratio"}, 1, 12, 12.0),
    ],
)
def test_proportional_ratio(params: dict[str, object], mine: int, theirs: int, ratio: float) -> None:
    policy = make_policy({"kind": "proportional", **params})
    assert policy.ratio(view(my_headcount=mine, their_headcount=theirs)) == ratio  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("params", "observation", "expected"),
    [
        ({"scale": "mission_ratio"}, seen("expel", 3), [ActSpec("expel", size=6)]),
        ({"scale": "mission_ratio"}, seen("cap", 10), [ActSpec("cap", size=20)]),
        ({"scale": "factor", "factor": 2.0}, seen("cap", 10), [ActSpec("cap", size=10)]),
        (
            {"scale": "factor", "factor": 0.5},
            seen("threaten", 1),
            [ActSpec("threaten", size=1)],
        ),  # 0.5 rounds up
        ({"scale": "factor", "factor": 0.1}, seen("expel", 4), []),  # scaled to nobody
        ({"scale": "factor", "factor": 2.0}, seen("local_hire_ban"), [ActSpec("local_hire_ban")]),
    ],
)
def test_proportional_answers(
    params: dict[str, object], observation: Observation, expected: list[ActSpec]
) -> None:
    policy = make_policy({"kind": "proportional", "deadline_days": 0, **params})
    assert list(policy.respond((observation,), view())) == expected


@pytest.mark.parametrize(
    ("history", "fields", "expected"),
    [
        # before any hostility: tit for tat, de-escalation in kind
        ((seen("return_ambassador"),), {"my_ambassador_present": False}, [ActSpec("return_ambassador")]),
        ((seen("statement"),), {}, []),
        # after it: a hostile act in kind, anything else with the trigger's mirror
        ((seen("expel", 2), seen("cap", 9)), {}, [ActSpec("cap", size=9)]),
        (
            (seen("expel", 2), seen("lift_cap")),
            {"my_measures": frozenset({"cap"})},
            [ActSpec("expel", size=2)],
        ),
        # neither has a counterpart: an expulsion of the trigger's size
        (
            (seen("close_post"), seen("statement")),
            {"their_open_posts": ("embassy",)},
            [ActSpec("expel", size=1)],
        ),
        (
            (seen("close_post", 1), seen("recall_ambassador")),
            {"their_open_posts": (), "my_ambassador_present": False},
            [ActSpec("expel", size=1)],
        ),
    ],
)
def test_grim_trigger(
    history: tuple[Observation, ...], fields: dict[str, object], expected: list[ActSpec]
) -> None:
    policy = make_policy({"kind": "grim_trigger", "deadline_days": 0})
    assert list(policy.respond(history, view(**fields))) == expected


# --- the act table ------------------------------------------------------------------------------------

BASE = dict(seq=4, day=10, actor="A", target="B", cause=2, source="exogenous", reference="ref", act_id="a1")
EVENTS = [
    (
        ActSpec("expel", size=3, deadline_days=5, rule="newest", replaceable=True),
        ev.ExpulsionOrdered(
            **BASE,
            count=3,
            roles=("diplomat", "admin_technical"),
            rule="newest",
            deadline=15,
            replaceable=True,
        ),
    ),
    (
        ActSpec("cap", size=20, deadline_days=5),
        ev.StaffCapImposed(**BASE, cap=20, roles=ev.ROLES, rule="longest_serving", deadline=15),
    ),
    (
        ActSpec("rotation_limit", size=900, roles=("diplomat",)),
        ev.RotationLimitImposed(**BASE, limit_days=900, roles=("diplomat",), deadline=10),
    ),
    (
        ActSpec("close_post", post="north", deadline_days=1),
        ev.PostClosureOrdered(**BASE, post="north", deadline=11),
    ),
    (ActSpec("close_own_post", post="north"), ev.OwnPostClosureOrdered(**BASE, post="north", deadline=10)),
    (ActSpec("reopen_post", post="north"), ev.PostReopened(**BASE, post="north")),
    (ActSpec("reopen_own_post", post="north"), ev.OwnPostReopened(**BASE, post="north")),
    (ActSpec("local_hire_ban", deadline_days=2), ev.LocalHireBanImposed(**BASE, deadline=12)),
    (
        ActSpec("visa_policy", visa_policy="one_for_one", credit=2),
        ev.VisaPolicyChanged(**BASE, policy="one_for_one", credit=2),
    ),
    (
        ActSpec("threaten", size=4, threat="cap", deadline_days=3, note="n"),
        ev.ThreatIssued(**BASE, kind="cap", count=4, deadline=13, note="n"),
    ),
    (ActSpec("threaten", size=4), ev.ThreatIssued(**BASE, kind="expel", count=4, deadline=None, note="")),
    (
        ActSpec("close_compound", note="a dacha", deadline_days=3),
        ev.CompoundClosureOrdered(**BASE, property="a dacha", deadline=13),
    ),
    (ActSpec("close_compound"), ev.CompoundClosureOrdered(**BASE, property="a compound", deadline=None)),
    (ActSpec("cut_services", note="visas"), ev.ServicesCut(**BASE, service="visas")),
    (ActSpec("cut_services"), ev.ServicesCut(**BASE, service="services")),
    (ActSpec("statement", note="no"), ev.StatementMade(**BASE, note="no")),
    (ActSpec("lift_expulsions"), ev.ExpulsionsLifted(**BASE)),
    (ActSpec("lift_cap"), ev.StaffCapLifted(**BASE)),
    (ActSpec("lift_rotation_limit"), ev.RotationLimitLifted(**BASE)),
    (ActSpec("lift_local_hire_ban"), ev.LocalHireBanLifted(**BASE)),
    (ActSpec("recall_ambassador"), ev.AmbassadorRecalled(**BASE)),
    (ActSpec("return_ambassador"), ev.AmbassadorReturned(**BASE)),
]


@pytest.mark.parametrize(("spec", "event"), EVENTS, ids=[type(e).__name__ for _, e in EVENTS])
def test_to_event(spec: ActSpec, event: ev.Event) -> None:
    placed = to_event(spec, **BASE)  # type: ignore[arg-type]
    assert placed == event and type(placed) is type(event)


def test_to_event_defaults() -> None:
    """Without ``cause``, ``source`` and the rest: a simulated act answering nothing."""
    placed = to_event(ActSpec("lift_cap"), seq=1, day=2, actor="A", target="B")
    assert placed == ev.StaffCapLifted(seq=1, day=2, actor="A", target="B")
    assert (placed.cause, placed.source, placed.reference, placed.act_id) == (None, "simulated", None, None)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ActSpec("close_post"), "needs a post"),
        (ActSpec("reopen_own_post", post=""), "needs a post"),
        (ActSpec("visa_policy"), "visa_policy must be one of"),
        (ActSpec("visa_policy", visa_policy="sometimes"), "visa_policy must be one of"),
    ],
)
def test_to_event_refuses(spec: ActSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_event(spec, **BASE)  # type: ignore[arg-type]


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown act kind 'expell'"):
        ActSpec("expell")


@pytest.mark.parametrize(("spec", "event"), EVENTS, ids=[type(e).__name__ for _, e in EVENTS])
def test_describe_and_particulars_read_back_what_the_spec_said(spec: ActSpec, event: ev.Event) -> None:
    kind, size = describe(event)
    roles, detail = particulars(event)
    expected_kind = f"visa_{spec.visa_policy}" if spec.kind == "visa_policy" else spec.kind
    assert kind == expected_kind
    assert size == (spec.size if spec.kind in ("expel", "cap", "rotation_limit", "threaten") else 1)
    assert roles == tuple(getattr(event, "roles", ()))
    expected_detail = {
        "threaten": getattr(event, "kind", ""),
        "visa_policy": spec.visa_policy,
        "close_compound": getattr(event, "property", ""),
        "cut_services": getattr(event, "service", ""),
    }.get(spec.kind, spec.post or "")
    assert detail == expected_detail


@pytest.mark.parametrize(
    ("spec", "roles"),
    [
        (ActSpec("expel"), ("diplomat", "admin_technical")),
        (ActSpec("cap", size=5), ("diplomat", "admin_technical", "local")),
        (ActSpec("rotation_limit", size=900), ("diplomat", "admin_technical")),
    ],
)
def test_default_roles(spec: ActSpec, roles: tuple[str, ...]) -> None:
    """Expulsions and rotation limits bind the sent staff by default; a cap counts everyone."""
    assert to_event(spec, **BASE).roles == roles  # type: ignore[arg-type, attr-defined]


def test_act_spec_defaults() -> None:
    """What a policy gets when it names only the kind (users' policies rely on these)."""
    assert ActSpec("expel") == ActSpec(
        "expel", size=1, deadline_days=0, roles=None, rule="longest_serving", replaceable=False, post=None,
        visa_policy=None, credit=0, threat="expel", note="",
    )  # fmt: skip
    assert to_event(ActSpec("expel"), **BASE) == ev.ExpulsionOrdered(  # type: ignore[arg-type]
        **BASE, count=1, roles=("diplomat", "admin_technical"), rule="longest_serving", deadline=10
    )


@pytest.mark.parametrize("kind", ["close_post", "reopen_post", "close_own_post", "reopen_own_post"])
def test_a_post_act_without_a_post_is_refused(kind: str) -> None:
    with pytest.raises(ValueError, match="needs a post"):
        to_event(ActSpec(kind), **BASE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a post"):
        DatedAct(date="2020-01-01", kind=kind)


DEADLINED_KINDS = {"expel", "cap", "rotation_limit", "close_post", "close_own_post", "local_hire_ban"}


@pytest.mark.parametrize("kind", ACT_KINDS)
def test_which_kinds_take_a_relative_deadline(kind: str) -> None:
    """``deadline_days`` counts for the measures that need time to carry out; the rest take
    effect on the day (a threat or a compound closure keeps a deadline only as a date)."""
    fields = {"post": "north"} if "post" in kind else {}
    if kind == "visa_policy":
        fields = {"visa_policy": "deny"}
    if kind == "visa_processing":
        fields = {"processing_days": 30}
    act = DatedAct(date="2020-01-01", kind=kind, deadline_days=5, **fields)
    assert act.spec().deadline_days == (5 if kind in DEADLINED_KINDS else 0)


@pytest.mark.parametrize("rule", ["longest_serving", "newest", "random", "locals_first"])
def test_every_selection_rule_is_accepted(rule: str) -> None:
    assert DatedAct(date="2020-01-01", kind="expel", rule=rule).spec().rule == rule


@pytest.mark.parametrize(("spec", "event"), EVENTS, ids=[type(e).__name__ for _, e in EVENTS])
def test_the_hostile_kinds_are_the_hostile_events(spec: ActSpec, event: ev.Event) -> None:
    """``HOSTILE_KINDS`` (what policies count as hostile) agrees with each event's own flag."""
    assert (describe(event)[0] in HOSTILE_KINDS) == is_hostile(event)


@pytest.mark.parametrize("kind", ["tit_for_tat", "proportional", "grim_trigger"])
def test_the_newest_act_is_answered(kind: str) -> None:
    policy = make_policy({"kind": kind, "deadline_days": 0})
    assert list(policy.respond((seen("cap", 20), seen("expel", 5)), view())) == [ActSpec("expel", size=5)]


@pytest.mark.parametrize("kind", ["tit_for_tat", "proportional"])
def test_an_act_without_a_mirror_is_not_answered(kind: str) -> None:
    policy = make_policy(
        {"kind": kind, "scale": "mission_ratio"} if kind == "proportional" else {"kind": kind}
    )
    assert list(policy.respond((seen("close_post"),), view(their_open_posts=("embassy",)))) == []


def test_proportional_scales_by_a_factor_of_one_by_default() -> None:
    policy = make_policy({"kind": "proportional", "deadline_days": 0})
    assert list(policy.respond((seen("expel", 3),), view())) == [ActSpec("expel", size=3)]


@pytest.mark.parametrize(
    ("kind", "classifier"),
    [
        ("tit_for_tat", {"stochastic": False, "memory_depth": 1, "escalatory": False, "forgiving": True}),
        ("proportional", {"stochastic": False, "memory_depth": 1, "escalatory": False, "forgiving": True}),
        (
            "grim_trigger",
            {"stochastic": False, "memory_depth": float("inf"), "escalatory": False, "forgiving": False},
        ),
    ],
)
def test_classifiers(kind: str, classifier: dict[str, object]) -> None:
    """The classifier (what `sim policies` shows and the axelrod comparison reads), whole."""
    assert type(make_policy({"kind": kind})).classifier == classifier
