"""Hostile text renders inert in every pane (issue 20 item 3): the alerts, pager,
incident and runbook panes, the facilitator's pane and menu, and the debrief."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gameday.tui.app import GamedayApp
from gameday.tui.screens.debrief import DebriefScreen
from gameday.tui.widgets.alerts import AlertStream
from gameday.tui.widgets.pager import PagerPanel
from gameday.views import FACILITATOR
from tests.tui.conftest import AppFactory, paged, run_until
from tests.tui.hostile import PERSON, RAW, SHOWN, hostile_scenario
from tests.tui.test_tui_views import plain

WIDE = (220, 50)  # wide enough for the alert table's severity and receivers


def screen(app: GamedayApp) -> str:
    """The whole screen as a person at a WIDE terminal reads it."""
    return plain(app.screen._compositor.render_update(full=True), WIDE[0])


def assert_inert(text: str) -> None:
    """No raw control or bidi character reached the screen."""
    for char in RAW:
        assert char not in text, repr(char)


def test_tui_hostile_text_is_inert_in_the_players_panes(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """Alert names and labels, a page's summary, receivers, people's names and ids and
    the runbook's Markdown carrying OSC 0/52, CSI, BEL, NUL, DEL, C1 and bidi characters
    reach the screen as visible escapes."""
    app = app_factory(ref=str(hostile_scenario(tmp_path)))

    async def scenario() -> None:
        async with app.run_test(size=WIDE) as pilot:
            run_until(app, lambda: paged(app))
            app.run_command(f"assign ic '{PERSON}'")
            await pilot.pause()
            text = screen(app)
            assert_inert(text)
            assert "critical \\x1b]0;pwned\\x07 T \\x1b]52;c;" in text  # alerts: severity
            assert "slack-incidents \\x1b]0;pw" in text  # alerts: where it went
            assert f"● OrdersDBPoolExhausted {SHOWN[:18]}" in text  # pager: the summary
            assert "ic          eve\\x1b]0;x\\x07 " in text  # incident: a role's holder
            assert "Hostile \\x1b]0;pwned\\x07 T" in text  # runbook: its Markdown
            # What the narrow columns cut off is inert in full too.
            table = app.main.query_one(AlertStream)
            names = [plain(table.get_row(key)[2], 200) for key in table.rows]
            assert f"OrdersDBPoolExhausted {SHOWN}\n" in names
            pager = app.main.query_one(PagerPanel)
            drawn = plain(pager.render_pager(app.driver.session.pager, 600.0), 400)
            assert_inert(drawn)
            assert "Richter " + SHOWN[:20] in drawn

    asyncio.run(scenario())


def test_tui_hostile_text_is_inert_for_the_facilitator_and_debrief(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """The facilitator's pane, the inject menu (F8) and the debrief show the scenario's
    hostile text (an inject title, the team's commands) as visible escapes."""
    app = app_factory(ref=str(hostile_scenario(tmp_path)), view=FACILITATOR)

    async def scenario() -> None:
        async with app.run_test(size=WIDE) as pilot:
            run_until(app, lambda: paged(app))
            app.run_command(f"note '{PERSON}'")
            await pilot.pause()
            assert_inert(screen(app))
            await pilot.press("f8")
            await pilot.pause()
            menu = screen(app)
            assert_inert(menu)
            assert f"exec-eta: VP {SHOWN[:40]}" in menu
            await pilot.press("escape")
            app.end_session("ended")
            await pilot.pause()
            assert isinstance(app.screen, DebriefScreen)
            assert_inert(screen(app))

    asyncio.run(scenario())
