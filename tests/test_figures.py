"""The figures for papers and slides: no two labels overlap (measured from the rendered text
extents), text stays text in SVG, every mark is in the legend, date ticks suit any span, and
the figure options reach the files."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from sim.analysis.charts import staffing_chart
from sim.analysis.compare import load_run
from sim.analysis.figure_style import FigureOptions, date_ticks
from sim.analysis.placement import drawn_texts, overlapping_pairs
from sim.analysis.projections import staffing_changes
from tests.helpers import bundled_run
from tests.report_helpers import ROOT, run_into, sim

HISTORY = ROOT / "scenarios" / "history-2016-2022.yaml"
SVG = "{http://www.w3.org/2000/svg}"


def draw_history(options: FigureOptions, paths: list[Path] | None = None) -> plt.Figure:
    engine = bundled_run(HISTORY)
    scenario = engine.scenario
    missions = [side.name for side in scenario.sides]
    changes = staffing_changes(engine.log, missions, scenario.start)
    return staffing_chart(
        changes,
        engine.log,
        missions,
        scenario.start,
        scenario.horizon,
        title=f"{scenario.name}: staffing of both missions, {scenario.start} to {scenario.end}",
        observations=scenario.prelude_log.observations,
        paths=paths or [],
        options=options,
    )


def texts_of(fig: plt.Figure) -> list[Text]:
    fig.canvas.draw()
    return drawn_texts(fig)


def assert_no_overlap(fig: plt.Figure) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    pairs = overlapping_pairs(texts_of(fig), renderer)
    assert not pairs, f"overlapping labels: {pairs[:5]}"
    width, height = fig.canvas.get_width_height()
    for text in texts_of(fig):
        box = text.get_window_extent(renderer)
        assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, text.get_text()


@pytest.mark.parametrize(
    "options",
    [
        FigureOptions(),
        FigureOptions(font_scale=1.5),
        FigureOptions(font_scale=2.5),
        FigureOptions(start=dt.date(2021, 1, 1), end=dt.date(2022, 10, 31), title="2021-2022 only"),
    ],
    ids=["default", "slide", "largest", "window"],
)
def test_staffing_labels_never_overlap(options: FigureOptions) -> None:
    fig = draw_history(options)
    try:
        assert_no_overlap(fig)
        labels = [t.get_text() for t in texts_of(fig)]
        assert any(label.startswith("expel") for label in labels)
        assert not any("_" in label for label in labels), [label for label in labels if "_" in label]
    finally:
        plt.close(fig)


def test_every_mark_is_in_the_legend() -> None:
    fig = draw_history(FigureOptions())
    try:
        legend = " | ".join(t.get_text() for t in fig.legends[0].get_texts())
        for words in (
            "US mission in RU",
            "role: diplomats",
            "role: local staff",
            "reported figure",
            "hostile act",
        ):
            assert words in legend
        assert "act to its deadline" in legend
    finally:
        plt.close(fig)


def test_svg_keeps_text_as_text_and_pdf_and_dpi(tmp_path: Path) -> None:
    paths = [tmp_path / "f.svg", tmp_path / "f.pdf", tmp_path / "f.png"]
    plt.close(draw_history(FigureOptions(dpi=100), paths))
    root = ET.parse(paths[0]).getroot()
    words = " ".join("".join(node.itertext()) for node in root.iter(f"{SVG}text"))
    assert "people at post" in words and "reported" in words
    assert paths[1].read_bytes().startswith(b"%PDF")
    from PIL import Image

    assert Image.open(paths[2]).size[0] == 1200  # 12 inches at 100 dpi


@pytest.mark.parametrize(
    ("days", "shows"),
    [(31, "Jan 2020"), (22 * 30, "2020"), (20 * 365, "2030")],
    ids=["one month", "22 months", "20 years"],
)
def test_date_ticks_for_any_span(days: int, shows: str) -> None:
    start = dt.date(2020, 1, 1)
    end = start + dt.timedelta(days=days)
    fig, axis = plt.subplots(figsize=(12, 3))
    try:
        axis.plot([start, end], [0, 1])
        axis.set_xlim(start, end)
        count = date_ticks(axis, start, end)
        fig.canvas.draw()
        labels = [t.get_text() for t in axis.get_xticklabels() if t.get_text()]
        assert 3 <= count <= 12 and len(labels) >= 3, labels
        assert any(shows in label for label in labels), labels
        assert not overlapping_pairs(axis.get_xticklabels(), fig.canvas.get_renderer())
    finally:
        plt.close(fig)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("figures")
    return [run_into(root, name) for name in ("rotation-rule-2021", "rotation-rule-2021-answered")]


@pytest.mark.parametrize("scale", [1.3, 2.5])
def test_compare_labels_never_overlap_and_twins_are_named(runs: list[Path], scale: float) -> None:
    from sim.analysis.charts_compare import compare_figure

    loaded = [load_run(run) for run in runs]
    twin = load_run(runs[0])
    twin = type(twin)("copy-of-base", twin.manifest, twin.totals)
    fig = compare_figure([*loaded, twin], [], FigureOptions(font_scale=scale))
    try:
        assert_no_overlap(fig)
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert "copy-of-base (same as rotation-rule-2021)" in legend
        assert [axis.get_ylabel().split()[0] for axis in fig.axes] == ["RU", "US"]
        assert any(t.get_text().startswith("fork 2021-12-02") for t in texts_of(fig))
    finally:
        plt.close(fig)


def test_cli_figure_options(runs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp.png"
    code, _, err = sim(
        "compare", *runs, "--out", out, "--format", "svg", "--title", "Two answers", "--dpi", "90"
    )
    assert code == 0, err
    assert (tmp_path / "cmp.svg").is_file() and "Two answers" in (tmp_path / "cmp.svg").read_text()
    code, _, err = sim(
        "run", ROOT / "scenarios" / "tit-for-tat-spiral.yaml", "--out", tmp_path / "r", "--format", "pdf"
    )
    assert code == 0, err
    assert (tmp_path / "r" / "staffing.pdf").is_file() and not (tmp_path / "r" / "staffing.png").exists()
    code, _, err = sim(
        "run", ROOT / "scenarios" / "tit-for-tat-spiral.yaml", "--out", tmp_path / "r"
    )  # pdf run's folder is a run's folder
    assert code == 0, err
    assert (tmp_path / "r" / "staffing.png").is_file() and not (tmp_path / "r" / "staffing.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "jpg"], "--format: 'jpg' is not one of png, svg, pdf"),
        (["--dpi", "lots"], "--dpi: 'lots' is not a whole number"),
        (["--dpi", "5"], "--dpi: 5 is not between 30 and 1200"),
        (["--font-scale", "x"], "--font-scale: 'x' is not a number"),
        (["--from", "2022-02-30"], "--from: '2022-02-30' is not a date (YYYY-MM-DD)"),
        (["--from", "2023-01-01", "--to", "2022-01-01"], "--from 2023-01-01 is not before --to 2022-01-01"),
    ],
)
def test_bad_figure_options_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = sim("run", ROOT / "scenarios" / "tit-for-tat-spiral.yaml", "--out", tmp_path / "r", *args)
    assert code == 2 and err.strip() == message and not (tmp_path / "r").exists()


def test_the_cli_knows_the_same_formats() -> None:
    from sim.analysis import figure_style
    from sim.cli import figures as figure_cli

    assert figure_cli.FORMATS == figure_style.FORMATS
