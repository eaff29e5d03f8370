"""The documented 2016-2022 log against its data file, and the history scenario that replays it."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from sim.core.working import fold
from sim.engine.loop import simulate
from sim.scenario.documented import SeedsLog, load_seeds
from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "seeds" / "us-russia-2016-2022.yaml"
SCENARIO = ROOT / "scenarios" / "history-2016-2022.yaml"
CSV = ROOT / "seeds" / "sources" / "us_russia_actions_2016_2022.csv"
URL = re.compile(r"https?://\S+")
#: An act is one row of the data file, or one part of a row split by post (A10n, A10u: the
#: row's id and a lowercase letter).
PART = re.compile(r"^(A\d+)([a-z]?)$")


def row_id(act_id: str | None) -> str:
    match = PART.match(act_id or "")
    assert match, f"{act_id!r} is not a row id or a part of one"
    return match[1]


@pytest.fixture(scope="module")
def log() -> SeedsLog:
    return load_seeds(LOG)


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, str]]:
    with open(CSV, newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def _full_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def test_log_validates_and_is_in_date_order(log: SeedsLog) -> None:
    assert log.sides == ("US", "RU")
    dates = [act.date for act in log.acts]
    assert dates == sorted(dates)


def test_one_act_per_csv_row_or_per_post_of_a_split_row(
    log: SeedsLog, rows: dict[str, dict[str, str]]
) -> None:
    ids = [act.id for act in log.acts]
    assert len(ids) == len(set(ids))
    assert {row_id(i) for i in ids} == set(rows)
    parts = [act for act in log.acts if act.id != row_id(act.id)]
    assert parts, "A10 and A12 are split by post"
    for part in parts:
        assert part.posts and part.resolution, f"{part.id}: a part names its post and says why"


def test_every_answer_refers_to_an_earlier_act(log: SeedsLog) -> None:
    seen: dict[str, dt.date] = {}
    for act in log.acts:
        for answered in act.in_response_to:
            assert answered in seen, f"{act.id} answers {answered}, which is not earlier in the log"
            assert seen[answered] <= act.date
        assert act.id is not None
        seen[act.id] = act.date


def test_answers_are_the_csv_links(log: SeedsLog, rows: dict[str, dict[str, str]]) -> None:
    for act in log.acts:
        wanted = {a for a in rows[row_id(act.id)]["in_response_to"].split(";") if a}  # type: ignore[index]
        assert set(act.in_response_to) == wanted, act.id


def test_every_source_is_the_csv_url(log: SeedsLog, rows: dict[str, dict[str, str]]) -> None:
    for act in log.acts:
        urls = URL.findall(act.source)
        assert urls == [rows[row_id(act.id)]["source_url"]], act.id  # type: ignore[index]


def test_actors_and_dates_follow_the_csv(log: SeedsLog, rows: dict[str, dict[str, str]]) -> None:
    """Exact dates and deadlines are kept; anything else says how it was resolved."""
    for act in log.acts:
        row = rows[row_id(act.id)]
        assert act.actor == row["actor"], act.id
        date = _full_date(row["date"])
        if date is None:  # a month without a day
            assert act.date.isoformat().startswith(row["date"]), act.id
            assert act.resolution, f"{act.id}: a vague date needs a resolution"
        else:
            assert act.date == date, act.id
        deadline = _full_date(row["deadline"])
        if deadline is not None and act.deadline != deadline:
            assert act.resolution, f"{act.id}: a changed deadline needs a resolution"
        if row["deadline"] and deadline is None:  # a month without a day
            assert act.deadline is not None and act.deadline.isoformat().startswith(row["deadline"])
            assert act.resolution, act.id


def test_sizes_follow_the_csv(log: SeedsLog, rows: dict[str, dict[str, str]]) -> None:
    """Expulsions keep the CSV's count unless a resolution says why not; the cap is 455."""
    for act in log.acts:
        row = rows[row_id(act.id)]
        if act.kind == "expel" and row["count"] != str(act.size) and act.posts is None:
            assert act.resolution, f"{act.id}: size {act.size} differs from the CSV's {row['count']!r}"
        if act.kind == "expel" and act.posts and row["count"]:
            parts = [a for a in log.acts if row_id(a.id) == row_id(act.id) and a.kind == "expel"]
            assert sum(a.size for a in parts) == int(row["count"]) or act.resolution, act.id
        if act.kind == "cap":
            assert act.size == int(row["cap"])
        if act.kind == "rotation_limit":
            assert act.size == int(row["limit_days"])


def test_history_scenario_runs_and_keeps_the_cap() -> None:
    scenario = load_scenario(SCENARIO)
    assert scenario.start == dt.date(2016, 12, 1)
    assert scenario.prelude_log is not None and len(scenario.prelude_log.acts) == 47  # 44 rows, 2 split
    engine = simulate(scenario)
    assert fold(engine.log) == engine.state
    day = scenario.day_of(dt.date(2017, 9, 2))
    state = fold(event for event in engine.log if event.day <= day)
    assert state.mission("US").headcount <= 455
    start = fold(event for event in engine.log if event.day == 0)
    assert start.mission("US").headcount == 301 + 934
    assert start.mission("RU").headcount == 490


def test_a_log_rewritten_within_one_timestamp_tick_is_read_again(tmp_path: Path) -> None:
    """The parsed-log cache is keyed by content: same size, same modification time, new text."""
    import os

    from sim.scenario.documented import load_seeds

    source = ROOT / "seeds" / "us-russia-2021-12.yaml"
    path = tmp_path / "log.yaml"
    text = source.read_text()
    path.write_text(text)
    first = load_seeds(path)
    stamp = path.stat().st_mtime_ns
    changed = text.replace(first.title, first.title[::-1], 1)
    assert len(changed) == len(text) and changed != text
    path.write_text(changed)
    os.utime(path, ns=(stamp, stamp))
    assert load_seeds(path).title == first.title[::-1]
