"""Output folders of ``sim tournament`` and ``sim moran`` (``sim.infra.result_dir``): written whole,
replaced whole, and never over a folder the command did not write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.infra.result_dir import result_dir_problem, write_result_dir
from tests.cli_runner import sim_inline

DEAD_PID = 2**22 + 12345  # above Linux's default pid_max: no such process


def text_writer(text: str):
    return lambda path: path.write_text(text)


def test_a_folder_is_written_whole_and_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "t"
    write_result_dir(out, "tournament", {"a.csv": text_writer("1"), "b.csv": text_writer("2")}, {"x": 1})
    manifest = json.loads((out / "manifest.json").read_text())
    assert (
        manifest["command"] == "tournament" and manifest["files"] == ["a.csv", "b.csv"] and manifest["x"] == 1
    )
    write_result_dir(out, "tournament", {"a.csv": text_writer("3"), "b.csv": text_writer("4")}, {})
    assert (out / "a.csv").read_text() == "3" and (out / "b.csv").read_text() == "4"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_failed_write_leaves_the_old_folder_and_no_partial_one(tmp_path: Path) -> None:
    out = tmp_path / "t"
    write_result_dir(out, "moran", {"a.csv": text_writer("old")}, {})

    def broken(path: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_result_dir(out, "moran", {"a.csv": text_writer("new"), "b.png": broken}, {})
    assert (out / "a.csv").read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_other_folders_are_refused_untouched(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    assert "did not write (notes.txt)" in result_dir_problem(mine, "tournament", {"a.csv"})
    with pytest.raises(ValueError, match="not replacing it"):
        write_result_dir(mine, "tournament", {"a.csv": text_writer("1")}, {})
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    moran = tmp_path / "moran"
    write_result_dir(moran, "moran", {"a.csv": text_writer("1")}, {})
    assert "no manifest.json written by 'sim tournament'" in result_dir_problem(
        moran, "tournament", {"a.csv"}
    )
    assert result_dir_problem(tmp_path / "new", "tournament", set()) is None
    (tmp_path / "file").write_text("")
    assert "is not a directory" in result_dir_problem(tmp_path / "file", "tournament", set())


def test_what_a_killed_writer_left_is_tidied(tmp_path: Path) -> None:
    out = tmp_path / "t"
    write_result_dir(out, "tournament", {"a.csv": text_writer("old")}, {})
    stale = tmp_path / f".t.partial-{DEAD_PID}-abcdef"
    stale.mkdir()
    (stale / "a.csv").write_text("half")
    out.rename(tmp_path / f".t.old-{DEAD_PID}")  # killed between the swap's two renames
    write_result_dir(
        tmp_path / "other", "tournament", {"a.csv": text_writer("x")}, {}
    )  # unrelated: untouched
    assert (tmp_path / f".t.old-{DEAD_PID}").exists()
    from sim.infra.result_dir import _tidy

    _tidy(out, "tournament")
    assert (out / "a.csv").read_text() == "old" and not stale.exists()


def test_an_interrupted_tournament_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.games.tournament

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.games.tournament, "play_tournament", interrupted)
    outcome = sim_inline(
        "tournament", "tit_for_tat", "always_hostile", "--workers", 1, "--out", tmp_path / "t"
    )
    assert outcome.code == 130 and "interrupted: nothing was written" in outcome.stderr
    assert not (tmp_path / "t").exists()


def test_a_write_that_fails_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.games.files

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sim.games.files, "write_tournament", full)
    outcome = sim_inline(
        "tournament", "tit_for_tat", "always_hostile", "--workers", 1, "--out", tmp_path / "t"
    )
    outcome.assert_no_traceback()
    assert outcome.code == 2 and outcome.stderr.strip().splitlines()[-1].startswith("--out: ")
