"""The pager: incidents, notifications and escalation with ack timeouts, in SimPy time.

PagerDuty semantics. A trigger on a service opens an incident (or, with the dedup key of
an open one, adds an alert to it). High urgency notifies the first rule's targets at once,
then every ``escalation_delay_in_minutes`` without an ack moves to the next rule; after
the last rule the policy starts over, ``num_loops`` more times, then stops. A rule whose
targets have nobody on call escalates at once (a whole pass of those ends paging).
Low urgency notifies the first rule without waking anyone and never escalates. Ack
stops escalation; escalate and reassign re-trigger an incident by hand.

Each incident's escalation is one SimPy process. Actions change the state first and then
interrupt that process; the process re-checks the state whenever it wakes, so an ack and
a timeout in the same instant cannot both win.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from datetime import datetime
from typing import Any

import simpy

from gameday.errors import PagerError, did_you_mean
from gameday.oncall.incident import Incident
from gameday.oncall.model import OnCall

Emit = Callable[[str, dict[str, Any]], None]


class Pager:
    """Paging for one session.

    Args:
        env: the session's SimPy environment.
        oncall: the loaded on-call file.
        emit: publishes ``(kind, data)`` at ``env.now`` (``page.*`` kinds).
        clock: maps sim seconds to an aware wall-clock datetime.
    """

    def __init__(
        self, env: simpy.Environment, oncall: OnCall, emit: Emit, clock: Callable[[float], datetime]
    ) -> None:
        self.env = env
        self.oncall = oncall
        self.emit = emit
        self.clock = clock
        self.incidents: dict[str, Incident] = {}
        self._open_by_key: dict[tuple[str, str], str] = {}
        self._procs: dict[str, simpy.Process] = {}

    # -- lookups ------------------------------------------------------------------------

    def lookup_service(self, key: str) -> str | None:
        """Service for an integration key, routing key, API key or receiver name."""
        return self.oncall.lookup_service(key)

    def service_for(self, settings: Mapping[str, Any], receiver: str) -> str | None:
        """The service a paging integration reaches: the one its routing, service or API
        key belongs to, else the one named by the receiver (None: no service)."""
        keys = [settings.get(k) for k in ("routing_key", "service_key", "api_key")]
        for key in [*keys, receiver]:
            if key and (service := self.lookup_service(str(key))):
                return service
        return None

    def resolve_open(self, service: str, dedup_key: str) -> None:
        """The integration resolves ``service``'s open incident with ``dedup_key``, if any."""
        open_id = self.open_incident(service, dedup_key)
        if open_id and self.incidents[open_id].status != "resolved":
            self.resolve(open_id, None)

    def ack_later(self, incident_id: str, person: str, delay: float) -> Generator[Any, Any, None]:
        """A process: ``person`` acknowledges ``delay`` seconds on, if still assigned and
        nobody acknowledged first."""
        yield self.env.timeout(delay)
        inc = self.incidents[incident_id]
        if inc.status == "triggered" and person in inc.assigned:
            self.ack(incident_id, person)

    def open_incident(self, service: str, dedup_key: str) -> str | None:
        """Id of the open incident on ``service`` with ``dedup_key``, if any."""
        return self._open_by_key.get((service, dedup_key))

    def incident(self, incident_id: str) -> Incident:
        """The incident called ``incident_id``.

        Raises:
            PagerError: when there is no such incident.
        """
        try:
            return self.incidents[incident_id]
        except KeyError:
            hint = did_you_mean(incident_id, self.incidents)
            raise PagerError(
                f"no incident {incident_id!r}" + (f"; {hint}" if hint else "")
            ) from None

    def _person(self, person: str) -> str:
        if person not in self.oncall.people_by_id:
            hint = did_you_mean(person, self.oncall.people_by_id)
            raise PagerError(f"no person {person!r}" + (f"; {hint}" if hint else ""))
        return person

    def _name(self, person: str | None) -> str | None:
        return self.oncall.people_by_id[person].name if person else None

    # -- actions ------------------------------------------------------------------------

    def trigger(
        self, service: str, dedup_key: str, summary: str, severity: str, source: str = ""
    ) -> str:
        """Open an incident on ``service`` (a name or integration key); return its id.

        A trigger whose dedup key matches an open incident on the same service is folded
        into it: the alert count grows, nobody is paged again, the same id is returned.

        Raises:
            PagerError: for an unknown service.
        """
        name = service if service in self.oncall.services_by_name else self.lookup_service(service)
        if name is None:
            hint = did_you_mean(service, self.oncall.services_by_name)
            raise PagerError(f"no service {service!r}" + (f"; {hint}" if hint else ""))
        existing = self._open_by_key.get((name, dedup_key)) if dedup_key else None
        if existing is not None:
            self.incidents[existing].alert_count += 1
            return existing
        svc = self.oncall.services_by_name[name]
        inc = Incident(
            id=f"INC-{len(self.incidents) + 1}",
            service=name,
            dedup_key=dedup_key,
            summary=summary,
            severity=severity,
            source=source,
            urgency=self.oncall.urgency(name, self.clock(self.env.now)),
            policy=svc.escalation_policy,
            triggered_at=self.env.now,
        )
        if not inc.dedup_key:
            inc.dedup_key = inc.id
        self.incidents[inc.id] = inc
        self._open_by_key[(name, inc.dedup_key)] = inc.id
        self._publish(
            "page.triggered",
            inc,
            dedup_key=inc.dedup_key,
            summary=summary,
            severity=severity,
            source=source,
            policy=inc.policy,
        )
        self._start(inc, inc.step, notify_first=True)
        return inc.id

    def ack(self, incident_id: str, person: str) -> None:
        """Acknowledge: escalation stops. Raises PagerError unless the incident is triggered."""
        inc = self.incident(incident_id)
        self._person(person)
        if inc.status != "triggered":
            raise PagerError(f"{incident_id} is already {inc.status}")
        inc.status, inc.acknowledged_at, inc.acknowledged_by = "acknowledged", self.env.now, person
        self._stop(inc)
        self._publish(
            "page.acknowledged",
            inc,
            person=person,
            name=self._name(person),
            after=self.env.now - inc.triggered_at,
        )

    def resolve(self, incident_id: str, person: str | None = None) -> None:
        """Resolve; ``person=None`` means the integration resolved it (the alert cleared)."""
        inc = self.incident(incident_id)
        if person is not None:
            self._person(person)
        if inc.status == "resolved":
            raise PagerError(f"{incident_id} is already resolved")
        inc.status, inc.resolved_at, inc.resolved_by = "resolved", self.env.now, person
        self._open_by_key.pop((inc.service, inc.dedup_key), None)
        self._stop(inc)
        self._publish(
            "page.resolved",
            inc,
            person=person,
            name=self._name(person),
            after=self.env.now - inc.triggered_at,
        )

    def escalate(self, incident_id: str, person: str) -> None:
        """Escalate by hand to the next level, re-triggering an acknowledged incident.

        Raises:
            PagerError: when resolved, or already at the policy's last level.
        """
        inc = self.incident(incident_id)
        self._person(person)
        if inc.status == "resolved":
            raise PagerError(f"{incident_id} is resolved")
        rules = len(self.oncall.policies_by_id[inc.policy].rules)
        if inc.level >= rules:
            raise PagerError(f"{incident_id} is already at the last level ({rules})")
        self._stop(inc)
        inc.status = "triggered"
        inc.escalations += 1
        self._publish(
            "page.escalated",
            inc,
            from_level=inc.level,
            to_level=inc.level + 1,
            to_loop=inc.loop,
            reason="manual",
            exhausted=False,
            by=person,
            by_name=self._name(person),
        )
        self._start(inc, inc.step + 1, notify_first=True)

    def reassign(self, incident_id: str, to_person: str, by: str | None = None) -> None:
        """Assign to one person, notify them and restart the current level's ack timer."""
        inc = self.incident(incident_id)
        self._person(to_person)
        if inc.status == "resolved":
            raise PagerError(f"{incident_id} is resolved")
        self._stop(inc)
        inc.status, inc.assigned = "triggered", [to_person]
        self._notify_person(inc, to_person, reassigned_by=by)
        self._start(inc, inc.step, notify_first=False)

    # -- escalation process -------------------------------------------------------------

    def _start(self, inc: Incident, step: int, notify_first: bool) -> None:
        inc.generation += 1
        self._procs[inc.id] = self.env.process(
            self._escalation(inc, inc.generation, step, notify_first)
        )

    def _stop(self, inc: Incident) -> None:
        inc.generation += 1
        inc.escalates_at = None
        proc = self._procs.pop(inc.id, None)
        if proc is not None and proc.is_alive and proc is not self.env.active_process:
            proc.interrupt("stop")

    def _stale(self, inc: Incident, gen: int) -> bool:
        return inc.generation != gen or inc.status != "triggered"

    def _escalation(
        self, inc: Incident, gen: int, step: int, notify: bool
    ) -> Generator[simpy.Event, Any, None]:
        rules = self.oncall.policies_by_id[inc.policy].rules
        passes = self.oncall.policies_by_id[inc.policy].num_loops + 1
        empty = 0  # consecutive rules that found nobody; a whole pass of them ends paging
        while not self._stale(inc, gen):
            inc.step, inc.level, inc.loop = step, step % len(rules) + 1, step // len(rules) + 1
            if notify:
                when = self.clock(self.env.now)
                inc.assigned = self.oncall.targets(inc.policy, inc.level - 1, when)
                for person in inc.assigned:
                    if not self._stale(inc, gen):
                        self._notify_person(inc, person)
            notify = True
            if inc.urgency == "low" or self._stale(inc, gen):
                return
            reason = "nobody on call"
            empty = 0 if inc.assigned else empty + 1
            if inc.assigned:
                delay = rules[inc.level - 1].escalation_delay_in_minutes * 60
                inc.escalates_at = self.env.now + delay
                try:
                    yield self.env.timeout(delay)
                except simpy.Interrupt:
                    return
                if self._stale(inc, gen):
                    return
                inc.escalates_at = None
                reason = "timeout"
            step += 1
            if step >= passes * len(rules) or empty >= len(rules):
                inc.exhausted = True
                self._publish(
                    "page.escalated",
                    inc,
                    from_level=inc.level,
                    to_level=None,
                    reason=reason,
                    exhausted=True,
                )
                return
            inc.escalations += 1
            self._publish(
                "page.escalated",
                inc,
                from_level=inc.level,
                to_level=step % len(rules) + 1,
                to_loop=step // len(rules) + 1,
                reason=reason,
                exhausted=False,
            )

    # -- events -------------------------------------------------------------------------

    def _notify_person(self, inc: Incident, person: str, **extra: Any) -> None:
        if person not in inc.notified:
            inc.notified.append(person)
        self._publish(
            "page.notified",
            inc,
            person=person,
            name=self._name(person),
            wakes=inc.urgency == "high",
            summary=inc.summary,
            severity=inc.severity,
            **extra,
        )

    def _publish(self, kind: str, inc: Incident, **data: Any) -> None:
        base = {
            "incident_id": inc.id,
            "service": inc.service,
            "urgency": inc.urgency,
            "level": inc.level,
            "loop": inc.loop,
            "t": self.env.now,
        }
        self.emit(kind, {**base, **data})
