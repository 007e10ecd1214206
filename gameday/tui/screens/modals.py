"""Small dialogs: the role picker and the quit confirmation."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

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


class ConfirmQuit(ModalScreen[bool]):
    """Asks before ending a session early; the journal is kept either way."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, journal: str | None) -> None:
        super().__init__()
        self.journal = journal

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(id="dialog"):
            yield Label("End the session now?", classes="dialog-title")
            where = f"The journal is saved in {self.journal}; " if self.journal else ""
            yield Label(f"{where}`gameday resume` continues it later.")
            with Horizontal(classes="buttons"):
                yield Button("Save and quit (y)", variant="error", id="yes")
                yield Button("Keep playing (n)", variant="primary", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers the question."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """A key answers the question."""
        self.dismiss(answer)
