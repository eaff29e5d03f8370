"""Users' own policies: from an installed package's entry point, or from a Python file.

Two ways in, so that nobody has to fork the project to try a rule:

* a package declares ``[project.entry-points."sim.policies"] NAME = "module:Class"``; every
  such policy is registered under ``NAME`` when :mod:`sim.policies` is imported, next to the
  built-in ones, and is then usable by name everywhere (scenarios, ``sim game``, ``sim sweep``,
  ``sim check``, ``sim policies``);
* a scenario names a file: ``kind: "file:my_rules.py:HardLiner"`` (the path relative to the
  scenario file; on the command line, relative to the working directory).

A plugin is held to the same contract as a built-in policy (a :class:`~sim.policies.base.Policy`
subclass with a ``name``, a ``classifier`` and a ``Params`` model), checked when it loads, so a
broken plugin is a one-line error naming it rather than a traceback in the middle of a run.
A package whose plugin fails to load does not stop the other commands: the failure is kept
and reported when the policy is asked for (and listed by ``sim policies``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from sim.infra.errors import exception_line
from sim.infra.interrupts import user_interrupted
from sim.policies.base import Policy, PolicyParams

ENTRY_POINT_GROUP = "sim.policies"
FILE_PREFIX = "file:"
_FILE_KIND = re.compile(r"^file:(?P<path>.+?\.py):(?P<cls>[A-Za-z_][A-Za-z0-9_]*)$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PluginError(ValueError):
    """A plugin policy that cannot be used; the message is one line and names the plugin."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a policy class comes from: shown by ``sim policies`` and hashed into runs."""

    where: str  # "built-in", "package NAME VERSION" or "file PATH"
    source_sha256: str | None = None  # of the defining module's file (None for built-ins)


# Filled as plugins load: where each plugin class came from, the absolute ``file:`` kind of
# each class loaded from a file, and why an entry point could not be registered.
ORIGINS: dict[type[Policy], Origin] = {}
FILE_KINDS: dict[type[Policy], str] = {}
BROKEN: dict[str, str] = {}
_MODULES: dict[tuple[str, int, int], ModuleType] = {}


def is_file_kind(kind: object) -> bool:
    return isinstance(kind, str) and kind.startswith(FILE_PREFIX)


def parse_file_kind(kind: str) -> tuple[str, str]:
    """``"file:rules/mine.py:HardLiner"`` -> ``("rules/mine.py", "HardLiner")``."""
    match = _FILE_KIND.match(kind)
    if match is None:
        raise PluginError(f"{kind!r} should read file:PATH.py:ClassName")
    return match["path"], match["cls"]


def absolute_file_kind(kind: str, base: Path | None) -> str:
    """The same ``file:`` kind with its path made absolute (``base``: the directory it is
    relative to; the working directory if None)."""
    path, cls = parse_file_kind(kind)
    return f"{FILE_PREFIX}{_resolve(path, base)}:{cls}"


def relative_file_kind(kind: str, directory: Path) -> str:
    """An absolute ``file:`` kind rewritten relative to ``directory`` (for files written there)."""
    import os

    path, cls = parse_file_kind(kind)
    return f"{FILE_PREFIX}{Path(os.path.relpath(path, directory.resolve())).as_posix()}:{cls}"


def _resolve(path: str, base: Path | None) -> Path:
    return ((base if base is not None else Path.cwd()) / Path(path).expanduser()).resolve()


def load_file_policy(kind: str, base: Path | None = None) -> type[Policy]:
    """The policy class a ``file:PATH.py:Class`` kind names, importing the file if needed.

    The module is imported once per file version (path, size and modification time), under a
    private module name, so two files with the same name in different folders do not clash.
    """
    path_text, class_name = parse_file_kind(kind)
    path = _resolve(path_text, base)
    if not path.exists():
        raise PluginError(f"policy file {path} not found")
    if not path.is_file():  # a directory, or a FIFO that would block the import
        raise PluginError(f"policy file {path} is not a regular file")
    module = _import_file(path)
    found = getattr(module, class_name, None)
    if found is None:
        defined = sorted(policy_classes_in(module))
        known = f" (it defines: {', '.join(defined)})" if defined else " (it defines no policy class)"
        raise PluginError(f"{path} has no class {class_name!r}{known}")
    cls = check_policy_class(found, f"{class_name} in {path}")
    FILE_KINDS[cls] = f"{FILE_PREFIX}{path}:{class_name}"
    ORIGINS[cls] = Origin(f"file {path}", _sha256(path))
    return cls


def policies_in_file(path: Path) -> dict[str, type[Policy]]:
    """Every policy class ``path`` defines, keyed by its ``file:`` kind as written
    (``file:PATH:Class`` with ``path`` as given); each is checked like any plugin."""
    if not path.is_file():
        raise PluginError(f"policy file {path} not found")
    defined = policy_classes_in(_import_file(path.resolve()))
    if not defined:
        raise PluginError(f"{path} defines no policy class (a subclass of sim.policies.Policy)")
    kinds = [f"{FILE_PREFIX}{path}:{name}" for name in sorted(defined)]
    return {kind: load_file_policy(kind) for kind in kinds}


def policy_classes_in(module: ModuleType) -> dict[str, type[Policy]]:
    """The policy classes a module defines itself (not the ones it imports)."""
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, Policy)
        and value is not Policy
        and value.__module__ == module.__name__
    }


def _import_file(path: Path) -> ModuleType:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    cached = _MODULES.get(key)
    if cached is not None:
        return cached
    name = module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"cannot import {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pickling and dataclasses look the module up by name
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        line = f":{exc.lineno}" if exc.lineno else ""
        raise PluginError(f"{path}{line}: cannot load the policy file: {exc.msg}") from None
    except BaseException as exc:  # SystemExit, KeyboardInterrupt raised by the file itself too
        sys.modules.pop(name, None)
        if user_interrupted(exc):
            raise
        line = _user_line(exc, path)
        raise PluginError(f"{path}{line}: cannot load the policy file: {exception_line(exc, None)}") from None
    _MODULES[key] = module
    return module


def module_name(path: Path) -> str:
    """The private name a policy file is imported under (one per absolute path)."""
    return f"sim_policy_file_{hashlib.sha256(str(path).encode()).hexdigest()[:16]}"


def _user_line(exc: BaseException, path: Path) -> str:
    """``:LINE`` of the deepest frame of the traceback that lies in ``path``, if any."""
    line = ""
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            line = f":{tb.tb_lineno}"
        tb = tb.tb_next
    return line


def check_policy_class(found: Any, where: str) -> type[Policy]:
    """``found`` if it honours the policy contract, else a :class:`PluginError` saying how not."""
    if not (isinstance(found, type) and issubclass(found, Policy)):
        raise PluginError(f"{where} is not a subclass of sim.policies.Policy")
    if not isinstance(found.name, str) or not _NAME.match(found.name):
        raise PluginError(f"{where}: `name` must be a lower_snake_case string, not {found.name!r}")
    if not (isinstance(found.Params, type) and issubclass(found.Params, PolicyParams)):
        raise PluginError(f"{where}: `Params` must be a subclass of sim.policies.PolicyParams")
    if "kind" in found.Params.model_fields:
        raise PluginError(f"{where}: `Params` may not have a field named 'kind' (it names the policy)")
    if not isinstance(found.classifier, dict):
        raise PluginError(f"{where}: `classifier` must be a dict")
    return found


def load_entry_points(registry: dict[str, type[Policy]]) -> None:
    """Register every installed ``sim.policies`` entry point in ``registry``.

    A plugin that fails to import, breaks the contract, or takes a name already taken is left
    out; why is kept in :data:`BROKEN` under its name.
    """
    for point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        dist = point.dist
        where = f"package {dist.name} {dist.version}" if dist is not None else "an entry point"
        label = f"policy {point.name!r} ({where}, {point.value})"
        try:
            cls = check_policy_class(point.load(), label)
        except PluginError as exc:
            BROKEN[point.name] = str(exc)
            continue
        except BaseException as exc:  # a plugin's own SystemExit or KeyboardInterrupt too
            if user_interrupted(exc):
                raise
            BROKEN[point.name] = f"{label} failed to load: {exception_line(exc, None)}"
            continue
        if cls.name != point.name:
            BROKEN[point.name] = f"{label}: the class is named {cls.name!r}; the entry point must be too"
        elif point.name in registry:
            BROKEN[point.name] = f"{label}: the name is taken by another policy"
        else:
            registry[point.name] = cls
            source = inspect.getsourcefile(cls)
            ORIGINS[cls] = Origin(where, _sha256(Path(source)) if source else None)


def origin(cls: type[Policy]) -> Origin:
    return ORIGINS.get(cls, Origin("built-in"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
