"""The figure options shared by ``sim run``, ``sim compare`` and ``sim report``.

Numbers and dates are taken as text and parsed here, so that a bad value is one line naming
the option (exit 2), as for every other option, not Click's usage box.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sim.analysis.figure_style import FigureOptions

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")  # sim.analysis.figure_style.FORMATS (imports matplotlib)

FormatOption = Annotated[
    str | None, typer.Option("--format", help=f"Chart format: {' | '.join(FORMATS)} (default: png and svg).")
]
DpiOption = Annotated[str, typer.Option("--dpi", metavar="INTEGER", help="PNG resolution (dots per inch).")]
FromOption = Annotated[
    str | None,
    typer.Option("--from", metavar="DATE", help="First date shown (YYYY-MM-DD; the data is not cut)."),
]
ToOption = Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last date shown (YYYY-MM-DD).")]
FontScaleOption = Annotated[
    str,
    typer.Option("--font-scale", metavar="FLOAT", help="Scale all text (1.5 for a slide seen from afar)."),
]
TitleOption = Annotated[str | None, typer.Option("--title", help="Figure title (default: run, dates, seed).")]


def _number(name: str, text: str, kind: type) -> float:
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        typer.echo(f"{name}: {text[:40]!r} is not {what}", err=True)
        raise typer.Exit(2) from None


def figure_options(
    fmt: str | None, dpi: str, date_from: str | None, date_to: str | None, font_scale: str, title: str | None
) -> FigureOptions:
    """Validated :class:`FigureOptions`, or one line on standard error and exit 2."""
    from sim.analysis.figure_style import FigureOptions, option_problem, parse_dates

    dots = int(_number("--dpi", dpi, int))
    scale = float(_number("--font-scale", font_scale, float))
    problem = option_problem(fmt, dots, scale, date_from, date_to)
    if problem:
        typer.echo(problem, err=True)
        raise typer.Exit(2)
    start, end = parse_dates(date_from, date_to)
    options = FigureOptions(dpi=dots, start=start, end=end, font_scale=scale, title=title or None)
    return options.with_formats(fmt)
