"""The shadow-practice TUI: the situation, a question, your answer, the verdict.

One screen over a :class:`~gameday.shadow.core.ShadowBase` (forward or reverse). The
situation log shows what a responder would see at each decision point; the command line
(with the tabletop's completion and history) takes the answer; the verdict pane shows how
it compared, with the runbook's reason, the expert's output and any what-if output.
Enter continues to the next point. The session runs in a worker thread and reports back
with messages, so the screen never blocks on the simulation.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, RichLog, Static
from textual.worker import Worker, WorkerState

from gameday.scoring.looks import servers_of
from gameday.session.events import Event
from gameday.shadow.core import ShadowBase
from gameday.shadow.record import Answer, DecisionPoint, result_lines
from gameday.textsafe import visible
from gameday.tui.widgets.console import CommandLine
from gameday.tui.widgets.runbook import RunbookViewer

VERDICT_STYLE = {
    "same": "bold green",
    "equivalent": "green",
    "acceptable": "yellow",
    "off-path": "dark_orange",
    "premature": "bold red",
    "wrong": "bold red",
    "skipped": "dim",
}


class ShadowScreen(Screen[None]):
    """Asks each decision point and shows each verdict.

    Attributes:
        state: ``waiting`` (the session is running), ``asking``, ``graded`` or ``done``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f6", "toggle_runbook", "Runbook", id="toggle-runbook"),
        Binding("f7", "hint", "Hint", id="hint"),
        Binding("f8", "skip", "Skip", id="skip"),
        Binding("escape", "quit", "Quit", id="quit-shadow"),
    ]

    state: reactive[str] = reactive("waiting")

    class PointReady(Message):
        """The session reached a decision point (None: the path is over)."""

        def __init__(self, point: DecisionPoint | None, events: list[Event]) -> None:
            super().__init__()
            self.point = point
            self.events = events

    class Graded(Message):
        """An answer was graded and the path went on."""

        def __init__(self, answer: Answer) -> None:
            super().__init__()
            self.answer = answer

    class Finished(Message):
        """Every decision point was answered; the result is ready."""

        def __init__(self, result: dict[str, Any]) -> None:
            super().__init__()
            self.result = result

    def __init__(self, shadow: ShadowBase, record: bool = True) -> None:
        super().__init__()
        self.shadow = shadow
        self.record = record
        self.result: dict[str, Any] | None = None
        self.total = len(shadow.steps)
        self._fed = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="shadow-top"):
            with Vertical(id="shadow-left"):
                yield RichLog(id="situation", wrap=True, markup=False, highlight=False)
                yield Static("", id="question")
                yield CommandLine(self._complete, id="answer", placeholder="your next command")
            with Vertical(id="shadow-right"):
                yield RichLog(id="verdict", wrap=True, markup=False, highlight=False)
                yield RunbookViewer(
                    self.shadow.runbooks,
                    self.shadow.prepared.loaded.runbook_files,
                    servers=servers_of(self.shadow.session.scenario),
                    id="shadow-runbook",
                )
        yield Footer()

    def on_mount(self) -> None:
        """Title the screen and run to the first decision point."""
        mode = "reverse shadow: you lead" if self.shadow.mode == "reverse" else "shadow"
        self.title = f"gameday {mode}"
        self.sub_title = f"{self.shadow.session.scenario.id} ({self.shadow.path.label})"
        self.query_one("#situation", RichLog).border_title = "Situation"
        self.query_one("#verdict", RichLog).border_title = "Verdict"
        self.query_one("#answer", CommandLine).focus()
        self.advance()

    def _complete(self, partial: str) -> list[str]:
        if self.state != "asking":
            return []  # the worker may be moving the session
        from gameday.tools import complete

        return complete(self.shadow.session, partial)

    # -- work in a thread ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="shadow", exit_on_error=False)
    def advance(self) -> None:
        """Run the session to the next decision point."""
        point = self.shadow.next_point()
        events = self.shadow.session.events[self._fed :]
        self._fed += len(events)
        self.post_message(self.PointReady(point, events))

    @work(thread=True, exclusive=True, group="shadow", exit_on_error=False)
    def submit(self, text: str | None) -> None:
        """Grade an answer and carry on along the path."""
        self.post_message(self.Graded(self.shadow.answer(text)))

    @work(thread=True, exclusive=True, group="shadow", exit_on_error=False)
    def conclude(self) -> None:
        """Close the session, keep the result in the history."""
        result = self.shadow.result()
        self.shadow.close()
        if self.record:
            from gameday.shadow import history

            history.record(result)
        self.post_message(self.Finished(result))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one handler for worker errors: say what broke."""
        if event.state == WorkerState.ERROR:
            self.notify(f"shadow session stopped: {event.worker.error}", severity="error")

    # -- messages ------------------------------------------------------------------------

    def on_shadow_screen_point_ready(self, message: PointReady) -> None:
        point = message.point
        self.query_one(RunbookViewer).feed(message.events)
        if point is None:
            self.state = "waiting"
            self.conclude()
            return
        log = self.query_one("#situation", RichLog)
        log.write(Text(f"— decision point {point.index + 1} of {self.total} —", style="bold"))
        for line in point.situation:
            log.write(Text(visible(line), style="bold red" if "PAGE" in line else ""))
        self.query_one("#question", Static).update(
            Text.assemble((visible(point.question), "bold"), ("   F7 hint, F8 skip", "dim"))
        )
        self.state = "asking"

    def on_shadow_screen_graded(self, message: Graded) -> None:
        a = message.answer
        pane = self.query_one("#verdict", RichLog)
        pane.clear()
        pane.write(Text(a.grade.verdict.upper(), style=VERDICT_STYLE[a.grade.verdict]))
        pane.write(Text(visible(f"you: {a.answer or '(no answer)'}")))  # typed: inert
        pane.write(Text(visible(a.grade.explanation)))
        if self.shadow.mode == "reverse" and a.output:
            pane.write(Text("your command printed:", style="bold"))
            pane.write(Text(visible(a.output), style="grey70"))
        if a.what_if and self.shadow.mode != "reverse":
            pane.write(Text("what your command would have shown:", style="bold"))
            pane.write(Text(visible(a.what_if), style="grey70"))
        self.query_one("#question", Static).update(Text("Enter: next decision point", style="dim"))
        self.state = "graded"

    def on_shadow_screen_finished(self, message: Finished) -> None:
        self.result = message.result
        pane = self.query_one("#verdict", RichLog)
        pane.clear()
        for line in result_lines(message.result):
            pane.write(Text(visible(line)))
        self.query_one("#question", Static).update(Text("Done. Escape quits.", style="bold"))
        self.state = "done"

    def on_input_submitted(self, event: CommandLine.Submitted) -> None:
        """Enter answers (``?`` or ``hint`` asks for a hint) or, once graded, continues."""
        line = self.query_one("#answer", CommandLine)
        text = event.value.strip()
        line.value = ""
        if self.state == "graded":
            self.state = "waiting"
            self.advance()
        elif self.state == "asking":
            if text.lower() in ("?", "hint"):
                self.action_hint()
                return
            line.remember(text)
            self.state = "waiting"
            self.submit(text or None)

    # -- actions -------------------------------------------------------------------------

    def action_hint(self) -> None:
        """Show the next rung of this point's hint ladder."""
        if self.state != "asking":
            return
        hint = self.shadow.hint()
        shown = visible(hint) if hint else "No more hints for this point."
        self.notify(shown, title="Hint", timeout=15, markup=False)
        if hint:
            self.query_one("#situation", RichLog).write(Text(f"hint: {shown}", style="yellow"))

    def action_toggle_runbook(self) -> None:
        """Show or hide the runbook (steps the path performed are ticked)."""
        viewer = self.query_one(RunbookViewer)
        viewer.display = not viewer.display

    def action_skip(self) -> None:
        """Answer nothing at this point."""
        if self.state == "asking":
            self.state = "waiting"
            self.submit(None)

    def action_quit(self) -> None:
        """Leave (an unfinished session is not recorded)."""
        self.app.exit(0)


class ShadowApp(App[int]):
    """``gameday shadow`` without ``--answers``."""

    CSS_PATH = "shadow.tcss"
    TITLE = "gameday shadow"

    def __init__(self, shadow: ShadowBase, record: bool = True) -> None:
        super().__init__()
        self.shadow_screen = ShadowScreen(shadow, record)

    def on_mount(self) -> None:
        self.push_screen(self.shadow_screen)


def make_shadow_app(shadow: ShadowBase, record: bool = True) -> ShadowApp:
    """The app the CLI runs and the tests drive."""
    return ShadowApp(shadow, record)
