"""Hypothesis strategies: valid scenarios, documented logs and policy inputs, for this
project's tests and for users'.

The checks are plain functions that raise ``AssertionError`` with a message saying which
event or day broke which rule, so they compose into any property:

    @given(scenarios())
    def test_my_rule(scenario):
        engine = simulate(scenario)
        assert_conservation(engine.log)
        assert_deadlines_hold(engine.log, scenario.horizon)

The strategies draw only valid scenarios (every draw passes ``Scenario`` validation), small
enough that a run takes milliseconds, with the mechanics mixed in: caps, limits, closures,
bans, visa terms, tit-for-tat and scripted sides.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from sim.core.acts import ACT_KINDS, DEADLINED, SELECTION_RULES
from sim.scenario.models import Scenario

SIDE_NAMES = ("US", "RU", "A", "B", "Alpha", "Zulu")
CONSULATES = ("north", "south")
_DEADLINED = tuple(k for k in ACT_KINDS if k in DEADLINED)


# --- strategies ---------------------------------------------------------------------------


@st.composite
def missions(draw: st.DrawFn, max_staff: int = 12, leads: bool = False) -> dict[str, Any]:
    """A mission: an embassy and up to two consulates, short tours so rotations happen; with
    ``leads``, replacements may be asked for ahead of a tour's end (``request_lead_days``)."""
    posts = ["embassy", *draw(st.lists(st.sampled_from(CONSULATES), max_size=2, unique=True))]
    staff = st.integers(0, max_staff)
    tour = st.tuples(st.integers(20, 400), st.integers(0, 300)).map(lambda t: [t[0], t[0] + t[1]])
    return {
        "posts": {
            p: {"diplomat": draw(staff), "admin_technical": draw(staff), "local": draw(staff)} for p in posts
        },
        "tour_days": {"diplomat": draw(tour), "admin_technical": draw(tour), "local": draw(tour)},
        "travel_days": draw(st.integers(0, 30)),
        **({"request_lead_days": draw(_leads())} if leads else {}),
    }


def _leads() -> st.SearchStrategy[dict[str, int]]:
    return st.dictionaries(st.sampled_from(("diplomat", "admin_technical")), st.integers(1, 120))


def visa_terms() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "policy": st.sampled_from(("issue", "issue", "deny", "one_for_one")),
            "credit": st.integers(0, 3),
            "processing_days": st.tuples(st.integers(0, 40), st.integers(0, 40)).map(
                lambda t: [t[0], t[0] + t[1]]
            ),
        }
    )


@st.composite
def acts(
    draw: st.DrawFn, start: dt.date, horizon: int, actor_posts: Sequence[str], target_posts: Sequence[str]
) -> dict[str, Any]:
    """One act of any kind on a day within the run, with fields that fit its kind."""
    kind = draw(st.sampled_from(ACT_KINDS))
    act: dict[str, Any] = {"date": start + dt.timedelta(days=draw(st.integers(0, horizon))), "kind": kind}
    if kind in ("expel", "threaten"):
        act["size"] = draw(st.integers(1, 8))
    elif kind == "cap":
        act["size"] = draw(st.integers(0, 40))
    elif kind == "rotation_limit":
        act["size"] = draw(st.integers(30, 500))
    if kind in ("close_post", "reopen_post"):
        act["post"] = draw(st.sampled_from(list(target_posts)))
    elif kind in ("close_own_post", "reopen_own_post"):
        act["post"] = draw(st.sampled_from(list(actor_posts)))
    elif kind == "visa_policy":
        act["visa_policy"] = draw(st.sampled_from(("issue", "deny", "one_for_one")))
        act["credit"] = draw(st.integers(0, 2))
    elif kind == "visa_processing":
        act["processing_days"] = draw(_processing_days())
    if kind in _DEADLINED:
        act["deadline_days"] = draw(st.integers(0, 60))
    if kind in ("expel", "cap"):
        act["rule"] = draw(st.sampled_from(SELECTION_RULES))
    if kind == "expel":
        act["replaceable"] = draw(st.booleans())
    return act


def _processing_days() -> st.SearchStrategy[Any]:
    """A host's new visa processing time: days, or ``[min, max]``."""
    return st.one_of(st.integers(0, 60), st.tuples(st.integers(0, 30), st.integers(30, 90)))


def timings() -> st.SearchStrategy[dict[str, Any]]:
    """The timing wrapper: none, or a reaction delay (fixed or a range) and a deadline."""
    return st.one_of(
        st.just({}),
        st.fixed_dictionaries(
            {
                "delay_days": st.tuples(st.integers(1, 30), st.integers(0, 20)).map(
                    lambda t: [t[0], t[0] + t[1]]
                ),
                "deadline_days": st.integers(0, 30),
            }
        ),
    )


def noises() -> st.SearchStrategy[dict[str, Any]]:
    """The noise wrapper: chances of missing an act and of a false alarm."""
    chance = st.sampled_from((0.0, 0.0, 0.2, 0.5, 1.0))
    return st.fixed_dictionaries({"miss": chance, "false_alarm": chance})


#: Draws chosen per kind where the automatic ones (below) would make examples slow or dull:
#: a grit programme that starts within the run, an always-hostile period that acts a few
#: times, escalation by addition, multiplication or a rung up. Graduated answers with at most
#: 5 acts at once: two graduated sides double their answers each round up to that bound, and
#: the default of 1,000 would make one example a run of millions of events.
CHOSEN_DRAWS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "proportional": {
        "scale": st.sampled_from(("factor", "mission_ratio")),
        "factor": st.sampled_from((0.5, 1.0, 2.0)),
    },
    "escalate": {
        "add": st.integers(0, 3),
        "multiply": st.sampled_from((1.0, 1.5, 2.0)),
        "rung_up": st.booleans(),
    },
    "generous_tit_for_tat": {"g": st.sampled_from((0.0, 1 / 3, 1.0)), "seed": st.integers(0, 5)},
    "graduated": {"calm": st.integers(0, 3), "most": st.integers(1, 5)},
    "threshold": {"min_size": st.integers(1, 6)},
    "reverse_if_reversed": {"condition": st.sampled_from(("any", "all"))},
    "grit": {
        "first_day": st.integers(0, 400),
        "interval_days": st.integers(1, 90),
        "steps": st.integers(1, 5),
    },
    "always_hostile": {
        "first_day": st.integers(0, 200),
        "period_days": st.integers(20, 200),
        "size": st.integers(1, 5),
    },
}
#: Kinds drawn elsewhere: a scripted side's acts need the scenario's dates and posts
#: (:func:`scenarios` draws them).
DRAWN_ELSEWHERE: frozenset[str] = frozenset({"scripted"})
_SHARED = {
    "delay_days": st.integers(1, 45),
    "deadline_days": st.integers(0, 45),
    "rule": st.sampled_from(SELECTION_RULES),
}


def policies() -> st.SearchStrategy[dict[str, Any]]:
    """A policy configuration of any registered kind (built-in and installed plugins alike),
    its parameters drawn too: by :data:`CHOSEN_DRAWS` where a kind has them, otherwise from
    each field's declared type and bounds (small ranges from the lower bound), so a new policy
    is drawn into the seven properties without anyone listing it here."""
    from sim.policies import registry

    kinds = [name for name in registry() if name not in DRAWN_ELSEWHERE]
    return st.sampled_from(kinds).flatmap(_config_of)


def _config_of(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """``{"kind": kind, **params}`` with every parameter that can be drawn drawn."""
    from sim.policies import policy_class

    fields = policy_class(kind).Params.model_fields
    chosen = CHOSEN_DRAWS.get(kind, {})
    params: dict[str, st.SearchStrategy[Any]] = {"kind": st.just(kind)}
    for name, info in fields.items():
        drawn = chosen[name] if name in chosen else _SHARED[name] if name in _SHARED else _from_field(info)
        if drawn is not None:
            params[name] = drawn
    return st.fixed_dictionaries(params)


def _from_field(info: Any) -> st.SearchStrategy[Any] | None:
    """A strategy for a pydantic field from its annotation and bounds (``None``: keep the
    default): whole numbers from their lower bound up to 20 more, reals over at most 2 from
    theirs, booleans, and a ``Literal``'s values."""
    bounds = {
        type(m).__name__: getattr(m, type(m).__name__.lower())
        for m in info.metadata
        if type(m).__name__ in ("Ge", "Gt", "Le", "Lt")
    }
    annotation = info.annotation
    if typing.get_origin(annotation) is typing.Literal:
        return st.sampled_from(typing.get_args(annotation))
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        low = bounds.get("Ge", 0 if bounds.get("Gt") is None else bounds["Gt"] + 1)
        high = min(low + 20, bounds.get("Le", low + 20), bounds.get("Lt", low + 21) - 1)
        return st.integers(low, high)
    if annotation is float:
        low = bounds.get("Ge", bounds.get("Gt", 0.0))
        high = min(low + 2.0, bounds.get("Le", low + 2.0))
        return st.floats(low, high, exclude_min="Gt" in bounds, allow_nan=False)
    return None


@st.composite
def scenarios(
    draw: st.DrawFn,
    max_days: int = 900,
    max_acts: int = 5,
    max_staff: int = 12,
    side_policies: st.SearchStrategy[dict[str, Any]] | None = None,
    symmetric: bool = False,
    sides: Sequence[str] | None = None,
    min_days: int = 30,
    states: tuple[int, int] = (2, 6),
    leads: bool = False,
) -> Scenario:
    """Valid scenarios of ``states`` (a range: 2 to 6 by default) states; ``symmetric=True``
    gives every side the same mission, terms and policy, every pair of sides missions with
    each other, and mirrored acts (each act also taken by every other side against every other
    on the same day).

    ``side_policies`` draws each side's ``policy:`` mapping (e.g. ``st.just({"kind":
    "my_rule"})`` to put your policy on every side, ``st.one_of(mine, policies())`` for some);
    ``sides`` fixes the names (in order, and so their number); the run spans ``min_days`` to
    ``max_days`` days. With more than two states, a pair of states keeps missions with each
    other or not (at least one pair does), and acts may be parts of coalitions. ``leads=True``
    lets missions ask for replacements ahead of tours' ends (``request_lead_days``).
    """
    if not 1 <= min_days <= max_days:
        raise ValueError(f"need 1 <= min_days <= max_days, not {min_days} and {max_days}")
    if sides is not None and (len(sides) < 2 or len(set(sides)) != len(sides)):
        raise ValueError(f"sides must be two or more different names, not {sides!r}")
    if not 2 <= states[0] <= states[1] <= len(SIDE_NAMES):
        raise ValueError(f"states must be a range within 2..{len(SIDE_NAMES)}, not {states!r}")
    if sides is not None:
        names = list(sides)
    else:
        count = draw(st.integers(*states))
        names = draw(st.lists(st.sampled_from(SIDE_NAMES), min_size=count, max_size=count, unique=True))
    start = draw(st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)))
    horizon = draw(st.integers(min_days, max_days))
    policy = side_policies if side_policies is not None else policies()
    configs = [_side(draw, names[0], policy)]
    for name in names[1:]:
        configs.append({**configs[0], "name": name} if symmetric else _side(draw, name, policy))
    pairs = _mission_pairs(draw, len(names), symmetric)
    mission_of = {}
    for i, j in pairs:
        mission_of[(i, j)] = (
            mission_of[(0, 1)] if symmetric and (0, 1) in mission_of else draw(missions(max_staff, leads))
        )
    data: dict[str, Any] = {
        "name": "generated",
        "start": start,
        "end": start + dt.timedelta(days=horizon),
        "seed": draw(st.integers(0, 2**32)),
        "sides": configs,
        "acts": _shocks(draw, names, pairs, mission_of, start, horizon, max_acts, symmetric),
    }
    if len(names) == 2:
        for i, j in pairs:
            configs[i]["mission"] = mission_of[(i, j)]
    else:
        for config in configs:
            config.pop("mission", None)
        data["missions"] = [
            {"sender": names[i], "host": names[j], **mission_of[(i, j)]} for i, j in sorted(pairs)
        ]
    return Scenario.model_validate(data)


def _side(draw: st.DrawFn, name: str, policy: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    return {
        "timing": draw(timings()),
        "noise": draw(noises()),
        "name": name,
        "visas": draw(visa_terms()),
        "policy": draw(policy),
    }


def _mission_pairs(draw: st.DrawFn, count: int, symmetric: bool) -> list[tuple[int, int]]:
    """The ordered pairs ``(sender, host)`` that keep missions: both ways or neither."""
    pairs = [(i, j) for i in range(count) for j in range(i + 1, count)]
    if not symmetric and count > 2:
        kept = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=len(pairs), unique=True))
        pairs = sorted(kept)
    return [pair for i, j in pairs for pair in ((i, j), (j, i))]


def _shocks(
    draw: st.DrawFn,
    names: list[str],
    pairs: list[tuple[int, int]],
    mission_of: dict[tuple[int, int], dict[str, Any]],
    start: dt.date,
    horizon: int,
    max_acts: int,
    symmetric: bool,
) -> list[dict[str, Any]]:
    """Acts between sides that keep missions; mirrored to every pair when ``symmetric``; with
    more than two sides each names its target and may be a coalition's part."""
    shocks = []
    for _ in range(draw(st.integers(0, max_acts))):
        me, other = draw(st.sampled_from(pairs))
        act = draw(acts(start, horizon, mission_of[(me, other)]["posts"], mission_of[(other, me)]["posts"]))
        if len(names) > 2 and not symmetric:
            coalition = draw(st.sampled_from((None, None, "wave-1", "wave-2")))
            if coalition is not None:
                act["coalition"] = coalition
        for i, j in pairs if symmetric else [(me, other)]:
            shock = {**act, "actor": names[i]}
            if len(names) > 2:
                shock["target"] = names[j]
            shocks.append(shock)
    return shocks


def observations() -> st.SearchStrategy[tuple[Any, ...]]:
    """Histories a policy may see: (act seq, day, kind, size, missed) tuples, oldest first."""
    from sim.core.acts import HOSTILE_KINDS
    from sim.core.state import Observation

    kinds = sorted(HOSTILE_KINDS | {"lift_cap", "lift_rotation_limit", "return_ambassador", "visa_issue"})
    one = st.builds(
        Observation,
        act=st.integers(0, 10_000),
        day=st.integers(0, 3650),
        kind=st.sampled_from(kinds),
        size=st.integers(0, 500),
        roles=st.sampled_from(((), ("diplomat",), ("diplomat", "admin_technical"))),
        detail=st.sampled_from(("", "embassy", "expel")),
        missed=st.booleans(),
    )
    return st.lists(one, min_size=1, max_size=12).map(lambda xs: tuple(sorted(xs, key=lambda o: o.day)))


@st.composite
def policy_inputs(draw: st.DrawFn, max_history: int = 12) -> tuple[tuple[Any, ...], Any]:
    """``(history, view)`` as a policy's ``respond`` receives them: observations of every kind
    (hostile, conciliatory, a statement, the repeated game's ``none``), oldest first, the newest
    perceived; and a ``SideView`` on or after the newest observation's day, whose ``my_acts``
    (the side's own acts) all lie before it."""
    from sim.core.acts import HOSTILE_KINDS
    from sim.core.state import Observation
    from sim.policies import SideView

    kinds = sorted(
        HOSTILE_KINDS
        | {"lift_cap", "lift_rotation_limit", "lift_local_hire_ban", "visa_issue", "reopen_post"}
        | {"return_ambassador", "statement", "none"}
    )
    length = draw(st.integers(1, max_history))
    days = sorted(draw(st.lists(st.integers(0, 3650), min_size=length, max_size=length)))
    history = tuple(
        Observation(
            act=index,
            day=day,
            kind=draw(st.sampled_from(kinds)),
            size=draw(st.integers(0, 200)),
            roles=draw(st.sampled_from(((), ("diplomat",), ("diplomat", "admin_technical")))),
            detail=draw(st.sampled_from(("", "embassy", "expel"))),
            missed=draw(st.booleans()) if index < length - 1 else False,
        )
        for index, day in enumerate(days)
    )
    today = days[-1] + draw(st.integers(0, 30))
    own_days = sorted(draw(st.lists(st.integers(0, today), max_size=8)))
    my_acts = tuple((day, draw(st.sampled_from(kinds)), draw(st.integers(1, 50))) for day in own_days)
    posts = ("embassy", *draw(st.lists(st.sampled_from(CONSULATES), max_size=2, unique=True)))
    closed = draw(st.lists(st.sampled_from(posts[1:]), unique=True)) if len(posts) > 1 else []
    view = SideView(
        day=today,
        me=draw(st.sampled_from(("A", "B"))),
        other="other",
        my_headcount=draw(st.integers(0, 300)),
        their_headcount=draw(st.integers(0, 300)),
        their_open_posts=tuple(p for p in posts if p not in closed),
        their_closed_posts=tuple(closed),
        my_measures=frozenset(
            draw(
                st.lists(st.sampled_from(("cap", "rotation_limit", "local_hire_ban", "visa_policy", "expel")))
            )
        ),
        my_ambassador_present=draw(st.booleans()),
        my_acts=my_acts,
    )
    return history, view


# --- transformations ---------------------------------------------------------------------


def reversed_sides(scenario: Scenario) -> Scenario:
    """The same scenario with its sides (and its missions, if it lists them) in the other order."""
    update: dict[str, Any] = {"sides": tuple(reversed(scenario.sides))}
    if scenario.missions is not None:
        update["missions"] = tuple(reversed(scenario.missions))
    return scenario.model_copy(update=update)


def renamed(scenario: Scenario, names: dict[str, str]) -> Scenario:
    """The same scenario with its sides renamed by ``names`` (a permutation), positions kept."""
    data = scenario.model_dump(mode="json")
    for side in data["sides"]:
        side["name"] = names[side["name"]]
    for entry in data.get("missions") or ():
        entry["sender"], entry["host"] = names[entry["sender"]], names[entry["host"]]
    for act in data["acts"]:
        act["actor"] = names[act["actor"]]
        if act.get("target") is not None:
            act["target"] = names[act["target"]]
    return Scenario.model_validate(data)


def with_end(scenario: Scenario, day: int) -> Scenario:
    """The same scenario stopped after ``day`` (acts planned later are dropped)."""
    end = scenario.date_of(day)
    kept = tuple(a for a in scenario.acts if a.date <= end)
    return scenario.model_copy(update={"end": end, "acts": kept})
