"""The tabletop screen: alerts, pager, incident, dashboard, runbook, log, command line."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Input, TabbedContent, TabPane

from gameday.scoring.looks import servers_of
from gameday.session.recorded_panels import RecordedPanels
from gameday.tui.commands import make_completer
from gameday.tui.keys import HOTKEY_QUIET, MAIN_BINDINGS
from gameday.tui.widgets.alerts import AlertStream
from gameday.tui.widgets.clock import ClockBar
from gameday.tui.widgets.console import CommandLine, OutputLog
from gameday.tui.widgets.dashboard import Dashboard
from gameday.tui.widgets.facilitator import FacilitatorPanel
from gameday.tui.widgets.incident import IncidentPanel
from gameday.tui.widgets.pager import PagerPanel
from gameday.tui.widgets.runbook import RunbookViewer

if TYPE_CHECKING:
    from gameday.tui.app import GamedayApp

Panes = tuple[AlertStream, PagerPanel, IncidentPanel, Dashboard, RunbookViewer, OutputLog, ClockBar]


class MainScreen(Screen[None]):
    """Every pane of the tabletop; catches up with the session on each tick."""

    BINDINGS: ClassVar[list[BindingType]] = MAIN_BINDINGS
    # Below 120x40 the side columns and the log give way to the dashboard and the panes.
    # (Textual types these as instance attributes, so they are not annotated ClassVar here.)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (118, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (38, "-tall")]

    def __init__(self) -> None:
        super().__init__()
        self.cursor = 0  # events already shown
        self.ack_key = "a"
        self.ready = False  # True while the panes are mounted
        self._panes: Panes | None = None
        self._facilitator: FacilitatorPanel | None = None
        self.touched_line = 0.0  # monotonic time the command line was last typed in or left
        self.hotkey_quiet = HOTKEY_QUIET

    @property
    def gameday(self) -> GamedayApp:
        from gameday.tui.app import GamedayApp

        assert isinstance(self.app, GamedayApp)
        return self.app

    def compose(self) -> ComposeResult:
        """Lay out the panes."""
        app = self.gameday
        session = app.driver.session
        if app.view.name == "facilitator":
            self.add_class("-facilitator")
        # the scenario's title names the cause ("... pool exhausted"): players are told only
        # that they are on call, as a real responder is before the first page
        title = session.scenario.title if app.view.name == "facilitator" else "On call"
        yield ClockBar(
            title,
            session.scenario.start_time,
            session.scenario.duration,
            id="clock",
        )
        with Horizontal(id="top"):
            with Vertical(id="left"):
                yield AlertStream(id="alerts")
                yield PagerPanel(id="pager")
                yield IncidentPanel(id="incident")
            recorded = None
            if session.recorded:
                recorded = RecordedPanels(
                    session.setup.recording,
                    session.setup.rule_groups,
                    session.scenario.scrape_interval,
                    session.tsdb,
                )
            yield Dashboard(list(session.world.services), recorded, id="dashboard")
            runbook = RunbookViewer(
                app.prepared.setup.runbooks,
                app.prepared.loaded.runbook_files,
                servers=servers_of(session.scenario),
                id="runbook",
            )
            if app.view.name == "facilitator":
                solution = app.prepared.loaded.solution
                with TabbedContent(id="side"):
                    with TabPane("Facilitator", id="facilitator-tab"), VerticalScroll():
                        yield FacilitatorPanel(session.scenario, solution, id="facilitator")
                    with TabPane("Runbook", id="runbook-tab"):
                        yield runbook
            else:
                yield runbook
        yield OutputLog(id="output")
        yield CommandLine(
            make_completer(app.driver),
            id="command",
            placeholder="type a command: ack, sev LEVEL, kubectl ..., psql ... "
            "(Tab completes, ↑↓ history, F1 help)",
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Titles for the bordered panes, then show the state so far.

        The app can be told to leave while this screen is still being mounted (a team
        quitting just as the load lands); the panes are then already gone and there is
        nothing to show.
        """
        try:
            self._find_panes()
        except NoMatches:
            return
        self.ready = True
        self.catch_up()

    def _find_panes(self) -> None:
        for selector, title in (
            ("#alerts", "Alerts"),
            ("#pager", "Pager"),
            ("#incident", "Incident"),
            ("#dashboard", "Dashboard"),
            ("#runbook", "Runbook"),
            ("#output", "Timeline and output"),
        ):
            self.query_one(selector).border_title = title
        self.query_one(PagerPanel).ack_key = self.ack_key
        line = self.query_one("#command", CommandLine)
        line.focus()
        with self.gameday.driver.locked() as session:  # a resumed session's commands
            for event in session.events:
                if event.kind == "action" and event.data.get("actor") == self.gameday.actor:
                    line.remember(str(event.data.get("command", "")))
        self._panes = (
            self.query_one(AlertStream),
            self.query_one(PagerPanel),
            self.query_one(IncidentPanel),
            self.query_one(Dashboard),
            self.query_one(RunbookViewer),
            self.query_one(OutputLog),
            self.query_one(ClockBar),
        )
        found = self.query(FacilitatorPanel)
        self._facilitator = found.first() if found else None

    def on_unmount(self) -> None:
        """No more catching up once the panes are gone."""
        self.ready = False
        self._panes = None
        self._facilitator = None

    def _live_score(self, session: Any) -> Any:
        """The scorecard of the session so far, for the facilitator's pane (about 1 ms)."""
        from gameday.debrief import metrics_summary
        from gameday.scoring.scorecard import score

        runbooks = list(self.gameday.prepared.setup.runbooks)
        return score(list(session.events), session.scenario, runbooks, metrics_summary(session))

    def catch_up(self) -> None:
        """Show what happened since the last call (every pane reads the session).

        The panes are looked up once, on mount: a DOM query per pane per tick cost more
        than the drawing itself at 60x.
        """
        panes = self._panes
        if not self.ready or panes is None:
            return  # not composed yet, or being torn down
        alerts, pager, incident, dashboard, runbook, output, bar = panes
        app = self.gameday
        with app.driver.locked() as session:
            new = app.view.filter(session.events[self.cursor :])
            self.cursor = len(session.events)
            now = session.now
            alerts.feed(new)
            pager.refresh_from(session.pager, new, now)
            incident.refresh_from(session.incident, now, truth=app.view.truth)
            if self._facilitator is not None and new:
                self._facilitator.feed(new, self._live_score(session))
            dashboard.refresh_from(session.history, force=app.driver.paused, now=now)
            runbook.feed(new)
            output.feed(new)
            bar.now, bar.speed = now, app.driver.speed
            bar.paused, bar.held = app.driver.paused, app.driver.held
            bar.role, bar.finished = app.role, session.finished

    def on_screen_suspend(self) -> None:
        """A modal screen (help, a dialog, the palette, the full output) covers the
        tabletop: hold the clock until it closes, so reading costs no sim time."""
        self.gameday.hold_clock(True)

    def on_screen_resume(self) -> None:
        """Back on the tabletop: let the clock run again (unless it is paused)."""
        self.gameday.hold_clock(False)

    def on_key(self, event: events.Key) -> None:
        """A printable key right after typing in or leaving the command line is typing:
        it goes onto the line, and no hotkey sees it (Esc then ``/note`` typed fast must
        not ack, jump or unpause). F-keys and keys with modifiers always reach the keys.
        """
        char = event.character
        if char is None or len(char) != 1 or not char.isprintable() or self.hotkeys_ready():
            return
        line = self.query_one("#command", CommandLine)
        event.stop()
        event.prevent_default()
        self.set_focus(line)  # now: the next key may already be on its way
        line.insert_text_at_cursor(char)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing on the command line keeps bare-letter hotkeys quiet for a moment."""
        self.touched_line = time.monotonic()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving the command line keeps bare-letter hotkeys quiet for a moment too."""
        if isinstance(event.widget, CommandLine):
            self.touched_line = time.monotonic()

    def hotkeys_ready(self) -> bool:
        """Whether a bare-letter hotkey may act: the command line is unfocused and has been
        left alone for at least :data:`~gameday.tui.keys.HOTKEY_QUIET` seconds."""
        line = self.query_one("#command", CommandLine)
        return not line.has_focus and time.monotonic() - self.touched_line >= self.hotkey_quiet

    def on_alert_stream_selected(self, message: AlertStream.Selected) -> None:
        """Show the runbook the selected alert links to."""
        self.query_one(RunbookViewer).select_for_alert(message.alertname, message.annotations)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Perform the typed command with the current role; ``end`` asks to end the
        exercise. A leading ``:`` or ``/`` (the keys that focus the line) is dropped."""
        command = strip_leader(event.value)
        line = self.query_one("#command", CommandLine)  # already empty: see its _on_key
        if not command:
            return
        line.remember(command)
        if command == "end":
            self.gameday.action_end()
        else:
            self.gameday.run_command(command)

    def on_command_line_candidates(self, message: CommandLine.Candidates) -> None:
        """Tab found several completions: list them in the log, as a shell does."""
        self.status_note(Text("  ".join(message.words), style="cyan"))

    def action_ack(self) -> None:
        """Acknowledge the page."""
        self.gameday.run_command("ack")

    def action_focus_command(self) -> None:
        """Move the focus to the command line."""
        self.query_one("#command", CommandLine).focus()

    def action_leave_command(self) -> None:
        """Leave the command line so single-letter keys work (after a moment)."""
        self.touched_line = time.monotonic()  # now, not when the blur message lands
        self.set_focus(self.query_one(AlertStream))

    def fill_command(self, command: str) -> None:
        """Put ``command`` on the command line (from the palette) without running it."""
        line = self.query_one("#command", CommandLine)
        line.value = command
        line.cursor_position = len(command)
        line.focus()

    def status_note(self, text: Any) -> None:
        """Write a UI note into the output log."""
        if not self.ready:
            return
        self.query_one(OutputLog).write(text)


def strip_leader(text: str) -> str:
    """``text`` without surrounding blanks and a leading ``:`` or ``/`` (vi and chat habits)."""
    text = text.strip()
    while text[:1] in (":", "/"):
        text = text[1:].lstrip()
    return text
