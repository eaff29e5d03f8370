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

from sim.core import events as ev
from sim.core.acts import ACT_KINDS, DEADLINED, POST_KINDS, SELECTION_RULES
from sim.scenario.documented import SeedsLog
from sim.scenario.models import OWN_POST_KINDS, Scenario

SIDE_NAMES = ("US", "RU", "A", "B", "Alpha", "Zulu")
CONSULATES = ("north", "south")
_DEADLINED = tuple(k for k in ACT_KINDS if k in DEADLINED)


# --- strategies ---------------------------------------------------------------------------


@st.composite
def missions(draw: st.DrawFn, max_staff: int = 12) -> dict[str, Any]:
    """A mission: an embassy and up to two consulates, short tours so rotations happen."""
    posts = ["embassy", *draw(st.lists(st.sampled_from(CONSULATES), max_size=2, unique=True))]
    staff = st.integers(0, max_staff)
    tour = st.tuples(st.integers(20, 400), st.integers(0, 300)).map(lambda t: [t[0], t[0] + t[1]])
    return {
        "posts": {
            p: {"diplomat": draw(staff), "admin_technical": draw(staff), "local": draw(staff)} for p in posts
        },
        "tour_days": {"diplomat": draw(tour), "admin_technical": draw(tour), "local": draw(tour)},
        "travel_days": draw(st.integers(0, 30)),
    }


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
    if kind in _DEADLINED:
        act["deadline_days"] = draw(st.integers(0, 60))
    if kind in ("expel", "cap"):
        act["rule"] = draw(st.sampled_from(SELECTION_RULES))
    if kind == "expel":
        act["replaceable"] = draw(st.booleans())
    return act


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
    sides: tuple[str, str] | None = None,
    min_days: int = 30,
) -> Scenario:
    """Valid scenarios; ``symmetric=True`` gives both sides the same mission, terms, policy,
    and mirrored acts (each act also taken by the other side on the same day).

    ``side_policies`` draws each side's ``policy:`` mapping (e.g. ``st.just({"kind":
    "my_rule"})`` to put your policy on both sides, ``st.one_of(mine, policies())`` for one
    side or both); ``sides`` fixes the two names (in order); the run spans ``min_days`` to
    ``max_days`` days.
    """
    if not 1 <= min_days <= max_days:
        raise ValueError(f"need 1 <= min_days <= max_days, not {min_days} and {max_days}")
    if sides is not None and (len(sides) != 2 or sides[0] == sides[1]):
        raise ValueError(f"sides must be two different names, not {sides!r}")
    names = (
        list(sides)
        if sides is not None
        else draw(st.lists(st.sampled_from(SIDE_NAMES), min_size=2, max_size=2, unique=True))
    )
    start = draw(st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)))
    horizon = draw(st.integers(min_days, max_days))
    policy = side_policies if side_policies is not None else policies()
    configs = [
        {
            "timing": draw(timings()),
            "noise": draw(noises()),
            "name": names[0],
            "mission": draw(missions(max_staff)),
            "visas": draw(visa_terms()),
            "policy": draw(policy),
        }
    ]
    if symmetric:
        configs.append({**configs[0], "name": names[1]})
    else:
        configs.append(
            {
                "timing": draw(timings()),
                "noise": draw(noises()),
                "name": names[1],
                "mission": draw(missions(max_staff)),
                "visas": draw(visa_terms()),
                "policy": draw(policy),
            }
        )
    posts = [list(c["mission"]["posts"]) for c in configs]
    shocks = []
    for _ in range(draw(st.integers(0, max_acts))):
        me = draw(st.integers(0, 1))
        act = draw(acts(start, horizon, posts[me], posts[1 - me]))
        shocks.append({**act, "actor": names[me]})
        if symmetric:
            shocks.append({**act, "actor": names[1 - me]})
    data = {
        "name": "generated",
        "start": start,
        "end": start + dt.timedelta(days=horizon),
        "seed": draw(st.integers(0, 2**32)),
        "sides": configs,
        "acts": shocks,
    }
    return Scenario.model_validate(data)


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


# --- documented logs -----------------------------------------------------------------------

_CITATION = st.builds(
    lambda outlet, number, slug, folded: f"{outlet} {number} https://example.org/{slug}{folded}",
    st.sampled_from(("data", "REPORT para", "TASS", "Reuters", "State Department briefing", "Kommersant")),
    st.integers(1, 60),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20),
    st.sampled_from(("", "\n")),  # a folded block (``source: >``) ends with a line break
)
_PROSE = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), include_characters="\n"),
    max_size=40,
)
#: Free text as sources and notes are written: a citation with a URL, or any printable text
#: (quotes, colons, ``#``, a leading ``?``, line breaks, other scripts), never blank.
_WRITTEN = st.one_of(_CITATION, _PROSE.map(lambda text: text if text.strip() else f"n/a{text}"))
#: Ids as the real logs write them (``A16``, ``A32b``), and some that YAML would read as
#: something else (a number, a boolean, null, a date, a comment) if written unquoted.
_USUAL_ID = st.builds(
    lambda prefix, number, suffix: f"{prefix}{number:02d}{suffix}",
    st.sampled_from(("A", "B", "US-", "RU-", "x")),
    st.integers(0, 999),
    st.sampled_from(("", "", "", "a", "b", "t")),
)
_ACT_IDS = st.one_of(
    _USUAL_ID,
    _USUAL_ID,
    _USUAL_ID,
    st.sampled_from(("1", "007", "yes", "null", "~", "2021-12-01", "A 1", "#1", "a: b", "Ä1")),
)
_KINDS = st.sampled_from(ACT_KINDS)
_ROLE_LISTS = st.lists(st.sampled_from(ev.ROLES), min_size=1, unique=True)
_RULES = st.sampled_from(SELECTION_RULES)
_VISA_POLICIES = st.sampled_from(ev.VISA_POLICIES)


def _later(date: dt.date, days: int) -> dt.date:
    return date + dt.timedelta(days=min(days, (dt.date.max - date).days))


def _act_particulars(draw: st.DrawFn, date: dt.date, posts: Sequence[str]) -> dict[str, Any]:
    """An act's kind and the fields that fit it, as a documented log writes them."""
    kind = draw(_KINDS)
    act: dict[str, Any] = {"kind": kind}
    if kind == "expel":
        act["size"] = draw(st.integers(1, 60))
    elif kind == "threaten":
        act["size"] = draw(st.integers(0, 60))  # 0: the source gives no number (seeds A33t)
        act["threat"] = draw(_KINDS)
    elif kind == "cap":
        act["size"] = draw(st.integers(0, 500))
    elif kind == "rotation_limit":
        act["size"] = draw(st.integers(30, 1500))
    if kind in ("expel", "cap", "rotation_limit") and draw(st.booleans()):
        act["roles"] = draw(_ROLE_LISTS)
    if kind in ("expel", "cap") and draw(st.booleans()):
        act["rule"] = draw(_RULES)
    if kind == "expel" and draw(st.booleans()):
        act["replaceable"] = True
    if kind in POST_KINDS:
        act["post"] = draw(st.sampled_from(list(posts)))
    elif kind == "visa_policy":
        act["visa_policy"] = draw(_VISA_POLICIES)
        if draw(st.booleans()):
            act["credit"] = draw(st.integers(0, 30))
    # A measure's deadline is a date, a number of days, or none (in force at once); an act
    # that takes effect at once may still carry the date its source gives (real logs do).
    how = draw(st.sampled_from(("none", "date", "days") if kind in DEADLINED else ("none", "none", "date")))
    if how == "date":
        act["deadline"] = _later(date, draw(st.integers(0, 120))).isoformat()
    elif how == "days":
        act["deadline_days"] = draw(st.integers(0, 120))
    if kind in ("close_compound", "cut_services", "statement") or draw(st.booleans()):
        act["note"] = draw(_WRITTEN)
    if draw(st.integers(0, 3)) == 0:
        act["resolution"] = draw(_WRITTEN)
    act["source"] = draw(_WRITTEN)
    return act


@st.composite
def documented_logs(
    draw: st.DrawFn,
    min_acts: int = 0,
    max_acts: int = 15,
    sides: tuple[str, str] | None = None,
    start: dt.date = dt.date(1990, 1, 1),
    end: dt.date = dt.date(2040, 12, 31),
    posts: Sequence[str] = ("embassy", *CONSULATES),
    own_causes: bool = False,
) -> SeedsLog:
    """Valid documented logs (what ``seeds/*.yaml`` holds): every draw is built as plain data,
    as a file would give it, and goes through ``SeedsLog.model_validate``, so the loader
    accepts anything this strategy draws.

    A log has between ``min_acts`` and ``max_acts`` acts dated from ``start`` to ``end``
    (inclusive), in date order with several acts often on one day; each act has a unique id,
    a source, and a kind drawn from all of ``sim.core.acts.ACT_KINDS`` with fields that fit it:
    measures with a deadline date, a number of days or none, posts drawn from ``posts``, and
    acts that move nobody (statements, threats, compound closures, service cuts, ambassador
    recalls and returns). ``in_response_to`` names earlier acts (earlier in the list, so on
    the same day or before) of the other side only, so the causes form a DAG across the two
    sides; ``own_causes=True`` also lets an act cite its own side's earlier acts, as the real
    logs do for an act that carries out or reverses one's own measure. ``sides`` fixes the
    two names (default: two drawn from ``SIDE_NAMES``). Notes, sources and resolutions range
    from citations with URLs to text YAML must quote; a few reported headcounts
    (``observations``) come along.

    To run one, make it the prelude of a scenario with :func:`scenario_with_log`:

        @given(documented_logs(sides=("US", "RU"), start=dt.date(2020, 1, 1), end=dt.date(2021, 12, 31)))
        def test_documented_acts_are_caused(log):
            engine = simulate(scenario_with_log(log, policies=({"kind": "tit_for_tat"}, {"kind": "none"})))
            assert_causality(engine.log)
            assert_conservation(engine.log)
    """
    if not 0 <= min_acts <= max_acts:
        raise ValueError(f"need 0 <= min_acts <= max_acts, not {min_acts} and {max_acts}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if not posts:
        raise ValueError("posts must name at least one post")
    if sides is None:
        names = tuple(draw(st.lists(st.sampled_from(SIDE_NAMES), min_size=2, max_size=2, unique=True)))
    else:
        names = tuple(sides)
    span = (end - start).days
    count = draw(st.integers(min_acts, max_acts))
    # Acts draw their days from a few shared ones, so that same-day acts are common.
    pool = draw(st.lists(st.integers(0, span), min_size=1, max_size=max(count, 1), unique=True))
    days = sorted(draw(st.sampled_from(pool)) for _ in range(count))
    ids = draw(st.lists(_ACT_IDS, min_size=count, max_size=count, unique=True))
    acts: list[dict[str, Any]] = []
    for day, act_id in zip(days, ids, strict=True):
        me = draw(st.integers(0, 1))
        date = start + dt.timedelta(days=day)
        act = {"id": act_id, "date": date.isoformat(), "actor": names[me], "target": names[1 - me]}
        act.update(_act_particulars(draw, date, posts))
        earlier = [a["id"] for a in acts if own_causes or a["actor"] != names[me]]
        if earlier:
            answers = draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True))
            if answers:
                act["in_response_to"] = answers
        acts.append(act)
    observed = st.fixed_dictionaries(
        {
            "date": st.integers(0, span).map(lambda d: (start + dt.timedelta(days=d)).isoformat()),
            "mission": st.sampled_from(names),
            "headcount": st.integers(0, 2000),
            "source": _WRITTEN,
        },
        optional={"approximate": st.booleans(), "note": _WRITTEN},
    )
    data: dict[str, Any] = {
        "title": draw(_WRITTEN),
        "sides": list(names),
        "acts": acts,
        "observations": draw(st.lists(observed, max_size=3)),
    }
    if draw(st.booleans()):
        data["description"] = draw(_WRITTEN)
    return SeedsLog.model_validate(data)


def scenario_with_log(
    log: SeedsLog,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    seed: int = 0,
    policies: tuple[dict[str, Any], dict[str, Any]] | None = None,
    staff: int = 4,
) -> Scenario:
    """A runnable scenario whose prelude is ``log`` (attached with ``Scenario.with_prelude``).

    The sides are the log's, in its order, each with ``staff`` people of every role at the
    embassy and at each post the log names for its mission; tours are short, so rotations
    and visa requests go on between the acts. ``policies`` (default ``none`` for both) answer
    the documented acts. The run starts on ``start`` (default: the first act's date) and ends
    on ``end`` (default: 30 days after the last act or deadline); ``with_prelude`` raises
    ``ValueError`` if an act falls outside them. With ``documented_logs`` and Hypothesis:

        @given(documented_logs(start=dt.date(2020, 1, 1), end=dt.date(2021, 12, 31)), policies())
        def test_logs_replay(log, policy):
            engine = simulate(scenario_with_log(log, policies=(policy, {"kind": "none"})))
            assert_replays(engine.log, engine.state)
    """
    dates = [act.date for act in log.acts]
    deadlines = [act.date + dt.timedelta(days=act.deadline_after()) for act in log.acts]
    first = start if start is not None else min(dates, default=dt.date(2000, 1, 1))
    last = end if end is not None else max([first, *dates, *deadlines]) + dt.timedelta(days=30)
    posts = {name: {"embassy"} for name in log.sides}
    for act in log.acts:  # the posts Scenario.with_prelude looks for
        if act.post is not None:
            posts[act.actor if act.kind in OWN_POST_KINDS else act.target].add(act.post)
    people = {"diplomat": staff, "admin_technical": staff, "local": staff}
    tours = {"diplomat": [120, 600], "admin_technical": [120, 600], "local": [300, 1500]}
    chosen = policies if policies is not None else ({"kind": "none"}, {"kind": "none"})
    data = {
        "name": "documented-log",
        "start": first,
        "end": last,
        "seed": seed,
        "sides": [
            {
                "name": name,
                "mission": {
                    "posts": {p: people for p in sorted(posts[name])},
                    "tour_days": tours,
                    "travel_days": 7,
                },
                "visas": {"policy": "issue", "processing_days": [5, 30]},
                "policy": policy,
            }
            for name, policy in zip(log.sides, chosen, strict=True)
        ],
    }
    return Scenario.model_validate(data).with_prelude(log)


# --- transformations ---------------------------------------------------------------------


def reversed_sides(scenario: Scenario) -> Scenario:
    """The same scenario with its two sides listed in the other order."""
    return scenario.model_copy(update={"sides": (scenario.sides[1], scenario.sides[0])})


def with_end(scenario: Scenario, day: int) -> Scenario:
    """The same scenario stopped after ``day`` (acts planned later are dropped)."""
    end = scenario.date_of(day)
    kept = tuple(a for a in scenario.acts if a.date <= end)
    return scenario.model_copy(update={"end": end, "acts": kept})
