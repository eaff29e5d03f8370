"""Mutants of one module: every one-node change of the kinds a slip of the hand makes.

Why a small mutator of our own rather than mutmut: mutmut 3 copies the project into
``mutants/`` and reroutes every function through a trampoline, which does not reach the
engine's ``@staticmethod`` helpers, module-level tables (``ACT_KINDS``, ``_HANDLERS``) or
code run at import; and it runs a fresh pytest per mutant. Here a mutant is an AST with one
node changed, compiled under the original file name and imported in place of the module in
a forked test process (see ``run.py``), so every construct can be mutated and nothing is
written into the tree.

The operators (each candidate is one mutant):

- a comparison flipped: ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``, ``in`` <->
  ``not in``, ``is`` <-> ``is not``;
- ``and`` <-> ``or``; ``not x`` -> ``x``;
- arithmetic: ``+`` <-> ``-`` (also ``+=`` <-> ``-=``), ``*`` <-> ``/``;
- a constant moved: an integer by one (``-1`` -> ``0``), ``True`` <-> ``False``, a string
  wrapped in ``XX``;
- a statement dropped: ``raise``, an early ``return``, ``continue``, ``break``, or the
  body of an ``if`` (its test made ``False``).

Not mutated: docstrings, annotations, f-strings and the message of a ``raise`` (mutating
an error message tests nothing of the model), decorators, and lines marked
``# pragma: no mutate``.

A mutant's ``key`` is ``path::scope::operator::n`` (the n-th mutant of that operator in
that function), which survives edits elsewhere in the file; the accepted-survivors list
refers to mutants by it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_CMP_SWAP: dict[type, type] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BIN_SWAP: dict[type, type] = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
_SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.And: "and", ast.Or: "or",
}  # fmt: skip
_SKIP_FIELDS = {"annotation", "returns", "decorator_list", "type_comment", "type_params"}


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the project root, e.g. "sim/engine/loop.py"
    scope: str  # "Engine._needs_trim", or "<module>" for module-level code
    op: str  # e.g. "< -> <="
    ordinal: int  # the n-th mutant with this (scope, op), from 1
    line: int
    index: int  # position among the module's candidates (what `mutate` takes)

    @property
    def key(self) -> str:
        return f"{self.path}::{self.scope}::{self.op}::{self.ordinal}"


@dataclass
class _Candidate:
    scope: str
    op: str
    line: int
    apply: Callable[[], None]


def _setter(parent: ast.AST, field: str, index: int | None) -> Callable[[ast.AST], None]:
    def put(new: ast.AST) -> None:
        if index is None:
            setattr(parent, field, new)
        else:
            getattr(parent, field)[index] = new

    return put


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


class _Walker:
    """Lists the candidates of a parsed module in a fixed (source) order."""

    def __init__(self, lines: list[str], functions: set[str] | None) -> None:
        self.lines = lines
        self.functions = functions  # qualified names to mutate; None: the whole module
        self.found: list[_Candidate] = []

    def wanted(self, scope: str, node: ast.AST) -> bool:
        line = getattr(node, "lineno", 0)
        if line and "pragma: no mutate" in self.lines[line - 1]:
            return False
        if self.functions is None:
            return True
        return any(scope == f or scope.startswith(f + ".") for f in self.functions)

    def add(self, scope: str, node: ast.AST, op: str, apply: Callable[[], None]) -> None:
        if self.wanted(scope, node):
            self.found.append(_Candidate(scope, op, node.lineno, apply))  # type: ignore[attr-defined]

    def visit(self, node: ast.AST, scope: str, put: Callable[[ast.AST], None]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner = node.name if scope == "<module>" else f"{scope}.{node.name}"
            if not isinstance(node, ast.ClassDef):
                self.children(node.args, inner)
            self.body(node, "body", inner, function=not isinstance(node, ast.ClassDef))
            return
        if isinstance(node, (ast.JoinedStr, ast.Raise)):
            return  # f-strings, and what a raise says, are messages
        self.node_candidates(node, scope, put)
        self.children(node, scope)

    def children(self, node: ast.AST, scope: str) -> None:
        for field, value in ast.iter_fields(node):
            if field in _SKIP_FIELDS:
                continue
            if (
                field in ("body", "orelse", "finalbody")
                and isinstance(value, list)
                and value
                and isinstance(value[0], ast.stmt)
            ):
                self.body(node, field, scope)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        self.visit(item, scope, _setter(node, field, i))
            elif isinstance(value, ast.AST):
                self.visit(value, scope, _setter(node, field, None))

    def body(self, node: ast.AST, field: str, scope: str, function: bool = False) -> None:
        stmts: list[ast.stmt] = getattr(node, field)
        for i, stmt in enumerate(stmts):
            if _is_docstring(stmt):
                continue
            last = function and i == len(stmts) - 1
            self.statement_candidates(stmts, i, scope, last)
            self.visit(stmt, scope, _setter(node, field, i))

    def statement_candidates(self, stmts: list[ast.stmt], i: int, scope: str, last: bool) -> None:
        stmt = stmts[i]

        def drop() -> None:
            stmts[i] = ast.copy_location(ast.Pass(), stmt)

        if isinstance(stmt, ast.Raise):
            self.add(scope, stmt, "drop raise", drop)
        elif isinstance(stmt, ast.Return) and not last:
            self.add(scope, stmt, "drop return", drop)
        elif isinstance(stmt, (ast.Continue, ast.Break)):
            self.add(scope, stmt, f"drop {type(stmt).__name__.lower()}", drop)
        elif isinstance(stmt, ast.If):

            def never() -> None:
                stmt.test = ast.copy_location(ast.Constant(False), stmt.test)

            self.add(scope, stmt, "drop if-branch", never)

    def node_candidates(self, node: ast.AST, scope: str, put: Callable[[ast.AST], None]) -> None:
        if isinstance(node, ast.Compare):
            for j, op in enumerate(node.ops):
                new = _CMP_SWAP.get(type(op))
                if new is not None:
                    self.add(
                        scope, node, f"{_SYMBOL[type(op)]} -> {_SYMBOL[new]}", _swap_op(node.ops, j, new)
                    )
        elif isinstance(node, ast.BoolOp):
            new = ast.Or if isinstance(node.op, ast.And) else ast.And
            self.add(
                scope, node, f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[new]}", _replace_attr(node, "op", new)
            )
        elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _BIN_SWAP:
            new = _BIN_SWAP[type(node.op)]
            suffix = "=" if isinstance(node, ast.AugAssign) else ""
            op = f"{_SYMBOL[type(node.op)]}{suffix} -> {_SYMBOL[new]}{suffix}"
            self.add(scope, node, op, _replace_attr(node, "op", new))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.add(scope, node, "not x -> x", lambda: put(node.operand))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and _is_int(node.operand):
            value = -node.operand.value  # type: ignore[attr-defined]
            self.add(scope, node, f"{value} -> {value + 1}", lambda: put(_const(value + 1, node)))
        elif isinstance(node, ast.Constant):
            self.constant(node, scope, put)

    def constant(self, node: ast.Constant, scope: str, put: Callable[[ast.AST], None]) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add(scope, node, f"{value} -> {not value}", lambda: put(_const(not value, node)))
        elif isinstance(value, int):
            self.add(scope, node, f"{value} -> {value + 1}", lambda: put(_const(value + 1, node)))
        elif isinstance(value, str):
            self.add(scope, node, f"{value!r} -> 'XX..XX'", lambda: put(_const(f"XX{value}XX", node)))

    def __call__(self, tree: ast.Module) -> list[_Candidate]:
        self.body(tree, "body", "<module>")
        return self.found


def _is_int(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _const(value: object, like: ast.AST) -> ast.Constant:
    return ast.copy_location(ast.Constant(value), like)


def _swap_op(ops: list[ast.cmpop], j: int, new: type) -> Callable[[], None]:
    def apply() -> None:
        ops[j] = new()

    return apply


def _replace_attr(node: ast.AST, attr: str, new: type) -> Callable[[], None]:
    def apply() -> None:
        setattr(node, attr, new())

    return apply


def _candidates(source: str, functions: set[str] | None) -> tuple[ast.Module, list[_Candidate]]:
    tree = ast.parse(source)
    return tree, _Walker(source.splitlines(), functions)(tree)


def mutants(root: Path, path: str, functions: list[str] | None = None) -> list[Mutant]:
    """Every mutant of ``path`` (or of the named functions and their nested scopes)."""
    source = (root / path).read_text()
    _, found = _candidates(source, set(functions) if functions else None)
    seen: dict[tuple[str, str], int] = {}
    out = []
    for index, c in enumerate(found):
        n = seen[(c.scope, c.op)] = seen.get((c.scope, c.op), 0) + 1
        out.append(Mutant(path, c.scope, c.op, n, c.line, index))
    return out


def mutate(root: Path, mutant: Mutant, functions: list[str] | None = None) -> tuple[object, str]:
    """The compiled code of ``mutant``'s module with that one change, and the changed line."""
    source = (root / mutant.path).read_text()
    tree, found = _candidates(source, set(functions) if functions else None)
    found[mutant.index].apply()
    ast.fix_missing_locations(tree)
    code = compile(tree, str(root / mutant.path), "exec")
    return code, _changed_line(tree, mutant.line)


def _changed_line(tree: ast.Module, line: int) -> str:
    """The innermost statement at ``line`` of the mutated tree, as source (for the report)."""
    best: ast.AST | None = None
    for node in ast.walk(tree):
        inside = isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno)
        if inside and (best is None or node.lineno >= best.lineno):  # type: ignore[attr-defined]
            best = node
    text = ast.unparse(best) if best is not None else ""
    return text.splitlines()[0][:140] if text else ""


def iter_modules(config: dict) -> Iterator[tuple[str, list[str] | None]]:
    for entry in config["modules"]:
        yield entry["path"], entry.get("functions")
