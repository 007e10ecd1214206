"""The timeline and every command's output in full, on a scrollable full-screen view.

The log pane under the tabletop shows a few lines; a 33-row psql answer needs the whole
screen. This view is fed the same events the pane was (the screen's own view of the
stream), and opens scrolled to the end, on the newest output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from gameday.session.events import Event
from gameday.tui.widgets.console import OutputLog


class OutputScreen(ModalScreen[None]):
    """Everything the timeline pane holds, full screen; arrows, PgUp/PgDn, Home/End scroll."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f11", "app.pop_screen", "Close", id="close-output"),
    ]

    def __init__(self, events: Sequence[Event]) -> None:
        super().__init__()
        self.events = list(events)

    def compose(self) -> ComposeResult:
        """A title line, the log, the keys."""
        yield Label(
            "Timeline and output in full (↑↓ PgUp PgDn Home End scroll, Esc closes)",
            id="output-title",
        )
        yield OutputLog(id="output-full")
        yield Footer()

    def on_mount(self) -> None:
        """Write every line and stand on the newest."""
        log = self.query_one(OutputLog)
        log.feed(self.events)
        log.scroll_end(animate=False)
        log.focus()
