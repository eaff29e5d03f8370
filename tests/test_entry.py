"""The entry point's Ctrl-C handling, in-process (the subprocess tests are in test_crash.py)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import pytest

import sim.__main__ as entry
import sim.cli.main


@pytest.fixture(autouse=True)
def fresh_entry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no interrupt seen and leaves SIGINT as it found it."""
    monkeypatch.setattr(entry, "_interrupts", [])
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)


def run_main_with(app: object, monkeypatch: pytest.MonkeyPatch) -> int | str | None:
    monkeypatch.setattr(sim.cli.main, "app", app)
    with pytest.raises(SystemExit) as stopped:
        entry.main()
    return stopped.value.code


def test_an_error_a_c_extension_makes_of_the_interrupt_still_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """matplotlib turns a KeyboardInterrupt inside its path code into a ValueError."""

    def drawing() -> None:
        try:
            signal.getsignal(signal.SIGINT)(signal.SIGINT, None)
        except KeyboardInterrupt:
            raise ValueError("Invalid bounding box") from None

    assert run_main_with(drawing, monkeypatch) == entry.EXIT_INTERRUPTED
    assert capsys.readouterr().err == "interrupted\n"


def test_a_second_ctrl_c_does_not_repeat_the_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def twice() -> None:
        handler = signal.getsignal(signal.SIGINT)
        try:
            handler(signal.SIGINT, None)
        finally:
            handler(signal.SIGINT, None)

    assert run_main_with(twice, monkeypatch) == entry.EXIT_INTERRUPTED
    assert capsys.readouterr().err == "interrupted\n"


def test_an_error_without_an_interrupt_is_not_hidden(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug is not taken for an interrupt: it is reported as an internal error (exit 70), and
    with SIM_DEBUG set it propagates with its traceback."""

    def broken() -> None:
        raise ValueError("a real bug")

    monkeypatch.setattr(sim.cli.main, "app", broken)
    monkeypatch.delenv("SIM_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        entry.main()
    assert exited.value.code == 70
    assert "internal error (ValueError: a real bug" in capsys.readouterr().err
    monkeypatch.setenv("SIM_DEBUG", "1")
    with pytest.raises(ValueError, match="a real bug"):
        entry.main()


def test_once_the_command_is_done_sigint_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython restores SIGINT's default action during shutdown unless it is ignored: a late
    Ctrl-C would kill a finished run without a word."""

    def done() -> None:
        raise SystemExit(0)

    assert run_main_with(done, monkeypatch) == 0
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_third_ctrl_c_stops_at_once_even_when_the_first_two_are_swallowed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user's policy that catches every exception in a loop cannot keep the command alive."""
    forced: list[int] = []

    def force(code: int) -> None:
        forced.append(code)
        raise SystemExit(code)

    monkeypatch.setattr(entry, "_force_exit", force)

    def swallowing() -> None:
        handler = signal.getsignal(signal.SIGINT)
        for _ in range(3):
            with contextlib.suppress(KeyboardInterrupt):  # the policy's bare except
                handler(signal.SIGINT, None)

    assert run_main_with(swallowing, monkeypatch) == entry.EXIT_INTERRUPTED
    assert forced == [entry.EXIT_INTERRUPTED]
    assert capsys.readouterr().err == "interrupted\ninterrupted three times: stopping at once\n"
