"""The sim clock bar: wall time of the incident, time since start, speed, role."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from gameday.timeline import clock


class ClockBar(Widget):
    """One line at the top: ``▶ 10x  22:55:00 UTC  T+5m00s  ...  role ops``."""

    DEFAULT_CSS = """
    ClockBar { height: 1; background: $panel; color: $text; }
    """

    now: reactive[float] = reactive(0.0)
    speed: reactive[float] = reactive(10.0)
    paused: reactive[bool] = reactive(False)
    held: reactive[bool] = reactive(False)  # a dialog is open: time stands still
    role: reactive[str] = reactive("ops")
    finished: reactive[bool] = reactive(False)

    def __init__(self, title: str, start: datetime, end: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.title = title
        self.start = start
        self.end = end

    def render(self) -> Text:
        """The bar as styled text."""
        from datetime import timedelta

        wall = (self.start + timedelta(seconds=self.now)).strftime("%H:%M:%S UTC")
        if self.finished:
            state = Text(" ■ ENDED ", style="bold white on dark_red")
        elif self.paused:
            state = Text(" ‖ PAUSED ", style="bold black on yellow")
        elif self.held:
            state = Text(" ‖ HELD ", style="bold black on yellow")
        else:
            state = Text(f" ▶ {self.speed:g}x ", style="bold black on green")
        text = Text.assemble(
            state,
            "  ",
            (wall, "bold"),
            "  ",
            (clock(self.now), "cyan"),
            f" / {clock(self.end)}",
            "  ",
            (self.title, "italic"),
        )
        role = Text.assemble("role ", (self.role, "bold magenta"), " ")
        pad = max(1, self.size.width - text.cell_len - role.cell_len)
        return Text.assemble(text, " " * pad, role)
