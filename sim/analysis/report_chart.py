"""The report's interactive staffing chart (Plotly): a trace per run, mission and role.

Totals are thick lines in the mission's colour; roles are thin lines in the role colours,
hidden until their box is ticked; a fork run is dashed beside its solid base. Each act is a
marker on the total of the mission it concerns, so hovering shows the act in words beside
the headcounts of that date ("x unified" hover: the date once, then every visible series).
The toggles (run, mission, role) are plain checkboxes handled by ``report.js``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import plotly.graph_objects as go

from sim.analysis.figure_style import MISSION_COLORS, ROLE_COLORS, ROLE_NAMES
from sim.analysis.labels import long_label
from sim.analysis.report_data import RunData
from sim.core.kinds import is_hostile

DASHES = ("solid", "dash", "dot", "dashdot")


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def staffing_figure(runs: list[RunData]) -> dict[str, Any]:
    """The figure as Plotly JSON (``data`` and ``layout``), each trace with its ``meta``."""
    fig = go.Figure()
    missions = runs[0].missions
    for r, run in enumerate(runs):
        dates = [d.date().isoformat() for d in run.roles.index]
        for m, mission in enumerate(run.missions):
            color = (
                MISSION_COLORS[missions.index(mission) % 2] if mission in missions else MISSION_COLORS[m % 2]
            )
            total = run.roles[mission].sum(axis=1).tolist()
            name = f"{mission} mission total" + (f" · {run.label}" if len(runs) > 1 else "")
            fig.add_trace(
                _line(dates, total, name, color, 3.2 - 0.6 * min(r, 2), DASHES[r % 4], run, mission, "total")
            )
            for role in ROLE_COLORS:
                if (mission, role) not in run.roles:
                    continue
                values = run.roles[(mission, role)].tolist()
                label = f"{mission}: {ROLE_NAMES[role]}" + (f" · {run.label}" if len(runs) > 1 else "")
                fig.add_trace(
                    _line(dates, values, label, ROLE_COLORS[role], 1.6, DASHES[r % 4], run, mission, role)
                )
            fig.add_trace(_acts(run, mission, color, f" · {run.label}" if len(runs) > 1 else ""))
    layout: dict[str, Any] = {
        "hovermode": "x unified",
        "hoverdistance": 6,  # an act shows in the hover only near its own date
        "height": 560,
        "margin": {"l": 70, "r": 20, "t": 30, "b": 40},
        "font": {"family": "DejaVu Sans, Arial, sans-serif", "size": 14},
        "legend": {"orientation": "h", "y": -0.12},
        "xaxis": {"type": "date", "hoverformat": "%Y-%m-%d", "showspikes": True},
        "yaxis": {"title": {"text": "people at post"}, "rangemode": "tozero"},
        "plot_bgcolor": "white",
        "shapes": [],
        "annotations": [],
    }
    for run in runs:
        if run.fork_date is not None:
            when = run.fork_date.isoformat()
            layout["shapes"].append(
                {"type": "line", "x0": when, "x1": when, "yref": "paper", "y0": 0, "y1": 1,
                 "line": {"dash": "dash", "color": "#333", "width": 1.2}}
            )  # fmt: skip
            layout["annotations"].append(
                {"x": when, "y": 1, "yref": "paper", "text": f"fork {when}: {run.label}", "showarrow": False,
                 "xanchor": "left", "yanchor": "top", "font": {"size": 12}}
            )  # fmt: skip
    fig.update_layout(layout)
    return json.loads(fig.to_json())


def _line(
    dates: list[str],
    values: list[int],
    name: str,
    color: str,
    width: float,
    dash: str,
    run: RunData,
    mission: str,
    role: str,
) -> go.Scatter:
    return go.Scatter(
        x=dates,
        y=values,
        name=name,
        mode="lines",
        line={"color": color, "width": width, "dash": dash, "shape": "hv"},
        hovertemplate="%{y:,} people",
        meta={"run": run.label, "mission": mission, "role": role},
        legendgroup=f"{run.label}-{mission}",
    )


def _acts(run: RunData, mission: str, color: str, suffix: str) -> go.Scatter:
    """Markers on ``mission``'s total at each act concerning it, the act in words on hover."""
    acts = [e for e in run.log if e.IS_ACT and e.mission == mission]
    totals = run.roles[mission].sum(axis=1)
    xs, ys, texts, symbols = [], [], [], []
    for event in acts:
        date = run.start + dt.timedelta(days=event.day)
        stamp = totals.index[min(event.day, len(totals) - 1)]
        xs.append(date.isoformat())
        ys.append(int(totals.loc[stamp]))
        texts.append(long_label(event))
        symbols.append("triangle-down" if is_hostile(event) else "circle-open")
    return go.Scatter(
        x=xs,
        y=ys,
        text=texts,
        name=f"acts on the {mission} mission{suffix}",
        mode="markers",
        marker={"color": color, "size": 10, "symbol": symbols, "line": {"color": color, "width": 1.5}},
        hovertemplate="%{text}",
        meta={"run": run.label, "mission": mission, "role": "acts"},
    )


def controls_html(runs: list[RunData]) -> str:
    """Checkboxes: runs, missions, roles (totals and acts ticked, roles not)."""

    def boxes(name: str, values: list[tuple[str, str]], on: set[str]) -> str:
        items = "".join(
            f"<label><input type='checkbox' name='{name}' value='{_esc(value)}'"
            f"{' checked' if value in on else ''}> {_esc(text)}</label>"
            for value, text in values
        )
        return f"<fieldset><legend>{name}s</legend>{items}</fieldset>"

    missions = list(dict.fromkeys(m for run in runs for m in run.missions))
    roles = [("total", "total"), *((role, ROLE_NAMES[role]) for role in ROLE_COLORS), ("acts", "acts")]
    parts = [boxes("mission", [(m, m) for m in missions], set(missions))]
    parts.append(boxes("role", roles, {"total", "acts"}))
    if len(runs) > 1:
        labels = [run.label for run in runs]
        parts.insert(0, boxes("run", [(label, label) for label in labels], set(labels)))
    else:
        parts.insert(0, f"<input type='checkbox' name='run' value='{_esc(runs[0].label)}' checked hidden>")
    note = "<p class='note'>Hover for the date and the counts; tick or untick to show missions and roles.</p>"
    return f"<div class='controls'>{''.join(parts)}</div>{note}"
