"""The debrief: the scorecard (or a timeline summary) and where the reports are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Markdown, Static

from gameday.session.events import Event
from gameday.textsafe import visible
from gameday.timeline import format_event
from gameday.tui.lifecycle import Outcome
from gameday.tui.widgets.runbook import label_fences


class DebriefScreen(Screen[None]):
    """Shown when the session ends: score, evidence, timeline, report paths.

    Evidence quotes what the team typed and the scenario's text: all of it is shown
    inert (:mod:`gameday.textsafe`).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "app.quit_after_debrief", "Quit", id="debrief-quit"),
    ]

    def __init__(self, outcome: Outcome, events: Sequence[Event], reason: str) -> None:
        super().__init__()
        self.outcome = outcome
        self.events = list(events)
        self.reason = reason

    def compose(self) -> ComposeResult:
        """Headline, scorecard table, evidence, timeline, paths."""
        card = self.outcome.scorecard
        with VerticalScroll(id="debrief-body"):
            yield Static(self.headline(), id="debrief-headline")
            yield Static(self.where(), id="debrief-where")
            yield Static(self.clock_use(), id="debrief-clock")
            if self.outcome.ghost:
                yield Label(
                    "The team and the real responders (the ghost; times from the window's start)",
                    classes="dialog-title",
                )
                yield DataTable(id="ghost", show_cursor=False)
            if card is not None:
                yield DataTable(id="scorecard", show_cursor=False)
                yield Label("Where the points went", classes="dialog-title")
                yield Static(self.evidence(), id="evidence")
                if card.actions:
                    yield Label("What each change did", classes="dialog-title")
                    yield Static(self.changes(), id="changes")
                if card.injects:
                    yield Label("Injects answered", classes="dialog-title")
                    yield Static(self.injects(), id="injects")
                found = list(getattr(card, "findings", []) or [])
                if found:
                    yield Label(
                        "Configuration findings (about your alerts and routing; not deducted)",
                        classes="dialog-title",
                    )
                    shown = visible("\n".join(f"• {f}" for f in found))
                    yield Static(Text(shown), id="findings")
            else:
                yield Label("Timeline", classes="dialog-title")
                yield Static(self.timeline(), id="timeline")
            yield Label("Reports", classes="dialog-title")
            yield Static(self.paths(), id="report-paths")
            draft = self.postmortem()
            if draft:
                yield Label("Postmortem draft", classes="dialog-title")
                yield Markdown(draft, id="postmortem")
        yield Footer()

    def on_mount(self) -> None:
        """Fill the ghost comparison and the scorecard tables."""
        if self.outcome.ghost:
            self._fill_ghost(self.query_one("#ghost", DataTable))
        card = self.outcome.scorecard
        if card is None:
            return
        table = self.query_one("#scorecard", DataTable)
        table.add_columns("dimension", "points", "what happened", "target")
        for d in card.dimensions:
            style = "green" if d.passed else "bold red"
            points = Text(f"{d.points:g}/{d.max_points:g}", style=style)
            table.add_row(
                Text(visible(d.title)), points, Text(visible(d.happened)), Text(visible(d.target))
            )

    def _fill_ghost(self, table: DataTable[Text]) -> None:
        """One row per milestone: the team's time, the ghost's, and who was sooner."""
        from gameday.scoring.evidence import fmt_t

        table.add_columns("milestone", "team", "real team", "difference")
        for m in self.outcome.ghost:
            team = fmt_t(m.team) if m.team is not None else "-"
            ghost = fmt_t(m.ghost) if m.ghost is not None else "-"
            if m.ghost_who:
                ghost += f" ({m.ghost_who})"
            delta = m.delta
            style = "" if delta is None else ("green" if delta <= 0 else "red")
            table.add_row(
                Text(m.title), Text(team), Text(visible(ghost)), Text(m.verdict(), style=style)
            )

    def headline(self) -> Text:
        """``PASS 84.5/100 (pass at 70)`` or the session's end reason."""
        card = self.outcome.scorecard
        if card is None:
            note = f" ({self.outcome.error})" if self.outcome.error else ""
            return Text(f"Session ended: {self.reason}. No scorecard{note}.", style="bold")
        verdict = ("PASS", "bold white on green") if card.passed else ("FAIL", "bold white on red")
        penalty = f", hints -{card.hint_penalty:g}" if card.hint_penalty else ""
        return Text.assemble(
            (f" {verdict[0]} ", verdict[1]),
            f"  score {card.score:g}/100 (pass at {card.pass_score:g}"
            f"{penalty}) · severity {card.severity} · session {self.reason}",
        )

    def clock_use(self) -> Text:
        """How the team used the pause (beside the score, not in it)."""
        from gameday.scoring.pauses import pause_summary

        return Text(pause_summary(self.events).sentence(), style="dim")

    def where(self) -> Text:
        """``reports in FOLDER: a, b, c`` (each path in full under Reports, below)."""
        paths = [path for _name, path in self.outcome.paths]
        if not paths:
            return Text("No files written.", style="dim")
        folders = {path.parent for path in paths}
        if len(folders) > 1:
            return Text("Reports: see the list below.", style="dim")
        names = ", ".join(path.name for path in paths)
        return Text.assemble(("reports in ", "dim"), (f"{folders.pop()}/", "bold"), f": {names}")

    def evidence(self) -> Text:
        """One line per point lost."""
        from gameday.scoring.scorecard import hint_sentences

        card = self.outcome.scorecard
        lines = [f"• {d.title}: {e}" for d in card.dimensions for e in d.evidence]
        lines += [f"• Hints: {sentence}" for sentence in hint_sentences(card)]
        return Text(visible("\n".join(lines)) or "No points lost.")

    def injects(self) -> Text:
        """One line per expectation of a fired inject: answered when and by what, or missed."""
        lines = []
        for a in self.outcome.scorecard.injects:
            mark, style = ("✓", "green") if a["answered"] else ("✗", "bold red")
            lines.append(Text.assemble((f"{mark} ", style), visible(a["sentence"])))
        return Text("\n").join(lines)

    def changes(self) -> Text:
        """One line per change the team made: its counterfactual verdict and figures."""
        actions = self.outcome.scorecard.actions
        return Text(visible("\n".join(f"• {a['sentence']}" for a in actions)))

    def timeline(self) -> Text:
        """The key events as the drill prints them."""
        lines = [line for e in self.events if (line := format_event(e))]
        return Text("\n".join(lines[-40:]) or "Nothing happened.")

    def postmortem(self) -> str:
        """The postmortem draft the reports wrote, or ''."""
        for name, path in self.outcome.paths:
            if name == "postmortem" and path.is_file():
                return label_fences(path.read_text(encoding="utf-8"))
        return ""

    def paths(self) -> Text:
        """``name  path`` lines."""
        return Text(
            "\n".join(f"{name:11} {path}" for name, path in self.outcome.paths)
            or "No files written."
        )
