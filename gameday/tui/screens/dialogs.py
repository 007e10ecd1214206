"""Dialogs over the tabletop: role picker, quit confirmation, facilitator menu, help."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, OptionList
from textual.widgets.option_list import Option

from gameday.textsafe import visible

ROLE_TEXT = {
    "ic": "Incident commander: severity, roles, decisions, escalation",
    "ops": "Operations: diagnose and mitigate (kubectl, psql)",
    "comms": "Communications: status page and stakeholder updates",
    "scribe": "Scribe: keeps the timeline and notes",
}


class RolePicker(ModalScreen[str]):
    """The person at the keyboard picks the role their commands are performed with."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Cancel", id="cancel"),
    ]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        """A list of the four roles."""
        with Vertical(id="dialog"):
            yield Label("Who is typing? Pick your role", classes="dialog-title")
            options = [Option(f"{role:7} {text}", id=role) for role, text in ROLE_TEXT.items()]
            yield OptionList(*options, id="roles")

    def on_mount(self) -> None:
        """Highlight the current role."""
        roles = self.query_one("#roles", OptionList)
        roles.highlighted = list(ROLE_TEXT).index(self.current)
        roles.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Return the chosen role."""
        self.dismiss(str(event.option.id))

    def action_dismiss_none(self) -> None:
        """Keep the current role."""
        self.dismiss(self.current)


class Confirm(ModalScreen[bool]):
    """A yes/no question; ``y`` and ``n`` (or Esc) answer it, as do the two buttons.

    Args:
        title: the question.
        text: what answering yes does.
        yes: the yes button's label.
        no: the no button's label.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, title: str, text: str, yes: str, no: str = "Keep playing (n)") -> None:
        super().__init__()
        self.question, self.text, self.yes, self.no = title, text, yes, no

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(id="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield Label(self.text)
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button(self.no, variant="primary", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers the question."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """A key answers the question."""
        self.dismiss(answer)


class ConfirmQuit(Confirm):
    """Asks before leaving a session early; the journal is kept either way."""

    def __init__(self, journal: str | None, seat: bool = False) -> None:
        where = f"The journal is saved in {journal}; " if journal else ""
        text = f"{where}`gameday resume` continues it later."
        if seat:
            text = "The session goes on without this seat; the same `gameday join` rejoins it."
        super().__init__(
            "Leave the session now?", text, "Leave (y)" if seat else "Save and quit (y)"
        )
        self.journal = journal


class ConfirmEnd(Confirm):
    """Asks before ending the exercise and going to the debrief (it cannot be resumed)."""

    def __init__(self) -> None:
        super().__init__(
            "End the exercise and go to the debrief?",
            "The session is scored as it stands and the reports are written; "
            "an ended session cannot be resumed.",
            "End and debrief (y)",
        )


class FacilitatorMenu(ModalScreen[str | None]):
    """Pick an inject to fire now, or take the next hint (it costs points).

    Dismisses with ``inject:<id>``, ``hint`` or None.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close-menu"),
    ]

    def __init__(
        self,
        injects: Sequence[Any],
        hints: Sequence[Any],
        used_hints: int,
        fired: set[str],
        focus_hint: bool = False,
    ) -> None:
        super().__init__()
        self.injects = list(injects)
        self.hints = list(hints)
        self.used_hints = used_hints
        self.fired = fired
        self.focus_hint = focus_hint

    def compose(self) -> ComposeResult:
        """Hints first, then injects."""
        options: list[Option | None] = []
        if self.used_hints < len(self.hints):
            cost = self.hints[self.used_hints].cost
            options.append(
                Option(
                    f"Hint {self.used_hints + 1}/{len(self.hints)}: take it (-{cost:g} points)",
                    id="hint",
                )
            )
        else:
            options.append(Option("No hints left", id="hint", disabled=True))
        options.append(None)
        for inj in self.injects:
            mark = " (fired)" if inj.id in self.fired else ""
            prompt = Text(visible(f"{inj.id}: {inj.title}{mark}"))  # the author's text, inert
            options.append(Option(prompt, id=f"inject:{inj.id}"))
        with Vertical(id="dialog"):
            yield Label("Facilitator: hints and injects", classes="dialog-title")
            yield OptionList(*options, id="facilitator-options")

    def on_mount(self) -> None:
        """Highlight the hint or the first inject."""
        options = self.query_one(OptionList)
        first = "hint" if self.focus_hint or not self.injects else f"inject:{self.injects[0].id}"
        options.highlighted = options.get_option_index(first)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Return what was chosen."""
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Keys and commands, with the key map file's location."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "app.pop_screen", "Close", id="close-help"),
    ]

    def __init__(
        self,
        keys: Sequence[tuple[str, str, str]],
        commands: Sequence[tuple[str, str]],
        keys_file: str,
    ) -> None:
        super().__init__()
        self.keys = list(keys)
        self.commands = list(commands)
        self.keys_file = keys_file

    def compose(self) -> ComposeResult:
        """Two tables and a note on remapping."""
        with VerticalScroll(id="help-body"):
            yield Label("Keys", classes="dialog-title")
            yield DataTable(id="help-keys", show_cursor=False)
            yield Label(
                "Commands (type them on the command line; Tab completes)", classes="dialog-title"
            )
            yield DataTable(id="help-commands", show_cursor=False)
            yield Label(
                f'Remap keys in {self.keys_file}, e.g. [keys] pause = "space"', classes="dim"
            )

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
