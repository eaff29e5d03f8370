"""JSON Schemas for editors: the scenario file (a whole scenario or a fork of one) and the
documented log (``sim schema``, ``sim schema --log``).

Both are pydantic's schemas of the models the loaders validate with, so an editor and
``sim validate`` agree: a test checks every bundled scenario, every example in the docs and
every valid file of the test corpus against them with ``jsonschema`` (Draft 2020-12).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import models_json_schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def scenario_schema() -> dict[str, Any]:
    """A scenario file: a whole scenario, or a fork that says only what differs from its base."""
    from sim.scenario.forks import ForkFile
    from sim.scenario.models import Scenario

    _, top = models_json_schema(
        [(Scenario, "validation"), (ForkFile, "validation")], ref_template="#/$defs/{model}"
    )
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "title": "Reciprocity simulator scenario",
        "description": "a scenario, or a fork of one (fork: {from, at}) with only what differs",
        "$defs": top["$defs"],
        "anyOf": [{"$ref": "#/$defs/Scenario"}, {"$ref": "#/$defs/ForkFile"}],
    }
    for model in ("SideConfig", "SideChange"):
        _add_plugin_policies(schema, schema["$defs"][model]["properties"]["policy"])
    return schema


def log_schema() -> dict[str, Any]:
    """A documented log (``seeds/*.yaml``)."""
    from sim.scenario.documented import SeedsLog

    schema = SeedsLog.model_json_schema()
    schema["$schema"] = DRAFT
    schema["title"] = "Reciprocity simulator documented log"
    return schema


def _add_plugin_policies(schema: dict[str, Any], union: dict[str, Any]) -> None:
    """Installed plugins' policies, and ``file:`` kinds, as members of a ``policy`` union
    (the model's own schema knows only the built-in ones)."""
    from sim.policies import BUILTIN_KINDS, registry
    from sim.scenario.models import config_model

    for name, cls in registry().items():
        if name in BUILTIN_KINDS:
            continue
        model = config_model(cls, name)
        title = f"Plugin{model.__name__}"
        member = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
        schema["$defs"].update(member.pop("$defs", {}))
        schema["$defs"][title] = member
        union["oneOf"].append({"$ref": f"#/$defs/{title}"})
        union["discriminator"]["mapping"][name] = f"#/$defs/{title}"
    union["oneOf"].append(
        {
            "type": "object",
            "title": "A policy class in a Python file",
            "description": "file:PATH.py:ClassName (PATH relative to the scenario file) and its parameters",
            "properties": {"kind": {"type": "string", "pattern": r"^file:.+\.py:[A-Za-z_][A-Za-z0-9_]*$"}},
            "required": ["kind"],
        }
    )
