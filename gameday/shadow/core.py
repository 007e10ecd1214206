"""What forward and reverse shadowing share: the session, the path, the decision points.

The session is a real :class:`~gameday.session.session.Session`. Decision points sit just
before each action of the path, at its sim time: after the page reaches the expert (the
first), after a diagnostic's output, before a change, when a status update is due. The
situation shown is what a responder would see since the last point (alerts, pages,
notifications, incident changes and the last command's output); faults stay hidden.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gameday.errors import UsageError
from gameday.replay import apply_input
from gameday.responders.bots import fill_placeholders
from gameday.runbooks import escalate_after
from gameday.runtime import prepare
from gameday.scoring import resolve_targets
from gameday.scoring.looks import servers_of
from gameday.session.events import Event
from gameday.shadow.commands import is_change, is_read_only, phase_of, runbook_step, verb
from gameday.shadow.expert import ExpertPath, ExpertStep, load_path, required_steps
from gameday.shadow.grading import Situation, grade
from gameday.shadow.record import Answer, DecisionPoint
from gameday.timeline import clock as sim_clock
from gameday.timeline import describe

Clock = Callable[[], float]
QUESTIONS = {
    "page": "You have just been paged. What do you do first?",
    "start": "The exercise has started. What do you do first?",
}
QUESTION = "What would you do next?"
_HIDDEN = ("fault.", "session.")
OUTPUT_LINES = 14


class ShadowBase:
    """A session played along a path, paused at each decision point.

    Args:
        ref: scenario id or folder (None: the one a journal names).
        seed: the session seed (a journal's own seed wins).
        expert_actions: None for the scenario's solution, a list of timed actions, an
            :class:`ExpertPath`, or the path of a recorded journal.
        clock: wall-clock seconds, for the time a trainee takes to decide.
        journal: where to journal the shadow session (None: in memory only).
    """

    mode = "shadow"

    def __init__(
        self,
        ref: str | Path | None = None,
        seed: int = 1,
        expert_actions: Sequence[Any] | ExpertPath | str | Path | None = None,
        clock: Clock = time.monotonic,
        journal: str | Path | None = None,
    ) -> None:
        source, path = load_path(ref, expert_actions)
        self.prepared = prepare(source)
        scenario = self.prepared.loaded.scenario
        if path is None:
            path = ExpertPath.from_solution(
                self.prepared.loaded.solution, scenario.id, scenario.injects
            )
        self.path = path
        self.seed = path.seed if path.seed is not None else seed
        self.clock = clock
        self.runbooks = list(self.prepared.setup.runbooks)
        self.session = self.prepared.session(self.seed, journal, f"{self.mode}:{path.label}")
        self.required = required_steps(path, self.runbooks)
        table = resolve_targets(scenario, [v for rb in self.runbooks if (v := escalate_after(rb))])
        self.update_every = table.table.update_every or 1800.0
        self.escalate_after = table.table.escalate_after
        self.answers: list[Answer] = []
        self.hints_used = 0
        self.origin: float | None = None if path.relative_to == "page" else 0.0
        self.actor = "you"
        self.firing: dict[str, None] = {}
        self._index = 0
        self._pending: DecisionPoint | None = None
        self._asked_at = 0.0
        self._point_hints = 0
        self._seen = 0
        self._inputs = sorted(path.inputs, key=lambda e: (e.t, e.seq))
        self.session.subscribe(self._on_event)

    # -- the loop ------------------------------------------------------------------------

    @property
    def steps(self) -> list[ExpertStep]:
        return self.path.steps

    @property
    def finished(self) -> bool:
        """True when no decision point is left."""
        return self._pending is None and self.next_point() is None

    def next_point(self) -> DecisionPoint | None:
        """Run to the next decision point and ask it (the same one until answered)."""
        if self._pending is not None:
            return self._pending
        if self._index >= len(self.steps):
            return None
        while self.origin is None and not self.session.finished:
            self.session.advance(self.session.scenario.scrape_interval)
        if self.origin is None:
            return None  # nobody was ever paged
        step = self.steps[self._index]
        at = step.at if self.path.relative_to == "absolute" else self.origin + step.at
        self._advance(at)
        if self.session.finished and self.session.now < at:
            return None
        self._pending = self._point(step)
        self._asked_at = self.clock()
        self._point_hints = 0
        return self._pending

    def hint(self) -> str | None:
        """The next rung of this point's hint ladder, or None when none is left."""
        point = self.next_point()
        if point is None:
            return None
        step = self.steps[self._index]
        ref = runbook_step(self.runbooks, step.command)
        ladder = [
            f"Think {point.phase}: the runbook's {ref.quote()}" if ref else f"Think {point.phase}."
        ]
        if step.why:
            ladder.append(f"The expert's reason: {step.why}")
        if self._point_hints >= len(ladder):
            return None
        self._point_hints += 1
        self.hints_used += 1
        return ladder[self._point_hints - 1]

    def answer(self, text: str | None) -> Answer:
        """Grade ``text`` at the current point, then go on along the path."""
        point = self.next_point()
        if point is None:
            raise UsageError("no decision point is waiting for an answer")
        step = self.steps[self._index]
        seconds = max(0.0, self.clock() - self._asked_at)
        sit = self.situation(step)
        verdict = grade(text, sit)
        wanted = verdict.verdict != "same" and self.mode != "reverse"
        what_if = self.what_if(text) if text and wanted else None
        output = self.perform(step, sit.expected, text)
        given = " ".join((text or "").split())
        record = Answer(
            point,
            given if given and given.lower() != "skip" else None,
            sit.expected,
            step.why,
            verdict,
            round(seconds, 3),
            self._point_hints,
            output,
            what_if,
        )
        self.answers.append(record)
        self._pending = None
        self._index += 1
        return record

    def perform(self, step: ExpertStep, expected: str, text: str | None) -> str:
        """Carry the path on after an answer; returns the output shown."""
        raise NotImplementedError

    def result(self) -> dict[str, Any]:
        """The result of the session so far (the subclasses say what it holds)."""
        raise NotImplementedError

    def close(self) -> None:
        """End the session and its journal."""
        self.session.close("shadow")

    # -- what the grader and the trainee see ---------------------------------------------

    def situation(self, step: ExpertStep) -> Situation:
        """What the grader knows now about the expert's next step and this session."""
        s = self.session
        inc = s.incident
        done = [str(e.data["command"]) for e in s.events if e.kind == "action"]
        looked = [
            str(e.data["command"])
            for e in s.events
            if e.kind == "action" and e.data.get("ok", True) and not e.data.get("changed")
        ]
        due = inc.next_update_due(self.update_every)
        status_due = inc.acknowledged_at is not None and (due is None or s.now >= due - 120.0)
        since_page = s.now - (self.origin or 0.0)
        return Situation(
            expected=fill_placeholders(s, step.command),
            written=step.command,
            why=step.why,
            runbooks=self.runbooks,
            done=done,
            looked=looked,
            servers=servers_of(s.scenario),
            required=self.required,
            red_herrings=[h.command for h in s.scenario.truth.red_herrings],
            severity=s.scenario.truth.severity,
            mitigated=inc.mitigated_at is not None,
            acked=inc.acknowledged_at is not None,
            declared=inc.severity,
            roles=dict(inc.roles),
            status_due=status_due,
            escalation_due=self.escalate_after is not None
            and since_page >= self.escalate_after
            and inc.mitigated_at is None,
        )

    def what_if(self, text: str) -> str | None:
        """The output a read-only command would print now, without touching the session."""
        from gameday.tools import execute, known_command

        command = fill_placeholders(self.session, text.strip())
        if not is_read_only(command) or verb(command) == "help" or not known_command(command):
            return None
        return execute(_WhatIf(self.session), command, actor=self.actor).output

    def _point(self, step: ExpertStep) -> DecisionPoint:
        s = self.session
        lines = [
            f"{sim_clock(e.t):>9}  {text}"
            for e in s.events[self._seen :]
            if not e.kind.startswith(_HIDDEN) and (text := describe(e)) is not None
        ][-12:]
        last = next((e for e in reversed(s.events[: len(s.events)]) if e.kind == "action"), None)
        if last is not None and last.seq >= self._seen:
            out = str(last.data.get("output", "")).splitlines()
            lines += [f"  {ln}" for ln in out[:OUTPUT_LINES]]
            if len(out) > OUTPUT_LINES:
                lines.append(f"  ... {len(out) - OUTPUT_LINES} more lines")
        self._seen = len(s.events)
        status = [
            f"{sim_clock(s.now)} ({s.wall_time():%H:%M} UTC)",
            "firing: " + (", ".join(self.firing) or "nothing"),
            f"severity: {s.incident.severity or 'not declared'}; status page: "
            f"{s.incident.status_page}",
        ]
        first = self._index == 0
        trigger = self._trigger(step, last)
        question = QUESTIONS.get(trigger, QUESTION) if first else QUESTION
        ref = runbook_step(self.runbooks, step.command)
        phase = phase_of(step.command, ref, s.incident.mitigated_at is not None)
        return DecisionPoint(self._index, s.now, trigger, phase, status + lines, question)

    def _trigger(self, step: ExpertStep, last: Event | None) -> str:
        if self._index == 0:
            paged = any(e.kind == "page.notified" for e in self.session.events)
            return "page" if paged else "start"
        if verb(step.command) == "status":
            return "status"
        if is_change(step.command):
            return "mitigation"
        if last is not None and is_read_only(str(last.data.get("command", ""))):
            return "output"
        return "next"

    def _advance(self, t: float) -> None:
        while self._inputs and self._inputs[0].t <= t:
            event = self._inputs.pop(0)
            self.session.advance_to(event.t)
            apply_input(self.session, event)
        self.session.advance_to(t)

    def _on_event(self, event: Event) -> None:
        name = str(event.data.get("alertname", ""))
        if event.kind == "alert.firing":
            self.firing[name] = None
        elif event.kind == "alert.resolved":
            self.firing.pop(name, None)
        if self.origin is not None:
            return
        paged = event.kind == "page.notified" and event.data.get("wakes", True) is not False
        if paged or (event.kind == "alert.firing" and self.session.pager is None):
            self.origin = event.t
            if paged:
                self.actor = str(event.data.get("person") or self.actor)


class _WhatIf:
    """The session as a read-only command sees it: nothing it says is published."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        """Dropped: a what-if leaves no trace."""

    def end_fault(self, fault_id: str, reason: str) -> None:
        """Dropped: a what-if changes nothing."""
