"""The facilitator's pane: the truth, the fault timeline, what actions did, injects and
hints, the score so far and what the expert would do now.

Only the facilitator's view mounts it. It reads the facilitator's filter of the event
stream (see :mod:`gameday.views`), like every other pane reads its own view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from gameday.scoring.evidence import world_change
from gameday.session.events import Event
from gameday.textsafe import visible
from gameday.timeline import clock

SHOWN_EFFECTS = 6  # the last few changes; the debrief judges each by counterfactual


def expert_next(solution: Any, events: Sequence[Event], limit: int = 2) -> list[tuple[str, str]]:
    """(command, why) of the expert's next steps the team has not done yet, in order.

    A step counts as done when any action the team took does the same thing (flags in
    any order, aliases), as the shadow trainer judges it. An answer to an inject is due
    once that inject has fired, and comes first then.
    """
    if solution is None:
        return []
    from gameday.shadow.commands import does_same

    typed = [str(e.data.get("command", "")) for e in events if e.kind == "action"]
    fired = {str(e.data.get("id")) for e in events if e.kind == "inject"}
    answers = [s for s in solution.actions if s.after_inject in fired]
    steps = [s for s in solution.actions if s.after_inject is None]
    todo = []
    for step in answers + steps:
        if not any(does_same(step.do, command) for command in typed):
            todo.append((step.do, step.why))
            if len(todo) >= limit:
                break
    return todo


class FacilitatorPanel(Static):
    """What only the facilitator sees until the debrief."""

    def __init__(self, scenario: Any, solution: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.solution = solution
        self.events: list[Event] = []
        self.card: Any = None

    def feed(self, events: Sequence[Event], card: Any = None) -> None:
        """Take the facilitator view's new events (and a fresh score, if one was made)."""
        self.events.extend(e for e in events if e.kind != "clock")
        if card is not None:
            self.card = card
        if events or card is not None:
            self.update(self.render_panel())

    def render_panel(self) -> RenderableType:
        """Truth, faults, effects, injects and hints, score, expert's next step.

        The scenario's and the team's text is shown inert (:mod:`gameday.textsafe`).
        """
        parts = [self._faults(), self._effects(), self._expert(), self._score()]
        parts += [self._facilitation(), self._truth()]
        spaced: list[RenderableType] = []
        for part in parts:
            spaced += [part, Text("")]
        return Group(*spaced[:-1])

    def _heading(self, text: str) -> Text:
        return Text(text, style="bold underline")

    def _truth(self) -> RenderableType:
        truth = self.scenario.truth
        lines = [self._heading("Truth"), Text(visible(truth.root_cause))]
        lines.append(Text(f"severity {truth.severity}", style="dim"))
        if truth.trigger:
            lines.append(Text(visible(f"trigger: {truth.trigger}"), style="dim"))
        for herring in truth.red_herrings:
            why = f": {herring.why}" if herring.why else ""
            line = visible(f"red herring: {herring.command}{why}")
            lines.append(Text(line, style="dim italic"))
        return Group(*lines)

    def _faults(self) -> RenderableType:
        started = {str(e.data.get("fault")): e for e in self.events if e.kind == "fault.start"}
        ended = {str(e.data.get("fault")): e for e in self.events if e.kind == "fault.end"}
        relief: dict[str, Event] = {}
        for e in self.events:
            if e.kind in ("fault.relieved", "fault.returned"):
                relief[str(e.data.get("fault"))] = e
        lines: list[Text] = [self._heading("Faults")]
        for spec in self.scenario.faults:
            start, end = started.get(spec.id), ended.get(spec.id)
            last = relief.get(spec.id)
            if end is not None:
                state = Text(f"ended {clock(end.t)} {end.data.get('reason')}", style="green")
            elif last is not None and last.kind == "fault.relieved":
                why = visible(str(last.data.get("why")))
                state = Text(f"relieved {clock(last.t)}: {why}", style="green")
            elif start is not None:
                state = Text(f"ACTIVE since {clock(start.t)}", style="bold red")
            else:
                state = Text(f"due {clock(spec.at)}" if spec.at else "by inject", style="dim")
            lines.append(Text(f"{spec.id} ({spec.type}) on {spec.service}"))
            lines.append(Text.assemble("  ", state))
        return Group(*lines)

    def _effects(self) -> RenderableType:
        """The team's changes to the world and what the world did since (relief)."""
        shown = [
            e
            for e in self.events
            if (e.kind == "action" and world_change(e))
            or e.kind in ("fault.relieved", "fault.returned")
        ]
        lines: list[Text] = [self._heading("Changes and the world's answer")]
        for e in shown[-SHOWN_EFFECTS:]:
            d = e.data
            if e.kind == "action":
                text = Text(visible(f"{d.get('actor')} ({d.get('role')}): {d.get('command')}"))
            elif e.kind == "fault.relieved":
                text = Text(f"{d.get('fault')} relieved: {d.get('why')}", style="bold green")
            else:
                text = Text(f"{d.get('fault')} is back", style="bold red")
            lines.append(Text.assemble((f"{clock(e.t)} ", "dim"), text))
        if not shown:
            lines.append(Text("no change made yet", style="dim"))
        lines.append(Text("what each change did: the debrief's counterfactual", style="dim"))
        return Group(*lines)

    def _facilitation(self) -> RenderableType:
        fired = {str(e.data.get("id")) for e in self.events if e.kind == "inject"}
        used = sum(1 for e in self.events if e.kind == "hint")
        lines: list[Text] = [self._heading("Injects (F8) and hints (F7)")]
        for inj in self.scenario.injects:
            mark = ("fired", "magenta") if inj.id in fired else ("ready", "dim")
            title = visible(f"{inj.id}: {inj.title}")
            lines.append(Text.assemble((f"{mark[0]:6}", mark[1]), title))
        lines.append(Text(f"hints taken {used}/{len(self.scenario.hints)}", style="dim"))
        return Group(*lines)

    def _score(self) -> RenderableType:
        card = self.card
        if card is None:
            return Group(self._heading("Score so far"), Text("not scored yet", style="dim"))
        grid = Table.grid(padding=(0, 1))
        for d in card.dimensions:
            style = "green" if d.passed else "red"
            grid.add_row(Text(d.title), Text(f"{d.points:g}/{d.max_points:g}", style=style))
        verdict = "pass" if card.passed else "below pass"
        head = Text(f"Score so far {card.score:g}/100 ({verdict} at {card.pass_score:g})")
        head.stylize("bold underline")
        return Group(head, grid)

    def _expert(self) -> RenderableType:
        steps = expert_next(self.solution, self.events)
        lines: list[Text] = [self._heading("The expert would now")]
        for command, why in steps:
            lines.append(Text(visible(command), style="cyan"))
            if why:
                lines.append(Text(f"  {visible(why)}", style="dim italic"))
        if not steps and self.solution is not None:
            lines.append(Text("nothing left: the team did every expert step", style="dim"))
        elif self.solution is None:
            lines.append(Text("the scenario has no expert solution", style="dim"))
        return Group(*lines)
