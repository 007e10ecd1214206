"""The tabletop's main flow, driven through the keyboard and the command line."""

from __future__ import annotations

import asyncio

from rich.console import Console
from textual.widgets import Static

from gameday.tui.app import GamedayApp
from gameday.tui.screens.debrief import DebriefScreen
from gameday.tui.widgets.alerts import AlertStream
from gameday.tui.widgets.console import OutputLog
from gameday.tui.widgets.runbook import RunbookViewer
from tests.tui.conftest import SIZE, AppFactory, paged, run_until, type_command


def blocker_pid(app: GamedayApp) -> int:
    """The pid of the session holding the lock (what the diagnosis query shows)."""
    faults = app.driver.session.world.faults.values()
    return next(f.blocker_pid for f in faults if f.active and f.blocker_pid is not None)


def test_tui_paged_to_debrief(app_factory: AppFactory) -> None:
    """Paged, ack, SEV1, IC, diagnose, mitigate, update, resolve: the debrief scores it."""
    app = app_factory()
    asyncio.run(play(app))
    assert app.return_code == 0


async def play(app: GamedayApp) -> None:
    """The whole flow on a running app."""
    async with app.run_test(size=SIZE) as pilot:
        run_until(app, lambda: paged(app))
        await pilot.pause()
        assert app.main.query_one(AlertStream).rows_by_key, "the page came from an alert"
        await pilot.press("f10")
        await pilot.pause()
        session = app.driver.session
        assert all(i.status == "acknowledged" for i in session.pager.incidents.values())

        await pilot.press("f9")  # role picker: ops -> ic
        await pilot.press("up", "enter")
        await pilot.pause()
        assert app.role == "ic"
        await type_command(pilot, app, "sev SEV1")
        await type_command(pilot, app, "assign ic amara")
        assert session.incident.severity == "SEV1"
        assert session.incident.roles["ic"] == "amara"

        app.role = "ops"
        await type_command(pilot, app, "kubectl get pods -n shop -l app=orders")
        await type_command(pilot, app, "kubectl logs deployment/orders -n shop --tail=50")
        await type_command(
            pilot,
            app,
            'psql -h orders-db -U postgres -d orders -c "SELECT pid, usename, '
            "application_name, state, wait_event_type, now() - query_start AS duration, "
            "left(query, 60) AS query FROM pg_stat_activity WHERE datname = 'orders' "
            'ORDER BY query_start"',
        )
        await type_command(
            pilot,
            app,
            'psql -h orders-db -U postgres -d orders -c "SELECT pid, pg_blocking_pids(pid) AS '
            "blocked_by, left(query, 60) AS query FROM pg_stat_activity WHERE "
            'cardinality(pg_blocking_pids(pid)) > 0"',
        )
        pid = blocker_pid(app)
        await type_command(
            pilot,
            app,
            f'psql -h orders-db -U postgres -d orders -c "SELECT pg_terminate_backend({pid})"',
        )
        assert session.incident.mitigated_at is None  # the world answers at its next tick
        app.driver.advance_to(session.now + session.scenario.scrape_interval)
        assert session.incident.mitigated_at is not None
        viewer = app.main.query_one(RunbookViewer)
        assert viewer.steps_progress()[0] >= 3, "diagnosis and mitigation steps are ticked"
        console = Console(width=40, color_system=None)
        with console.capture() as drawn:
            console.print(viewer.query_one("#runbook-md", Static).content)
        assert drawn.get().count("✅") == viewer.steps_progress()[0], "the pane shows each tick"

        app.role = "comms"
        await type_command(pilot, app, 'status investigating "Checkout errors: investigating."')
        assert session.incident.status_page == "investigating"
        app.driver.advance_to(session.now + 300)
        await type_command(pilot, app, 'status resolved "Checkout healthy for 5 minutes."')
        app.role = "ic"
        await type_command(pilot, app, "resolve")
        assert session.incident.resolved_at is not None

        app.driver.advance_to(session.end_time)  # the clock worker notices the end
        for _ in range(500):
            if isinstance(app.screen, DebriefScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, DebriefScreen)
        card = app.outcome.scorecard
        assert card is not None and card.passed, card.score
        assert session.events[-1].kind == "session.end"
        log_lines = "\n".join(str(line.text) for line in app.main.query_one(OutputLog).lines)
        assert "pg_terminate_backend" in log_lines
        assert any(
            path.name == "postmortem.md" and path.exists() for _name, path in app.outcome.paths
        )
        where = str(app.screen.query_one("#debrief-where", Static).content)
        folder = app.outcome.paths[0][1].parent
        assert where.startswith(f"reports in {folder}/: ") and "postmortem.md" in where
        await pilot.press("q")
