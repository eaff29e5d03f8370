"""``sim report`` without a browser: the file is self-contained, finds its scenario only by
hash, writes paper figures on request, and bad input is one line with exit 2."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import bundled_run
from tests.report_helpers import ROOT, run_into, sim


@pytest.fixture(scope="module")
def spiral(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_into(tmp_path_factory.mktemp("report"), "tit-for-tat-spiral")


def test_the_page_loads_nothing_from_outside(spiral: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, stdout, err = sim("report", spiral, "--out", out)
    assert code == 0, err
    assert f"-> {out}" in stdout
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page) and not re.search(r"<link[^>]+href=", page)
    assert not re.search(r"""(src|href)=['"]?//""", page)
    assert "Plotly.newPlot" in page and "tit-for-tat-spiral" in page
    acts = sum(e.IS_ACT for e in bundled_run(ROOT / "scenarios" / "tit-for-tat-spiral.yaml").log)
    assert page.count('<li id="act-') == acts
    assert "B expels 5 of A's staff" in page
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_scenario_is_shown_only_when_its_hash_matches(spiral: Path, tmp_path: Path) -> None:
    edited = tmp_path / "scenarios" / "tit-for-tat-spiral.yaml"
    edited.parent.mkdir()
    text = (ROOT / "scenarios" / "tit-for-tat-spiral.yaml").read_text(encoding="utf-8")
    edited.write_text(text.replace("size: 5", "size: 6"), encoding="utf-8")
    out = tmp_path / "r.html"
    code, _, err = sim("report", spiral, "--out", out, "--scenario", edited)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert "tit_for_tat" in page  # the bundled file (same hash) was found after the edited one


def test_format_writes_the_paper_figure_beside_the_report(spiral: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, _, err = sim("report", spiral, "--out", out, "--format", "svg", "--font-scale", "1.4")
    assert code == 0, err
    figure = tmp_path / "r-tit-for-tat-spiral.svg"
    assert figure.is_file() and "<text" in figure.read_text(encoding="utf-8")


def test_bad_input_is_one_line(spiral: Path, tmp_path: Path) -> None:
    cases = [
        ([tmp_path / "nowhere"], f"{tmp_path / 'nowhere'}: no such run directory"),
        ([spiral, "--out", tmp_path / "r.pdf"], f"--out: {tmp_path / 'r.pdf'} must be an .html file"),
        ([spiral, "--dpi", "x"], "--dpi: 'x' is not a whole number"),
    ]
    copy = tmp_path / "copy"
    shutil.copytree(spiral, copy)
    (copy / "events.sqlite").write_bytes(b"garbage" * 500)
    cases.append(([copy], "not a readable event store"))
    empty = tmp_path / "empty"
    empty.mkdir()
    cases.append(([empty], "manifest.json not found"))
    for args, message in cases:
        more = [] if "--out" in args else ["--out", tmp_path / "out" / "r.html"]
        code, _, err = sim("report", *args, *more)
        assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, (args, err)
    assert not (tmp_path / "out" / "r.html").exists()
