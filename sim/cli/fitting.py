"""``sim responses`` (the act-response table) and ``sim fit`` (policies fitted to documented
logs, scored out of sample): the commands of :mod:`sim.fitting`.

Every failure a user can cause (a bad log, two logs of one episode, too few answers to fit) is
one line and exit 2, never a traceback: the fitting layer raises its own errors and they are
translated here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import JsonOption, _check_output_file, _fail, _input_error, _print_json, app
from sim.cli.options import whole
from sim.infra.errors import InputError
from sim.infra.paths import write_failure

LogsArgument = Annotated[
    list[Path],
    typer.Argument(help="Documented logs (one episode each), or folders of them.", show_default=False),
]
WindowOption = Annotated[
    str, typer.Option("--window", help="Days after an act within which an answer counts.")
]


def _table(logs: list[Path], window: str):  # -> sim.fitting.table.Table
    from sim.fitting.table import RepeatedEpisode, load_table

    days = whole("--window", window, 0, 3650)
    try:
        return load_table(_expand(logs), days)
    except InputError as exc:
        _input_error(exc)
    except RepeatedEpisode as exc:
        _fail([str(exc)])


def _sized(table, scenario: Path):  # -> sim.fitting.table.Table
    from sim.fitting.table import mission_sizes, with_mission_sizes

    try:
        return with_mission_sizes(table, mission_sizes(scenario))
    except InputError as exc:
        _input_error(exc)


def _expand(logs: list[Path]) -> list[Path]:
    """A folder stands for its ``*.yaml`` logs, in name order (``seeds/episodes``)."""
    paths: list[Path] = []
    for path in logs:
        if path.is_dir():
            found = sorted(path.glob("*.yaml"))
            if not found:
                _fail([f"{path}: a folder with no .yaml documented logs in it"])
            paths.extend(found)
        else:
            paths.append(path)
    return paths


def _write(out: Path, data: bytes | str) -> None:
    from sim.infra.atomic import write_atomic

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, data)
    except OSError as exc:
        _fail([f"--out: {write_failure(out, exc)}"])


@app.command("responses")
def responses(
    logs: LogsArgument,
    csv: Annotated[bool, typer.Option("--csv", help="Write CSV (to --out, or standard output).")] = False,
    parquet: Annotated[bool, typer.Option("--parquet", help="Write Parquet (needs --out).")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="The file to write (atomically).")] = None,
    window: WindowOption = "90",
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="Fill both missions' sizes from this scenario's starting staff."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The act-response table of documented logs: one row per act someone answered or could
    have answered, and per answer (kind, size, delay in days), or none within --window."""
    if csv and parquet:
        _fail(["--csv and --parquet: choose one"])
    if parquet and out is None:
        _fail(["--parquet: needs --out FILE"])
    if out is not None:
        _check_output_file(out)
    from sim.fitting.table import frame

    table = _table(logs, window)
    if scenario is not None:
        table = _sized(table, scenario)
    data = frame(table)
    if parquet:
        import io

        buffer = io.BytesIO()
        data.to_parquet(buffer, index=False)
        _write(out, buffer.getvalue())
    elif csv or out is not None:
        text = data.to_csv(index=False)
        if out is None:
            typer.echo(text, nl=False)
            return
        _write(out, text)
    elif as_json:
        _print_json(json.loads(data.to_json(orient="records")))
        return
    else:
        _print_rows(data)
    answered = data.drop_duplicates(["episode", "act_id"])["answers"].gt(0).sum()
    acts = data.drop_duplicates(["episode", "act_id"]).shape[0]
    note = f"{acts} acts in {len(table.episodes)} episodes, {answered} answered within {table.window} days"
    typer.echo(note + (f" -> {out}" if out else ""), err=True)


def _print_rows(data) -> None:
    """A readable table on standard output (the main columns; --csv has them all)."""
    columns = [
        "episode",
        "act_id",
        "date",
        "actor",
        "target",
        "kind",
        "size",
        "coalition_size",
        "answer_kind",
        "answer_size",
        "delay_days",
    ]
    typer.echo(data[columns].to_string(index=False, na_rep="-"))


@app.command("fit")
def fit(
    logs: LogsArgument,
    policy: Annotated[
        list[str],
        typer.Option(
            "--policy", help="A family to fit (repeat it, or 'all'); see docs/fitting.md.", show_default=False
        ),
    ],
    test: Annotated[
        list[Path] | None,
        typer.Option("--test", help="Score the fit on these logs' episodes too (it never sees them)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write fit.json and FAMILY.policy.yaml into this folder.")
    ] = None,
    figure: Annotated[
        Path | None,
        typer.Option(
            "--figure",
            help="Draw the first family's leave-one-episode-out predictions "
            "against the documented answers (png, svg or pdf).",
        ),
    ] = None,
    window: WindowOption = "90",
    as_json: JsonOption = False,
) -> None:
    """Fit reactive policy families to documented logs by maximum likelihood: estimates with
    95% profile intervals, AIC and BIC, a policy block per family, and leave-one-episode-out
    scores beside the baseline (exact mirror after 7 days)."""
    from sim.fitting.families import FAMILIES
    from sim.fitting.fit import TooFewAnswers, UnknownFamily, fit_table
    from sim.fitting.record import record_of

    names = list(FAMILIES) if "all" in policy else list(dict.fromkeys(policy))
    if figure is not None:
        _check_output_file(figure, "--figure")
        if figure.suffix.lower() not in (".png", ".svg", ".pdf"):
            _fail([f"--figure: {figure} should end in .png, .svg or .pdf"])
    table = _table(logs, window)
    held = _table(test, window) if test else None
    if out is not None and out.exists() and not out.is_dir():
        _fail([f"--out: {out} is a file, not a folder"])
    try:
        fits = [fit_table(table, name) for name in names]
        record = record_of(table, fits, held)
    except (TooFewAnswers, UnknownFamily) as exc:
        _fail([str(exc)])
    if out is not None:
        _write_fit(out, record, fits)
    if figure is not None:
        _draw(table, names[0], figure)
    if as_json:
        _print_json(record)
        return
    from sim.fitting.record import summary_lines

    for line in summary_lines(record):
        typer.echo(line)
    if out is not None:
        typer.echo(f"-> {out / 'fit.json'} and {len(fits)} policy block(s)", err=True)


def _write_fit(out: Path, record: dict, fits: list) -> None:
    from sim.fitting.record import policy_yaml

    _write(out / "fit.json", json.dumps(record, indent=2) + "\n")
    for fitted in fits:
        _write(out / f"{fitted.family.name}.policy.yaml", policy_yaml(fitted, record["digest"]))


def _draw(table, name: str, figure: Path) -> None:
    from sim.fitting.figure import draw
    from sim.fitting.scores import loo_predictions

    model, base, _ = loo_predictions(table, name)
    try:
        figure.parent.mkdir(parents=True, exist_ok=True)
        draw(model, base, name, [figure])
    except OSError as exc:
        _fail([f"--figure: {write_failure(figure, exc)}"])
    typer.echo(f"-> {figure}", err=True)
