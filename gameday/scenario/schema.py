"""The JSON Schema of ``scenario.yaml``, generated from the scenario model.

Editors (VS Code's YAML extension, JetBrains IDEs) use it for completion and inline
errors: add ``# yaml-language-server: $schema=<path>/scenario.schema.json`` at the top of a
scenario. The copy shipped as ``schema/scenario.schema.json`` is kept equal to
:func:`render_schema` by a test; regenerate it with ``gameday schema -o <file>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gameday.durations import format_duration
from gameday.scenario.model import Scenario

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "gameday scenario"
SHIPPED = Path(__file__).resolve().parent.parent.parent / "schema" / "scenario.schema.json"


def _is_duration(schema: dict[str, Any]) -> bool:
    if (
        schema.get("type") == "string"
        and "pattern" in schema
        and "ms|y|w|d|h|m|s" in schema["pattern"]
    ):
        return True
    return any(_is_duration(s) for s in schema.get("anyOf", []) if isinstance(s, dict))


def _durations_as_strings(node: Any) -> None:
    """Rewrite numeric defaults of duration fields (seconds) in Prometheus notation."""
    if isinstance(node, dict):
        default = node.get("default")
        if (
            isinstance(default, int | float)
            and not isinstance(default, bool)
            and _is_duration(node)
        ):
            node["default"] = format_duration(float(default))
        for value in node.values():
            _durations_as_strings(value)
    elif isinstance(node, list):
        for value in node:
            _durations_as_strings(value)


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``scenario.yaml``."""
    generated = Scenario.model_json_schema(mode="validation")
    _durations_as_strings(generated)
    generated.pop("title", None)
    description = generated.pop("description", "")
    return {
        "$schema": DIALECT,
        "title": TITLE,
        "description": description,
        **generated,
    }


def render_schema() -> str:
    """The schema as the text written to ``scenario.schema.json`` (stable, newline-ended)."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
