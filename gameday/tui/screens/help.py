"""The help screen: every key binding (as remapped) and every command."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


class HelpScreen(ModalScreen[None]):
    """Keys and commands, with the key map file's location."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "app.pop_screen", "Close", id="close-help"),
    ]

    def __init__(self, keys: Sequence[tuple[str, str, str]],
                 commands: Sequence[tuple[str, str]], keys_file: str) -> None:
        super().__init__()
        self.keys = list(keys)
        self.commands = list(commands)
        self.keys_file = keys_file

    def compose(self) -> ComposeResult:
        """Two tables and a note on remapping."""
        with VerticalScroll(id="help-body"):
            yield Label("Keys", classes="dialog-title")
            yield DataTable(id="help-keys", show_cursor=False)
            yield Label("Commands (type them on the command line; Tab completes)",
                        classes="dialog-title")
            yield DataTable(id="help-commands", show_cursor=False)
            yield Label(f"Remap keys in {self.keys_file}, e.g. [keys] pause = \"space\"",
                        classes="dim")

    def on_mount(self) -> None:
        """Fill the tables."""
        keys = self.query_one("#help-keys", DataTable)
        keys.add_columns("key", "does", "id")
        for row in self.keys:
            keys.add_row(*row)
        commands = self.query_one("#help-commands", DataTable)
        commands.add_columns("command", "does")
        for cmd_row in self.commands:
            commands.add_row(*cmd_row)
