"""What the entry point knows about Ctrl-C, for code that must tell the user's interrupt from
a ``KeyboardInterrupt`` raised by a plugin itself (which is the plugin's bug, not a request to
stop: it is reported as a broken plugin, while a real Ctrl-C still exits 130)."""

from __future__ import annotations

#: Signals received by the ``sim`` entry point's handler, in order.
RECEIVED: list[int] = []
#: True once the ``sim`` entry point handles SIGINT itself (False in a notebook or a library).
HANDLED: list[bool] = [False]


def user_interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is the user's Ctrl-C. Outside the ``sim`` command nobody can tell, so
    any ``KeyboardInterrupt`` counts as the user's."""
    if not isinstance(exc, KeyboardInterrupt):
        return False
    return bool(RECEIVED) or not HANDLED[0]
