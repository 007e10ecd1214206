"""The facilitator's menu: hot injects and the hint ladder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class FacilitatorMenu(ModalScreen[str | None]):
    """Pick an inject to fire now, or take the next hint (it costs points).

    Dismisses with ``inject:<id>``, ``hint`` or None.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close-menu"),
    ]

    def __init__(self, injects: Sequence[Any], hints: Sequence[Any], used_hints: int,
                 fired: set[str], focus_hint: bool = False) -> None:
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
            options.append(Option(
                f"Hint {self.used_hints + 1}/{len(self.hints)}: take it (-{cost:g} points)",
                id="hint"))
        else:
            options.append(Option("No hints left", id="hint", disabled=True))
        options.append(None)
        for inj in self.injects:
            mark = " (fired)" if inj.id in self.fired else ""
            options.append(Option(f"{inj.id}: {inj.title}{mark}", id=f"inject:{inj.id}"))
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
