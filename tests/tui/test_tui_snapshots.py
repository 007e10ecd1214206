"""Snapshots of every screen at 120x40 (and the tabletop at 100x30), paused at a fixed sim time, without cursor blink."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gameday.tui.app import GamedayApp
from gameday.tui.screens.debrief import DebriefScreen
from gameday.tui.widgets.console import CommandLine
from gameday.views import FACILITATOR
from tests.tui.conftest import SIZE, AppFactory, paged, run_until

AT = 600.0  # T+10m: the fault is on and the team is paged


def before(app: GamedayApp, at: float = AT) -> Callable[[Any], Awaitable[None]]:
    """Freeze the clock at ``at`` and stop the cursor blinking."""

    async def run_before(pilot: Any) -> None:
        app.main.query_one("#command", CommandLine).cursor_blink = False
        app.driver.advance_to(at)
        app.main.catch_up()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    return run_before


def test_tui_snapshot_main(app_factory: AppFactory, snap_compare: Any) -> None:
    """The tabletop while paged: alerts, pager, dashboard, runbook, log."""
    app = app_factory()
    assert snap_compare(app, terminal_size=SIZE, run_before=before(app))


def test_tui_snapshot_main_small_terminal(app_factory: AppFactory, snap_compare: Any) -> None:
    """At 100x30 the side columns and the log give way, so the dashboard keeps its plots."""
    app = app_factory()
    assert snap_compare(app, terminal_size=(100, 30), run_before=before(app))


def test_tui_snapshot_help(app_factory: AppFactory, snap_compare: Any) -> None:
    """The help screen."""
    app = app_factory()
    assert snap_compare(app, terminal_size=SIZE, press=["f1"], run_before=before(app))


def test_tui_snapshot_facilitator_view(app_factory: AppFactory, snap_compare: Any) -> None:
    """The facilitator's view: the faults, effects, expert step and score beside the panes."""
    app = app_factory(view=FACILITATOR)
    assert snap_compare(app, terminal_size=SIZE, run_before=before(app))


def test_tui_snapshot_facilitator(app_factory: AppFactory, snap_compare: Any) -> None:
    """The facilitator menu: the hint ladder and the injects."""
    app = app_factory(view=FACILITATOR)
    assert snap_compare(app, terminal_size=SIZE, press=["f8"], run_before=before(app))


def test_tui_snapshot_roles(app_factory: AppFactory, snap_compare: Any) -> None:
    """The role picker."""
    app = app_factory()
    assert snap_compare(app, terminal_size=SIZE, press=["f9"], run_before=before(app))


def test_tui_snapshot_quit(app_factory: AppFactory, snap_compare: Any) -> None:
    """The quit confirmation."""
    app = app_factory()
    assert snap_compare(app, terminal_size=SIZE, press=["ctrl+c"], run_before=before(app))


def test_tui_snapshot_debrief(app_factory: AppFactory, snap_compare: Any) -> None:
    """The debrief of a run where only the ack happened."""
    app = app_factory()

    async def run_before(pilot: Any) -> None:
        run_until(app, lambda: paged(app))
        app.run_command("ack")
        app.driver.advance_to(app.driver.session.end_time)
        for _ in range(500):
            if isinstance(app.screen, DebriefScreen):
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_tui_snapshot_loading_shell(app_factory: AppFactory, snap_compare: Any) -> None:
    """The loading shell: the tabletop's frame and the scenario's name, nothing else."""
    app = app_factory(lazy=True)
    app.load = lambda: None  # type: ignore[method-assign]  # stay on the shell
    assert snap_compare(app, terminal_size=SIZE)


def test_tui_snapshot_end(app_factory: AppFactory, snap_compare: Any) -> None:
    """F12 asks before ending the exercise and going to the debrief."""
    app = app_factory()
    assert snap_compare(app, terminal_size=SIZE, press=["f12"], run_before=before(app))


def test_tui_snapshot_held_under_help(app_factory: AppFactory, snap_compare: Any) -> None:
    """A running clock is held (the bar says so) while the help screen is open."""
    app = app_factory()
    freeze = before(app)

    async def run_before(pilot: Any) -> None:
        await freeze(pilot)
        app.action_help()
        await pilot.pause()
        app.driver.paused = False  # running, but held by the help screen
        app.main.catch_up()
        await pilot.pause(0.3)
        assert app.driver.session.now == AT

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
