"""The runbook pane ticks "Acknowledge the page and declare the incident" once both the
`ack` and the `sev` are done, and a look-around step done by one's own command, as the
scorecard counts it: by what the command observed, not its text."""

from __future__ import annotations

import asyncio
from typing import Any

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


async def _paged(app: GamedayApp, pilot: Any) -> RunbookViewer:
    """The runbook pane once the first page is out."""
    run_until(app, lambda: paged(app))
    await pilot.pause()
    return app.main.query_one(RunbookViewer)


async def _tick(app: GamedayApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        viewer = await _paged(app, pilot)
        await type_command(pilot, app, "ack")
        assert viewer.steps_progress()[0] == 0
        assert _ticked_lines(viewer) == []
        await type_command(pilot, app, "sev SEV1")
        done, total = viewer.steps_progress()
        assert done == 1 and total >= 5
        (ticked,) = _ticked_lines(viewer)
        assert "✅ Acknowledge the page and declare the incident" in ticked


OWN_ACTIVITY = (
    "psql -c \"select pid, state, now()-xact_start from pg_stat_activity where state <> 'idle'\""
)


def test_tui_ticks_steps_by_what_own_commands_observed(app_factory: AppFactory) -> None:
    """Logs by selector tick "Look at the orders logs"; one's own pg_stat_activity query
    ticks "List what the orders database sessions are doing"; a failed query ticks none."""
    asyncio.run(_observed(app_factory()))


async def _observed(app: GamedayApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        viewer = await _paged(app, pilot)
        await type_command(pilot, app, "kubectl logs -n shop -l app=orders --tail=5")
        assert [t for t in _ticked_lines(viewer) if "Look at the orders logs" in t]
        failing = OWN_ACTIVITY.replace("psql -c", "psql -d nosuchdb -c")
        await type_command(pilot, app, failing)
        assert not [t for t in _ticked_lines(viewer) if "database sessions" in t]
        await type_command(pilot, app, OWN_ACTIVITY)
        ticked = _ticked_lines(viewer)
        assert [t for t in ticked if "List what the orders database sessions" in t], ticked
        assert not [t for t in ticked if "head of the lock queue" in t]
