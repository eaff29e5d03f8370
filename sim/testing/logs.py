"""Hypothesis strategies for documented logs (the seeds/*.yaml format): acts with citations,
ids, answers and deadlines that pass the loader, and scenarios that replay them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from sim.core import events as ev
from sim.core.acts import ACT_KINDS, DEADLINED, POST_KINDS, SELECTION_RULES
from sim.scenario.documented import SeedsLog
from sim.scenario.models import OWN_POST_KINDS, Scenario
from sim.testing.strategies import CONSULATES, SIDE_NAMES

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


def _processing_days() -> st.SearchStrategy[Any]:
    """A visa processing time: a number of days or ``[min, max]``."""
    return st.one_of(st.integers(0, 400), st.tuples(st.integers(0, 200), st.integers(200, 400)).map(list))


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
    elif kind == "visa_processing":
        act["processing_days"] = draw(_processing_days())
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
        posts[act.target].update(act.posts or ())  # the posts an expulsion or a limit names
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
