"""The format reference's example is a valid on-call file that means what it says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from gameday.oncall import OnCall, loads_oncall

DOC = Path(__file__).resolve().parents[2] / "docs" / "oncall-format.md"


def example() -> OnCall:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert block, "docs/oncall-format.md has no yaml example"
    return loads_oncall(block.group(1), str(DOC))


def test_documented_example_loads_and_answers():
    """The example loads; follow-the-sun hands Europe's day to the Americas."""
    oc = example()
    assert oc.on_call("follow-the-sun", datetime(2025, 1, 7, 10, 0, tzinfo=UTC)) == "erin"
    assert oc.on_call("follow-the-sun", datetime(2025, 1, 7, 20, 0, tzinfo=UTC)) == "alice"
    assert oc.lookup_service("pagerduty-checkout") == "checkout"


def test_json_schema_for_editors():
    """The model yields a JSON Schema that forbids unknown keys."""
    schema = OnCall.model_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Layer"]["additionalProperties"] is False
