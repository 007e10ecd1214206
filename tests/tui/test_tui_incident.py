"""The incident pane: its two columns stay put as facts are added; it names no severity
before the team declares one."""

from __future__ import annotations

import asyncio

from rich.console import Console

from gameday.tools.incident import SEVERITIES, IncidentState
from gameday.tui.app import GamedayApp
from gameday.tui.widgets.console import CommandLine, OutputLog
from gameday.tui.widgets.incident import IncidentPanel
from gameday.views import PLAYERS
from tests.tui.conftest import SIZE, AppFactory, paged, run_until, type_command

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


def _pane_text(app: GamedayApp) -> str:
    console = Console(width=46, color_system=None)
    with console.capture() as drawn:
        console.print(app.main.query_one(IncidentPanel).render())
    return drawn.get()


def test_players_are_shown_no_severity_before_they_declare(app_factory: AppFactory) -> None:
    """Paged with nothing declared, the players' incident pane and command prompt name
    no severity level (a static "sev SEV1" would hand them the scenario's answer); `sev`
    alone lists the whole scale, and a declaration replaces the prompt with its badge."""

    async def go(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            run_until(app, lambda: paged(app))
            await pilot.pause()
            assert app.driver.session.scenario.truth.severity in SEVERITIES
            pane = _pane_text(app)
            assert "severity    not declared (sev LEVEL)" in pane
            prompt = str(app.main.query_one("#command", CommandLine).placeholder)
            assert "sev LEVEL" in prompt
            assert not [level for level in SEVERITIES if level in pane + prompt]
            await type_command(pilot, app, "sev")
            log = "\n".join(str(line.text) for line in app.main.query_one(OutputLog).lines)
            assert "usage: sev SEV1|SEV2|SEV3|SEV4" in log
            await type_command(pilot, app, "sev SEV2")
            pane = _pane_text(app)
            assert "not declared" not in pane and "severity     SEV2" in pane

    app = app_factory(view=PLAYERS)
    asyncio.run(go(app))
