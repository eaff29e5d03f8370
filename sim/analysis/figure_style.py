"""What every figure shares: the options users set, a colour-blind-safe palette, type sizes
that read on a projector, date ticks for any span, and atomic saving with text kept as text.

The palette is Okabe and Ito's (2008), designed to stay distinct under the common colour
vision deficiencies; missions take its blue and vermillion, roles three other hues. Sizes
are in points for a 12-inch-wide figure: shown full width on a slide or a printed page the
smallest text (act labels, 10 pt) stays readable; ``font_scale`` enlarges all of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import matplotlib

# Figures are files: no window, no display needed. In a Jupyter kernel (which names its inline
# backend in MPLBACKEND) the notebook's own figures must stay inline, so it is left alone there.
if "inline" not in os.environ.get("MPLBACKEND", ""):
    matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

from sim.infra.atomic import atomic_path

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
T = TypeVar("T")

#: Okabe-Ito colours
BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, YELLOW, BLACK = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
MISSION_COLORS: tuple[str, ...] = (BLUE, VERMILLION)
ROLE_COLORS: dict[str, str] = {"diplomat": GREEN, "admin_technical": ORANGE, "local": PURPLE}
ROLE_NAMES: dict[str, str] = {
    "diplomat": "diplomats",
    "admin_technical": "admin. & technical",
    "local": "local staff",
}
#: Runs in a comparison after the first (drawn in black): distinct hues, then the same again dashed.
RUN_COLORS: tuple[str, ...] = (VERMILLION, BLUE, GREEN, PURPLE, ORANGE, SKY)


@dataclass(frozen=True)
class FigureOptions:
    """``--format``, ``--dpi``, ``--from``/``--to``, ``--font-scale`` and ``--title``."""

    formats: tuple[str, ...] = ("png", "svg")
    dpi: int = 200
    start: dt.date | None = None  # the window shown (``--from``), default the run's start
    end: dt.date | None = None  # ``--to``
    font_scale: float = 1.0
    title: str | None = None

    def with_formats(self, fmt: str | None) -> FigureOptions:
        return self if fmt is None else replace(self, formats=(fmt,))

    def window(self, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
        """The shown span, clipped to ``start..end`` (the data's)."""
        lo = max(self.start or start, start)
        hi = min(self.end or end, end)
        return (lo, hi) if lo < hi else (start, end)


def option_problem(
    fmt: str | None, dpi: int, font_scale: float, start: str | None, end: str | None
) -> str | None:
    """Why figure options are unusable (one line for the CLI), or ``None``."""
    if fmt is not None and fmt not in FORMATS:
        return f"--format: {fmt!r} is not one of {', '.join(FORMATS)}"
    if not 30 <= dpi <= 1200:
        return f"--dpi: {dpi} is not between 30 and 1200"
    if not 0.5 <= font_scale <= 2.5:
        return f"--font-scale: {font_scale} is not between 0.5 and 2.5"
    dates = []
    for name, text in (("--from", start), ("--to", end)):
        if text is None:
            dates.append(None)
            continue
        try:
            dates.append(dt.date.fromisoformat(text))
        except ValueError:
            return f"{name}: {text!r} is not a date (YYYY-MM-DD)"
    if dates[0] and dates[1] and dates[0] >= dates[1]:
        return f"--from {dates[0]} is not before --to {dates[1]}"
    return None


def parse_dates(start: str | None, end: str | None) -> tuple[dt.date | None, dt.date | None]:
    return (
        dt.date.fromisoformat(start) if start else None,
        dt.date.fromisoformat(end) if end else None,
    )


@contextlib.contextmanager
def style(font_scale: float = 1.0) -> Iterator[None]:
    """Matplotlib settings for one figure: sizes, palette, and SVG/PDF text kept as text."""
    size = 12 * font_scale
    settings = {
        "font.size": size,
        "axes.titlesize": size * 1.1,
        "axes.labelsize": size,
        "xtick.labelsize": size * 0.95,
        "ytick.labelsize": size * 0.95,
        "legend.fontsize": size * 0.95,
        "xtick.major.pad": 7 * font_scale,  # below the y axis's "0", never beside it
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": matplotlib.cycler(color=[BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY]),
        "svg.fonttype": "none",  # <text> elements that an editor can change
        "pdf.fonttype": 42,  # TrueType in PDF: selectable, editable text
        "svg.hashsalt": "reciprocity-sim",  # the same SVG ids on every run
        "font.family": "DejaVu Sans",
    }
    with plt.rc_context(settings):
        yield


def styled(draw: Callable[..., T]) -> Callable[..., T]:
    """Draw inside :func:`style` (for chart functions written before it, e.g. the sweep's)."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with style():
            return draw(*args, **kwargs)

    return wrapper


_STEPS: tuple[tuple[str, int], ...] = (
    ("week", 1),
    ("month", 1),
    ("month", 2),
    ("month", 3),
    ("month", 6),
    ("year", 1),
    ("year", 2),
    ("year", 5),
    ("year", 10),
)


def _locator(unit: str, every: int) -> mdates.DateLocator:
    if unit == "week":
        return mdates.DayLocator(bymonthday=(1, 8, 15, 22))
    if unit == "month":
        return mdates.MonthLocator(bymonth=range(1, 13, every))
    return mdates.YearLocator(every)


class _DateLabels(matplotlib.ticker.Formatter):
    """Concise date labels: years alone on a yearly axis; otherwise months (or days) with the
    year written on the first tick and wherever it changes (``Mar 2021``, ``Jun``, ``Sep``,
    ``Dec``, ``Mar 2022``), so no axis lacks its year."""

    def __init__(self, unit: str) -> None:
        self.unit = unit

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.format_ticks([x])[0]

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        labels, year = [], None
        lo, hi = sorted(self.axis.get_view_interval()) if self.axis is not None else (-np.inf, np.inf)
        for value in values:
            when = mdates.num2date(value)
            if not lo <= value <= hi:
                labels.append("")
                continue
            if self.unit == "year":
                labels.append(f"{when.year}")
                continue
            text = f"{when.day} {when:%b}" if self.unit == "week" else f"{when:%b}"
            labels.append(f"{text} {when.year}" if when.year != year else text)
            year = when.year
        return labels


def date_ticks(axis: plt.Axes, start: dt.date, end: dt.date, max_ticks: int | None = None) -> int:
    """Major ticks at whole weeks, months, quarters or years, as many as fit (at most
    ``max_ticks``, at least two for any span of a month or more), labelled concisely: the
    year is written once where it changes (``Jan 2020``, ``Apr``, ``Jul``... or ``2019``,
    ``2021``...). Returns the number of ticks."""
    # a label's width in ems, with room between labels: "2021"; "Apr" (a year now and then); "8 Jan"
    ems = {"year": 3.6, "month": 4.2, "week": 4.6}
    room = axis.get_position().width * axis.figure.get_figwidth() * 72 / _points("xtick.labelsize")
    days = max((end - start).days, 1)
    for unit, every in _STEPS:
        count = days / ({"week": 7.6, "month": 30.4, "year": 365.25}[unit] * every)
        if count <= (max_ticks or 12) and count * ems[unit] <= room:
            break
    locator = _locator(unit, every)
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(_DateLabels(unit))
    if unit == "year" and every == 1 and days < 6 * 365:
        axis.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
    lo, hi = (dt.datetime.combine(day, dt.time()) for day in (start, end))
    return sum(mdates.date2num(lo) <= t <= mdates.date2num(hi) for t in locator.tick_values(lo, hi))


def _points(key: str) -> float:
    """An rcParams font size in points (``"medium"`` and the like resolved)."""
    from matplotlib.font_manager import FontProperties

    return float(FontProperties(size=plt.rcParams[key]).get_size_in_points())


def legend_columns(scale: float, widest: int = 3) -> int:
    """Legend columns that fit a 12-inch figure at this type size."""
    return widest if scale <= 1.15 else min(widest, 2) if scale <= 1.6 else 1


def thin_y_ticks(fig: plt.Figure, axes: Sequence[plt.Axes], short: Sequence[str] | str = "people") -> None:
    """As many y ticks as each panel's height has room for at the type size (big type on a
    short panel gets two or three), so tick labels never touch; past twice the usual size a
    vertical axis label longer than its panel becomes ``short``."""
    from matplotlib.ticker import MaxNLocator

    size = _points("ytick.labelsize")
    shorts = [short] * len(axes) if isinstance(short, str) else list(short)
    for axis, word in zip(axes, shorts, strict=True):
        inches = axis.get_position().height * fig.get_figheight()
        axis.yaxis.set_major_locator(
            MaxNLocator(nbins=max(2, int(inches * 72 / (size * 2.6))), steps=[1, 2, 2.5, 5, 10], integer=True)
        )
        if size > 22:
            axis.set_ylabel(word)


def save(fig: plt.Figure, paths: Sequence[Path], dpi: int) -> None:
    """Write each path atomically, in the format its suffix names, without a date stamp
    (so that the same run gives the same SVG and PDF bytes)."""
    for path in paths:
        fmt = path.suffix[1:]
        metadata = {"Date": None} if fmt == "svg" else {"CreationDate": None} if fmt == "pdf" else None
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata)
