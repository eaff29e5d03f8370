"""The act-response table: answers linked by id and by coalition, several answers and joint
answers as rows, the window, and ``sim responses`` in its formats and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.fitting.table import load_table
from tests.cli_runner import sim_inline

LOG = """\
title: "Diplomatic expulsions, episode toy (test)"
sides: [A, B, C]
coalitions:
  wave: {leader: A}
acts:
  - {id: a1, date: 2020-01-01, actor: A, target: B, kind: expel, size: 3, coalition: wave, source: s}
  - {id: c1, date: 2020-01-02, actor: C, target: B, kind: expel, size: 2, coalition: wave, source: s}
  - {id: b1, date: 2020-01-05, actor: B, target: A, kind: expel, size: 3, in_response_to: [a1], source: s}
  - {id: b2, date: 2020-01-06, actor: B, target: A, kind: close_post,post: x,in_response_to: [a1], source: s}
  - {id: b3, date: 2020-01-09, actor: B, target: C, kind: expel, size: 2, in_response_to: [wave], source: s}
  - {id: a2, date: 2020-02-01, actor: A, target: B, kind: expel, size: 1, source: s}
  - {id: b4, date: 2020-09-01, actor: B, target: A, kind: expel, size: 1, in_response_to: [a2], source: s}
"""


def _log(tmp_path: Path, text: str = LOG, name: str = "toy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_rows_follow_the_documented_rules(tmp_path: Path) -> None:
    rows = {(r.act_id, r.answer_id): r for r in load_table([_log(tmp_path)], window=90).rows}
    # a1 answered twice: one row per answer; the coalition id answers both of its acts
    assert rows[("a1", "b1")].answers == 3 and rows[("a1", "b2")].delay_days == 5
    assert rows[("a1", "b3")].answer_shares == 2 and rows[("c1", "b3")].answer_shares == 2
    assert rows[("c1", "b3")].follower and rows[("c1", "b3")].coalition_size == 2
    assert not rows[("a1", "b1")].follower and rows[("a1", "b1")].leader == "A"
    # b4 is 213 days late: a2 is unanswered within the window; B's own acts could be answered
    assert rows[("a2", None)].answers == 0
    assert ("b1", None) in rows and rows[("b1", None)].actor_mission_size is None
    assert ("a2", "b4") in {(r.act_id, r.answer_id) for r in load_table([_log(tmp_path)], 365).rows}


def test_digest_names_the_data_not_the_file(tmp_path: Path) -> None:
    one = load_table([_log(tmp_path)]).digest
    assert one == load_table([_log(tmp_path, name="other.yaml")]).digest
    assert one != load_table([_log(tmp_path)], window=10).digest


def test_cli_formats(tmp_path: Path) -> None:
    log = _log(tmp_path)
    printed = sim_inline("responses", log)
    assert printed.code == 0 and "a1" in printed.stdout
    assert sim_inline("responses", log, "--csv", "--out", tmp_path / "t.csv").code == 0
    assert sim_inline("responses", log, "--parquet", "--out", tmp_path / "t.parquet").code == 0
    csv = pd.read_csv(tmp_path / "t.csv")
    assert list(csv.columns) == list(pd.read_parquet(tmp_path / "t.parquet").columns)
    assert len(csv) == 9


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    log = _log(tmp_path)
    bad = _log(tmp_path, LOG.replace("in_response_to: [a1]", "in_response_to: [zz]", 1), "bad.yaml")
    for args in (
        (bad,),
        (log, _log(tmp_path, name="again.yaml")),
        (log, "--parquet"),
        (log, "--csv", "--parquet", "--out", tmp_path / "x"),
        (log, "--window", "soon"),
        (tmp_path / "missing.yaml",),
    ):
        outcome = sim_inline("responses", *args)
        outcome.assert_no_traceback()
        assert outcome.code == 2 and len(outcome.stderr.strip().splitlines()) == 1, (args, outcome.stderr)


def test_a_scenario_supplies_both_missions_sizes() -> None:
    root = Path(__file__).resolve().parent.parent
    outcome = sim_inline(
        "responses",
        root / "seeds/episodes/skripal_2018.yaml",
        "--scenario",
        root / "scenarios/salisbury-2018.yaml",
        "--json",
    )
    assert outcome.code == 0, outcome.stderr
    import json

    rows = json.loads(outcome.stdout)
    first = next(r for r in rows if r["act_id"] == "SKR18-001")
    assert first["actor_mission_size"] > 0 and first["target_mission_size"] > 0
    wrong = sim_inline(
        "responses", root / "seeds/episodes/skripal_2018.yaml", "--scenario", root / "nope.yaml"
    )
    assert wrong.code == 2 and len(wrong.stderr.strip().splitlines()) == 1
