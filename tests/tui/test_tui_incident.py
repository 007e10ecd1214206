"""The incident pane keeps its two columns where they are as facts are added."""

from __future__ import annotations

from rich.console import Console

from gameday.tools.incident import IncidentState
from gameday.tui.widgets.incident import IncidentPanel

LABELS = ("severity", "ic", "ops", "comms", "scribe", "status page", "next update")


def value_columns(incident: IncidentState, now: float = 600.0) -> dict[str, int]:
    """For each row drawn 46 wide, the column its value starts at."""
    console = Console(width=46, color_system=None)
    with console.capture() as drawn:
        console.print(IncidentPanel().render_incident(incident, now))
    starts = {}
    for line in drawn.get().splitlines():
        label = next(name for name in LABELS if line.startswith(name))
        rest = line[len(label) :]
        starts[label] = len(label) + len(rest) - len(rest.lstrip())
    return starts


def test_values_stay_in_one_column_before_and_after_a_declaration() -> None:
    """Declaring SEV1 (which adds the longer 'next update' row) moves no value sideways."""
    before = value_columns(IncidentState())
    declared = IncidentState(severity="SEV1", severity_at=300.0, roles={"ic": "you"})
    after = value_columns(declared)
    assert "next update" in after
    assert before["ic"] == after["ic"] == after["status page"] == after["next update"]
    assert after["severity"] == after["ic"] + 1  # the badge starts with a padding space
