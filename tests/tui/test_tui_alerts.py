"""The alert stream: one row per alert, its latest state shown whole."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from gameday.session.events import Event
from gameday.tui.widgets.alerts import AlertStream

LABELS = {"alertname": "OrdersDBPoolExhausted", "severity": "page", "service": "orders"}


class StreamOnly(App[None]):
    def compose(self) -> ComposeResult:
        yield AlertStream(id="alerts")


def test_tui_alert_state_column_widens_for_resolved() -> None:
    """A row added as ``firing`` later shows ``resolved`` in full, not cut to the old width."""

    async def scenario() -> None:
        app = StreamOnly()
        async with app.run_test(size=(80, 10)) as pilot:
            stream = app.query_one(AlertStream)
            stream.feed([Event(60.0, "alert.firing", {"labels": LABELS})])
            await pilot.pause()
            state = stream.columns[next(k for k in stream.columns if k.value == "state")]
            assert state.content_width == len("firing")
            stream.feed(
                [
                    Event(
                        120.0,
                        "notification",
                        {"receiver": "orders-pager", "alerts": [{"labels": LABELS}]},
                    ),
                    Event(900.0, "alert.resolved", {"labels": LABELS}),
                ]
            )
            await pilot.pause()
            assert state.content_width >= len("resolved")
            (row,) = stream.rows_by_key.values()
            assert (row.state, row.notifications, row.receivers) == (
                "resolved",
                1,
                ["orders-pager"],
            )
            assert stream.summary() == "0 firing · 1 resolved · 1 sent"
            assert stream.border_title == "Alerts · 0 firing · 1 resolved · 1 sent"
            assert stream.border_subtitle == "→ orders-pager (1)", "the selected row's routing"

    asyncio.run(scenario())
