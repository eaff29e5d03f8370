"""The escalation graph: every act a node, every answer an edge from the act it answered.

The log already holds the graph: an act's ``cause`` is the ``seq`` of the act it answers (a
policy's answer, or a documented act's ``in_response_to``). Nodes carry the actor, the act
in plain words, its size, date and source (documented, exogenous or simulated); a cause
that is no act (a side taking its own diplomat's departure for an expulsion) becomes a
"false alarm" node, so no answer hangs from nothing.

A **chain** is the set of acts reachable from one unanswering act (its root); an act's
**depth** is the number of answers between it and its root. A tit-for-tat echo is one chain
whose depth grows by one every round.

Outputs: Graphviz ``dot``, ``graphml`` (Gephi, yEd, networkx), ``json`` (nodes, edges,
chains) and a drawing (``png``/``svg``, :mod:`sim.analysis.graph_draw`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from sim.analysis.labels import act_size, kind_name, long_label, short_label
from sim.core import events as ev
from sim.core.kinds import is_hostile

FORMATS: tuple[str, ...] = ("svg", "png", "dot", "graphml", "json")


@dataclass(frozen=True)
class Chain:
    root: int
    acts: int
    depth: int
    first: str
    last: str
    actors: tuple[str, ...]


def build_graph(log: Sequence[ev.Event], start: dt.date) -> nx.DiGraph:
    """The acts of ``log`` and their answers, with ``depth`` and ``chain`` on every node."""
    graph = nx.DiGraph()
    by_seq = {e.seq: e for e in log}
    for event in log:
        if not event.IS_ACT:
            continue
        if event.cause is not None and event.cause not in graph:
            _add_cause(graph, by_seq.get(event.cause), event, start)
        _add_act(graph, event, start)
        if event.cause is not None:
            graph.add_edge(event.cause, event.seq)
    for node in sorted(graph):  # causes come before answers in the log
        parents = list(graph.predecessors(node))
        parent = parents[0] if parents else None
        graph.nodes[node]["depth"] = graph.nodes[parent]["depth"] + 1 if parent is not None else 0
        graph.nodes[node]["chain"] = graph.nodes[parent]["chain"] if parent is not None else node
    return graph


def _add_act(graph: nx.DiGraph, event: ev.Event, start: dt.date) -> None:
    from sim.core.acts import describe

    kind, _ = describe(event)
    size = act_size(event)
    graph.add_node(
        event.seq,
        actor=event.actor,
        target=event.target,
        kind=kind,
        kind_name=kind_name(kind),
        label=short_label(event),
        text=long_label(event),
        size=size if size is not None else "",
        date=(start + dt.timedelta(days=event.day)).isoformat(),
        day=event.day,
        source=event.source,
        reference=event.reference or "",
        act_id=event.act_id or "",
        hostile=is_hostile(event),
    )


def _add_cause(graph: nx.DiGraph, cause: ev.Event | None, answer: ev.Event, start: dt.date) -> None:
    """A non-act cause: the departure a side mistook for an expulsion (or a missing event)."""
    day = cause.day if cause is not None else answer.day
    who = cause.actor if cause is not None else answer.target
    graph.add_node(
        answer.cause,
        actor=who,
        target=answer.actor,
        kind="false_alarm",
        kind_name="false alarm",
        label="false alarm",
        text=f"{answer.actor} took a departure from its own mission for an act of {who}",
        size="",
        date=(start + dt.timedelta(days=day)).isoformat(),
        day=day,
        source="simulated",
        reference="",
        act_id="",
        hostile=False,
    )


def chains(graph: nx.DiGraph) -> list[Chain]:
    """Every chain, the longest (then the largest) first."""
    members: dict[int, list[int]] = {}
    for node, data in graph.nodes(data=True):
        members.setdefault(data["chain"], []).append(node)
    found = []
    for root, nodes in members.items():
        dates = sorted(graph.nodes[n]["date"] for n in nodes)
        actors = tuple(dict.fromkeys(graph.nodes[n]["actor"] for n in sorted(nodes)))
        depth = max(graph.nodes[n]["depth"] for n in nodes)
        found.append(Chain(root, len(nodes), depth, dates[0], dates[-1], actors))
    return sorted(found, key=lambda c: (-c.depth, -c.acts, c.root))


def summary(graph: nx.DiGraph) -> str:
    """One line: acts, answers, chains and the deepest chain."""
    found = chains(graph)
    if not found:
        return "no acts in this run"
    top = found[0]
    root = graph.nodes[top.root]
    plural = "chain" if len(found) == 1 else "chains"
    alarms = sum(d["kind"] == "false_alarm" for _, d in graph.nodes(data=True))
    acts = f"{graph.number_of_nodes() - alarms:,} acts" + (f" (+{alarms:,} false alarms)" if alarms else "")
    return (
        f"{acts}, {graph.number_of_edges():,} answers, {len(found):,} {plural}; "
        f"deepest: {top.acts:,} acts, depth {top.depth}, from {root['actor']} {root['label']} "
        f"({top.first} to {top.last})"
    )


def to_json(graph: nx.DiGraph) -> str:
    nodes = [{"id": node, **data} for node, data in sorted(graph.nodes(data=True))]
    edges = [{"cause": a, "answer": b} for a, b in sorted(graph.edges())]
    found = [c.__dict__ | {"actors": list(c.actors)} for c in chains(graph)]
    return json.dumps({"nodes": nodes, "edges": edges, "chains": found}, indent=1, ensure_ascii=False) + "\n"


def to_graphml(graph: nx.DiGraph) -> str:
    """GraphML with every node attribute typed (booleans, integers, strings)."""
    return "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_SHAPES = {"documented": "box", "exogenous": "diamond", "simulated": "ellipse"}


def to_dot(graph: nx.DiGraph) -> str:
    """Graphviz text: time runs left to right; shapes tell documented (box), scripted
    (diamond) and simulated (ellipse) acts apart; one colour per actor."""
    from sim.analysis.figure_style import MISSION_COLORS, RUN_COLORS

    actors = list(dict.fromkeys(data["actor"] for _, data in sorted(graph.nodes(data=True))))
    palette = list(MISSION_COLORS) + [c for c in RUN_COLORS if c not in MISSION_COLORS]
    colors = {actor: palette[i % len(palette)] for i, actor in enumerate(actors)}
    lines = [
        "digraph escalation {",
        "  rankdir=LR;",
        '  node [fontname="DejaVu Sans", fontsize=10, style=filled, fillcolor=white];',
        "  edge [color=gray40, arrowsize=0.6];",
    ]
    for node, data in sorted(graph.nodes(data=True)):
        label = f"{data['actor']}: {data['label']}\n{data['date']}"
        shape = _DOT_SHAPES.get(data["source"], "ellipse")
        style = ',style="filled,dashed"' if data["kind"] == "false_alarm" else ""
        lines.append(
            f"  n{node} [label={_dot_quote(label)}, shape={shape}, "
            f"color={_dot_quote(colors[data['actor']])}, penwidth=1.6, "
            f"tooltip={_dot_quote(data['text'])}{style}];"
        )
    lines += [f"  n{a} -> n{b};" for a, b in sorted(graph.edges())]
    lines.append("}")
    return "\n".join(lines) + "\n"
