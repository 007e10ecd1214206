"""The incident as the responders run it: severity, roles, status page, comms.

Plain state changed by incident verbs (``sev``, ``assign``, ``status``, ``escalate``,
``resolve``); every change is also an event in the session's stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
ROLES = ("ic", "ops", "comms", "scribe")
STATUS_STATES = ("investigating", "identified", "monitoring", "resolved")


@dataclass
class StatusUpdate:
    """One status-page or stakeholder update."""

    t: float
    state: str
    text: str
    author: str


@dataclass
class IncidentState:
    """What the responders have declared so far."""

    severity: str | None = None
    severity_at: float | None = None
    roles: dict[str, str] = field(default_factory=dict)  # role -> person
    role_at: dict[str, float] = field(default_factory=dict)
    status_updates: list[StatusUpdate] = field(default_factory=list)
    escalations: list[tuple[float, str]] = field(default_factory=list)
    acknowledged_at: float | None = None
    mitigated_at: float | None = None
    resolved_at: float | None = None
    notes: list[tuple[float, str, str]] = field(default_factory=list)  # (t, author, text)

    @property
    def status_page(self) -> str:
        """The public status page's current state ('operational' before any update)."""
        return self.status_updates[-1].state if self.status_updates else "operational"

    def next_update_due(self, update_every: float) -> float | None:
        """Sim time the next status update is due, or None before the first one."""
        if not self.status_updates or self.resolved_at is not None:
            return None
        return self.status_updates[-1].t + update_every
