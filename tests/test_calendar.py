"""The calendar's contract: a day's items run in int order (phase, side slot, key, mission),
work queued for today joins today's order, an item queued twice runs once until it has run,
nothing runs after the horizon, and work for a day gone by is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.engine.calendar import ACT, STAFF, TOUR, VISA, Calendar, item


def _recorder(calendar: Calendar, then: dict[int, list[tuple[int, int]]] | None = None):
    ran: list[tuple[int, int, int, int]] = []

    def phase(number: int):
        def work(key: int, mission: int) -> None:
            ran.append((calendar.today, number, key, mission))
            for day, queued in (then or {}).pop((number, key), []):
                calendar.at(day, queued)

        return work

    return ran, [phase(n) for n in range(STAFF + 1)]


def test_a_day_runs_in_item_order_and_days_in_day_order() -> None:
    calendar = Calendar(horizon=10)
    for day, work in [(3, item(STAFF, 0, 0, 1)), (3, item(TOUR, 1, 7, 0)), (1, item(VISA, 0, 0, 0)),
                      (3, item(TOUR, 0, 9, 1)), (3, item(ACT, -1, 2, 0))]:  # fmt: skip
        calendar.at(day, work)
    ran, work = _recorder(calendar)
    calendar.run(work, None)
    assert ran == [(1, VISA, 0, 0), (3, ACT, 2, 0), (3, TOUR, 9, 1), (3, TOUR, 7, 0), (3, STAFF, 0, 1)]


def test_work_queued_for_today_joins_todays_order_once() -> None:
    calendar = Calendar(horizon=10)
    review = item(STAFF, 0, 0, 0)
    calendar.at(2, item(TOUR, 0, 1, 0))
    calendar.at(2, item(TOUR, 0, 2, 0))
    # Each tour end queues the same review today; it runs once, after both, then may run again.
    then = {(TOUR, 1): [(2, review)], (TOUR, 2): [(2, review)], (STAFF, 0): [(2, review)]}
    ran, work = _recorder(calendar, then)
    calendar.run(work, None)
    assert ran == [(2, TOUR, 1, 0), (2, TOUR, 2, 0), (2, STAFF, 0, 0), (2, STAFF, 0, 0)]


def test_nothing_after_the_horizon_and_nothing_in_the_past() -> None:
    calendar = Calendar(horizon=5)
    calendar.at(6, item(TOUR, 0, 1, 0))
    calendar.at(4, item(TOUR, 0, 2, 0))
    ran, work = _recorder(calendar, {(TOUR, 2): [(3, item(VISA, 0, 0, 0))]})
    with pytest.raises(ValueError, match="before today"):
        calendar.run(work, None)
    assert ran == [(4, TOUR, 2, 0)]


def test_a_calendar_starts_on_its_day() -> None:
    calendar = Calendar(horizon=5, today=3)
    with pytest.raises(ValueError, match="before today"):
        calendar.at(2, item(TOUR, 0, 1, 0))
    calendar.at(3, item(TOUR, 0, 1, 0))
    days: list[int] = []
    ran, work = _recorder(calendar)
    calendar.run(work, days.append)
    assert ran == [(3, TOUR, 1, 0)] and days == [3]


_ITEMS = st.tuples(st.integers(0, 12), st.builds(item, st.integers(ACT, STAFF), st.integers(-1, 1),
                                                 st.integers(0, 5), st.integers(0, 2)))  # fmt: skip


@given(before=st.lists(_ITEMS, max_size=12), during=st.lists(_ITEMS, max_size=12))
def test_queueing_many_at_once_is_queueing_each(
    before: list[tuple[int, int]], during: list[tuple[int, int]]
) -> None:
    """``at_all`` runs exactly what ``at`` for each item would, before the run and while it
    runs (items for the running day join its heap; a day gone by is refused either way)."""

    def outcome(bulk: bool) -> tuple[list[tuple[int, int, int, int]], str | None]:
        calendar = Calendar(horizon=10)
        queue = calendar.at_all if bulk else lambda pairs: [calendar.at(d, w) for d, w in pairs]
        queue(before)
        calendar.at(4, item(ACT, -1, 0, 0))
        ran, work = _recorder(calendar)
        first_act, done = work[ACT], []

        def act(key: int, mission: int) -> None:  # the day-4 act queues ``during``, once
            first_act(key, mission)
            if calendar.today == 4 and not done:
                done.append(True)
                queue(during)

        work[ACT] = act
        try:
            calendar.run(work, None)
        except ValueError as exc:
            return ran, str(exc)
        return ran, None

    assert outcome(bulk=True) == outcome(bulk=False)
