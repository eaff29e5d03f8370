"""The package's folders are its layers: no import reaches up a layer, and no modules import
each other in a circle (docs/architecture.md draws the layers). Lazy imports inside functions
count too: a circle broken only by import timing is still a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent / "sim"

#: Bottom to top. A module may import its own layer and the layers below it.
LAYERS = (
    "infra",
    "core",
    "policies",
    "scenario",
    "engine",
    "store",
    "analysis",
    "fitting",
    "app",
    "sweep",
    "calibration",
    "games",
    "testing",
    "cli",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The ``sim`` modules ``path`` imports (``from sim.x import y`` counts ``sim.x.y`` if it is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sim"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sim") and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _graph() -> nx.DiGraph:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for imported in _imports(path):
            if imported in modules and imported != name:
                graph.add_edge(name, imported)
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in LAYERS:
        # The public API and the entry point on top, the package root below.
        return len(LAYERS) if module in ("sim.api", "sim.__main__") else -1
    return LAYERS.index(parts[1])


def test_every_module_lives_in_a_layer() -> None:
    loose = [m for m in _graph() if _layer(m) == -1 and m != "sim"]
    assert not loose, f"modules outside the layer folders: {loose}"


def test_no_import_reaches_up_a_layer() -> None:
    upward = [f"{a} -> {b}" for a, b in _graph().edges if _layer(b) > _layer(a)]
    assert not upward, "imports from a lower layer to a higher one:\n" + "\n".join(sorted(upward))


def test_no_import_circle() -> None:
    graph = _graph()
    # A package's __init__ re-exporting its own modules is not a circle of design.
    graph.remove_edges_from([(a, b) for a, b in list(graph.edges) if b.startswith(a + ".")])
    circles = [sorted(c) for c in nx.simple_cycles(graph)]
    assert not circles, f"import circles: {circles[:10]}"
