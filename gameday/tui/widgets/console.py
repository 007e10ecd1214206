"""The command line (an Input with completion and history) and the output log."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input, RichLog

from gameday.session.events import Event
from gameday.textsafe import visible
from gameday.timeline import clock, describe

KIND_STYLE = {
    "FAULT": "magenta",
    "METRIC": "dim",
    "ALERT": "red",
    "NOTIFY": "yellow",
    "PAGE": "bold red",
    "ACTION": "cyan",
    "OUTPUT": "grey70",
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
        found = completions(self.complete, value)
        return found[0] if found else None


def completions(complete: Completer, value: str) -> list[str]:
    """Whole lines that extend ``value``, in the completer's order, without repeats."""
    if not value.strip():
        return []
    found: list[str] = []
    for candidate in complete(value):
        full = candidate
        if not candidate.startswith(value):
            head = value.rsplit(" ", 1)[0] + " " if " " in value else ""
            full = head + candidate
        if full.startswith(value) and len(full) > len(value) and full not in found:
            found.append(full)
    return found


NO_SPACE_AFTER = ("(", "=", "/", ")", "'", '"', ",")
"""A completion ending in one of these is not a whole word: Tab adds no space after it."""


class CommandLine(Input):
    """Where the person at the keyboard types commands; up/down walk the history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous command", show=False, id="history-prev"),
        Binding("down", "history(1)", "Next command", show=False, id="history-next"),
        Binding("tab", "complete", "Complete", show=False, id="complete"),
    ]

    class Candidates(Message):
        """Tab found several completions (the words, as a shell lists them)."""

        def __init__(self, words: list[str]) -> None:
            super().__init__()
            self.words = words

    def __init__(self, complete: Completer, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)  # coming back to the line adds to it
        super().__init__(suggester=CommandSuggester(complete), **kwargs)
        self.complete = complete
        self.history: list[str] = []
        self._cursor = 0

    async def _on_key(self, event: events.Key) -> None:
        """Enter submits here, in order with the typed characters, and empties the line at
        once: keys typed fast after it (a paste, tmux send-keys) start the next command.

        Input submits through a binding, which runs after the keys already queued for
        the widget: two commands sent in one burst were joined into one, submitted twice.
        """
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            value, self.value = self.value, ""
            self.post_message(self.Submitted(self, value))
            return
        await super()._on_key(event)

    def action_complete(self) -> None:
        """Complete like a shell: one candidate is taken with a space after it; several
        are completed to what they share and listed (:class:`Candidates`)."""
        value = self.value[: self.cursor_position]
        found = completions(self.complete, value)
        if not found:
            self.app.bell()
            return
        if len(found) == 1:
            whole = found[0]
            self.value = whole if whole.endswith(NO_SPACE_AFTER) else whole + " "
        else:
            self.value = os.path.commonprefix(found)
            start = value.rfind(" ") + 1
            self.post_message(self.Candidates([line[start:] for line in found]))
        self.cursor_position = len(self.value)

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


def event_text(event: Event) -> Text | None:
    """An event as a coloured log line, or None when it is not worth showing."""
    line = describe(event)
    if line is None:
        return None
    tag = line.split(" ", 1)[0]
    style = KIND_STYLE.get(tag, "")
    if event.kind in ("action", "command.output") and not event.data.get("ok"):
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
            output = visible(str(event.data.get("output", ""))) if event.kind == "action" else ""
            if output.strip():
                indented = "\n".join(" " * 11 + line for line in output.rstrip("\n").splitlines())
                self.write(Text(indented, style="grey70"))
            if event.kind == "inject" and event.data.get("text"):
                self.write(Text(f"           {visible(str(event.data['text']))}", style="magenta"))
