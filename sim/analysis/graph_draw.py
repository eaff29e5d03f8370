"""Drawing the escalation graph on a time axis.

Time runs left to right and each actor has a row, so an answer's edge always points forward
and a tit-for-tat echo is a zig-zag between two rows; thirty states are thirty rows, not a
hairball (a force layout would lose the dates, which are the point). Acts of one actor on
one day are stacked a little within its row. Edges are one line collection, so thousands
draw at once; the deepest chain is drawn in colour and named in the legend. Labels are
placed from their rendered extents (:mod:`sim.analysis.placement`), roots and documented acts first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from sim.analysis.figure_style import (
    BLACK,
    BLUE,
    PURPLE,
    VERMILLION,
    FigureOptions,
    date_ticks,
    legend_columns,
    save,
    style,
)
from sim.analysis.graph import chains
from sim.analysis.placement import Placer

#: source -> (marker, face colour, edge colour, legend text)
MARKS: dict[str, tuple[str, str, str, str]] = {
    "documented": ("s", BLACK, BLACK, "documented act (cited source)"),
    "exogenous": ("D", PURPLE, PURPLE, "scripted act (scenario)"),
    "simulated": ("o", "white", VERMILLION, "simulated act (a policy's answer)"),
}
MAX_LABELS = 80


def _positions(graph: nx.DiGraph, actors: Sequence[str]) -> dict[int, tuple[float, float]]:
    row = {actor: -i for i, actor in enumerate(actors)}
    seen: dict[tuple[str, int], int] = {}
    where = {}
    for node, data in sorted(graph.nodes(data=True)):
        key = (data["actor"], data["day"])
        k = seen.get(key, 0)
        seen[key] = k + 1
        x = mdates.date2num(dt.date.fromisoformat(data["date"]))
        where[node] = (x, row[data["actor"]] + 0.16 * (k % 4))
    return where


def _deepest_edges(graph: nx.DiGraph) -> set[tuple[int, int]]:
    """The path from the root of the deepest chain to its deepest act."""
    found = chains(graph)
    if not found or found[0].depth == 0:
        return set()
    root = found[0].root
    members = [n for n, d in graph.nodes(data=True) if d["chain"] == root]
    node = max(members, key=lambda n: (graph.nodes[n]["depth"], -n))
    path = set()
    while graph.in_degree(node):
        parent = next(iter(graph.predecessors(node)))
        path.add((parent, node))
        node = parent
    return path


def _draw_edges(axis: plt.Axes, graph: nx.DiGraph, where: dict[int, tuple[float, float]]) -> int:
    deepest = _deepest_edges(graph)
    plain = [(where[a], where[b]) for a, b in graph.edges() if (a, b) not in deepest]
    axis.add_collection(LineCollection(plain, colors="#888888", linewidths=0.8, alpha=0.6, zorder=2))
    if deepest:
        segments = [(where[a], where[b]) for a, b in deepest]
        axis.add_collection(LineCollection(segments, colors=BLUE, linewidths=2.0, zorder=3))
    return len(deepest)


def _draw_nodes(axis: plt.Axes, graph: nx.DiGraph, where: dict[int, tuple[float, float]]) -> None:
    for source, (marker, face, edge, _) in MARKS.items():
        nodes = [n for n, d in graph.nodes(data=True) if d["source"] == source and d["kind"] != "false_alarm"]
        if nodes:
            xs, ys = zip(*(where[n] for n in nodes), strict=True)
            axis.scatter(
                xs, ys, marker=marker, s=46, facecolors=face, edgecolors=edge, linewidths=1.3, zorder=4
            )
    alarms = [n for n, d in graph.nodes(data=True) if d["kind"] == "false_alarm"]
    if alarms:
        xs, ys = zip(*(where[n] for n in alarms), strict=True)
        axis.scatter(xs, ys, marker="x", s=40, color="#666666", zorder=4)


def _label(axis: plt.Axes, placer: Placer, graph: nx.DiGraph, where: dict[int, tuple[float, float]]) -> int:
    order = sorted(
        (item for item in graph.nodes(data=True) if _worth_a_label(graph, *item)),
        key=lambda item: (item[1]["source"] != "documented", item[1]["depth"] != 0, item[0]),
    )
    per_px = _units_per_px(axis)
    size = plt.rcParams["font.size"] * 0.8
    placed = 0
    for node, data in order[: MAX_LABELS * 3]:
        if placed >= MAX_LABELS:
            break
        x, y = where[node]
        text = axis.text(x, y, data["label"], fontsize=size, va="bottom", zorder=5, color="#222222")
        candidates = [
            ((x + dx * per_px[0], y + dy * per_px[1]), ha)
            for dy in (9, -24, 22)
            for dx, ha in ((10, "left"), (-10, "right"))
        ]
        placed += placer.place(text, candidates, axis) is not None
    return placed


def _worth_a_label(graph: nx.DiGraph, node: int, data: dict) -> bool:
    """Documented acts, roots, the last act of a chain and every answer that differs from
    the act it answers (an escalation or a change of kind); an echo of the same act is not
    labelled again and again."""
    if data["kind"] == "false_alarm":
        return False  # the legend explains the cross
    if data["source"] == "documented" or data["depth"] == 0 or graph.out_degree(node) == 0:
        return True
    parent = next(iter(graph.predecessors(node)))
    return graph.nodes[parent]["label"] != data["label"]


def _units_per_px(axis: plt.Axes) -> tuple[float, float]:
    box = axis.get_window_extent()
    (x0, x1), (y0, y1) = axis.get_xlim(), axis.get_ylim()
    return (x1 - x0) / max(box.width, 1), (y1 - y0) / max(box.height, 1)


def _legend(axis: plt.Axes, graph: nx.DiGraph, deepest: int) -> int:
    """The legend below the drawing; returns its number of rows."""
    sources = {d["source"] for _, d in graph.nodes(data=True)}
    handles, labels = [], []
    for source, (marker, face, edge, text) in MARKS.items():
        if source in sources:
            handles.append(
                Line2D([], [], marker=marker, ls="", markerfacecolor=face, markeredgecolor=edge, ms=8)
            )
            labels.append(text)
    if any(d["kind"] == "false_alarm" for _, d in graph.nodes(data=True)):
        handles.append(Line2D([], [], marker="x", ls="", color="#666666", ms=8))
        labels.append("false alarm (own departure taken for an act)")
    handles.append(Line2D([], [], color="#888888", lw=1))
    labels.append("answer: from the act answered to its answer")
    if deepest:
        found = chains(graph)[0]
        handles.append(Line2D([], [], color=BLUE, lw=2))
        labels.append(f"deepest chain: {found.acts:,} acts, depth {found.depth}")
    columns = legend_columns(plt.rcParams["font.size"] / 12)
    axis.figure.legend(
        handles, labels, loc="lower left", bbox_to_anchor=(0.02, 0.0), ncol=columns, frameon=False
    )
    return -(-len(labels) // columns)


def draw_graph(
    graph: nx.DiGraph, paths: Sequence[Path], title: str, options: FigureOptions | None = None
) -> plt.Figure:
    """Draw and save to each of ``paths``; returns the figure (closed by the caller)."""
    options = options or FigureOptions()
    actors = list(dict.fromkeys(d["actor"] for _, d in sorted(graph.nodes(data=True))))
    height = min(3.2 + (0.42 * max(len(actors), 2) + 1.2 * (options.font_scale - 1)) * options.font_scale, 40)
    with style(options.font_scale):
        fig, axis = plt.subplots(figsize=(12, height))
        where = _positions(graph, actors)
        deepest = _draw_edges(axis, graph, where)
        _draw_nodes(axis, graph, where)
        dates = [dt.date.fromisoformat(d["date"]) for _, d in graph.nodes(data=True)] or [dt.date.today()]
        lo, hi = options.window(min(dates), max(dates))
        pad = dt.timedelta(days=max((hi - lo).days * 0.03, 3))
        axis.set_xlim(lo - pad, hi + pad)
        axis.set_ylim(-len(actors) + 0.4, 0.85)
        axis.set_yticks([-i for i in range(len(actors))], actors)
        axis.tick_params(axis="y", length=0)
        axis.spines["left"].set_visible(False)
        axis.grid(axis="x", alpha=0.3)
        date_ticks(axis, lo - pad, hi + pad)
        axis.set_title(options.title or title, loc="left", fontsize=plt.rcParams["font.size"] * 1.15)
        rows = _legend(axis, graph, deepest)
        fig.subplots_adjust(
            left=0.06 + 0.02 * options.font_scale,
            right=0.98,
            top=1 - 0.55 * options.font_scale / height,
            bottom=(0.55 + 0.3 * rows) * options.font_scale / height,
        )
        fig.canvas.draw()
        placer = Placer(fig.canvas.get_renderer())
        placer.block([*axis.get_xticklabels(), *axis.get_yticklabels(), axis.title])
        placer.block_segments(axis, [(where[a], where[b]) for a, b in graph.edges()])
        for x, y in where.values():
            px, py = axis.transData.transform((x, y))
            placer.block_box(matplotlib.transforms.Bbox.from_extents(px - 4, py - 4, px + 4, py + 4))
        _label(axis, placer, graph, where)
        save(fig, paths, options.dpi)
    return fig
