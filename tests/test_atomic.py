"""``sim.infra.atomic``: the previous file or the new one, never a truncated one or a stray temporary."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.infra.atomic import atomic_path, write_atomic


def test_write_atomic_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    target.write_text("old")
    write_atomic(target, "new é")
    write_atomic(tmp_path / "raw.bin", b"\x00\x01")
    assert target.read_text(encoding="utf-8") == "new é"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "raw.bin"]


def test_a_writer_that_fails_half_way_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "staffing.csv"
    target.write_text("whole\n")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a fi")
        raise RuntimeError("the writer died")
    assert target.read_text() == "whole\n"
    assert [p.name for p in tmp_path.iterdir()] == ["staffing.csv"]


def test_the_temporary_is_a_hidden_sibling(tmp_path: Path) -> None:
    """Beside the target (same file system, so the rename is atomic), hidden from globs."""
    target = tmp_path / "chart.png"
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.startswith(".")
        tmp.write_bytes(b"png")
    assert target.read_bytes() == b"png"
