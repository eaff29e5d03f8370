"""Comparing runs: staffing of several runs overlaid (a history and its counterfactuals),
fork dates marked, and a table of differences at chosen dates."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.infra.outdir import is_run_manifest


class CompareError(ValueError):
    """A run directory that cannot be compared (missing or unreadable outputs)."""


@dataclass(frozen=True)
class RunOutputs:
    label: str
    manifest: dict[str, Any]
    totals: pd.DataFrame  # index: date (daily), columns: missions

    @property
    def fork_date(self) -> dt.date | None:
        fork = self.manifest.get("fork")
        return dt.date.fromisoformat(fork["at"]) if fork else None


def load_run(run_dir: Path) -> RunOutputs:
    """Read ``manifest.json`` and ``staffing.csv`` of a ``sim run`` output directory; anything
    damaged in them is a :class:`CompareError` naming the file."""
    run_dir = Path(run_dir)
    for name in ("manifest.json", "staffing.csv"):
        path = run_dir / name
        if not path.exists():
            raise CompareError(f"{run_dir}: {name} not found (is it a run directory?)")
        if not path.is_file():  # a FIFO would block the reader, a device would never end
            raise CompareError(f"{path}: not a regular file")
    if not is_run_manifest(run_dir / "manifest.json"):
        raise CompareError(f"{run_dir / 'manifest.json'}: damaged (not the manifest 'sim run' writes)")
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    try:
        start = dt.date.fromisoformat(manifest["start"])
        end = dt.date.fromisoformat(manifest["end"])
        fork = manifest.get("fork")
        if fork is not None:
            dt.date.fromisoformat(fork["at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CompareError(f"{run_dir / 'manifest.json'}: damaged ({exc!r})") from None
    if end < start:
        raise CompareError(f"{run_dir / 'manifest.json'}: damaged (its run ends before it starts)")
    try:
        return RunOutputs(run_dir.name, manifest, _totals(run_dir / "staffing.csv", start, end))
    except (KeyError, TypeError, ValueError, IndexError, OSError) as exc:
        raise CompareError(f"{run_dir / 'staffing.csv'}: damaged ({type(exc).__name__}: {exc})") from None


def _totals(path: Path, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Daily total headcount per mission from a run's ``staffing.csv`` (changes only)."""
    changes = pd.read_csv(path, parse_dates=["date"])
    if not pd.api.types.is_integer_dtype(changes["headcount"]):
        raise ValueError("headcount is not a whole number on every row")
    days = pd.date_range(start, end, freq="D")
    wide = changes.pivot_table(index="date", columns=["mission", "role"], values="headcount", aggfunc="last")
    wide = wide.reindex(days).ffill().fillna(0)
    totals = wide.T.groupby(level="mission", sort=False).sum().T.astype("int64")
    if totals.empty:
        raise ValueError("no staffing rows")
    return totals


def lineage(manifest: dict[str, Any]) -> set[str]:
    """The scenarios a run's history comes from: its own, and its fork's base."""
    shas = {str(manifest.get("scenario_sha256"))}
    fork = manifest.get("fork")
    if isinstance(fork, dict) and fork.get("base_scenario_sha256"):
        shas.add(str(fork["base_scenario_sha256"]))
    return shas


def unrelated(runs: list[RunOutputs]) -> list[str]:
    """One line per run that shares neither a base scenario nor a seed with the first run:
    its differences from the first run start before any fork day, so they are not a fork's
    effect, and the table would otherwise read as if they were."""
    first = runs[0]
    lines = []
    for run in runs[1:]:
        same_seed = run.manifest.get("seed") == first.manifest.get("seed")
        shared = lineage(run.manifest) & lineage(first.manifest)
        if shared and same_seed:
            continue
        why = "another scenario and no common base" if not shared else ""
        if not same_seed:
            seeds = f"seed {run.manifest.get('seed')} vs {first.manifest.get('seed')}"
            why = f"{why}, {seeds}" if why else seeds
        lines.append(
            f"note: {run.label} does not share a base and seed with {first.label} ({why}):"
            " its differences are not a fork's effect and start on day one"
        )
    return lines


def default_dates(runs: list[RunOutputs]) -> list[dt.date]:
    """The fork dates, and the last day all runs cover."""
    last = min(run.totals.index[-1] for run in runs).date()
    forks = sorted({run.fork_date for run in runs if run.fork_date is not None})
    return [*forks, last] if last not in forks else forks


def differences(runs: list[RunOutputs], dates: list[dt.date]) -> pd.DataFrame:
    """Total headcount per mission and run at each date, and each run's difference from the first."""
    rows = []
    missions = list(runs[0].totals.columns)
    for date in dates:
        stamp = pd.Timestamp(date)
        for mission in missions:
            row: dict[str, Any] = {"date": date.isoformat(), "mission": mission}
            first = None
            for run in runs:
                value = run.totals[mission].get(stamp) if mission in run.totals else None
                row[run.label] = None if value is None or pd.isna(value) else int(value)
                if first is None:
                    first = row[run.label]
                elif row[run.label] is not None and first is not None:
                    row[f"{run.label} - {runs[0].label}"] = row[run.label] - first
            rows.append(row)
    return pd.DataFrame(rows)
