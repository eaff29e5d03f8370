"""The escalation graph: nodes and edges from the log's cause links, chains and depth, every
output format, bad input, and a layout that stays readable for thirty states."""

from __future__ import annotations

import json
import random
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
import pytest

from sim.analysis.graph import build_graph, chains, to_dot, to_graphml, to_json
from sim.analysis.graph_draw import draw_graph
from sim.analysis.placement import drawn_texts, overlapping_pairs
from sim.core import events as ev
from tests.helpers import bundled_run
from tests.report_helpers import ROOT, run_into, sim

SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"
HISTORY = ROOT / "scenarios" / "history-2016-2022.yaml"


def test_a_spiral_is_one_chain_whose_depth_grows_each_round() -> None:
    engine = bundled_run(SPIRAL)
    graph = build_graph(engine.log, engine.scenario.start)
    acts = [e for e in engine.log if e.IS_ACT]
    assert graph.number_of_nodes() == len(acts)
    assert all(graph.has_edge(e.cause, e.seq) for e in acts if e.cause is not None)
    (chain,) = chains(graph)
    assert chain.acts == len(acts) and chain.depth == len(acts) - 1
    assert chain.actors == ("A", "B")
    root = graph.nodes[chain.root]
    assert root["source"] == "exogenous" and root["label"] == "expel 5"


def test_documented_and_simulated_acts_are_told_apart() -> None:
    engine = bundled_run(HISTORY)
    graph = build_graph(engine.log, engine.scenario.start)
    sources = {d["source"] for _, d in graph.nodes(data=True)}
    assert sources == {"documented"}
    documented = [d for _, d in graph.nodes(data=True) if d["reference"]]
    assert len(documented) == 47 and all(d["act_id"] for d in documented)  # 44 rows, A10 and A12 split
    dot = to_dot(graph)
    assert "shape=box" in dot and dot.startswith("digraph escalation {")
    spiral = to_dot(build_graph(bundled_run(SPIRAL).log, bundled_run(SPIRAL).scenario.start))
    assert "shape=ellipse" in spiral and "shape=diamond" in spiral


@pytest.mark.parametrize("scale", [1.0, 2.5])
def test_the_drawing_has_no_overlapping_labels(scale: float) -> None:
    from sim.analysis.figure_style import FigureOptions

    engine = bundled_run(HISTORY)
    fig = draw_graph(
        build_graph(engine.log, engine.scenario.start), [], "history", FigureOptions(font_scale=scale)
    )
    try:
        fig.canvas.draw()
        assert not overlapping_pairs(drawn_texts(fig), fig.canvas.get_renderer())
        width, height = fig.canvas.get_width_height()
        for text in drawn_texts(fig):
            box = text.get_window_extent(fig.canvas.get_renderer())
            assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, (
                text.get_text()
            )
    finally:
        plt.close(fig)


def test_json_and_graphml_round_trip() -> None:
    engine = bundled_run(SPIRAL)
    graph = build_graph(engine.log, engine.scenario.start)
    data = json.loads(to_json(graph))
    assert len(data["nodes"]) == graph.number_of_nodes() and len(data["edges"]) == graph.number_of_edges()
    assert data["chains"][0]["depth"] == graph.number_of_nodes() - 1
    back = nx.parse_graphml(to_graphml(graph), node_type=int)
    assert sorted(back.edges()) == sorted(graph.edges())
    assert back.nodes[min(back)]["kind"] == "expel"


def synthetic_wave(states: int = 30, acts: int = 2400, seed: int = 7) -> list[ev.Event]:
    """A made-up wave of expulsions among ``states`` states (the 2018 wave's shape: one
    opening act, then answers among many pairs), for the layout's scaling only."""
    rng = random.Random(seed)
    names = [f"S{i:02d}" for i in range(states)]
    log: list[ev.Event] = []
    for seq in range(acts):
        day = seq // 8
        cause = rng.randrange(max(seq - 40, 0), seq) if seq else None
        actor = log[cause].target if cause is not None else names[0]
        target = (
            rng.choice([n for n in names if n != actor])
            if cause is None or rng.random() < 0.3
            else log[cause].actor
        )
        log.append(
            ev.ExpulsionOrdered(
                seq=seq, day=day, actor=actor, target=target, cause=cause, count=rng.randint(1, 60),
                roles=("diplomat",), rule="newest", deadline=day + 7,
                source="documented" if seq < 60 else "simulated", reference="synthetic" if seq < 60 else None,
            )
        )  # fmt: skip
    return log


def test_the_layout_scales_to_thirty_states(tmp_path: Path) -> None:
    import datetime as dt

    log = synthetic_wave()
    began = time.perf_counter()
    graph = build_graph(log, dt.date(2018, 3, 4))
    fig = draw_graph(graph, [tmp_path / "wave.svg"], "synthetic 30-state wave")
    took = time.perf_counter() - began
    try:
        fig.canvas.draw()
        texts = drawn_texts(fig)
        assert not overlapping_pairs(texts, fig.canvas.get_renderer())
        rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert len(rows) == 30 and rows[0] == "S00"
        assert took < 30, f"{took:.1f} s for {len(log)} acts"
    finally:
        plt.close(fig)
    root = ET.parse(tmp_path / "wave.svg").getroot()
    assert list(root.iter("{http://www.w3.org/2000/svg}text"))


@pytest.fixture(scope="module")
def spiral_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_into(tmp_path_factory.mktemp("graph"), "tit-for-tat-spiral")


@pytest.mark.parametrize("fmt", ["svg", "png", "dot", "graphml", "json"])
def test_cli_writes_every_format(spiral_dir: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"g.{fmt}"
    code, stdout, err = sim("graph", spiral_dir, "--format", fmt, "--out", out)
    assert code == 0, err
    acts = sum(e.IS_ACT for e in bundled_run(SPIRAL).log)
    assert out.stat().st_size > 0 and f"{acts} acts, {acts - 1} answers, 1 chain;" in stdout
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_bad_input_is_one_line(spiral_dir: Path, tmp_path: Path) -> None:
    code, _, err = sim("graph", tmp_path / "nowhere")
    assert code == 2 and err.strip() == f"{tmp_path / 'nowhere'}: no such run directory"
    code, _, err = sim("graph", spiral_dir, "--format", "gif")
    assert code == 2 and err.strip().startswith("--format: 'gif' is not one of")
    broken = tmp_path / "broken"
    shutil.copytree(spiral_dir, broken)
    (broken / "events.sqlite").write_bytes(b"not a database at all" * 100)
    code, _, err = sim("graph", broken)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not a readable event store" in err


def test_a_false_alarm_is_a_node_so_no_answer_hangs_from_nothing() -> None:
    engine = bundled_run(ROOT / "scenarios" / "generous-under-noise.yaml")
    graph = build_graph(engine.log, engine.scenario.start)
    alarms = [n for n, d in graph.nodes(data=True) if d["kind"] == "false_alarm"]
    assert alarms and all(graph.out_degree(n) >= 1 for n in alarms)
    assert all(type(engine.log[n]) is ev.StaffDeparted for n in alarms)
    acts = [e for e in engine.log if e.IS_ACT]
    assert all(graph.has_edge(e.cause, e.seq) for e in acts if e.cause is not None)
