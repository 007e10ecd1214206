"""Injects at the tabletop: the timed one arrives by itself, the team's answer is graded,
the debrief lists it with its times, and the reports carry it and the pause summary."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from textual.widgets import Static

from gameday.scoring.evidence import fmt_t
from gameday.tui.app import GamedayApp
from gameday.tui.screens.debrief import DebriefScreen
from gameday.views import FACILITATOR
from tests.tui.conftest import SIZE, AppFactory, paged, run_until, type_command
from tests.tui.test_tui_views import log_text, screen_text

ETA = 'status identified "Checkout back within 20 minutes."'


def fired(app: GamedayApp) -> list[dict[str, Any]]:
    """The data of every ``inject`` event so far."""
    return [e.data for e in app.driver.session.events if e.kind == "inject"]


def report(app: GamedayApp, name: str) -> str:
    """A report the debrief wrote."""
    assert app.outcome is not None
    return next(path for key, path in app.outcome.paths if key == name).read_text()


def test_tui_timed_inject_arrives_and_its_answer_shows_in_the_debrief(
    app_factory: AppFactory,
) -> None:
    """In the players' view the VP's question arrives 5 minutes after the page; the team
    posts an estimate; the debrief, postmortem.md and result.json show it answered with
    its times, and how the clock was paused (opened paused, the answer typed meanwhile)."""
    app = app_factory()

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            run_until(app, lambda: paged(app))
            page = app.driver.session.now
            run_until(app, lambda: bool(fired(app)))
            (inject,) = fired(app)
            assert inject["auto"] is True and app.driver.session.now - page <= 315
            assert "when will it be back?" in log_text(app)  # the players read the VP
            await type_command(pilot, app, ETA)
            app.end_session("ended")
            await pilot.pause()
            assert isinstance(app.screen, DebriefScreen)
            shown = str(app.screen.query_one("#injects", Static).render())
            assert shown.startswith('✓ Inject "The VP of Commerce asks for an ETA" at T+')
            assert "answered at T+" in shown and f"by you: {ETA}" in shown
            assert "Injects answered" in screen_text(app)
            assert app.outcome is not None and app.outcome.scorecard is not None
            row = app.outcome.scorecard.dimension("injects")
            assert (row.points, row.max_points, row.happened) == (10.0, 10.0, "1 of 1 answered")

    asyncio.run(scenario())
    result = json.loads(report(app, "result"))
    (answer,) = result["scorecard"]["injects"]
    assert answer["answered"] and answer["actor"] == "you" and answer["command"] == ETA
    sentence = "Clock paused once (still paused at the end); 1 action taken while paused."
    assert result["pauses"]["sentence"] == sentence
    assert (result["pauses"]["pauses"], result["pauses"]["actions_while_paused"]) == (1, 1)
    postmortem = report(app, "postmortem")
    assert f"## The exercise\n\nClock: {sentence}\n" in postmortem
    assert "Injects answered: 1 of 1." in postmortem and f"by you: `{ETA}`" in postmortem


def test_tui_facilitator_fires_the_inject_early_and_it_does_not_fire_twice(
    app_factory: AppFactory,
) -> None:
    """The facilitator fires the VP's question from F8 a minute after the page: it is
    not fired again at its own time, its 10 minutes count from the facilitator's
    firing, and an answer after them is missed."""
    app = app_factory(view=FACILITATOR)

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            run_until(app, lambda: paged(app))
            app.driver.advance_to(app.driver.session.now + 60)
            await pilot.press("f8")
            await pilot.pause()
            await pilot.press("enter")  # F8 stands on the first inject, exec-eta
            await pilot.pause()
            (inject,) = fired(app)
            assert inject["id"] == "exec-eta" and "auto" not in inject
            early = app.driver.session.now
            app.driver.advance_to(early + 660)  # past the inject's own time and its window
            assert len(fired(app)) == 1
            await type_command(pilot, app, ETA)
            app.end_session("ended")
            await pilot.pause()
            shown = str(app.screen.query_one("#injects", Static).render())
            assert shown.startswith('✗ Inject "The VP of Commerce asks for an ETA"')
            assert f"not answered by {fmt_t(early + 600)}" in shown

    asyncio.run(scenario())
