"""The scorecard: every dimension graded, hints charged, a total out of 100.

:func:`score` is pure: the same events, scenario, runbooks and metrics give the same
scorecard. Dimensions grade shares of their points; the weights (the defaults, or the
scenario's ``targets.weights``) scale them so that the maximum total is 100. Hints cost
what the scenario says they cost. A run passes at ``targets.pass_score`` or above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gameday.runbooks import Runbook, escalate_after, runbook_for_alert
from gameday.scenario.model import Scenario
from gameday.scoring import cadence, injects, outcome, response
from gameday.scoring.evidence import Dimension, Grade, Stream, fmt_t
from gameday.scoring.findings import findings
from gameday.scoring.metrics import MetricsSummary
from gameday.scoring.response import Context
from gameday.scoring.targets import DIMENSIONS, Targets, resolve_targets
from gameday.session.events import Event

GRADERS: dict[str, Callable[[Context], Grade]] = {
    "detection": response.detection,
    "acknowledgement": response.acknowledgement,
    "triage": response.triage,
    "diagnosis": outcome.diagnosis,
    "mitigation": outcome.mitigation,
    "communication": cadence.communication,
    "escalation": cadence.escalation,
    "resolution": outcome.resolution,
    "impact": outcome.impact,
    "adherence": outcome.adherence,
    "injects": lambda c: injects.grade(
        injects.answers(c.stream.events, c.scenario), any(i.expect for i in c.scenario.injects)
    ),
}


@dataclass(frozen=True)
class Scorecard:
    """A graded run."""

    scenario: str
    severity: str
    dimensions: list[Dimension]
    score: float
    pass_score: float
    passed: bool
    hints: list[dict[str, Any]] = field(default_factory=list)
    hint_penalty: float = 0.0
    key_times: dict[str, float | None] = field(default_factory=dict)
    targets: dict[str, Any] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)  # what each change did
    findings: list[str] = field(default_factory=list)  # about the team's configuration
    injects: list[dict[str, Any]] = field(default_factory=list)  # each expectation answered?

    def dimension(self, key: str) -> Dimension:
        """The dimension called ``key`` (KeyError if absent)."""
        for d in self.dimensions:
            if d.key == key:
                return d
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (``result.json``'s ``scorecard``)."""
        return {
            "scenario": self.scenario,
            "severity": self.severity,
            "score": self.score,
            "pass_score": self.pass_score,
            "passed": self.passed,
            "hint_penalty": round(self.hint_penalty, 2),
            "hints": list(self.hints),
            "key_times": {k: None if v is None else round(v, 3) for k, v in self.key_times.items()},
            "targets": dict(self.targets),
            "dimensions": [d.to_dict() for d in self.dimensions],
            "actions": list(self.actions),
            "findings": list(self.findings),
            "injects": list(self.injects),
        }


def applicable_runbooks(stream: Stream, runbooks: Iterable[Runbook]) -> list[Runbook]:
    """Runbooks the fired alerts link to; all of them if no alert links to any."""
    books = list(runbooks)
    linked: list[Runbook] = []
    for ev in stream.of("alert.firing"):
        rb = runbook_for_alert(stream.alert_name(ev), ev.data.get("annotations") or {}, books)
        if rb is not None and rb not in linked:
            linked.append(rb)
    return linked or books


def _dimension(key: str, grade: Grade, max_points: float) -> Dimension:
    total = sum(loss.share for loss in grade.losses)
    scale = 1.0 / total if total > 1.0 else 1.0
    evidence = [
        f"{loss.sentence} (-{loss.share * scale * max_points:.1f} points)" for loss in grade.losses
    ]
    points = max(0.0, max_points * (1.0 - min(total, 1.0)))
    return Dimension(
        key,
        DIMENSIONS[key][0],
        grade.target,
        grade.happened,
        round(points, 2),
        round(max_points, 2),
        evidence,
        grade.measured,
    )


def _key_times(s: Stream) -> dict[str, float | None]:
    def t(ev: Event | None) -> float | None:
        return None if ev is None else ev.t

    return {
        "fault_start": s.fault_start(),
        "incident_start": s.incident_start(),
        "detected": t(s.detection()),
        "paged": t(s.first("page.notified")),
        "acknowledged": t(s.first("page.acknowledged")),
        "first_mitigation": t(s.first_mitigating_action()),
        "mitigated": s.mitigated_at(),
        "resolved": t(s.first("incident.resolved")),
        "end": s.end,
    }


def _targets_dict(t: Targets) -> dict[str, Any]:
    table = {k: getattr(t.table, k) for k in t.table.__dataclass_fields__}
    return {
        "severity": t.severity,
        "slo": t.slo,
        "pass_score": t.pass_score,
        "weights": dict(t.weights),
        "table": table,
        "sources": dict(t.sources),
    }


def score(
    events: list[Event],
    scenario: Scenario,
    runbooks: list[Runbook],
    metrics: MetricsSummary,
    verdicts: Sequence[Any] | None = None,
) -> Scorecard:
    """Grade a run.

    Args:
        events: the session's event stream (any order; sorted by time and seq here).
        scenario: the scenario played, for the truth and the targets.
        runbooks: the scenario's parsed runbooks.
        metrics: the entry service's metrics summary.
        verdicts: what each world-changing action did, by counterfactual
            (:func:`gameday.counterfactual.judge`); None: not judged, no points
            depend on it.

    Raises:
        InputError: the scenario's weights name an unknown dimension.
    """
    stream = Stream(events, verdicts)
    books = applicable_runbooks(stream, runbooks)
    targets = resolve_targets(scenario, [v for rb in books if (v := escalate_after(rb))])
    ctx = Context(stream, scenario, targets, books, metrics)
    dims = [
        _dimension(k, GRADERS[k](ctx), targets.max_points(k))
        for k in DIMENSIONS
        if targets.weights[k] > 0
    ]
    hints: list[dict[str, Any]] = [
        {
            "t": round(e.t, 3),
            "question": str(e.data.get("question", "")),
            "cost": float(e.data.get("cost", 0.0)),
        }
        for e in stream.of("hint")
    ]
    penalty = sum(h["cost"] for h in hints)
    total = round(max(0.0, sum(d.points for d in dims) - penalty), 1)
    return Scorecard(
        scenario=scenario.id,
        severity=targets.severity,
        dimensions=dims,
        score=total,
        pass_score=targets.pass_score,
        passed=total >= targets.pass_score,
        hints=hints,
        hint_penalty=penalty,
        key_times=_key_times(stream),
        targets=_targets_dict(targets),
        actions=[_action(v, scenario) for v in verdicts or []],
        findings=findings(ctx),
        injects=[
            {**a.to_dict(), "sentence": a.sentence()}
            for a in injects.answers(stream.events, scenario)
        ],
    )


def _action(v: Any, scenario: Scenario) -> dict[str, Any]:
    """One judged change for reports: the verdict, its figures and its sentence."""
    return {
        **v.to_dict(),
        "sentence": outcome.action_sentence(v, scenario),
        "red_herring": outcome.herring_why(v.command, scenario),
    }


def hint_sentences(card: Scorecard) -> list[str]:
    """One sentence per hint taken, for reports."""
    return [
        f'Hint at {fmt_t(h["t"])}: "{h["question"]}" (-{h["cost"]:g} points)' for h in card.hints
    ]
