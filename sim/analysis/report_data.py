"""What ``sim report`` shows, gathered from run directories (no HTML here; see ``sim.analysis.report``).

A run directory holds the event log, the staffing table and the manifest, but not the
scenario file; the report finds the scenario (``--scenario``, else ``scenarios/NAME.yaml``)
and uses it only if its SHA-256 is the manifest's, so the assumptions shown are those of
the run, never of a file edited since.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core import events as ev
from sim.scenario.models import Scenario

HERE = Path(__file__).resolve().parent


class ReportError(ValueError):
    """A run directory that cannot be reported on (one line for the CLI, exit 2)."""


@dataclass
class RunData:
    run_dir: Path
    label: str
    manifest: dict[str, Any]
    log: list[ev.Event]
    roles: pd.DataFrame  # index: daily dates; columns: (mission, role) headcounts
    scenario: Scenario | None = None
    scenario_path: Path | None = None
    scenario_note: str = ""
    matches_record: bool = True
    observations: list[Any] = field(default_factory=list)

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.manifest["start"])

    @property
    def missions(self) -> list[str]:
        """In the scenario's order (the manifest's metrics), as the figures of ``sim run`` have them."""
        listed = [m["mission"] for m in self.manifest.get("metrics", []) if "mission" in m]
        present = list(dict.fromkeys(mission for mission, _ in self.roles.columns))
        return [m for m in listed if m in present] + [m for m in present if m not in listed]

    @property
    def fork_date(self) -> dt.date | None:
        fork = self.manifest.get("fork")
        return dt.date.fromisoformat(fork["at"]) if fork else None

    def headcount(self, mission: str, date: dt.date) -> int | None:
        """The simulated total of ``mission`` at the end of ``date`` (``None`` outside the run)."""
        stamp = pd.Timestamp(date)
        if stamp not in self.roles.index or mission not in self.missions:
            return None
        return int(self.roles.loc[stamp, mission].sum())


def load_run_data(run_dir: Path, scenario_files: list[Path]) -> RunData:
    """Everything the report needs from one run directory; :class:`ReportError` if unreadable."""
    from sim.store.replay import ReplayError, load_replay

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ReportError(f"{run_dir}: no such run directory")
    try:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        changes = pd.read_csv(run_dir / "staffing.csv", parse_dates=["date"])
        replayed = load_replay(run_dir)
    except FileNotFoundError as exc:
        raise ReportError(
            f"{run_dir}: {Path(exc.filename).name} not found (is it a run directory?)"
        ) from None
    except ReplayError as exc:
        raise ReportError(str(exc)) from None
    except (ValueError, KeyError, OSError) as exc:
        raise ReportError(f"{run_dir}: outputs cannot be read ({exc})") from None
    try:
        days = pd.date_range(manifest["start"], manifest["end"], freq="D")
        wide = changes.pivot_table(
            index="date", columns=["mission", "role"], values="headcount", aggfunc="last"
        )
        roles = wide.reindex(days).ffill().fillna(0).astype("int64")
    except (KeyError, ValueError) as exc:
        raise ReportError(f"{run_dir}: staffing.csv cannot be read ({exc})") from None
    data = RunData(
        run_dir, run_dir.name, manifest, replayed.log, roles, matches_record=replayed.matches_record()
    )
    _attach_scenario(data, scenario_files)
    return data


def _attach_scenario(data: RunData, scenario_files: list[Path]) -> None:
    """The run's scenario file, if one with the recorded hash is found."""
    from sim.infra.errors import InputError
    from sim.scenario.loading import load_scenario

    name = data.manifest.get("scenario", "")
    candidates = [
        *scenario_files,
        Path("scenarios") / f"{name}.yaml",
        HERE.parent / "scenarios" / f"{name}.yaml",
    ]
    seen = set()
    for path in candidates:
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        try:
            scenario = load_scenario(path)
        except InputError:
            continue
        scenario = scenario.model_copy(update={"seed": data.manifest.get("seed", scenario.seed)})
        if scenario.sha256() == data.manifest.get("scenario_sha256"):
            data.scenario, data.scenario_path = scenario, path
            log = scenario.prelude_log
            data.observations = list(log.observations) if log is not None else []
            return
    data.scenario_note = (
        f"the scenario file of this run was not found (looked for {name}.yaml with SHA-256 "
        f"{str(data.manifest.get('scenario_sha256', ''))[:12]}...; give it with --scenario)"
    )


def order_runs(runs: list[RunData]) -> list[RunData]:
    """A base before the forks made from it; otherwise the order given."""
    names = {run.manifest.get("scenario") for run in runs}

    def rank(run: RunData) -> int:
        fork = run.manifest.get("fork") or {}
        return 1 if fork.get("base_scenario") in names else 0

    return sorted(runs, key=rank)


def observation_rows(runs: list[RunData]) -> list[dict[str, Any]]:
    """Each documented figure next to each run's simulated value in the figure's scope (its
    posts, roles and kind, as ``sim score`` reads them), one row per figure and run. A count or
    a flow has a difference; a bound or a target says whether the run meets it."""
    from sim.analysis.score import ScoreError, result_text, score_logs

    rows = []
    for run in runs:
        if not run.observations or run.roles.empty:
            continue
        start, end = run.roles.index[0].date(), run.roles.index[-1].date()
        try:
            scored = score_logs([run.log], start, run.observations, [0], end).rows
        except ScoreError:
            continue  # a figure of posts this run does not have: nothing to set beside it
        for row in scored:
            obs = row.obs
            rows.append(
                {
                    "run": run.label,
                    "date": obs.date.isoformat(),
                    "mission": obs.mission,
                    "kind": obs.kind,
                    "scope": obs.scope(),
                    "reported": f"{'~' if obs.approximate else ''}{obs.headcount:,}",
                    "simulated": f"{row.values[0]:,}" if row.values else "",
                    "difference": result_text(row) if row.values else "",
                    "source": obs.source,
                }
            )
    return rows


def metric_rows(runs: list[RunData]) -> list[dict[str, Any]]:
    """The per-mission summary of ``sim run`` for each run."""
    keys = [
        ("mission", "mission"),
        ("start", "start"),
        ("end", "end"),
        ("minimum", "minimum"),
        ("minimum_date", "minimum on"),
        ("arrivals", "arrived"),
        ("departures", "left"),
        ("expelled", "expelled"),
        ("left_under_rotation_limit", "left under rotation limit"),
        ("hostile_acts_by_side", "hostile acts by its side"),
    ]
    rows = []
    for run in runs:
        for metric in run.manifest.get("metrics", []):
            rows.append({"run": run.label, **{title: metric.get(key, "") for key, title in keys}})
    return rows


def difference_rows(runs: list[RunData]) -> list[dict[str, Any]]:
    """For a fork and its base: totals at the fork dates and the end, and their differences."""
    if len(runs) < 2:
        return []
    forks = sorted({run.fork_date for run in runs if run.fork_date is not None})
    last = min(run.roles.index[-1] for run in runs).date()
    rows = []
    for date in [*forks, last] if last not in forks else forks:
        for mission in runs[0].missions:
            row: dict[str, Any] = {"date": date.isoformat(), "mission": mission}
            base = runs[0].headcount(mission, date)
            for run in runs:
                value = run.headcount(mission, date)
                row[run.label] = "" if value is None else f"{value:,}"
                if run is not runs[0] and value is not None and base is not None:
                    row[f"{run.label} - {runs[0].label}"] = f"{value - base:+,}"
            rows.append(row)
    return rows
