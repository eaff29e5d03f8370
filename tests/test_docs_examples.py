"""Every example in README.md and docs/ runs as written.

Each fenced block of the pages is one of:

- ``yaml``: a whole scenario, fork, documented log or sweep file, validated where the page
  says it lives (beside the bundled scenarios and logs) and with the JSON Schema; a block whose
  first line is ``# part of ...`` is a fragment and only has to parse;
- ``bash``: every ``sim`` command in it runs in a copy of the project and exits 0
  (installation lines are CI's own job: ``pip``, ``python3.11 -m venv``, ``pytest``);
- ``text`` starting with ``$ ``: a transcript; its commands run and print exactly its lines;
- ``python``: executed in a copy of the project, unless its first line is ``# part of ...``.

With the quick Hypothesis profile, sweeps run 2 seeds and ``sim check`` 5 examples per
property; with ``HYPOTHESIS_PROFILE=ci`` (``.ci/run``) every command runs as written.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from sim.infra.yaml_io import parse
from sim.scenario.schema import log_schema, scenario_schema

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
AS_WRITTEN = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
_SKIPPED = ("pip ", "python3.11 -m venv", "pytest", "dask ", ". .venv")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    text: str

    @property
    def name(self) -> str:
        return f"{self.page.name}:{self.line}"

    @property
    def fragment(self) -> bool:
        return self.text.lstrip().startswith("# part of")


def blocks(lang: str) -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            if match.group(1) == lang:
                found.append(Block(page, text.count("\n", 0, match.start()) + 1, lang, match.group(2)))
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's data (scenarios, logs, examples) to run the pages' commands in."""
    copy = tmp_path_factory.mktemp("project")
    for folder in ("scenarios", "seeds", "examples", "docs"):
        shutil.copytree(
            ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
        )
    return copy


def _sim(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def _quick(args: list[str]) -> list[str]:
    """Fewer seeds and examples under the quick profile (the ``ci`` profile runs as written)."""
    if AS_WRITTEN:
        return args
    out = list(args)
    for index, arg in enumerate(out[:-1]):
        if arg == "--seeds":
            out[index + 1] = str(min(int(out[index + 1]), 2))
    if out and out[0] == "check" and "--examples" not in out:
        out += ["--examples", "5"]
    return out


# --- yaml -------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", blocks("yaml"), ids=lambda b: b.name)
def test_a_yaml_example_is_valid_where_it_would_live(block: Block, project: Path) -> None:
    data, _ = parse(block.text, block.name)
    if block.fragment:
        return
    assert isinstance(data, dict), f"{block.name}: not a mapping; start a fragment with '# part of'"
    as_json = json.loads(json.dumps(data, default=str))
    if "scenario" in data and "sides" not in data:  # a sweep file: it names its scenario
        path = project / "docs" / "example-sweep.yaml"
        path.write_text(block.text, encoding="utf-8")
        from sim.sweep.plan import load_sweep_file

        load_sweep_file(path)
        return
    log = "title" in data
    schema = log_schema() if log else scenario_schema()
    jsonschema.validate(as_json, schema, cls=jsonschema.Draft202012Validator)
    path = project / ("seeds" if log else "scenarios") / f"docs-example-{block.line}.yaml"
    path.write_text(block.text, encoding="utf-8")
    done = _sim(["validate", str(path)], project)
    assert done.returncode == 0, f"{block.name}: {done.stderr}"
    if not log:
        done = _sim(["run", str(path), "--out", str(project / "reports" / path.stem)], project)
        assert done.returncode == 0, f"{block.name}: {done.stderr}"


# --- shell --------------------------------------------------------------------------------------


def commands(text: str) -> list[str]:
    """The block's command lines, continuation lines joined, comments dropped."""
    joined = text.replace("\\\n", " ")
    lines = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


@pytest.mark.parametrize("block", blocks("bash"), ids=lambda b: b.name)
def test_a_shell_example_runs(block: Block, project: Path) -> None:
    ran = 0
    for line in commands(block.text):
        if line.startswith(_SKIPPED):
            continue
        assert line.startswith("sim "), f"{block.name}: a command the test does not know: {line}"
        args = _quick(shlex.split(line, comments=True)[1:])
        done = _sim(args, project)
        assert done.returncode == 0, f"{block.name}: {line}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        ran += 1
    assert ran or block.page.name == "README.md", f"{block.name}: no command ran"


@pytest.mark.parametrize(
    "block", [b for b in blocks("text") if b.text.startswith("$ ")], ids=lambda b: b.name
)
def test_a_transcript_prints_what_the_page_shows(block: Block, project: Path, tmp_path: Path) -> None:
    if not AS_WRITTEN:
        pytest.skip("transcripts run as written under the ci profile (.ci/run)")
    cwd = project
    expected: list[str] = []
    printed: list[str] = []
    for line in block.text.splitlines():
        if not line.startswith("$ "):
            expected.append(line)
            continue
        args = shlex.split(line[2:])
        if args[0] == "cd":
            cwd = cwd / args[1]
            continue
        assert args[0] == "sim", line
        done = _sim(args[1:], cwd)
        printed += done.stdout.splitlines()
    for written in cwd.glob("check-*.yaml"):
        written.unlink()
    assert printed == expected


# --- python -------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", [b for b in blocks("python") if not b.fragment], ids=lambda b: b.name)
def test_a_python_example_runs(block: Block, project: Path) -> None:
    code = block.text
    if not AS_WRITTEN:
        code = re.sub(r"seeds=\d+", "seeds=2", code)
    script = project / f"example_{block.line}.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=project, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{block.name}:\n{done.stderr}"


# --- pycon: sessions whose output is checked ------------------------------------------------------

_DOCTEST = """
import doctest, sys
flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
failed, _ = doctest.testfile(sys.argv[1], module_relative=False, optionflags=flags, report=True)
sys.exit(1 if failed else 0)
"""


def sessions() -> list[list[Block]]:
    """A page's ``pycon`` blocks, in order: one session, as a reader types them."""
    by_page: dict[Path, list[Block]] = {}
    for block in blocks("pycon"):
        by_page.setdefault(block.page, []).append(block)
    return list(by_page.values())


@pytest.mark.parametrize("session", sessions(), ids=lambda s: s[0].page.name)
def test_a_python_session_prints_what_the_page_shows(session: list[Block], project: Path) -> None:
    """``pycon`` blocks are doctests: each ``>>>`` line runs in a copy of the project (a
    page's blocks are one session, so later blocks use earlier names), and what it prints
    must be what the page shows (whitespace runs and ``...`` aside)."""
    path = project / f"session_{session[0].page.stem}.txt"
    path.write_text("\n".join(block.text for block in session), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _DOCTEST, str(path)], cwd=project, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{session[0].page.name}:\n{done.stdout}\n{done.stderr}"
