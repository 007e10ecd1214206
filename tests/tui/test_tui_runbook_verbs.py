"""The runbook pane ticks "Acknowledge the page and declare the incident" once both the
`ack` and the `sev` are done."""

from __future__ import annotations

import asyncio

from rich.console import Console
from textual.widgets import Static

from gameday.tui.app import GamedayApp
from gameday.tui.widgets.runbook import RunbookViewer
from tests.tui.conftest import SIZE, AppFactory, paged, run_until, type_command


def test_tui_ticks_acknowledge_and_declare_once_both_are_done(app_factory: AppFactory) -> None:
    """The runbook pane ticks step 1 after `ack` and `sev`, not after `ack` alone."""
    app = app_factory()
    asyncio.run(_tick(app))


def _ticked_lines(viewer: RunbookViewer) -> list[str]:
    console = Console(width=200, color_system=None)
    with console.capture() as drawn:
        console.print(viewer.query_one("#runbook-md", Static).content)
    return [ln.strip() for ln in drawn.get().splitlines() if "✅" in ln]


async def _tick(app: GamedayApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        run_until(app, lambda: paged(app))
        await pilot.pause()
        viewer = app.main.query_one(RunbookViewer)
        await type_command(pilot, app, "ack")
        assert viewer.steps_progress()[0] == 0
        assert _ticked_lines(viewer) == []
        await type_command(pilot, app, "sev SEV1")
        done, total = viewer.steps_progress()
        assert done == 1 and total >= 5
        (ticked,) = _ticked_lines(viewer)
        assert "✅ Acknowledge the page and declare the incident" in ticked
