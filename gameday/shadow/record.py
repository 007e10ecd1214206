"""Decision points, answers and the result of a shadow session.

Agreement is the mean credit of the answers (``same`` and ``equivalent`` 1, ``acceptable``
0.5, ``off-path`` 0.25, the rest 0) as a percentage, overall and per phase of the
expert's step (triage, diagnosis, mitigation, communication).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from gameday.shadow.commands import PHASES
from gameday.shadow.grading import VERDICTS, Grade
from gameday.timeline import clock as sim_clock


@dataclass(frozen=True)
class DecisionPoint:
    """A moment the trainee is asked what they would do next.

    Attributes:
        index: 0-based position on the path.
        t: sim time, seconds since the scenario started.
        trigger: ``page``, ``start``, ``output`` (after a diagnostic), ``mitigation``
            (before a change), ``status`` (an update is due) or ``next``.
        phase: the phase of the expert's next step.
        situation: lines a responder would see now.
        question: what the trainee is asked.
    """

    index: int
    t: float
    trigger: str
    phase: str
    situation: list[str]
    question: str

    @property
    def clock(self) -> str:
        return sim_clock(self.t)


@dataclass(frozen=True)
class Answer:
    """One answer and how it compared."""

    point: DecisionPoint
    answer: str | None
    expected: str
    why: str
    grade: Grade
    seconds: float
    hints: int
    output: str
    what_if: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The answer as the result's ``points`` list holds it."""
        out: dict[str, Any] = {
            "index": self.point.index,
            "t": round(self.point.t, 3),
            "clock": self.point.clock,
            "trigger": self.point.trigger,
            "phase": self.point.phase,
            "answer": self.answer,
            "expected": self.expected,
            "why": self.why,
            "verdict": self.grade.verdict,
            "credit": self.grade.credit,
            "explanation": self.grade.explanation,
            "runbook": self.grade.runbook,
            "seconds": self.seconds,
            "hints": self.hints,
        }
        if self.what_if is not None:
            out["what_if"] = self.what_if
        return out


def _pct(values: list[float]) -> float | None:
    return round(100.0 * sum(values) / len(values), 1) if values else None


def summarise(
    answers: list[Answer], scenario: str, seed: int, mode: str, source: str, hints: int
) -> dict[str, Any]:
    """The result dict of a session: agreement, per phase, verdicts, decision times."""
    by_phase = {p: _pct([a.grade.credit for a in answers if a.point.phase == p]) for p in PHASES}
    counts = {v: sum(1 for a in answers if a.grade.verdict == v) for v in VERDICTS}
    seconds = [a.seconds for a in answers]
    return {
        "scenario": scenario,
        "seed": seed,
        "mode": mode,
        "source": source,
        "decision_points": len(answers),
        "agreement": _pct([a.grade.credit for a in answers]) or 0.0,
        "phases": by_phase,
        "verdicts": counts,
        "decide_seconds": {
            "total": round(sum(seconds), 3),
            "mean": round(statistics.fmean(seconds), 3) if seconds else 0.0,
            "median": round(statistics.median(seconds), 3) if seconds else 0.0,
        },
        "hints_used": hints,
        "points": [a.to_dict() for a in answers],
    }


def result_lines(result: dict[str, Any]) -> list[str]:
    """The result as text: one line per decision point, then the totals."""
    lines = []
    for p in result["points"]:
        lines.append(
            f"{p['clock']:>9}  {p['phase']:<13} {p['verdict']:<10} you: {p['answer'] or '(skip)'}"
        )
        lines.append(f"{'':>11}{p['explanation']}")
    phases = ", ".join(f"{k} {v:.0f}%" for k, v in result["phases"].items() if v is not None)
    lines.append(
        f"agreement {result['agreement']:.1f}% over {result['decision_points']} decision "
        f"points ({phases}); hints {result['hints_used']}; mean time to decide "
        f"{result['decide_seconds']['mean']:.1f}s"
    )
    for d in result.get("differences", []):
        lines.append(f"  - {d}")
    if result.get("score") is not None:
        lines.append(f"your run's scorecard: {result['score']:.1f}")
    return lines
