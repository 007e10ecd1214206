"""Action-test helpers: a session stand-in with a real World, a recording pager, a clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from gameday.errors import PagerError
from gameday.scenario.model import Scenario
from gameday.tools.incident import IncidentState
from gameday.world.world import World

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def load(scenario_id: str, onset: float | None = None) -> Scenario:
    """A bundled scenario; ``onset`` pins its first fault's onset (no seeded window)."""
    data = yaml.safe_load((SCENARIOS / scenario_id / "scenario.yaml").read_text())
    if onset is not None:
        data["faults"][0]["at"] = onset
    return Scenario.model_validate(data)


@dataclass
class FakeIncident:
    id: str
    status: str = "triggered"
    assigned: list[str] = field(default_factory=lambda: ["amara"])
    level: int = 1


class FakePager:
    """Records pager calls; knows the people of the bundled on-call file."""

    people = {"amara", "jonas", "mei", "lucas", "priya"}

    def __init__(self) -> None:
        self.incidents = {"INC-1": FakeIncident("INC-1")}
        self.log: list[tuple[str, str, str]] = []

    def _check(self, person: str) -> None:
        if person not in self.people:
            raise PagerError(f"no person {person!r}")

    def ack(self, incident_id: str, person: str) -> None:
        self._check(person)
        self.incidents[incident_id].status = "acknowledged"
        self.log.append(("ack", incident_id, person))

    def resolve(self, incident_id: str, person: str | None = None) -> None:
        self.incidents[incident_id].status = "resolved"
        self.log.append(("resolve", incident_id, str(person)))

    def escalate(self, incident_id: str, person: str) -> None:
        self._check(person)
        inc = self.incidents[incident_id]
        inc.level += 1
        inc.status = "triggered"
        self.log.append(("escalate", incident_id, person))

    def reassign(self, incident_id: str, to_person: str) -> None:
        self._check(to_person)
        self.incidents[incident_id].assigned = [to_person]
        self.log.append(("reassign", incident_id, to_person))


class FakeContext:
    """Drives a real World tick by tick, starting the scenario's faults on time."""

    def __init__(self, scenario: Scenario, seed: int = 7, pager: Any = None) -> None:
        self.scenario = scenario
        self.seed = seed
        self.world = World(scenario, seed)
        self.incident = IncidentState()
        self.now = 0.0
        self.pager = pager
        self.events: list[tuple[float, str, dict[str, Any]]] = []
        self.alerts: list[dict[str, Any]] = []
        self.silences: list[tuple[list[str], float, str, str]] = []
        self._started: set[str] = set()

    def wall_time(self, t: float | None = None) -> datetime:
        return self.scenario.start_time + timedelta(seconds=self.now if t is None else t)

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append((self.now, kind, data))

    def end_fault(self, fault_id: str, reason: str) -> None:
        fault = self.world.end_fault(fault_id, self.now, reason)
        if fault is not None:
            self.emit("fault.end", {"fault": fault_id, "reason": reason})

    def silence(self, matchers: list[str], duration_s: float, author: str, comment: str) -> str:
        for m in matchers:
            if "=" not in m:
                raise ValueError(f"bad matcher {m!r}")
        self.silences.append((matchers, duration_s, author, comment))
        return f"silence-{len(self.silences)}"

    def firing_alerts(self) -> list[dict[str, Any]]:
        return self.alerts

    def run(self, until: float, dt: float = 15.0) -> None:
        """Advance to ``until`` in ticks of ``dt``, starting faults when they are due."""
        while self.now < until:
            self.now += dt
            for spec in self.scenario.faults:
                if spec.id not in self._started and spec.at <= self.now:
                    self._started.add(spec.id)
                    self.world.start_fault(spec, self.now)
            self.world.step(self.now, dt)

    def kinds(self) -> list[str]:
        return [k for _, k, _ in self.events]


def with_faults(faults: list[dict[str, Any]]) -> Scenario:
    """The pool-exhaustion world with other faults."""
    data = yaml.safe_load((SCENARIOS / "db-pool-exhaustion" / "scenario.yaml").read_text())
    data["faults"] = faults
    return Scenario.model_validate(data)
