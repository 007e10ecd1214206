"""The path a shadow session follows: an expert's solution or a colleague's journal.

A solution's actions count from the first page that reaches a person (as the bot
responders play them, without their jitter); a journal's actions keep the sim times they
were typed at, with the injects and hints of that session replayed in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameday.errors import UsageError
from gameday.replay import read_recorded
from gameday.runbooks import Runbook
from gameday.scenario.model import Solution, TimedAction
from gameday.session.events import Event
from gameday.shadow.commands import StepRef, is_change, runbook_step


@dataclass(frozen=True)
class ExpertStep:
    """One action on the path: when, what, in which role, why, and who typed it."""

    at: float
    command: str
    role: str = "ops"
    why: str = ""
    actor: str | None = None


@dataclass
class ExpertPath:
    """The expert's actions and how their times count.

    Attributes:
        steps: the actions, in time order.
        relative_to: ``page`` (times count from the first page), ``start`` or
            ``absolute`` (sim times, as a journal records them).
        inputs: injects and hints of a recorded session, replayed at their times.
        label: where the path came from (``solution`` or ``journal:FILE``).
        source: the scenario a journal names, if any.
        seed: the seed a journal was played with, if any.
    """

    steps: list[ExpertStep]
    relative_to: str = "page"
    inputs: list[Event] = field(default_factory=list)
    label: str = "solution"
    source: str | None = None
    seed: int | None = None

    @classmethod
    def from_solution(
        cls, solution: Solution | None, scenario_id: str = "", injects: Sequence[Any] = ()
    ) -> ExpertPath:
        """The scenario's expert solution.

        A step answering an inject (``after_inject``) is placed where that inject fires
        by itself (its ``at``, counted from the same origin as the solution's); a step
        answering an inject that only a facilitator fires is left out.

        Raises:
            UsageError: if the scenario has no solution.
        """
        if solution is None:
            raise UsageError(f"scenario {scenario_id!r} has no solution.yaml to shadow")
        fires = {
            i.id: float(i.at)
            for i in injects
            if i.at is not None and i.relative_to == solution.relative_to
        }
        steps = [
            a
            if a.after_inject is None
            else a.model_copy(update={"at": fires[a.after_inject] + a.at})
            for a in solution.actions
            if a.after_inject is None or a.after_inject in fires
        ]
        return cls.from_actions(steps, solution.relative_to)

    @classmethod
    def from_actions(
        cls, actions: Sequence[TimedAction | ExpertStep], relative_to: str = "page"
    ) -> ExpertPath:
        """A path from timed actions (a solution's or a script's)."""
        steps = [
            a if isinstance(a, ExpertStep) else ExpertStep(float(a.at), a.do, a.role, a.why)
            for a in actions
        ]
        return cls(sorted(steps, key=lambda s: s.at), relative_to)

    @classmethod
    def from_journal(cls, path: str | Path) -> ExpertPath:
        """A recorded session's actions at their sim times, asked at the same moments.

        Raises:
            InputError: if the file is not a gameday journal.
        """
        recorded = read_recorded(path)
        steps = [
            ExpertStep(
                e.t,
                str(e.data["command"]),
                str(e.data.get("role", "ops")),
                actor=str(e.data.get("actor") or "you"),
            )
            for e in recorded.inputs
            if e.kind == "action"
        ]
        inputs = [e for e in recorded.inputs if e.kind in ("inject", "hint")]  # no clock marks
        return cls(
            steps, "absolute", inputs, f"journal:{Path(path).name}", recorded.source, recorded.seed
        )


def required_steps(path: ExpertPath, runbooks: list[Runbook]) -> list[StepRef]:
    """The assessment and diagnosis steps the expert does before the first mitigation.

    These are the runbook steps a trainee must have seen done before a change is timely.
    When the path never changes anything, every assessment step with a command counts.
    """
    first_change = next((i for i, s in enumerate(path.steps) if is_change(s.command)), None)
    if first_change is None:
        return [
            StepRef(rb, sec, st)
            for rb in runbooks
            for sec, st in rb.steps
            if sec.kind == "triage" and st.commands
        ]
    found: list[StepRef] = []
    for step in path.steps[:first_change]:
        ref = runbook_step(runbooks, step.command)
        if ref is None or ref.kind not in ("triage", "diagnosis") or not ref.step.commands:
            continue
        if all(r.step is not ref.step for r in found):
            found.append(ref)
    return found


def load_path(ref: str | Path | None, expert_actions: Any) -> tuple[str | Path, ExpertPath | None]:
    """The scenario reference and the path ``expert_actions`` gives (None: the solution)."""
    path: ExpertPath | None = None
    if isinstance(expert_actions, ExpertPath):
        path = expert_actions
    elif isinstance(expert_actions, str | Path):
        path = ExpertPath.from_journal(expert_actions)
    elif expert_actions is not None:
        path = ExpertPath.from_actions(list(expert_actions))
    source = ref if ref is not None else (path.source if path is not None else None)
    if source is None:
        raise UsageError("name a scenario, or a journal that names one")
    return source, path
