"""``sim score``: documented figures with a scope, against simulated staffing in that scope.

The scoped values are checked against hand-built logs (example tables) and, for the unscoped
count, against the fold's own headcounts on generated scenarios (a property); a target is
never given an error nor averaged into the MAPE.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from pydantic import ValidationError
from typer.testing import CliRunner

from sim.analysis.score import Scope, ScoreRow, score_logs, simulated_values
from sim.cli.main import app
from sim.core import events as ev
from sim.core.dated_acts import Observation
from sim.core.state import headcounts
from sim.engine.loop import simulate
from sim.scenario.documented import load_seeds
from sim.testing import scenarios

ROOT = Path(__file__).resolve().parent.parent
START = dt.date(2020, 1, 1)


def obs(**fields: object) -> Observation:
    base: dict[str, object] = {"date": "2020-01-10", "mission": "A", "headcount": 1, "source": "test"}
    return Observation.model_validate({**base, **fields})


def _log() -> list[ev.Event]:
    """A at B: two posts; a diplomat moves, locals and a diplomat leave for different reasons."""
    common = {"actor": "A", "target": "B"}
    opened = ev.MissionOpened(
        seq=0, day=0, **common, posts=("embassy", "consulate"), targets=(), visa_policy="issue", visa_credit=0
    )
    log: list[ev.Event] = [opened]

    def add(cls: type, day: int, **fields: object) -> int:
        log.append(cls(seq=len(log), day=day, **common, **fields))
        return len(log) - 1

    arrive = {"arrived": 0, "tour_end": 900, "request": None}
    d1 = add(ev.StaffArrived, 0, role="diplomat", post="embassy", **arrive)
    d2 = add(ev.StaffArrived, 0, role="diplomat", post="consulate", **arrive)
    l1 = add(ev.StaffArrived, 0, role="local", post="consulate", **arrive)
    l2 = add(ev.StaffArrived, 0, role="local", post="embassy", **arrive)
    add(ev.StaffReassigned, 3, person=d2, post="embassy")
    add(ev.StaffDeparted, 5, person=l1, reason="post_closed")
    add(ev.StaffDeparted, 6, person=d1, reason="expelled")
    add(ev.StaffDeparted, 8, person=l2, reason="local_hire_ban")
    return log


def _values(*figures: Observation) -> list[int | None]:
    scopes = [
        Scope(
            "A",
            "B",
            frozenset(o.posts) if o.posts else None,
            frozenset(o.roles) if o.roles else None,
            frozenset(o.reasons) if o.reasons else None,
        )
        for o in figures
    ]
    return simulated_values(_log(), START, figures, scopes)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"date": "2020-01-01"}, 4),
        ({"date": "2020-01-01", "posts": ["consulate"]}, 2),
        ({"date": "2020-01-04", "posts": ["consulate"]}, 1),  # the diplomat moved on day 3
        ({"date": "2020-01-04", "posts": ["embassy"], "roles": ["diplomat"]}, 2),
        ({"date": "2020-01-06", "roles": ["local"]}, 1),
        ({"date": "2020-01-09"}, 1),
        ({"date": "2020-01-09", "kind": "at_most"}, 1),
        ({"date": "2020-01-09", "kind": "flow", "since": "2020-01-01"}, 3),
        ({"date": "2020-01-07", "kind": "flow", "since": "2020-01-07"}, 1),
        ({"date": "2020-01-09", "kind": "flow", "since": "2020-01-01", "roles": ["local"]}, 2),
        ({"date": "2020-01-09", "kind": "flow", "since": "2020-01-01", "reasons": ["expelled"]}, 1),
        # the expelled diplomat had left the embassy; the reassigned one counts at the embassy
        ({"date": "2020-01-09", "kind": "flow", "since": "2020-01-01", "posts": ["consulate"]}, 1),
        ({"date": "2020-03-01"}, None),  # after the log's last day
    ],
)
def test_a_figure_is_compared_with_its_own_scope(fields: dict[str, object], expected: int | None) -> None:
    assert _values(obs(**fields)) == [expected]


def test_figures_in_any_order_get_their_own_values() -> None:
    late, early = obs(date="2020-01-09"), obs(date="2020-01-01", posts=["embassy"])
    assert _values(late, early) == [1, 2]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "flow"}, "since"),
        ({"since": "2020-01-01"}, "since"),
        ({"kind": "flow", "since": "2020-02-01"}, "since"),
        ({"reasons": ["expelled"]}, "reasons"),
        ({"posts": ["embassy", "embassy"]}, "posts"),
        ({"roles": []}, "roles"),
        ({"kind": "estimate"}, "kind"),
    ],
)
def test_a_bad_scope_is_an_error_naming_its_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        obs(**fields)
    assert field in str(caught.value)


def test_defaults_keep_a_figure_without_a_scope_a_count_of_everyone() -> None:
    figure = obs()
    assert (figure.kind, figure.posts, figure.roles, figure.since, figure.reasons) == ("count",) + (None,) * 4
    assert figure.scope() == "all posts; all roles"
    log = load_seeds(ROOT / "seeds" / "us-russia-2021-12.yaml")
    assert all(o.kind == "count" for o in log.observations)


def test_a_target_is_never_scored_as_a_count() -> None:
    """A cap met with room to spare has no error and stays out of the MAPE; counts do not."""
    figures = [obs(date="2020-01-09", headcount=2, kind="target"), obs(date="2020-01-09", headcount=2)]
    result = score_logs([_log()], START, figures, [0])
    target, count = result.rows
    assert target.error() is None and target.percent_error() is None
    assert target.satisfied() == 1
    assert count.error() == -1 and count.percent_error() == -50.0
    assert result.mape() == 50.0
    assert result.as_dict()["rows"][0]["error"] is None


@pytest.mark.parametrize(
    ("kind", "figure", "met"),
    [("at_least", 1, 2), ("at_least", 0, 3), ("at_most", 1, 2), ("at_most", 3, 3), ("target", 1, 2)],
)
def test_bounds_count_the_seeds_that_meet_them(kind: str, figure: int, met: int) -> None:
    row = ScoreRow(obs(kind=kind, headcount=figure), values=[0, 1, 2])
    assert row.satisfied() == met
    assert row.error() is None


@settings(max_examples=15, deadline=None)
@given(scenarios(max_days=200, states=(2, 2)))
def test_an_unscoped_count_is_the_folded_headcount(scenario) -> None:  # type: ignore[no-untyped-def]
    """On the run's last day, a figure of every post and role is the state's headcount."""
    engine = simulate(scenario)
    last = scenario.start + dt.timedelta(days=engine.log[-1].day)
    sides = [side.name for side in scenario.sides]
    figures = [obs(date=last.isoformat(), mission=name) for name in sides]
    result = score_logs([engine.log], scenario.start, figures, [scenario.seed])
    counts = headcounts(engine.state)
    assert [row.values for row in result.rows] == [[sum(counts[name].values())] for name in sides]


runner = CliRunner()
HISTORY = ROOT / "scenarios" / "history-2016-2022.yaml"


def _seeds_log(tmp_path: Path, observations: str) -> Path:
    path = tmp_path / "log.yaml"
    path.write_text(f"title: t\nsides: [US, RU]\nobservations:\n{observations}")
    return path


def test_sim_score_json_and_csv(tmp_path: Path) -> None:
    out = tmp_path / "score.csv"
    result = runner.invoke(app, ["score", str(HISTORY), "--seeds", "2", "--json", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seeds"] == [2016, 2017]
    kinds = {row["kind"] for row in data["rows"]}
    assert {"count", "target", "flow"} <= kinds
    target = next(row for row in data["rows"] if row["kind"] == "target")
    assert target["error"] is None and target["satisfied"] is not None
    assert data["mape_counts"] is not None
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["kind"] for row in rows] == [row["kind"] for row in data["rows"]]
    assert rows[0]["posts"] == "" and float(rows[0]["median"]) == data["rows"][0]["median"]


def test_sim_score_table_and_log_option(tmp_path: Path) -> None:
    log = _seeds_log(
        tmp_path,
        "  - {date: 2017-01-02, mission: RU, headcount: 455, posts: [un_mission],"
        " roles: [diplomat], source: s}\n",
    )
    result = runner.invoke(app, ["score", str(HISTORY), "--seeds", "1", "--log", str(log)])
    assert result.exit_code == 0, result.output
    assert "un_mission; diplomat" in result.stdout
    assert "MAPE over counts" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seeds", "0"], "--seeds: 0 is not between 1 and 1000"),
        (["--log", "LOG"], "observations[0].posts: RU has no post 'moon'"),
    ],
)
def test_sim_score_bad_input_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    log = _seeds_log(
        tmp_path, "  - {date: 2017-01-02, mission: RU, headcount: 4, posts: [moon], source: s}\n"
    )
    args = [str(log) if a == "LOG" else a for a in args]
    result = runner.invoke(app, ["score", str(HISTORY), *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.output


def test_a_figure_of_a_post_the_run_lacks_is_placed_in_the_scenario_s_log(tmp_path: Path) -> None:
    seeds, scenarios = tmp_path / "seeds", tmp_path / "scenarios"
    seeds.mkdir()
    scenarios.mkdir()
    (seeds / "log.yaml").write_text(
        "title: t\nsides: [A, B]\nobservations:\n"
        "  - {date: 2020-01-02, mission: B, headcount: 2, posts: [moon], source: s}\n"
    )
    (scenarios / "s.yaml").write_text(
        "start: 2020-01-01\nend: 2020-03-01\nprelude: ../seeds/log.yaml\nsides:\n"
        "  - {name: A, mission: {posts: {embassy: {diplomat: 3}}}}\n"
        "  - {name: B, mission: {posts: {embassy: {diplomat: 2}}}}\n"
    )
    out = tmp_path / "new" / "score.csv"
    result = runner.invoke(app, ["score", str(scenarios / "s.yaml"), "--seeds", "1", "--csv", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(str(scenarios / "../seeds/log.yaml")), lines
    assert "observations[0].posts: B has no post 'moon'" in lines[0]


def test_sim_score_makes_the_csv_folder(tmp_path: Path) -> None:
    out = tmp_path / "new" / "score.csv"
    result = runner.invoke(app, ["score", str(HISTORY), "--seeds", "1", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("date,since,mission")


def test_sim_score_a_scenario_without_figures_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(ROOT / "scenarios" / "baseline.yaml"), "--seeds", "1"])
    assert result.exit_code == 2
    assert "no observations to score" in result.stderr


def test_sim_score_a_run_directory(tmp_path: Path) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        "start: 2020-01-01\nend: 2020-03-01\nseed: 5\nsides:\n"
        "  - {name: A, mission: {posts: {embassy: {diplomat: 3}}}}\n"
        "  - {name: B, mission: {posts: {embassy: {diplomat: 2}}}}\n"
    )
    run_dir = tmp_path / "run"
    made = runner.invoke(app, ["run", str(scenario), "--out", str(run_dir)])
    assert made.exit_code == 0, made.output
    log = tmp_path / "log.yaml"
    log.write_text(
        "title: t\nsides: [A, B]\nobservations:\n"
        "  - {date: 2020-01-02, mission: B, headcount: 2, source: s}\n"
    )
    result = runner.invoke(app, ["score", str(run_dir), "--log", str(log), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seeds"] == [5] and data["rows"][0]["median"] == 2 and data["rows"][0]["error"] == 0
    again = runner.invoke(app, ["score", str(run_dir), "--seeds", "3", "--log", str(log)])
    assert again.exit_code == 2 and "holds one run" in again.stderr
    bare = runner.invoke(app, ["score", str(run_dir)])
    assert bare.exit_code == 2 and "give the observations with --log" in bare.stderr
