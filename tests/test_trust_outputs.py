"""A run's output folder is replaced only when a run wrote it, and the swap loses nothing.

Each test here failed before the output-folder rules of ``sim.infra.outdir``: a folder with a
``manifest.json`` and a user's thesis was replaced whole; a crash between the swap's two
renames left the outputs aside for good; a symbolic link became a real folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sim.app.runner import run_scenario
from sim.infra import outdir
from sim.infra.outdir import OutputDirError, recover, run_dir_problem, swap_into
from tests.cli_runner import sim_inline
from tests.helpers import small_scenario

ROOT = Path(__file__).resolve().parent.parent
SPIRAL = ROOT / "scenarios" / "tit-for-tat-spiral.yaml"


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finished run of a small scenario (its folder is copied, never changed)."""
    out = tmp_path_factory.mktemp("finished") / "run"
    run_scenario(small_scenario(end="2020-03-31"), out)
    return out


def test_a_folder_with_a_manifest_and_a_users_files_is_refused_and_untouched(tmp_path: Path) -> None:
    out = tmp_path / "thesis"
    (out / "src").mkdir(parents=True)
    (out / "manifest.json").write_text('{"name": "my thesis", "version": 3}\n')
    (out / "thesis.tex").write_text("\\chapter{Expulsions}\n")
    (out / "src" / "model.py").write_text("print(1)\n")
    before = _tree(out)
    outcome = sim_inline("run", SPIRAL, "--out", out)
    assert outcome.code == 2
    outcome.assert_no_traceback()
    assert outcome.stderr.count("\n") == 1
    assert str(out) in outcome.stderr and "thesis.tex" in outcome.stderr
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]


def test_a_manifest_that_another_tool_wrote_is_not_a_run(tmp_path: Path) -> None:
    out = tmp_path / "other"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "webpack", "files": []}\n')
    assert "no manifest.json written by 'sim run'" in (run_dir_problem(out) or "")
    (out / "manifest.json").write_text("[1, 2, 3]\n")
    assert run_dir_problem(out)
    with pytest.raises(OutputDirError):
        run_scenario(small_scenario(end="2020-01-31"), out)
    assert (out / "manifest.json").read_text() == "[1, 2, 3]\n"


def test_a_hidden_file_of_the_users_counts_as_foreign(finished: Path, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "run"
    shutil.copytree(finished, out)
    assert run_dir_problem(out) is None
    (out / ".git").mkdir()
    assert ".git" in (run_dir_problem(out) or "")


def test_a_run_folder_is_replaced_and_names_the_project(finished: Path) -> None:
    manifest = json.loads((finished / "manifest.json").read_text())
    assert manifest["generator"] == "reciprocity-sim"
    assert run_dir_problem(finished) is None


def test_a_crash_between_the_two_renames_is_recovered_by_the_next_run(finished: Path, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "run"
    shutil.copytree(finished, out)
    before = _tree(out)
    aside = tmp_path / ".run.old-99999"
    os.replace(out, aside)  # the first rename happened, the second never did
    recover(out)
    assert _tree(out) == before
    assert not aside.exists()
    # With the new folder in place, a leftover aside is stale and goes.
    shutil.copytree(out, aside)
    recover(out)
    assert not aside.exists() and _tree(out) == before


def test_the_next_run_restores_then_replaces(finished: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(finished, tmp_path / ".run.old-4242")
    result = run_scenario(small_scenario(end="2020-02-29"), tmp_path / "run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert result.manifest["end"] == "2020-02-29"


def test_a_foreign_folder_aside_is_never_taken_for_old_outputs(tmp_path: Path) -> None:
    aside = tmp_path / ".run.old-1"
    aside.mkdir()
    (aside / "notes.txt").write_text("mine\n")
    recover(tmp_path / "run")
    assert not (tmp_path / "run").exists()
    assert (aside / "notes.txt").read_text() == "mine\n"


def test_out_given_as_a_symlink_stays_a_link_and_its_target_gets_the_run(tmp_path: Path) -> None:
    target = tmp_path / "real"
    target.mkdir()
    link = tmp_path / "latest"
    link.symlink_to(target, target_is_directory=True)
    run_scenario(small_scenario(end="2020-01-31"), link)
    run_scenario(small_scenario(end="2020-02-29"), link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (target / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "real"]


def test_every_rename_of_the_swap_is_followed_by_a_sync_of_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[Path] = []
    monkeypatch.setattr(outdir, "fsync_dir", synced.append)
    (tmp_path / "out").mkdir()
    (tmp_path / "work").mkdir()
    swap_into(tmp_path / "work", tmp_path / "out")
    assert synced == [tmp_path, tmp_path]


def test_a_killed_runs_half_written_temporary_never_reaches_the_outputs(tmp_path: Path) -> None:
    """A run killed while it drew its chart leaves ``.staffing.svg.PID-RANDOM.tmp`` in its
    partial folder; the run that resumes there must not swap it into the outputs (the folder
    would then hold a file no run writes, and the next run would refuse it)."""
    partial = tmp_path / ".run.partial"
    partial.mkdir()
    (partial / ".staffing.svg.99999-deadbeef.tmp").write_text("<svg")
    run_scenario(small_scenario(end="2020-01-31"), tmp_path / "run")
    assert not list((tmp_path / "run").glob(".*"))
    assert run_dir_problem(tmp_path / "run") is None
