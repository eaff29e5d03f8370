"""The working fold (what the engine records into and a replay folds with) against the pure
``apply`` it replaced on the hot path: the same state after every prefix of every log, and the
same ``LogError`` for an event that cannot follow."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from sim.core import events as ev
from sim.core.state import LogError, State, apply, digest, fold_pure, to_dict
from sim.core.working import World, fold, freeze
from sim.engine.loop import simulate
from sim.testing import scenarios


@settings(max_examples=25, deadline=None)
@given(scenarios())
def test_the_working_fold_is_the_pure_fold(scenario: object) -> None:
    engine = simulate(scenario)  # type: ignore[arg-type]
    log = engine.log
    assert to_dict(fold(log)) == to_dict(fold_pure(log)) == to_dict(engine.state)
    world, pure = World(), State()
    for cut, event in enumerate(log):
        world.record(event)
        pure = apply(pure, event)
        if cut % 97 == 0 or cut == len(log) - 1:
            assert digest(freeze(world)) == digest(pure), f"after event {cut}"


def test_a_gap_is_refused_by_both() -> None:
    opened = ev.MissionOpened(seq=0, day=0, actor="A", target="B", posts=("embassy",), targets=())
    late = ev.StatementMade(seq=2, day=0, actor="A", target="B")
    with pytest.raises(LogError, match="gap"):
        fold([opened, late])
    with pytest.raises(LogError, match="gap"):
        fold_pure([opened, late])


def test_an_event_of_an_unknown_mission_is_refused_by_both() -> None:
    opened = ev.MissionOpened(seq=0, day=0, actor="A", target="B", posts=("embassy",), targets=())
    stray = ev.StatementMade(seq=1, day=0, actor="C", target="B")
    for folding in (fold, fold_pure):
        with pytest.raises(LogError, match="unknown mission 'C'"):
            folding([opened, stray])
