"""The ``sim`` command: the app (:mod:`sim.cli.app`) with every command module registered on it.

Each command group is one module (``runs``, ``policies``, ``sweep``, ``check``, ``report``,
``importer``...); they import the app from :mod:`sim.cli.app`, and this module imports them,
so there is no circle.
"""

from __future__ import annotations

from sim.cli import (  # noqa: F401  (each registers its commands)
    calibrate,
    check,
    fitting,
    importer,
    moran,
    policies,
    report,
    runs,
    score,
    sweep,
    tournament,
)
from sim.cli.app import app

__all__ = ["app"]
