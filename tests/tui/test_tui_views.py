"""Two views of one session: the players never see the answer, the facilitator sees it all."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from rich.console import Console

from gameday.tui.app import GamedayApp
from gameday.tui.screens.debrief import DebriefScreen
from gameday.tui.widgets.console import OutputLog
from gameday.tui.widgets.facilitator import FacilitatorPanel
from gameday.tui.widgets.incident import IncidentPanel
from gameday.views import FACILITATOR, PLAYERS
from tests.tui.conftest import SIZE, AppFactory, paged, run_until
from tests.tui.test_tui_flow import blocker_pid

# What would give the answer away: the fault's id, its type, and graded effects.
SECRETS = ("lock-holder", "blocking_query", "FAULT", "=> ", "mitigated:", "no-effect", "temporary:")


def log_text(app: GamedayApp) -> str:
    """Everything the timeline-and-output pane holds, as plain text."""
    log = app.main.query_one(OutputLog)
    text = "\n".join("".join(seg.text for seg in strip) for strip in log.lines)
    return " ".join(text.split())  # wrapped lines joined, so nothing hides across a wrap


def screen_text(app: GamedayApp) -> str:
    """The whole screen as plain text (what a person at the terminal reads)."""
    return plain(app.screen._compositor.render_update(full=True), SIZE[0])


def plain(renderable: Any, width: int) -> str:
    """A Rich renderable as the plain text a terminal of ``width`` columns shows."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def mitigate_and_look(app: GamedayApp, pilot: Any) -> tuple[str, str]:
    """Ack, a command with no effect, the real fix, a minute on: (log, screen) text."""
    run_until(app, lambda: paged(app))
    app.run_command("ack")
    app.run_command("kubectl rollout restart deployment/orders -n shop")
    app.run_command(
        f'psql -h orders-db -U postgres -d orders -c "SELECT pg_terminate_backend({blocker_pid(app)})"'
    )
    app.driver.advance_to(app.driver.session.now + 60)
    app.main.catch_up()
    await pilot.pause()
    return log_text(app), screen_text(app)


def test_tui_players_never_see_faults_or_effects(app_factory: AppFactory) -> None:
    """The players' view shows the actions and their output, never a fault line, the
    fault's name or type, an action's graded effect or the world's 'mitigated' verdict."""
    app = app_factory()
    assert app.view is PLAYERS

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            log, screen = await mitigate_and_look(app, pilot)
            assert "kubectl rollout restart deployment/orders -n shop" in log
            assert "pg_terminate_backend" in log and "(1 row)" in log
            for secret in SECRETS:
                assert secret not in log, secret
                assert secret not in screen, secret
            assert app.driver.session.incident.mitigated_at is not None  # the world knows
            assert "mitigated" not in str(app.main.query_one(IncidentPanel).render())
            assert not app.main.query(FacilitatorPanel)
            # the scenario's title names the cause; the players' clock bar does not show it
            assert app.driver.session.scenario.title not in screen
            assert "On call" in screen

    asyncio.run(scenario())


def test_tui_facilitator_sees_truth_effects_score_and_expert(app_factory: AppFactory) -> None:
    """The facilitator's view: fault lines and effects in the log, and a pane with the
    fault timeline, what actions did, the score so far and the expert's next step."""
    app = app_factory(view=FACILITATOR)

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            log, screen = await mitigate_and_look(app, pilot)
            assert app.driver.session.scenario.title in screen
            assert "FAULT lock-holder (blocking_query) on orders" in log
            assert (
                "FAULT lock-holder relieved: the blocking session is gone and its locks with it"
                in log
            )
            panel = app.main.query_one(FacilitatorPanel)
            text = plain(panel.render_panel(), 40)
            assert "lock-holder (blocking_query) on orders" in text
            assert "relieved T+" in text and "lock-holder relieved" in text
            assert "counterfactual" in text  # what each change did is the debrief's
            assert "Score so far" in text
            assert "The expert would now" in text
            assert "sev SEV1" in text  # the expert's next step the team has not taken
            assert app.driver.session.scenario.truth.root_cause.split()[0] in text

    asyncio.run(scenario())


def test_tui_debrief_shows_everything_to_players(app_factory: AppFactory) -> None:
    """The debrief is the same for everyone: the players' debrief carries the fault
    events and every action's effect."""
    app = app_factory()

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await mitigate_and_look(app, pilot)
            app.driver.advance_to(app.driver.session.now + 300)  # the world recovers
            app.end_session("completed")
            await pilot.pause()
            assert isinstance(app.screen, DebriefScreen)
            kinds = {e.kind for e in app.screen.events}
            assert {"fault.start", "fault.relieved"} <= kinds
            judged = {a["label"] for a in app.screen.outcome.scorecard.actions}
            assert "mitigated" in judged  # the terminated blocker, by counterfactual

    asyncio.run(scenario())


def test_views_filter_events() -> None:
    """The players' filter drops the fault timeline and injected faults and strips the
    graded effect; the facilitator's and the debrief's pass everything untouched."""
    from gameday.session.events import Event
    from gameday.views import DEBRIEF

    events = [
        Event(1.0, "fault.start", {"fault": "f", "type": "oom", "service": "s"}, 0),
        Event(2.0, "inject", {"id": "vp", "kind": "message", "title": "VP asks"}, 1),
        Event(3.0, "inject", {"id": "second", "kind": "fault", "title": "Second fault"}, 2),
        Event(4.0, "action", {"command": "kubectl rollout undo", "effect": "mitigated:f"}, 3),
        Event(5.0, "fault.end", {"fault": "f", "reason": "mitigated"}, 4),
    ]
    shown = PLAYERS.filter(events)
    assert [(e.kind, e.seq) for e in shown] == [("inject", 1), ("action", 3)]
    assert shown[1].data == {"command": "kubectl rollout undo"}
    assert events[3].data["effect"] == "mitigated:f"  # the session's own event is untouched
    assert FACILITATOR.filter(events) == events == DEBRIEF.filter(events)
