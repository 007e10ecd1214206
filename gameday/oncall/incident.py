"""The pager's view of an incident: status, who has it, how far it escalated, when."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["triggered", "acknowledged", "resolved"]


@dataclass
class Incident:
    """One paging incident. Times are sim seconds; ``level`` and ``loop`` count from 1.

    Attributes:
        id: ``INC-1``, ``INC-2``, ... in trigger order.
        service: the service name.
        dedup_key: triggers with this key while the incident is open add alerts to it.
        summary: the first trigger's summary.
        severity: the first trigger's severity (critical, error, warning, info).
        source: where the first trigger came from (an alert, a receiver).
        urgency: ``high`` pages and escalates; ``low`` notifies once without waking.
        policy: id of the escalation policy in force.
        status: triggered, acknowledged or resolved.
        level: the escalation rule last notified, 1-based.
        loop: the pass over the policy, 1-based (at most ``num_loops + 1``).
        assigned: person ids the incident is assigned to now.
        notified: every person id notified so far, in order, without repeats.
        alert_count: triggers folded into this incident (1 plus duplicates).
        escalations: escalations so far (timeouts and by hand).
        exhausted: True once the policy ran out of levels and loops without an ack.
        escalates_at: when the next escalation happens unless someone acks (sim seconds);
            None while acknowledged, resolved, exhausted or for low urgency.
    """

    id: str
    service: str
    dedup_key: str
    summary: str
    severity: str
    source: str
    urgency: str
    policy: str
    triggered_at: float
    status: Status = "triggered"
    level: int = 1
    loop: int = 1
    step: int = 0
    assigned: list[str] = field(default_factory=list)
    notified: list[str] = field(default_factory=list)
    alert_count: int = 1
    escalations: int = 0
    exhausted: bool = False
    escalates_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    resolved_at: float | None = None
    resolved_by: str | None = None
    generation: int = 0

    @property
    def open(self) -> bool:
        """True until the incident is resolved."""
        return self.status != "resolved"

    @property
    def time_to_ack(self) -> float | None:
        """Seconds from trigger to acknowledgement, or None when never acknowledged."""
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at - self.triggered_at

    def to_dict(self) -> dict[str, Any]:
        """JSON-able state for reports and the journal."""
        data = asdict(self)
        del data["generation"], data["step"]
        return data
