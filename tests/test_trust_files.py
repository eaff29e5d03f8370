"""Inputs that are not regular files are refused without being opened; a huge prelude is
refused by its size before a byte of it is read (before, a FIFO hung ``validate`` and
``sweep``, and a 1.5 GB prelude was read and hashed whole first)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.infra.errors import InputError
from sim.scenario.loading import load_scenario
from tests.cli_runner import sim_process

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "scenarios" / "history-2016-2022.yaml"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "command",
    [("validate",), ("run",), ("sweep",), ("history",)],
    ids=["validate", "run", "sweep", "history"],
)
def test_a_fifo_is_refused_without_blocking(fifo: Path, command: tuple[str, ...]) -> None:
    outcome = sim_process(*command, fifo, timeout=30)  # a blocked open would time out here
    assert outcome.code == 2, outcome.stderr
    outcome.assert_no_traceback()
    assert f"{fifo}:1:1: is a named pipe (FIFO), not a regular file" in outcome.stderr


def test_a_device_is_refused() -> None:
    outcome = sim_process("validate", "/dev/zero", timeout=30)
    assert outcome.code == 2
    assert "/dev/zero:1:1: is a device, not a regular file" in outcome.stderr


def _with_prelude(tmp_path: Path, prelude: Path) -> Path:
    text = HISTORY.read_text(encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    lines = [f"prelude: {prelude}" if line.startswith("prelude:") else line for line in text.splitlines()]
    scenario.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return scenario


def test_a_fifo_as_prelude_is_refused(fifo: Path, tmp_path: Path) -> None:
    outcome = sim_process("validate", _with_prelude(tmp_path, fifo), timeout=30)
    assert outcome.code == 2, outcome.stderr
    assert "is a named pipe (FIFO)" in outcome.stderr and "prelude" in outcome.stderr


def test_a_huge_prelude_is_refused_by_size_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as stream:
        stream.truncate(1_500_000_000)  # sparse: costs no disk
    opened: list[Path] = []
    real_open, real_read_bytes = Path.open, Path.read_bytes

    def watch_open(self: Path, *args: object, **kwargs: object) -> object:
        opened.append(self)
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    def watch_read(self: Path) -> bytes:
        opened.append(self)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "open", watch_open)
    monkeypatch.setattr(Path, "read_bytes", watch_read)
    with pytest.raises(InputError) as caught:
        load_scenario(_with_prelude(tmp_path, huge))
    assert "1,500,000,000 bytes" in str(caught.value)
    assert huge not in opened
