"""Forward and reverse shadowing.

Forward: the expert plays, the trainee says what they would do next. The answer is
graded and never run on the expert's session; a read-only answer is shown as what-if
output, computed from the same world without leaving a trace. Then the expert's own step
runs and the next decision point comes.

Reverse: the trainee leads, the expert watches. At the moments the expert would act, the
trainee's command runs on the session (``skip`` does nothing). Each answer is graded
against what the expert would have done then, on the trainee's own world; the debrief
lists where the expert would have acted differently and when, and the run gets its own
scorecard.
"""

from __future__ import annotations

from typing import Any

from gameday.counterfactual import judge
from gameday.debrief import metrics_summary
from gameday.responders.bots import fill_placeholders
from gameday.scoring import score
from gameday.shadow.commands import does_same, same_words
from gameday.shadow.core import ShadowBase
from gameday.shadow.expert import ExpertStep
from gameday.shadow.record import summarise
from gameday.timeline import clock as sim_clock


class ShadowSession(ShadowBase):
    """The expert leads; see :class:`~gameday.shadow.core.ShadowBase` for the arguments.

    Example::

        shadow = ShadowSession("db-pool-exhaustion", seed=1)
        while (point := shadow.next_point()) is not None:
            print(point.situation, point.question)
            graded = shadow.answer(input())
            print(graded.grade.verdict, graded.grade.explanation)
        print(shadow.result()["agreement"])
    """

    mode = "shadow"

    def perform(self, step: ExpertStep, expected: str, text: str | None) -> str:
        """Run the expert's step; the trainee's answer stays a what-if."""
        actor = step.actor or self.actor
        return self.session.perform(expected, actor=actor, role=step.role).output

    def result(self) -> dict[str, Any]:
        """Agreement overall and per phase, verdicts, decision times and hints."""
        return summarise(
            self.answers,
            self.session.scenario.id,
            self.seed,
            self.mode,
            self.path.label,
            self.hints_used,
        )


class ReverseShadow(ShadowBase):
    """The trainee leads; see :class:`~gameday.shadow.core.ShadowBase` for the arguments."""

    mode = "reverse"

    def perform(self, step: ExpertStep, expected: str, text: str | None) -> str:
        """Run the trainee's command (placeholders such as ``{blocker_pid}`` filled)."""
        command = " ".join((text or "").split())
        if not command or command.lower() == "skip":
            return ""
        command = fill_placeholders(self.session, command)
        return self.session.perform(command, actor=self.actor, role=step.role).output

    def differences(self) -> list[str]:
        """Where the expert would have acted differently, and when."""
        out: list[str] = []
        mine = [(a.point.t, a.answer) for a in self.answers if a.answer and a.answer != "skip"]
        for a in self.answers:
            if a.grade.agrees:
                continue
            you = f"you ran `{a.answer}`" if a.answer else "you did nothing"
            why = f" ({a.why.rstrip('.')})" if a.why else ""
            times = [t for t, cmd in mine if _does(a.expected, cmd)]
            if not times:
                when = "; you never did"
            elif min(times) > a.point.t:
                when = f"; you did it at {sim_clock(min(times))}"
            else:
                when = "; you had done it before"
            out.append(
                f"{a.point.clock}: {you} [{a.grade.verdict}]; the expert would have run "
                f"`{a.expected}`{why}{when}"
            )
        return out

    def result(self) -> dict[str, Any]:
        """The summary, the differences and the scorecard of the trainee's own run."""
        out = summarise(
            self.answers,
            self.session.scenario.id,
            self.seed,
            self.mode,
            self.path.label,
            self.hints_used,
        )
        out["differences"] = self.differences()
        if self.finished:
            self.session.run_to_end()
            card = score(
                self.session.events,
                self.session.scenario,
                self.runbooks,
                metrics_summary(self.session),
                judge(self.session),
            )
            out["score"] = card.score
            out["passed"] = card.passed
        return out


def _does(expected: str, typed: str | None) -> bool:
    return bool(typed) and (same_words(str(typed), expected) or does_same(expected, str(typed)))
