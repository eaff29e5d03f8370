"""The contract every policy keeps, as a base class that each policy's test inherits.

Modelled on the Axelrod library's ``TestPlayer``: a policy's test class names the policy, its
expected classifier and two short tables, and inherits every generic test:

* registered under its name, with a classifier, a docstring naming its source, valid defaults;
* clone, pickle and reset (after playing a game it holds nothing but its parameters);
* same seed, same game;
* the decision depends only on the observations: answers to a list of (history, view) inputs
  are the same in any order, from a fresh instance, a clone or an unpickled copy, and are acts
  the engine can place;
* it runs in the engine with the invariants holding and a fork at mid-run reproducing the run.

The tables: ``versus`` holds (the opponent's moves, this policy's expected moves) in the repeated
game, C for none and D for a hostile act, the opponent scripted; ``answers`` holds (the acts
observed, oldest first; the expected answer to the last one; optional ``SideView`` fields), acts
written ``"expel 5, lift_cap"`` and compared as ``sim.core.acts.describe`` reads them back.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import pickle
import random
import re
from collections.abc import Sequence
from typing import Any, ClassVar

import pytest

from sim.analysis.game import GAME_START, play
from sim.core.acts import HOSTILE_KINDS, ActSpec, describe, to_event
from sim.core.state import Observation
from sim.engine.loop import simulate
from sim.policies import REGISTRY, Policy, SideView, make_policy
from sim.scenario.models import Scenario
from sim.testing import assert_causality, assert_conservation, assert_fork_exact, assert_replays


def script(moves: str) -> Policy:
    """A scripted opponent for the repeated game: an expulsion of 1 on each D round."""
    acts = [
        {"date": GAME_START + dt.timedelta(days=t), "kind": "expel", "size": 1}
        for t, move in enumerate(moves)
        if move == "D"
    ]
    return make_policy({"kind": "scripted", "acts": acts})


def observed(text: str) -> tuple[Observation, ...]:
    """``"expel 5, ~cap 20, lift_cap, expel 2 @L"`` as a history: one act a week (days 7, 14,
    ...), numbered in order; ``~`` marks an act the side missed (noise), ``@L`` an act that was
    the other side's part of a coalition led by ``L`` (``@B``: the other side led it)."""
    history = []
    for index, item in enumerate(part.split() for part in text.split(",") if part.strip()):
        leader = next((token[1:] for token in item if token.startswith("@")), None)
        item = [token for token in item if not token.startswith("@")]
        kind, size = item[0], int(item[1]) if len(item) > 1 else 1
        missed = kind.startswith("~")
        coalition = (None, 0, None) if leader is None else ("wave", 3, leader)
        history.append(
            Observation(index, 7 * (index + 1), kind.lstrip("~"), size, (), "", missed, *coalition)
        )
    return tuple(history)


def default_view(history: Sequence[Observation], **fields: Any) -> SideView:
    """Two missions of 100, a consulate of theirs still open, nothing in force."""
    values: dict[str, Any] = {
        "day": history[-1].day if history else 0,
        "me": "A",
        "other": "B",
        "my_headcount": 100,
        "their_headcount": 100,
        "their_open_posts": ("embassy", "north"),
        "their_closed_posts": (),
        "my_measures": frozenset(),
        "my_ambassador_present": True,
        "my_acts": (),
    }
    values.update(fields)
    return SideView(**values)


def read_back(answer: Sequence[ActSpec], view: SideView) -> list[str]:
    """Each act of an answer as the other side would observe it: ``"expel 5"``, ``"lift_cap"``;
    an act against someone other than ``view.other`` says whom: ``"expel 5 >L"``."""
    out = []
    for spec in answer:
        target = spec.target if spec.target is not None else view.other
        kind, size = describe(to_event(spec, seq=0, day=view.day, actor=view.me, target=target))
        text = f"{kind} {size}" if kind in ("expel", "cap", "threaten", "rotation_limit") else kind
        out.append(text if target == view.other else f"{text} >{target}")
    return out


def engine_scenario(policy: dict[str, Any]) -> Scenario:
    """The policy on side A of a small scenario against a tit-for-tat B that opens with an
    expulsion, a cap and a closure, and later lifts and reopens."""
    mission = {
        "posts": {
            "embassy": {"diplomat": 12, "admin_technical": 6, "local": 6},
            "north": {"diplomat": 3, "admin_technical": 1, "local": 2},
        },
        "tour_days": {"diplomat": [150, 300], "admin_technical": [150, 300], "local": [300, 600]},
        "travel_days": 5,
    }
    acts = [
        {"date": "2020-01-20", "actor": "B", "kind": "expel", "size": 3, "deadline_days": 10},
        {"date": "2020-03-01", "actor": "B", "kind": "cap", "size": 25, "deadline_days": 14},
        {"date": "2020-04-01", "actor": "B", "kind": "close_post", "post": "north", "deadline_days": 14},
        {"date": "2020-07-01", "actor": "B", "kind": "lift_cap"},
        {"date": "2020-08-01", "actor": "B", "kind": "reopen_post", "post": "north"},
    ]
    return Scenario.model_validate(
        {
            "start": "2020-01-01",
            "end": "2020-12-31",
            "seed": 4,
            "acts": acts,
            "sides": [
                {"name": "A", "mission": mission, "policy": policy},
                {
                    "name": "B",
                    "mission": mission,
                    "policy": {"kind": "tit_for_tat", "delay_days": 5, "deadline_days": 10},
                },
            ],
        }
    )


KINDS = sorted(
    HOSTILE_KINDS
    | {"lift_cap", "lift_rotation_limit", "lift_local_hire_ban", "visa_issue", "reopen_post"}
    | {"return_ambassador", "statement", "none"}
)


@functools.cache
def corpus(size: int = 300, seed: int = 20_261_128) -> tuple[tuple[tuple[Observation, ...], SideView], ...]:
    """``size`` fixed (history, view) inputs of every kind, drawn once from a seeded generator:
    histories of 1 to 15 observations, some missed (never the newest), with the side's own acts."""
    rng = random.Random(seed)
    inputs = []
    for _ in range(size):
        days = sorted(rng.randrange(3650) for _ in range(rng.randint(1, 15)))
        history = tuple(
            Observation(
                index,
                day,
                rng.choice(KINDS),
                rng.randrange(200),
                rng.choice(((), ("diplomat",))),
                rng.choice(("", "embassy", "expel")),
                index < len(days) - 1 and rng.random() < 0.2,
            )
            for index, day in enumerate(days)
        )
        today = days[-1] + rng.randrange(30)
        own = sorted(rng.randrange(today + 1) for _ in range(rng.randrange(8)))
        posts = ["embassy", *rng.sample(["north", "south"], rng.randint(0, 2))]
        closed = [p for p in posts[1:] if rng.random() < 0.5]
        view = default_view(
            history,
            day=today,
            me=rng.choice("AB"),
            my_headcount=rng.randrange(300),
            their_headcount=rng.randrange(300),
            their_open_posts=tuple(p for p in posts if p not in closed),
            their_closed_posts=tuple(closed),
            my_measures=frozenset(m for m in ("cap", "rotation_limit", "visa_policy") if rng.random() < 0.3),
            my_ambassador_present=rng.random() < 0.7,
            my_acts=tuple((day, rng.choice(KINDS), rng.randint(1, 50)) for day in own),
        )
        inputs.append((history, view))
    return tuple(inputs)


def assert_pure(policy: Policy, inputs: Sequence[tuple[Sequence[Observation], SideView]]) -> None:
    """The answers to ``inputs`` are the same in any order, from a clone and from an unpickled
    copy, with the history as a list or a tuple; and each is a sequence of placeable acts."""
    forward = [tuple(policy.respond(history, view)) for history, view in inputs]
    backward = [tuple(policy.respond(history, view)) for history, view in reversed(inputs)][::-1]
    assert backward == forward
    cloned, unpickled = policy.clone(), pickle.loads(pickle.dumps(policy))
    assert [tuple(cloned.respond(list(h), v)) for h, v in inputs] == forward
    assert [tuple(unpickled.respond(h, v)) for h, v in inputs] == forward
    for (_, view), answer in zip(inputs, forward, strict=True):
        assert all(isinstance(spec, ActSpec) for spec in answer)
        read_back(answer, view)  # every answer is an act the engine can place


class PolicyContract:
    """Inherit, set ``kind`` and ``classifier`` (and ``params``, ``versus``, ``answers``)."""

    kind: ClassVar[str]
    params: ClassVar[dict[str, Any]] = {}
    classifier: ClassVar[dict[str, Any]]
    versus: ClassVar[Sequence[tuple[str, str]]] = ()
    answers: ClassVar[Sequence[tuple[Any, ...]]] = ()

    def policy(self, **extra: Any) -> Policy:
        return make_policy({"kind": self.kind, **self.params, **extra})

    # --- identity ---------------------------------------------------------------------------

    def test_registered_with_classifier_and_source(self) -> None:
        cls = REGISTRY[self.kind]
        assert cls.name == self.kind
        assert {"stochastic", "memory_depth", "escalatory", "forgiving"} <= set(cls.classifier)
        assert {k: cls.classifier[k] for k in self.classifier} == self.classifier
        assert cls.__doc__ and cls.__doc__.strip(), "the class says what it does"
        source = inspect.getmodule(cls).__doc__ or ""  # type: ignore[union-attr]
        if cls.name not in ("none", "scripted"):
            assert re.search(r"\b(19|20)\d\d\b", source), "the module docstring names its source and year"

    def test_defaults_validate_and_unknown_fields_are_refused(self) -> None:
        cls = REGISTRY[self.kind]
        assert cls.Params() == cls.Params.model_validate(cls.Params().model_dump())
        with pytest.raises(ValueError, match="Extra inputs"):
            cls.Params(no_such_parameter=1)

    # --- clone, pickle, reset, seeds ----------------------------------------------------------

    def test_clone_and_pickle_give_equal_policies(self) -> None:
        policy = self.policy()
        for copy in (policy.clone(), pickle.loads(pickle.dumps(policy))):
            assert copy == policy and hash(copy) == hash(policy)
            assert copy is not policy and type(copy) is type(policy)
            assert repr(copy) == repr(policy)

    def test_reset_a_policy_that_played_holds_nothing_but_its_parameters(self) -> None:
        policy = self.policy()
        before = dict(vars(policy))
        first = play(policy, "tit_for_tat", rounds=60, noise=0.2, seed=3)
        assert vars(policy) == before
        again = play(policy, "tit_for_tat", rounds=60, noise=0.2, seed=3)
        fresh = play(self.policy(), "tit_for_tat", rounds=60, noise=0.2, seed=3)
        assert first == again == fresh

    def test_same_seed_same_game(self) -> None:
        games = [play(self.policy(), "win_stay_lose_shift", rounds=80, noise=0.1, seed=9) for _ in range(2)]
        assert games[0] == games[1]

    # --- purity ---------------------------------------------------------------------------------

    def test_decision_depends_only_on_observations(self) -> None:
        """Over a fixed corpus of inputs (a Hypothesis property over every policy at once lives
        in ``tests/test_policies.py``; drawing inputs anew for each policy would cost seconds)."""
        assert_pure(self.policy(), corpus())

    # --- the tables -----------------------------------------------------------------------------

    def test_versus_scripted_opponents(self) -> None:
        for opponent, expected in self.versus:
            game = play(self.policy(), script(opponent), rounds=len(opponent))
            assert game.actions_b == opponent
            assert game.actions_a == expected, f"against {opponent}"

    def test_answers_to_scripted_acts(self) -> None:
        for row in self.answers:
            seen, expected = row[0], row[1]
            history = observed(seen)
            view = default_view(history, **(row[2] if len(row) > 2 else {}))
            answer = read_back(self.policy().respond(history, view), view)
            wanted = [part.strip() for part in expected.split(",") if part.strip()]
            assert answer == wanted, f"after {seen!r}"

    # --- in the engine --------------------------------------------------------------------------

    def test_runs_in_the_engine_and_forks_exactly(self) -> None:
        config = {"kind": self.kind, **self.params}
        if "delay_days" in REGISTRY[self.kind].Params.model_fields:
            config.setdefault("delay_days", 6)
        scenario = engine_scenario(config)
        engine = simulate(scenario)
        assert_conservation(engine.log)
        assert_causality(engine.log)
        assert_replays(engine.log, engine.state)
        assert_fork_exact(scenario, engine.log, 150)
