"""The command line (an Input with completion and history) and the output log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input, RichLog

from gameday.engine.events import Event
from gameday.timeline import clock, describe

KIND_STYLE = {
    "FAULT": "magenta",
    "METRIC": "dim",
    "ALERT": "red",
    "NOTIFY": "yellow",
    "PAGE": "bold red",
    "ACTION": "cyan",
    "INCIDENT": "bold",
    "STATUS": "green",
    "SILENCE": "blue",
    "CHAT": "dim",
    "INJECT": "bold magenta",
    "HINT": "bold yellow",
}

Completer = Callable[[str], Sequence[str]]


class CommandSuggester(Suggester):
    """Suggests the rest of a command from a completion function.

    Args:
        complete: maps what was typed to candidate completions, either whole lines or
            the word being typed.
    """

    def __init__(self, complete: Completer) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.complete = complete

    async def get_suggestion(self, value: str) -> str | None:
        """The first candidate that extends ``value``."""
        if not value.strip():
            return None
        for candidate in self.complete(value):
            full = candidate
            if not candidate.startswith(value):
                head = value.rsplit(" ", 1)[0] + " " if " " in value else ""
                full = head + candidate
            if full.startswith(value) and len(full) > len(value):
                return full
        return None


class CommandLine(Input):
    """Where the person at the keyboard types commands; up/down walk the history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous command", show=False, id="history-prev"),
        Binding("down", "history(1)", "Next command", show=False, id="history-next"),
        Binding("tab", "accept_suggestion", "Complete", show=False, id="complete"),
    ]

    def __init__(self, complete: Completer, **kwargs: Any) -> None:
        super().__init__(suggester=CommandSuggester(complete), **kwargs)
        self.history: list[str] = []
        self._cursor = 0

    def remember(self, command: str) -> None:
        """Add a submitted command to the history and reset the history cursor."""
        if command and (not self.history or self.history[-1] != command):
            self.history.append(command)
        self._cursor = len(self.history)

    def action_history(self, step: int) -> None:
        """Show the previous (-1) or next (+1) command from the history."""
        if not self.history:
            return
        self._cursor = max(0, min(len(self.history), self._cursor + step))
        self.value = self.history[self._cursor] if self._cursor < len(self.history) else ""
        self.cursor_position = len(self.value)

    def action_accept_suggestion(self) -> None:
        """Take the suggested completion, if one is shown."""
        self.cursor_position = len(self.value)
        self.action_cursor_right()


def event_text(event: Event) -> Text | None:
    """An event as a coloured log line, or None when it is not worth showing."""
    line = describe(event)
    if line is None:
        return None
    tag = line.split(" ", 1)[0]
    style = KIND_STYLE.get(tag, "")
    if event.kind == "action" and not event.data.get("ok"):
        style = "bold red"
    return Text.assemble((f"{clock(event.t):>10} ", "dim"), (line, style))


class OutputLog(RichLog):
    """The timeline and the output of every command."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, max_lines=2000, **kwargs)

    def feed(self, events: Sequence[Event]) -> None:
        """Write the lines of new events; an action's output follows its line."""
        for event in events:
            text = event_text(event)
            if text is None:
                continue
            self.write(text)
            output = str(event.data.get("output", "")) if event.kind == "action" else ""
            if output.strip():
                indented = "\n".join(" " * 11 + line for line in output.rstrip("\n").splitlines())
                self.write(Text(indented, style="grey70"))
            if event.kind == "inject" and event.data.get("text"):
                self.write(Text(f"           {event.data['text']}", style="magenta"))
