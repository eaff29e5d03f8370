"""``win_stay_lose_shift``: keep one's stance after a good outcome, change it after a bad one.

Source: Nowak & Sigmund, "A strategy of win-stay, lose-shift that outperforms tit-for-tat in
the Prisoner's Dilemma game", *Nature* 364 (1993) (Kraines & Kraines' "Pavlov", 1989). The
outcome is bad when the other side's act is hostile (the payoffs S or P), good otherwise
(R or T). This side's stance is hostile when it took a hostile act since the act it perceived
before this one (in the repeated game: its move last round). Then:

====================  ==================  ===============================================
my stance             their act           answer
====================  ==================  ===============================================
calm                  not hostile (R)     stay calm: mirror it (de-escalation in kind)
calm                  hostile (S)         shift: answer it in kind
hostile               not hostile (T)     stay hostile: repeat my last hostile act
hostile               hostile (P)         shift: lift every measure I have in force
====================  ==================  ===============================================

The last row is what makes it "Pavlov": after mutual punishment it offers peace first, and
two such sides correct a mistaken act in two steps instead of echoing it forever.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sim.core.acts import HOSTILE_KINDS, ActSpec
from sim.core.state import Observation
from sim.policies.base import SideView
from sim.policies.common import Reactive, ReactiveParams, hostile, lift_all, perceived
from sim.policies.tit_for_tat import mirror


class WinStayLoseShiftParams(ReactiveParams):
    """Only the shared timing."""


def my_last_hostile(history: Sequence[Observation], view: SideView) -> tuple[int, str, int] | None:
    """My latest hostile act since the act I perceived before the newest one, or ``None``.

    ``view.my_acts`` is in day order, so the scan stops at the first act older than that.
    """
    recent = perceived(history)
    next(recent)
    before = next(recent, None)
    since = before.day if before is not None else -1
    acts = view.my_acts
    for index in range(len(acts) - 1, -1, -1):
        act = acts[index]
        if act[0] < since:
            return None
        if act[1] in HOSTILE_KINDS:
            return act
    return None


class WinStayLoseShift(Reactive[WinStayLoseShiftParams]):
    """Pavlov: repeats its stance after a calm act of the other side, flips it after a hostile one."""

    name = "win_stay_lose_shift"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "escalatory": False,
        "forgiving": True,
    }
    Params = WinStayLoseShiftParams

    def respond(self, history: Sequence[Observation], view: SideView) -> Sequence[ActSpec]:
        seen = history[-1]
        if seen.missed:
            return ()
        p = self.params
        mine = my_last_hostile(history, view)
        if mine is None:  # calm: mirror (answers a hostile act in kind, a calm one in kind)
            answer = mirror(seen, view, p.deadline_days, p.rule)
            return (answer,) if answer is not None else ()
        if hostile(seen):  # mutual punishment: shift to calm
            return tuple(lift_all(view))
        _, kind, size = mine  # they were calm while I hit them: stay, hit again
        again = Observation(-1, view.day, kind, size, (), "", False)
        answer = mirror(again, view, p.deadline_days, p.rule)
        return (answer,) if answer is not None else ()
