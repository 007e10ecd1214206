"""gameday list and gameday schema."""

from __future__ import annotations

import json
from pathlib import Path

from gameday.scenario.schema import SHIPPED, render_schema
from tests.scenario.conftest import FIXTURES


def test_list_with_no_scenarios_says_where_it_looked(cli, roots) -> None:
    """An empty catalog prints a helpful line, exit 0."""
    result = cli("list")
    assert result.code == 0
    assert result.out.startswith("no scenarios found (looked in ")
    assert "GAMEDAY_SCENARIOS" in result.out


def test_list_valid_and_invalid(cli, roots) -> None:
    """One line per scenario; one that fails to load is marked, not a crash."""
    roots.add(roots.bundled, "checkout")
    roots.add(roots.extra, "broken", FIXTURES / "unknown-key")
    result = cli("list")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "SEV", "DURATION", "DIFFICULTY", "TAGS"]
    assert lines[1] == (
        "broken    (invalid: scenario.yaml:10:7: world.services[0].replicsa: "
        "unknown key 'replicsa')"
    )
    assert lines[2].split("  ")[0] == "checkout"
    assert (
        "Checkout connection pool leak  SEV2  1h        easy        postgres,pool,deploy"
        in lines[2]
    )


def test_list_json(cli, roots) -> None:
    """--json gives one object per scenario with its origin."""
    roots.add(roots.bundled, "checkout")
    roots.add(roots.cwd / "scenarios", "mine")
    rows = json.loads(cli("list", "--json").out)
    assert [(r["id"], r["origin"]) for r in rows] == [("checkout", "bundled"), ("mine", "local")]
    assert rows[0]["severity"] == "SEV2" and rows[0]["duration"] == "1h"
    assert rows[0]["tags"] == ["postgres", "pool", "deploy"]


def test_schema_prints_json_schema(cli) -> None:
    """The schema names its dialect, refuses unknown keys and shows durations as strings."""
    result = cli("schema")
    schema = json.loads(result.out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "gameday scenario"
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Service"]["additionalProperties"] is False
    duration = schema["properties"]["duration"]
    assert (duration["type"], duration["default"]) == ("string", "1h")
    assert schema["$defs"]["Pool"]["properties"]["hold"]["default"] == "50ms"


def test_schema_output_file(cli, tmp_path: Path) -> None:
    """--output writes the same text to a file."""
    out = tmp_path / "s.json"
    assert cli("schema", "--output", out).code == 0
    assert out.read_text() == render_schema()


def test_shipped_schema_is_up_to_date() -> None:
    """schema/scenario.schema.json matches the model; run `gameday schema -o` to refresh."""
    assert SHIPPED.read_text() == render_schema(), (
        "schema/scenario.schema.json is stale: run `gameday schema -o schema/scenario.schema.json`"
    )
