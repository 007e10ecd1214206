"""The shell shown while the scenario loads: the tabletop's layout with empty panes.

It imports nothing but Textual, so ``gameday play`` can put it on screen before the
engine is imported and the scenario parsed (that happens in a worker; see
:meth:`gameday.tui.app.GamedayApp.load`).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

# pane id -> border title, as the tabletop screen names them
PANES = {
    "alerts": "Alerts",
    "pager": "Pager",
    "incident": "Incident",
    "dashboard": "Dashboard",
    "runbook": "Runbook",
    "output": "Timeline and output",
}


class LoadingScreen(Screen[None]):
    """The tabletop's frame, a clock bar naming the scenario, and a loading note.

    Args:
        scenario: what was asked for (an id or a path); shown until the title is known.
    """

    def __init__(self, scenario: str) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        """The same panes as the tabletop, empty."""
        bar = Text.assemble((" … LOADING ", "bold black on cyan"), "  ", (self.scenario, "italic"))
        yield Static(bar, id="loading-bar")
        with Horizontal(id="top"):
            with Vertical(id="left"):
                yield Static(id="alerts")
                yield Static(id="pager")
                yield Static(id="incident")
            yield Static(Text(f"loading scenario {self.scenario}…", style="italic"), id="dashboard")
            yield Static(id="runbook")
        yield Static(id="output")
        yield Static(
            Text("the command line opens once the scenario is loaded", "dim"), id="command"
        )
        yield Footer()

    def on_mount(self) -> None:
        """Border titles, as on the tabletop."""
        for pane, title in PANES.items():
            self.query_one(f"#{pane}").border_title = title
