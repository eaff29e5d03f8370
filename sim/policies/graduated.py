"""``graduated``: answer the n-th hostile act with n acts, then offer calm.

Source: "Gradual", Beaufils, Delahaye & Mathieu, "Our meeting with gradual: a good strategy
for the iterated prisoner's dilemma", *Artificial Life V* (1996), as the Axelrod library's
``Gradual`` plays it: after the opponent's n-th defection (counting all of them) it defects
n times, then cooperates twice whatever the opponent does meanwhile.

Here the n-th hostile act the side perceives is answered with n acts in kind followed by
``calm`` statements offering calm; the next n + calm - 1 acts of the other side are counted but
not answered (they fall within the punishment and the calm), de-escalation excepted, which is
always mirrored. In the engine the n acts and the statements go out on the reaction day; the
repeated game (``sim.analysis.game``) plays an answer of several acts over as many rounds, which makes
the rule above exactly Beaufils' timing. For acts that do not add up (a cap, a visa freeze) the
repeats change nothing, so the growing answer shows in expulsions.

The count and the window are replayed from the whole history at each decision (the policy
keeps no memory of its own), so a decision costs O(length of the history).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field

from sim.core.acts import ActSpec
from sim.core.dated_acts import Int
from sim.core.state import Observation
from sim.policies.base import MAX_ACTS_PER_ANSWER, SideView
from sim.policies.common import Reactive, ReactiveParams, hostile
from sim.policies.tit_for_tat import mirror


class GraduatedParams(ReactiveParams):
    calm: Int = Field(2, ge=0, le=100, description="statements offering calm after each answer")
    most: Int = Field(
        1_000,
        ge=1,
        le=MAX_ACTS_PER_ANSWER - 100,
        description="most acts in one answer (with calm: the bound)",
    )


#: The state of recent folds, kept outside the policy (a policy holds nothing but its
#: parameters): (params, id of the history's first observation) -> (the history folded,
#: (count, skip, n)). A side's history in a run only grows by appending, so the next history
#: usually starts with the one folded last; when it does (checked by value), the fold goes on
#: from there. Only tuples (the engine's histories) are cached; the oldest entries go first.
_FOLDS: dict[tuple[Any, int], tuple[tuple[Observation, ...], tuple[int, int, int]]] = {}
_MAX_FOLDS = 64


class Graduated(Reactive[GraduatedParams]):
    """Answers the n-th hostile act with n acts in kind, then ``calm`` statements offering calm."""

    name = "graduated"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "escalatory": True,
        "forgiving": True,
    }
    Params = GraduatedParams

    def punishment(self, history: Sequence[Observation]) -> int:
        """How many acts answer ``history[-1]``: its count n if it opens a punishment, else 0.

        A left fold over the whole history, continued from where the fold of an earlier,
        shorter version of the same history stopped (see ``_FOLDS``): a run no longer folds
        every prefix again in Python (quadratic in a long spiral). Any other history is folded
        from its start; the answer is the same."""
        p = self.params
        start, count, skip, n = 0, 0, 0, 0
        key = (p, id(history[0])) if history and type(history) is tuple else None
        earlier = _FOLDS.get(key) if key is not None else None
        if earlier is not None:
            folded, state = earlier
            # A comparison in C, by identity first: far cheaper than folding the prefix again.
            if len(folded) <= len(history) and history[: len(folded)] == folded:
                start, (count, skip, n) = len(folded), state
        for index in range(start, len(history)):
            seen = history[index]
            if seen.missed:
                continue
            n = 0
            if hostile(seen):
                count += 1
                if skip == 0:
                    n = min(count, p.most)
                    skip = n + p.calm
            if skip:
                skip -= 1
        if key is not None:
            _FOLDS.pop(key, None)
            _FOLDS[key] = (history, (count, skip, n))  # type: ignore[assignment]
            if len(_FOLDS) > _MAX_FOLDS:
                del _FOLDS[next(iter(_FOLDS))]
        return n

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        answer = mirror(seen, view, p.deadline_days, p.rule)
        if not hostile(seen):
            return (answer,) if answer is not None else ()
        n = self.punishment(history)
        if answer is None or n == 0:
            return ()
        calm = ActSpec(kind="statement", note=f"offers calm after answering hostile act {n} with {n} acts")
        return (*([answer] * n), *([calm] * p.calm))
