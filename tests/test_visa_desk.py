"""The visa desk as tables: which of A's due requests B issues, denies or keeps waiting.

One-for-one counts start on the day the terms change: the ``VisaPolicyChanged`` event carries
both sides' counts at that moment (``issued_to_target``: visas B had issued to A's staff,
``issued_to_actor``: visas A had issued to B's), and only visas after it, issued before
today, buy anything. Each row writes those counts as a log and reads the desk's decisions on
the next day, so an allowance off by one (or counted from the wrong moment) is a failing row.
"""

from __future__ import annotations

import pytest

from sim.core import events as ev
from tests.prefix_logs import FAR, TRAVEL, LogBuilder, continue_log

POSTS = {"embassy": {"diplomat": 9}}


def issue(b: LogBuilder, host: str, sender: str, n: int) -> None:
    """``host`` issues ``n`` visas to ``sender``'s staff (requests made and issued at once)."""
    for _ in range(n):
        rid = b.request(sender, host, "embassy", "diplomat", due=0)
        b.add(ev.VisaIssued, actor=host, target=sender, request=rid, arrives=FAR)


def world(
    before: tuple[int, int] = (0, 0),
    after: tuple[int, int] = (0, 0),
    credit: int = 0,
    due: int = 3,
    policy: str = "one_for_one",
) -> LogBuilder:
    """B applies ``policy`` to A from day 0. ``before``/``after`` the change: (visas A issued to
    B's staff, visas B issued to A's staff). Then A has ``due`` requests due on day 1."""
    b = LogBuilder()
    b.open("A", "B", POSTS)
    b.open("B", "A", POSTS)
    issue(b, "A", "B", before[0])
    issue(b, "B", "A", before[1])
    b.add(
        ev.VisaPolicyChanged,
        actor="B",
        target="A",
        policy=policy,
        credit=credit,
        issued_to_target=before[1],
        issued_to_actor=before[0],
    )
    issue(b, "A", "B", after[0])
    issue(b, "B", "A", after[1])
    for _ in range(due):
        b.request("A", "B", "embassy", "diplomat", due=1)
    return b


def decisions(b: LogBuilder, last_day: int = 1) -> list[str]:
    """B's decisions on A's requests due on day 1 (``#0`` is the oldest), in log order."""
    engine = continue_log(b.events, 1, last_day)
    waiting = [e.seq for e in b.events if isinstance(e, ev.VisaRequested) and e.due == 1 and e.actor == "A"]
    names = {seq: f"#{i}" for i, seq in enumerate(waiting)}
    out = []
    for e in engine.log[len(b.events) :]:
        if isinstance(e, (ev.VisaIssued, ev.VisaDenied)) and e.request in names:
            verb = "issue" if isinstance(e, ev.VisaIssued) else "deny"
            out.append(f"day {e.day} {verb} {names[e.request]}")
    return out


ONE_FOR_ONE = [
    # (before the change, after it, credit, due requests, decisions on day 1)
    ("nothing received: nothing issued", (0, 0), (0, 0), 0, 2, []),
    ("two received, three due", (0, 0), (2, 0), 0, 3, ["issue #0", "issue #1"]),
    ("two received, two due", (0, 0), (2, 0), 0, 2, ["issue #0", "issue #1"]),
    ("one received, one already given back", (0, 0), (2, 1), 0, 3, ["issue #0"]),
    ("credit only", (0, 0), (0, 0), 1, 3, ["issue #0"]),
    ("credit and one received", (0, 0), (1, 0), 2, 4, ["issue #0", "issue #1", "issue #2"]),
    ("visas A issued before the change buy nothing", (3, 0), (1, 0), 0, 3, ["issue #0"]),
    ("visas B issued before the change cost nothing", (0, 2), (1, 0), 0, 3, ["issue #0"]),
    ("both before the change", (2, 3), (2, 1), 0, 3, ["issue #0"]),
]


@pytest.mark.parametrize(
    ("before", "after", "credit", "due", "expected"),
    [r[1:] for r in ONE_FOR_ONE],
    ids=[r[0] for r in ONE_FOR_ONE],
)
def test_one_for_one(
    before: tuple[int, int], after: tuple[int, int], credit: int, due: int, expected: list[str]
) -> None:
    got = decisions(world(before, after, credit, due))
    assert got == [f"day 1 {d}" for d in expected]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("issue", ["issue #0", "issue #1"]), ("deny", ["deny #0", "deny #1"])],
)
def test_issue_and_deny_decide_every_due_request(policy: str, expected: list[str]) -> None:
    assert decisions(world(due=2, policy=policy)) == [f"day 1 {d}" for d in expected]


def test_an_issued_visa_arrives_after_the_travel_days() -> None:
    b = world(due=1, policy="issue")
    engine = continue_log(b.events, 1)
    issued = [e for e in engine.log[len(b.events) :] if isinstance(e, ev.VisaIssued)]
    assert [(e.day, e.arrives) for e in issued] == [(1, 1 + TRAVEL)]


def test_a_request_not_yet_due_waits_and_one_already_issued_is_not_decided_again() -> None:
    b = world(due=0, policy="issue")
    b.request("A", "B", "embassy", "diplomat", due=2)
    rid = b.request("A", "B", "embassy", "diplomat", due=1)
    b.add(ev.VisaIssued, actor="B", target="A", request=rid, arrives=FAR)
    b.request("A", "B", "embassy", "diplomat", due=1)
    engine = continue_log(b.events, 1)
    decided = [
        e.request for e in engine.log[len(b.events) :] if isinstance(e, (ev.VisaIssued, ev.VisaDenied))
    ]
    assert decided == [len(b.events) - 1]


def test_a_visa_issued_today_counts_from_tomorrow() -> None:
    """A issues a visa to B's staff on day 1 (A's terms for B: issue). B's one-for-one desk for
    A's request the same day does not count it (side-neutral: only visas issued before today
    count); the next day it does, and the desk is called again because A issued one."""
    b = world(due=1)
    b.request("B", "A", "embassy", "diplomat", due=1)
    assert decisions(b, last_day=1) == []
    assert decisions(b, last_day=3) == ["day 2 issue #0"]
