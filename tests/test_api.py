"""``sim.api``: the one-module Python API of docs/api.md (whose examples run in
tests/test_docs_examples.py); here, what each function promises."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sim import api
from sim.engine.loop import simulate as engine_simulate
from sim.store.sqlite import log_digest

ROOT = Path(__file__).resolve().parent.parent
SEED_REPORT = ROOT / "scenarios" / "rotation-rule-2021.yaml"
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"


@pytest.fixture(scope="module")
def run() -> api.Run:
    return api.simulate(api.load(SEED_REPORT))


def test_simulate_is_the_engines_run(run: api.Run) -> None:
    engine = engine_simulate(api.load(SEED_REPORT))
    assert log_digest(run.log) == log_digest(engine.log)
    assert api.simulate(SEED_REPORT, seed=5).scenario.seed == 5
    with pytest.raises(ValueError, match="seed: -1 is not between"):
        api.simulate(SEED_REPORT, seed=-1)


def test_staffing_is_one_row_per_day_with_a_date_index(run: api.Run) -> None:
    staffing = run.staffing
    assert isinstance(staffing.index, pd.DatetimeIndex) and staffing.index.name == "date"
    assert staffing.index[0] == pd.Timestamp("2020-12-01") and staffing.index[-1] == pd.Timestamp(
        "2025-12-31"
    )
    assert len(staffing) == run.scenario.horizon + 1 and list(staffing.columns) == ["US", "RU"]
    assert staffing.loc["2021-12-01", "US"] == 124  # the seed report's "about 120"
    assert (run.roles.T.groupby(level="mission").sum().T[["US", "RU"]] == staffing).all().all()
    metrics = run.metrics
    assert metrics.loc["US", "end"] == staffing["US"].iloc[-1]


def test_events_have_their_payload_decoded_into_columns(run: api.Run) -> None:
    events = run.events
    assert isinstance(events.index, pd.DatetimeIndex) and len(events) == len(run.log)
    arrivals = events[events["type"] == "StaffArrived"]
    assert {"role", "post", "tour_end"} <= set(events.columns)
    assert arrivals["role"].notna().all() and set(arrivals["role"]) <= {
        "diplomat",
        "admin_technical",
        "local",
    }
    assert events["cause"].dtype == "Int64"


def test_acts_are_every_act_with_what_it_answers(run: api.Run) -> None:
    acts = run.acts
    assert len(acts) == sum(1 for e in run.log if e.IS_ACT)
    assert isinstance(acts.index, pd.DatetimeIndex) and set(acts["source"]) == {"documented"}
    assert "A42" in set(acts["act_id"]) and acts["hostile"].dtype == bool
    spiral = api.simulate(SPIRAL).acts
    answers = spiral.dropna(subset=["answers"])
    assert len(answers) and set(answers["answers"]) <= set(spiral["seq"])  # answers name acts


def test_change_takes_dotted_paths_or_nested_dicts(run: api.Run) -> None:
    scenario = run.scenario
    dotted = api.change(scenario, {"sides.RU.policy.kind": "tit_for_tat", "sides.RU.policy.delay_days": 3})
    nested = api.change(scenario, {"sides": {"RU": {"policy": {"kind": "tit_for_tat", "delay_days": 3}}}})
    assert dotted.sha256() == nested.sha256() != scenario.sha256()
    assert dotted.sides[1].policy.delay_days == 3 and dotted.prelude_log is scenario.prelude_log
    assert api.change(scenario, end="2024-12-31").end == dt.date(2024, 12, 31)
    assert api.change(scenario) is scenario


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sides.XX.policy.kind": "tit_for_tat"}, "sides.XX.policy.kind: no side named 'XX'"),
        ({"sides.RU.visas.processing_day": [1, 2]}, "did you mean 'processing_days'"),
        ({"sides.RU.policy.kind": "tit_for_tatt"}, "did you mean 'tit_for_tat'"),
        ({"seed": 3}, "seed: each run's seed"),
    ],
)
def test_a_bad_change_is_a_value_error_of_one_line(run: api.Run, changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        api.change(run.scenario, changes)
    assert "\n" not in str(caught.value) and "--grid" not in str(caught.value)


def test_fork_keeps_everything_before_the_date(run: api.Run) -> None:
    what_if = run.fork("2021-12-02", {"sides.US.visas.processing_days": [30, 90]})
    day = run.scenario.day_of(dt.date(2021, 12, 2))
    assert [e for e in what_if.log if e.day < day] == [e for e in run.log if e.day < day]
    assert what_if.staffing.loc[:"2021-12-01"].equals(run.staffing.loc[:"2021-12-01"])
    assert what_if.staffing.loc["2025-12-31", "US"] > run.staffing.loc["2025-12-31", "US"]
    unchanged = api.fork(run, dt.date(2022, 6, 1))
    assert log_digest(unchanged.log) == log_digest(run.log)  # property 7: an exact fork
    with pytest.raises(ValueError, match="at: 2019-01-01 is not after the start"):
        run.fork("2019-01-01")
    with pytest.raises(ValueError, match="is not a date"):
        run.fork("soon")


def test_compare_puts_runs_side_by_side_with_differences(run: api.Run) -> None:
    what_if = run.fork("2021-12-02", {"sides.US.visas.processing_days": [30, 90]})
    table = api.compare(run, what_if, labels=["base", "fast visas"], at=["2021-12-01", "2025-12-31"])
    assert list(table.index) == [pd.Timestamp("2021-12-01"), pd.Timestamp("2025-12-31")]
    us = table["US"]
    assert list(us.columns) == ["base", "fast visas", "fast visas - base"]
    assert (us["fast visas - base"] == us["fast visas"] - us["base"]).all()
    assert us.loc["2021-12-01", "fast visas - base"] == 0
    with pytest.raises(ValueError, match="at least two runs"):
        api.compare(run)


def test_sweep_returns_runs_staffing_and_summary(tmp_path: Path) -> None:
    result = api.sweep(SPIRAL, {"sides.B.policy.delay_days": [1, 30]}, seeds=2, seed=1)
    assert len(result.results) == 4 and set(result.results["sides.B.policy.delay_days"]) == {1, 30}
    assert isinstance(result.staffing.index, pd.DatetimeIndex)
    assert result.staffing.index.is_monotonic_increasing and result.staffing.index[0] == pd.Timestamp(
        "2022-01-01"
    )
    assert len(result.summary) == 2
    kept = api.sweep(SPIRAL, {"sides.B.policy.delay_days": [1, 30]}, seeds=2, seed=1, out=tmp_path / "s")
    pd.testing.assert_frame_equal(kept.results, result.results)
    assert (tmp_path / "s" / "results.parquet").exists() and (tmp_path / "s" / "fan.png").exists()
    with pytest.raises(ValueError, match="no field 'nope'"):
        api.sweep(SPIRAL, {"sides.B.nope": [1]})


def test_tournaments_moran_and_game() -> None:
    ranking = api.tournament(["tit_for_tat", "always_hostile", "never_respond"], repetitions=2).ranking
    assert ranking["policy"].iloc[0] == "always_hostile"  # it exploits never_respond
    model = api.model_tournament(SPIRAL, ["tit_for_tat", "never_respond"], seeds=1)
    assert set(model.ranking["policy"]) == {"never_respond", "tit_for_tat"} and len(model.games) == 8
    fixation = api.moran(["3*tit_for_tat", "3*always_hostile"], repetitions=50).fixation
    assert fixation["fixations"].sum() == 50
    rounds = api.game("tit_for_tat", "always_hostile", rounds=3)
    assert rounds.to_dict("list") == {
        "hostile_a": [False, True, True], "hostile_b": [True, True, True],
        "payoff_a": [0.0, 1.0, 1.0], "payoff_b": [5.0, 1.0, 1.0],
    }  # fmt: skip


def test_score_responses_and_fit_are_the_commands_frames_and_records(tmp_path: Path) -> None:
    """``api.score`` is ``sim score --json``'s rows by date; ``api.responses`` the table of
    ``sim responses``; ``api.fit`` the record of ``sim fit --json``, with one-line errors."""
    import json

    from tests.cli_runner import sim_inline

    scored = api.score("scenarios/czech-russia-2021.yaml", seeds=2)
    cli = json.loads(sim_inline("score", "scenarios/czech-russia-2021.yaml", "--seeds", "2", "--json").stdout)
    assert scored["median"].tolist() == [row["median"] for row in cli["rows"]]
    assert list(scored.index.strftime("%Y-%m-%d")) == [row["date"] for row in cli["rows"]]
    episodes = sorted(Path("seeds/episodes").glob("*.yaml"))
    table = api.responses(episodes)
    assert len(table) > 0 and {"episode", "actor", "target", "kind", "size"} <= set(table.columns)
    record = api.fit(episodes, ["mirror_offset"])
    cli = json.loads(sim_inline("fit", *episodes, "--policy", "mirror_offset", "--json").stdout)
    assert record == cli
    with pytest.raises(ValueError, match=r"^'nope' is not a family sim fit knows"):
        api.fit(episodes, ["nope"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nsides: [A, B]\nacts: [{}]\n")
    with pytest.raises(ValueError, match=r"bad\.yaml"):
        api.responses([bad])
    with pytest.raises(ValueError, match="no documented observations"):
        api.score("scenarios/baseline.yaml")
