"""Fairness: the debrief says how the pause was used; the facilitator can switch it off."""

from __future__ import annotations

import asyncio

from textual.widgets import Static

from gameday.scoring.pauses import pause_summary
from gameday.session.events import Event
from gameday.tui.app import GamedayApp
from gameday.tui.screens.debrief import DebriefScreen
from gameday.tui.screens.dialogs import HelpScreen
from tests.tui.conftest import SIZE, AppFactory, type_command


def test_pause_summary_counts_pauses_time_and_actions() -> None:
    """Two pauses, 70 s of real time resumed, two actions inside them, one outside."""
    events = [
        Event(0, "clock.pause", {"paused": True}, 1),
        Event(0, "action", {"command": "ack"}, 2),
        Event(0, "clock.pause", {"paused": False, "for": 40.0}, 3),
        Event(60, "action", {"command": "sev SEV1"}, 4),
        Event(90, "clock.pause", {"paused": True}, 5),
        Event(90, "action", {"command": "note thinking"}, 6),
        Event(90, "clock.pause", {"paused": False, "for": 30.0}, 7),
    ]
    summary = pause_summary(events)
    assert (summary.pauses, summary.seconds, summary.actions) == (2, 70.0, 2)
    assert summary.sentence() == (
        "Clock paused 2 times for 1m10s of real time; 2 actions taken while paused."
    )
    assert pause_summary([]).sentence() == "The clock was never paused."
    still = pause_summary([*events[:2]])
    assert still.sentence() == (
        "Clock paused once (still paused at the end); 1 action taken while paused."
    )


def test_tui_debrief_shows_the_pause_and_the_journal_has_it(app_factory: AppFactory) -> None:
    """A session opened paused, two commands typed, resumed, paused again: the journal
    has each change (a resume with its length) and the debrief says what happened."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await type_command(pilot, app, "kubectl get pods -n shop")
            await type_command(pilot, app, "note looking")
            await pilot.press("f2")  # resume
            await pilot.pause(0.2)
            await pilot.press("f2")  # pause again
            app.end_session("ended")
            await pilot.pause()
            assert isinstance(app.screen, DebriefScreen)
            text = str(app.screen.query_one("#debrief-clock", Static).render())
            assert text.startswith("Clock paused 2 times")
            assert "(still paused at the end)" in text
            assert text.endswith("2 actions taken while paused.")

    app = app_factory()
    asyncio.run(scenario(app))
    changes = [e.data for e in app.driver.session.events if e.kind == "clock.pause"]
    assert [c["paused"] for c in changes] == [True, False, True]
    assert changes[1]["for"] >= 0.0


def test_tui_no_pause_keeps_the_clock_running(app_factory: AppFactory) -> None:
    """With pausing off, F2 cannot pause a running clock and help does not hold it."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f2")
            assert not app.driver.paused
            await pilot.press("f1")
            await pilot.pause(0.2)
            assert isinstance(app.screen, HelpScreen)
            before = app.driver.session.now
            await pilot.pause(0.6)
            assert not app.driver.held and app.driver.session.now > before

    app = app_factory(speed=60.0)
    app.allow_pause = False
    asyncio.run(scenario(app))
