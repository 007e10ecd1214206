"""Synthetic runs of the orders-pool scenario: an expert, a novice and an idle responder.

The streams follow what the session emits (see ``gameday/session/events.py``); the
metrics are a flat 120 req/s with 35% of requests failing while the lock is held.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gameday.counterfactual import Verdict
from gameday.runbooks import Runbook, parse_runbook
from gameday.scenario.model import Scenario
from gameday.scoring import MetricPoint, MetricsSummary
from gameday.session.events import Event

FIXTURES = Path(__file__).parent / "fixtures"
RUNBOOK_URL = "https://git.example.com/shop/runbooks/orders-pool.md"
BURN = {"alertname": "CheckoutErrorBudgetBurn", "severity": "critical", "service": "checkout"}
POOL = {"alertname": "OrdersDBPoolExhausted", "severity": "warning", "service": "orders"}
TERMINATE = 'psql -h orders-db -U postgres -d orders -c "select pg_terminate_backend(4242)"'


def scenario(**targets: Any) -> Scenario:
    """A small SEV1 scenario modelled on the bundled db-pool-exhaustion one."""
    return Scenario.model_validate(
        {
            "id": "orders-pool",
            "title": "Orders database connection pool exhausted",
            "summary": "Checkout fails while a long UPDATE holds a lock on orders.",
            "start_time": "2026-03-10T22:50:00+00:00",
            "entry_service": "checkout",
            "world": {"namespace": "shop", "services": [{"name": "checkout"}, {"name": "orders"}]},
            "faults": [
                {
                    "id": "lock-holder",
                    "type": "blocking_query",
                    "at": "5m",
                    "service": "orders",
                    "description": "archiver UPDATE holds a lock",
                }
            ],
            "truth": {
                "severity": "SEV1",
                "root_cause": "A long-running UPDATE held a lock on orders; writes queued behind "
                "it holding pooled connections until the pool ran dry.",
                "trigger": "The nightly archiver started an unbatched UPDATE.",
                "contributing_factors": [
                    "The archiver has no lock_timeout.",
                    "No alert on long-running transactions.",
                ],
                "red_herrings": [
                    "kubectl rollout restart deployment/orders",
                    "kubectl scale deployment/orders --replicas=6",
                ],
                "impact": "checkout fails for about a third of customers",
            },
            "targets": {"pass_score": 70, "slo": 0.999, **targets},
        }
    )


def verdict(
    run: Run, t: float, label: str, failed_with: float = 100.0, failed_without: float = 100.0
) -> Verdict:
    """A counterfactual verdict for the action ``run`` recorded at ``t`` (for grader tests;
    the real ones come from re-running the session without the action)."""
    action = next(e for e in run.events if e.kind == "action" and e.t == t)
    return Verdict(
        seq=action.seq,
        t=t,
        command=str(action.data["command"]),
        label=label,
        requests=10_000.0,
        failed_with=failed_with,
        failed_without=failed_without,
        recovered_with=None,
        recovered_without=None,
    )


def runbooks() -> list[Runbook]:
    """The fixture runbook."""
    return [parse_runbook(FIXTURES / "orders-pool.md")]


class Run:
    """Builds an event list with increasing ``seq``."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, t: float, kind: str, /, **data: Any) -> Run:
        self.events.append(Event(t, kind, data, len(self.events)))
        return self

    def act(
        self,
        t: float,
        command: str,
        kind: str = "unknown",
        changed: bool = False,
        role: str = "ops",
        ok: bool = True,
    ) -> Run:
        return self.add(
            t,
            "action",
            actor="alice",
            role=role,
            command=command,
            ok=ok,
            output="",
            kind=kind,
            changed=changed,
        )

    def start(self) -> Run:
        self.add(
            0,
            "session.start",
            scenario="orders-pool",
            seed=7,
            start_time="2026-03-10T22:50:00+00:00",
            responder="test",
        )
        self.add(
            300,
            "fault.start",
            fault="lock-holder",
            type="blocking_query",
            service="orders",
            description="archiver UPDATE holds a lock",
        )
        self.add(
            400,
            "alert.firing",
            alertname="OrdersDBPoolExhausted",
            labels=POOL,
            annotations={"runbook_url": RUNBOOK_URL},
            value=0.95,
        )
        self.add(
            405,
            "alert.firing",
            alertname="CheckoutErrorBudgetBurn",
            labels=BURN,
            annotations={"runbook_url": RUNBOOK_URL, "summary": "burning"},
            value=0.35,
        )
        return self

    def paged(self, receiver: str = "pagerduty-critical", kind: str = "pagerduty") -> Run:
        self.add(
            435,
            "notification",
            receiver=receiver,
            integrations=[{"type": kind}],
            status="firing",
            group_key='{}:{alertname="CheckoutErrorBudgetBurn"}',
            alerts=[{"labels": BURN, "status": "firing"}],
        )
        if kind == "pagerduty":
            self.add(
                436,
                "page.triggered",
                incident_id="P1",
                service="checkout",
                summary="burning",
                urgency="high",
            )
            self.add(
                436,
                "page.notified",
                incident_id="P1",
                person="alice",
                name="Alice",
                level=1,
                loop=0,
                urgency="high",
                wakes=True,
            )
        return self


def expert() -> list[Event]:
    """Acks in 84 s, declares SEV1, follows the runbook, fixes the lock at T+13m20s."""
    r = Run().start().paged()
    r.add(520, "page.acknowledged", incident_id="P1", person="alice")
    r.act(521, "ack", kind="ack", role="ic")
    r.add(550, "incident.severity", severity="SEV1")
    r.add(560, "incident.role", role="ic", person="alice")
    r.add(
        600,
        "incident.status_update",
        text="Investigating checkout failures.",
        state="investigating",
    )
    r.act(620, "kubectl get pods -n shop -l app=orders", kind="kubectl.get.pods")
    r.act(650, "kubectl logs deployment/orders --namespace shop --tail 50", kind="kubectl.logs")
    r.act(
        700,
        'psql -h orders-db -U postgres -d orders -c "select pid, usename, '
        "application_name, state, now() - xact_start as age from pg_stat_activity "
        'order by age desc limit 20"',
        kind="psql.select",
    )
    r.act(
        740,
        'psql -h orders-db -c "SELECT pid, pg_blocking_pids(pid) FROM '
        "pg_stat_activity WHERE wait_event_type = 'Lock'\"",
        kind="psql.select",
    )
    r.act(800, TERMINATE, kind="psql.terminate", changed=True)
    r.add(
        800,
        "fault.relieved",
        fault="lock-holder",
        type="blocking_query",
        service="orders",
        why="the blocking session is gone and its locks with it",
    )
    r.act(830, "kubectl top pods -n shop -l app=orders", kind="kubectl.top")
    r.add(
        900,
        "incident.status_update",
        text="Blocking query terminated; monitoring.",
        state="monitoring",
    )
    r.add(
        1000,
        "alert.resolved",
        alertname="CheckoutErrorBudgetBurn",
        labels=BURN,
        annotations={},
        value=0.0,
    )
    r.add(1020, "incident.resolved")
    r.add(1020, "incident.status_update", text="Resolved.", state="resolved")
    r.add(1080, "session.end", reason="resolved")
    return r.events


def novice() -> list[Event]:
    """Slow ack, wrong severity, red herrings, a hint, resolves before recovery shows."""
    r = Run().start().paged()
    r.add(1100, "page.acknowledged", incident_id="P1", person="alice")
    r.add(1150, "incident.severity", severity="sev2")
    r.act(1200, "kubectl get pods -n shop", kind="kubectl.get.pods")
    r.act(
        1250,
        "kubectl rollout restart deployment/orders -n shop",
        kind="kubectl.rollout.restart",
        changed=True,
    )
    r.act(
        1500,
        "kubectl scale deploy/orders --replicas=6 -n shop",
        kind="kubectl.scale",
        changed=True,
    )
    r.add(1700, "hint", question="Which resource are the failing requests waiting for?", cost=5)
    r.act(2100, TERMINATE, kind="psql.terminate", changed=True)
    r.add(
        2100,
        "fault.relieved",
        fault="lock-holder",
        type="blocking_query",
        service="orders",
        why="the blocking session is gone and its locks with it",
    )
    r.add(2105, "incident.resolved")
    r.add(2400, "session.end", reason="resolved")
    return r.events


def idle(receiver: str = "pagerduty-critical", kind: str = "pagerduty") -> list[Event]:
    """Nobody answers; the pager escalates; the fault runs to the end of the hour."""
    r = Run().start().paged(receiver, kind)
    if kind == "pagerduty":
        for t, level, person in ((736, 2, "bob"), (1036, 3, "carol")):
            r.add(
                t,
                "page.escalated",
                incident_id="P1",
                from_level=level - 1,
                to_level=level,
                reason="ack_timeout",
                exhausted=False,
            )
            r.add(
                t,
                "page.notified",
                incident_id="P1",
                person=person,
                name=person.title(),
                level=level,
                loop=0,
                urgency="high",
                wakes=True,
            )
    r.add(3600, "session.end", reason="timeout")
    return r.events


def metrics(end: float, fixed_at: float | None, rps: float = 120.0) -> MetricsSummary:
    """Scrapes every 15 s; 35% failing from the fault at 300 s until ``fixed_at``."""
    points, failed, total = [], 0.0, 0.0
    t = 0.0
    while t <= end:
        bad = t >= 300 and (fixed_at is None or t < fixed_at + 30)
        ratio = 0.35 if bad else 0.0008
        points.append(MetricPoint(t, rps, ratio, 5.0 if bad else 0.09, 28 if bad else 4, 30))
        failed += rps * 15 * ratio
        total += rps * 15
        t += 15
    return MetricsSummary("checkout", tuple(points), total, failed, 15.0)
