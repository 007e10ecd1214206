"""Hostile text renders inert in every pane (issue 20 item 3): the alerts, pager,
incident and runbook panes, the facilitator's pane and menu, and the debrief."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

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


async def screen_showing(app: GamedayApp, pilot: Any, *needles: str) -> str:
    """The screen once it shows every one of ``needles`` (panes repaint on their own
    schedule; a loaded machine may need a few frames), or as it is after 5 s."""
    text = screen(app)
    for _ in range(100):
        if all(needle in text for needle in needles):
            break
        await pilot.pause(0.05)
        text = screen(app)
    return text


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
            shown = (
                "slack-incidents \\x1b]0;pw",  # alerts: where it went
                f"● OrdersDBPoolExhausted {SHOWN[:18]}",  # pager: the page's summary
                "ic          eve\\x1b]0;x\\x07 ",  # incident: who holds a role
                "Hostile \\x1b]0;pwned\\x07 T",  # runbook: its Markdown
            )
            text = await screen_showing(app, pilot, *shown)
            assert_inert(text)
            for needle in shown:
                assert needle in text, needle
            # The alert table's columns are as wide as the pane allows (names and label
            # values are cut): its cells hold the inert text in full.
            table = app.main.query_one(AlertStream)
            rows = [[plain(cell, 400) for cell in table.get_row(key)] for key in table.rows]
            assert_inert(repr(rows))
            assert f"critical {SHOWN}\n" in [row[1] for row in rows]  # a label value
            assert f"OrdersDBPoolExhausted {SHOWN}\n" in [row[2] for row in rows]  # a name
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
            menu = await screen_showing(app, pilot, f"exec-eta: VP {SHOWN[:40]}")
            assert_inert(menu)
            assert f"exec-eta: VP {SHOWN[:40]}" in menu
            await pilot.press("escape")
            app.end_session("ended")
            await pilot.pause()
            assert isinstance(app.screen, DebriefScreen)
            assert_inert(await screen_showing(app, pilot, "Where the points went"))

    asyncio.run(scenario())
