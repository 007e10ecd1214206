"""The severity table and the dimension weights every scorecard starts from.

The numbers are the common industry ones: a SEV1 is acknowledged within 5 minutes, has an
incident commander within 10, a status page within 15 and an update every 15 after that,
is mitigated within 15 and resolved within 30; a SEV2 gets 15 minutes to acknowledge,
updates every 30 and two hours to resolve. Detection should take under 2 minutes for a
SEV1 and under 10 for a SEV2. A scenario's ``targets:`` block overrides any of them, a
runbook's Escalation section sets when to escalate, and ``targets.weights`` re-weights
the dimensions (the total is always scaled to 100). "Injects answered" weighs 10 in a
scenario whose injects say what they expect, and nothing in one whose injects do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from gameday.errors import InputError, Problem, did_you_mean
from gameday.scenario.model import Scenario

MIN = 60.0
HOUR = 3600.0


@dataclass(frozen=True)
class SeverityTargets:
    """Response targets in seconds for one severity; None means not required."""

    detect: float | None
    ack: float | None
    incident_commander: float | None
    status_page: float | None
    update_every: float | None
    mitigate: float | None
    resolve: float | None
    escalate_after: float | None
    budget_pct: float = 10.0  # share of the 30-day error budget one incident may consume


SEVERITY_TABLE: dict[str, SeverityTargets] = {
    "SEV1": SeverityTargets(
        2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 15 * MIN, 15 * MIN, 30 * MIN, 15 * MIN, 10.0
    ),
    "SEV2": SeverityTargets(
        10 * MIN, 15 * MIN, 30 * MIN, 30 * MIN, 30 * MIN, 1 * HOUR, 2 * HOUR, 30 * MIN, 10.0
    ),
    "SEV3": SeverityTargets(
        30 * MIN, 2 * HOUR, None, None, None, 8 * HOUR, 24 * HOUR, 4 * HOUR, 5.0
    ),
    "SEV4": SeverityTargets(24 * HOUR, 24 * HOUR, None, None, None, None, None, None, 2.0),
}

#: Dimension key -> (title, default weight). With inject expectations the defaults add
#: up to 100; without them (injects weigh 0, detection always does) to 90, scaled to 100.
DIMENSIONS: dict[str, tuple[str, float]] = {
    # Detection is the team's alert design, not the responders' doing: reported as a
    # finding (gameday.scoring.findings) and worth no points unless a scenario weights it.
    "detection": ("Detection (MTTD)", 0.0),
    "acknowledgement": ("Acknowledgement (MTTA)", 10.0),
    "triage": ("Triage (severity, incident commander)", 10.0),
    "diagnosis": ("Diagnosis before mitigation", 10.0),
    "mitigation": ("Mitigation", 20.0),
    "communication": ("Communication cadence", 10.0),
    "escalation": ("Escalation", 5.0),
    "resolution": ("Resolution verified", 10.0),
    "impact": ("Impact and error budget", 5.0),
    "adherence": ("Runbook adherence", 10.0),
    # Counts only in scenarios whose injects carry expectations (``expect:``).
    "injects": ("Injects answered", 10.0),
}

#: Alert severities that should wake someone up.
PAGE_SEVERITIES = frozenset({"critical", "page", "sev1", "p1", "emergency"})


@dataclass(frozen=True)
class Targets:
    """The targets one scorecard was graded against, with where each came from."""

    severity: str
    table: SeverityTargets
    pass_score: float
    slo: float
    weights: dict[str, float]
    sources: dict[str, str] = field(default_factory=dict)

    def max_points(self, key: str) -> float:
        """Points a dimension is worth, the weights scaled to a total of 100."""
        total = sum(self.weights.values())
        return 100.0 * self.weights[key] / total if total > 0 else 0.0


def normalise_severity(value: object) -> str | None:
    """``SEV1`` for ``sev1``, ``SEV-1``, ``1``, ``critical``...; None if unrecognisable."""
    text = str(value).strip().upper().replace("-", "").replace(" ", "")
    aliases = {"CRITICAL": "SEV1", "HIGH": "SEV2", "MEDIUM": "SEV3", "LOW": "SEV4"}
    if text in aliases:
        return aliases[text]
    if text.startswith("SEV"):
        text = text[3:]
    elif text.startswith("P"):
        text = text[1:]
    return f"SEV{text}" if text in ("1", "2", "3", "4") else None


def resolve_targets(scenario: Scenario, runbook_escalate_after: Iterable[float] = ()) -> Targets:
    """The severity table for the scenario's true severity, overridden as it says.

    Precedence: ``scenario.targets`` > the runbook's escalation section > the table.

    Raises:
        InputError: a weight names no dimension or is negative.
    """
    severity = scenario.truth.severity
    table = SEVERITY_TABLE[severity]
    sources = {name: f"{severity} severity table" for name in table.__dataclass_fields__}
    runbook_values = [v for v in runbook_escalate_after if v]
    if runbook_values:
        table = replace(table, escalate_after=min(runbook_values))
        sources["escalate_after"] = "runbook"
    over = scenario.targets
    for name in (
        "detect",
        "ack",
        "incident_commander",
        "status_page",
        "update_every",
        "mitigate",
        "resolve",
        "escalate_after",
    ):
        value = getattr(over, name)
        if value is not None:
            table = replace(table, **{name: float(value)})
            sources[name] = "scenario's targets"
    weights = merge_weights(over.weights)
    if "injects" not in over.weights and not any(i.expect for i in scenario.injects):
        weights["injects"] = 0.0  # nothing to answer: the dimension is left out
    return Targets(severity, table, over.pass_score, over.slo, weights, sources)


def merge_weights(overrides: Mapping[str, float]) -> dict[str, float]:
    """Default weights with a scenario's overrides; unknown names are refused."""
    weights = {key: w for key, (_, w) in DIMENSIONS.items()}
    problems = []
    for key, value in overrides.items():
        if key not in weights:
            problems.append(
                Problem(
                    "scenario.yaml",
                    key=f"targets.weights.{key}",
                    message="no such scoring dimension",
                    hint=did_you_mean(key, weights),
                )
            )
        elif value < 0:
            problems.append(
                Problem(
                    "scenario.yaml",
                    key=f"targets.weights.{key}",
                    message="weight must not be negative",
                )
            )
        else:
            weights[key] = float(value)
    if problems:
        raise InputError(problems)
    return weights
