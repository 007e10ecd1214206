"""What an action needs from the session that runs it, as a structural type.

The session (and any test double) satisfies :class:`ActionContext` without inheriting
from it: actions read the world and the incident, change them through the world's
mutators, and publish what they did through ``emit`` and ``end_fault``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from gameday.scenario.model import Scenario
from gameday.tools.incident import IncidentState
from gameday.world.world import World


class ActionContext(Protocol):
    """The session as actions see it.

    Attributes:
        now: sim seconds since the scenario started.
        scenario: the scenario being played.
        world: the simulated world (deployments, pods, databases, faults).
        incident: severity, roles and status updates declared so far.
        seed: the session seed; every generated line derives from it.
        pager: the pager (``ack``, ``resolve``, ``escalate``, ``reassign``,
            ``incidents``), or None when the scenario has no on-call file.
        tsdb: the Prometheus store the rules read (``promtool query``).
        recorded: an imported incident: the metrics are a recording, there is no
            cluster or database to inspect.
    """

    @property
    def now(self) -> float: ...

    @property
    def scenario(self) -> Scenario: ...

    @property
    def world(self) -> World: ...

    @property
    def incident(self) -> IncidentState: ...

    @property
    def seed(self) -> int: ...

    @property
    def pager(self) -> Any: ...

    @property
    def tsdb(self) -> Any: ...

    @property
    def recorded(self) -> bool: ...

    def wall_time(self, t: float | None = None) -> datetime:
        """The wall-clock time at sim time ``t`` (default: now)."""
        ...

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        """Publish an event at the current sim time."""
        ...

    def end_fault(self, fault_id: str, reason: str) -> None:
        """End a fault in the world and publish ``fault.end``."""
        ...

    def silence(self, matchers: list[str], duration_s: float, author: str, comment: str) -> str:
        """Create an Alertmanager silence and return its id.

        Raises:
            ValueError: for a matcher Alertmanager would refuse.
        """
        ...

    def firing_alerts(self) -> list[dict[str, Any]]:
        """Alerts pending or firing now: ``labels``, ``annotations``, ``state``, ``active_at``."""
        ...
