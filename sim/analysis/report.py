"""``sim report``: one self-contained HTML file for one run, or a fork with its base.

Everything is inlined (plotly.js, the styles, the script, the escalation graph as an SVG
data URI), so the file opens offline, can be mailed or put on a course page, and loads
nothing from anywhere. Sections: the scenario and its assumptions, an interactive staffing
chart (``sim.analysis.report_chart``), the timeline of acts (each with its source and what it
answered), the escalation graph, the summary tables and the documented figures beside the
simulated headcounts.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sim
from sim.analysis.report_data import RunData, difference_rows, metric_rows, observation_rows
from sim.core import events as ev

ASSETS = Path(__file__).resolve().parent / "report_assets"
URL = re.compile(r"https?://[^\s<>\"')]+")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def link_urls(text: str) -> str:
    """Escape ``text`` and turn its URLs into links (opened in a new tab, never fetched)."""
    out, last = [], 0
    for match in URL.finditer(text):
        out.append(esc(text[last : match.start()]))
        url = match.group(0)
        out.append(f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(url)}</a>')
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


def table(rows: Sequence[dict[str, Any]], css: str = "") -> str:
    if not rows:
        return '<p class="note">nothing to show</p>'
    columns = list(dict.fromkeys(key for row in rows for key in row))
    numeric = {c for c in columns if all(_numeric(row.get(c, "")) for row in rows)}
    head = "".join(f'<th class="{"num" if c in numeric else ""}">{esc(c)}</th>' for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{_cell_class(c, row.get(c, ""), numeric)}">{esc(row.get(c, ""))}</td>'
            for c in columns
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell_class(column: str, value: object, numeric: set[str]) -> str:
    if column in numeric:
        return "num"
    return "date" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)) else ""


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) or bool(re.fullmatch(r"[~+\-]?[\d,]+(\.\d+)?", str(value)))


# --- sections --------------------------------------------------------------------------------


def scenario_section(run: RunData) -> str:
    """The assumptions: dates, seed, each side's mission, visas, policy; scripted acts; fork."""
    m = run.manifest
    parts = [f"<h3>{esc(run.label)}</h3>"]
    parts.append(
        f"<p>{esc(m.get('scenario'))}: {esc(m.get('start'))} to {esc(m.get('end'))}, "
        f"seed {esc(m.get('seed'))}, {int(m.get('events', 0)):,} events, "
        f"log SHA-256 <code>{esc(str(m.get('log_sha256', ''))[:16])}…</code></p>"
    )
    if not run.matches_record:
        parts.append('<p class="warn">the stored log does not fold to the recorded final state</p>')
    fork = m.get("fork")
    if fork:
        parts.append(
            f"<p>Fork of <b>{esc(fork['base_scenario'])}</b> from {esc(fork['at'])}: history before that "
            f"day, counterfactual after"
            f"{'; dropped acts: ' + esc(', '.join(fork['drop'])) if fork['drop'] else ''}.</p>"
        )
    scenario = run.scenario
    if scenario is None:
        parts.append(f'<p class="note">{esc(run.scenario_note)}</p>')
        return "".join(parts)
    if scenario.description:
        parts.append(f"<p>{esc(scenario.description)}</p>")
    parts.append(table([_side_row(scenario, side) for side in scenario.sides]))
    if scenario.prelude_log is not None:
        log = scenario.prelude_log
        parts.append(
            f"<p>Documented log: <b>{esc(log.title)}</b>, {len(log.acts)} acts"
            f"{f', {len(log.observations)} reported figures' if log.observations else ''}.</p>"
        )
    if scenario.acts:
        rows = [
            {
                "date": a.date.isoformat(),
                "actor": a.actor,
                "act": a.kind,
                "size": a.size or "",
                "note": a.note,
            }
            for a in scenario.acts
        ]
        parts.append("<p>Scripted acts:</p>" + table(rows))
    text = Path(run.scenario_path).read_text(encoding="utf-8") if run.scenario_path else ""
    parts.append(
        f"<details><summary>scenario file {esc(run.scenario_path)}</summary>"
        f"<pre class='yaml'>{esc(text)}</pre></details>"
    )
    return "".join(parts)


def _side_row(scenario: Any, side: Any) -> dict[str, Any]:
    """A side's row: its missions' posts and staff (summed over every host with more than
    two sides), its visa terms, policy and noise."""
    staff = {role: 0 for role in ev.ROLES}
    hosts = [host for sender, host in scenario.mission_pairs() if sender == side.name]
    posts: list[str] = []
    for host in hosts:
        mission = scenario.mission_config(side.name, host)
        posts += [post if len(hosts) == 1 else f"{post} ({host})" for post in mission.posts]
        for post in mission.posts.values():
            for role in ev.ROLES:
                staff[role] += getattr(post, role)
    policy = side.policy.model_dump(mode="json")
    kind = policy.pop("kind")
    params = ", ".join(f"{k}={v}" for k, v in policy.items() if v not in (None, [], {}, ""))
    noise = side.noise
    return {
        "side": side.name,
        "posts": ", ".join(posts),
        "staff at start (dipl. / admin. / local)": " / ".join(str(staff[role]) for role in ev.ROLES),
        "visas it grants": f"{side.visas.policy}, {'-'.join(map(str, side.visas.processing_days))} days",
        "policy": f"{kind}" + (f" ({params})" if params else ""),
        "noise": f"miss {noise.miss:g}, false alarm {noise.false_alarm:g}"
        if noise.miss or noise.false_alarm
        else "none",
    }


def acts_section(run: RunData, since: Any = None) -> str:
    """Every act as a ``<details>``: the summary line, and on click its source, what it
    answered and what answered it (``since``: only acts from that date, for a fork)."""
    acts = _Acts(run)
    shown = [e for e in acts.acts if since is None or run.start + _days(e.day) >= since]
    items = "".join(acts.item(e) for e in shown)
    note = (
        f"<p class='note'>acts from {since} (the fork date); earlier acts are the base's.</p>"
        if since
        else ""
    )
    filter_box = (
        f"<input class='filter' data-list='acts-{acts.key}' placeholder='filter: an actor, an act, a source' "
        f"aria-label='filter the acts of {esc(run.label)}'>"
    )
    return (
        f"<h3>{esc(run.label)}: {len(shown):,} acts</h3>{note}{filter_box}"
        f"<ol class='acts' id='acts-{acts.key}'>{items}</ol>"
    )


class _Acts:
    """A run's acts, indexed both ways (what each answered, what answered each)."""

    def __init__(self, run: RunData) -> None:
        self.start = run.start
        self.acts = [e for e in run.log if e.IS_ACT]
        self.by_seq = {e.seq: e for e in self.acts}
        self.answered_by: dict[int, list[int]] = {}
        for e in self.acts:
            if e.cause is not None:
                self.answered_by.setdefault(e.cause, []).append(e.seq)
        log = run.scenario.prelude_log if run.scenario else None
        self.documented = {a.id: a for a in log.acts} if log else {}
        self.key = re.sub(r"[^A-Za-z0-9_-]", "-", run.label)

    def date(self, event: ev.Event) -> str:
        return (self.start + _days(event.day)).isoformat()

    def link(self, seq: int, text: str) -> str:
        return f'<a class="act-link" href="#act-{self.key}-{seq}">{esc(text)}</a>'

    def item(self, e: ev.Event) -> str:
        from sim.analysis.labels import long_label, short_label
        from sim.core.codes import CODES

        rows = [("Source", _source_html(e, self.documented))]
        if e.cause is not None:
            cause = self.by_seq.get(e.cause)
            text = f"{long_label(cause)} ({self.date(cause)})" if cause else "a departure"
            rows.append(("Answers", self.link(e.cause, text)))
        answers = self.answered_by.get(e.seq, [])
        if answers:
            links = ", ".join(
                self.link(s, f"{short_label(self.by_seq[s])} ({self.date(self.by_seq[s])})")
                for s in answers[:12]
            )
            rows.append(
                ("Answered by", links + (f" and {len(answers) - 12} more" if len(answers) > 12 else ""))
            )
        deadline = getattr(e, "deadline", None)
        if deadline is not None:
            rows.append(("Deadline", esc((self.start + _days(deadline)).isoformat())))
        cameo, plover, mode = CODES[_kind(e)]
        codes = f"CAMEO {cameo}" + (f", PLOVER {plover} {mode}".rstrip() if plover else "")
        rows.append(("Codes", esc(codes)))
        detail = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows)
        return (
            f'<li id="act-{self.key}-{e.seq}" data-source="{esc(e.source)}"><details><summary>'
            f"<span>{esc(self.date(e))}</span><span class='actor'>{esc(e.actor)}</span>"
            f"<span>{esc(long_label(e))}</span>"
            f"<span class='badge {esc(e.source)}'>{esc(e.source)}</span></summary>"
            f"<dl class='act-detail'>{detail}</dl></details></li>"
        )


def _days(n: int) -> Any:
    import datetime as dt

    return dt.timedelta(days=n)


def _kind(event: ev.Event) -> str:
    from sim.core.acts import describe

    return describe(event)[0]


def _source_html(event: ev.Event, documented: dict[str, Any]) -> str:
    if event.source == "documented":
        act = documented.get(event.act_id or "")
        parts = [f"<span class='citation'>{link_urls(event.reference or (act.source if act else ''))}</span>"]
        if act is not None and act.note:
            parts.append(f"<br>{esc(act.note)}")
        if act is not None and act.resolution:
            parts.append(f"<br><i>resolved:</i> {esc(' '.join(act.resolution.split()))}")
        return "".join(parts)
    if event.source == "exogenous":
        return "scripted in the scenario" + (f": {esc(event.reference)}" if event.reference else "")
    return f"simulated: decided by {esc(event.actor)}'s policy"


def graph_section(run: RunData) -> str:
    """The escalation graph as an SVG picture (text kept as text), and its deepest chains."""
    import matplotlib.pyplot as plt

    from sim.analysis.graph import build_graph, chains
    from sim.analysis.graph_draw import draw_graph

    graph = build_graph(run.log, run.start)
    if graph.number_of_nodes() == 0:
        return f"<h3>{esc(run.label)}</h3><p class='note'>no acts</p>"
    buffer = io.BytesIO()
    fig = draw_graph(graph, [], f"{run.label}: who answered whom")
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    uri = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
    rows = [
        {
            "from": f"{graph.nodes[c.root]['actor']}: {graph.nodes[c.root]['label']}",
            "acts": c.acts,
            "depth": c.depth,
            "first": c.first,
            "last": c.last,
        }
        for c in chains(graph)[:8]
    ]
    alt = (
        f"escalation graph of {run.label}: {graph.number_of_nodes()} acts, {graph.number_of_edges()} answers"
    )
    picture = f"<img class='graph' alt='{esc(alt)}' src='{uri}'>"
    return f"<h3>{esc(run.label)}</h3>{picture}<p>Deepest chains:</p>{table(rows)}"


def render(runs: list[RunData], title: str | None = None) -> str:
    """The whole page as one string."""
    from sim.analysis.report_chart import controls_html, staffing_figure

    heading = title or (
        runs[0].label if len(runs) == 1 else f"{runs[0].label} and {', '.join(r.label for r in runs[1:])}"
    )
    fork_dates = [r.fork_date for r in runs[1:]]
    sections = [
        ("scenario", "Scenario and assumptions", "".join(scenario_section(r) for r in runs)),
        ("staffing", "Staffing", controls_html(runs) + "<div id='staffing-chart' class='chart'></div>"),
        (
            "acts",
            "Timeline of acts",
            "".join(
                acts_section(r, fork_dates[i - 1] if i and len(runs) > 1 else None)
                for i, r in enumerate(runs)
            ),
        ),
        ("graph", "Escalation graph", "".join(graph_section(r) for r in runs)),
        ("summary", "Summary", table(metric_rows(runs)) + _differences(runs)),
        ("observed", "Documented figures and simulated headcounts", _observed(runs)),
    ]
    nav = "".join(f"<a href='#{key}'>{esc(name)}</a>" for key, name, _ in sections)
    body = "".join(
        f"<section id='{key}'><h2>{esc(name)}</h2>{content}</section>" for key, name, content in sections
    )
    data = {"staffing": staffing_figure(runs)}
    return _page(heading, nav, body, data)


def _differences(runs: list[RunData]) -> str:
    rows = difference_rows(runs)
    return f"<h3>Differences at the fork dates and the end</h3>{table(rows)}" if rows else ""


def _observed(runs: list[RunData]) -> str:
    rows = observation_rows(runs)
    if not rows:
        return "<p class='note'>The scenario's documented log reports no headcounts.</p>"
    return (
        "<p class='note'>Each figure of the documented log beside the run's value in the figure's "
        "scope (its posts and roles; a flow counts departures over its period; a target or bound "
        "is met or not). <code>sim score</code> gives the same over many seeds.</p>" + table(rows)
    )


def _page(heading: str, nav: str, body: str, data: dict[str, Any]) -> str:
    import json

    from plotly.offline import get_plotlyjs

    css = (ASSETS / "report.css").read_text(encoding="utf-8")
    script = (ASSETS / "report.js").read_text(encoding="utf-8")
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(heading)}</title><style>{css}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>"
        f"<header><h1>{esc(heading)}</h1><p class='lead'>reciprocity-sim {esc(sim.__version__)} report: "
        f"every number below is reproducible from the run's event log.</p><nav>{nav}</nav></header>{body}"
        f"<script type='application/json' id='report-data'>{payload}</script>"
        f"<script>{script}</script></body></html>\n"
    )
