"""docs/tutorial.ipynb runs from top to bottom, and is stored without outputs.

The notebook is executed with nbclient (a real Jupyter kernel) in a copy of the project's
data, from its own folder as a reader would open it; any cell that raises fails the test.
Outputs are stripped in git so that diffs stay readable and no stale number or picture can
linger in the file: a test refuses a committed notebook that has any.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"
BUDGET_SECONDS = 90  # it takes about 10 s here; well over a minute means something is wrong


def test_the_committed_notebook_has_no_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "no code cells"
    for index, cell in enumerate(code):
        assert cell.outputs == [], f"code cell {index} has outputs: strip them before committing"
        assert cell.execution_count is None, f"code cell {index} has an execution count"


def test_the_tutorial_covers_what_it_promises() -> None:
    text = NOTEBOOK.read_text(encoding="utf-8")
    for call in ("api.simulate(", ".fork(", "api.compare(", "api.sweep(", "api.tournament(", "api.moran("):
        assert call in text, call
    assert "sim fit" in text  # the fit section says what it is not


def test_the_notebook_runs_without_an_error(tmp_path: Path) -> None:
    for folder in ("scenarios", "seeds", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path / "docs")}}
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET_SECONDS, f"the tutorial took {elapsed:.0f} s"
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 4  # the figures were drawn
    printed = "".join(o.get("text", "") for o in outputs)
    assert "closest to the report: US visas for Russian staff in [180, 540] days" in printed
