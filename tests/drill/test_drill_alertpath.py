"""The on-call path inside a bundled scenario: grouping, paging, escalation, silence, inhibition."""

from __future__ import annotations

from gameday.runtime import prepare
from gameday.session.events import Event


def run(until: float, actions: list[tuple[float, str]] = ()) -> list[Event]:  # type: ignore[assignment]
    session = prepare("db-pool-exhaustion").session(seed=1)
    for t, command in actions:
        session.advance_to(t)
        session.perform(command, actor="amara", role="ops")
    session.advance_to(until)
    return session.events


def first(events: list[Event], kind: str, **match: object) -> Event:
    for e in events:
        if e.kind == kind and all(
            e.data.get(k) == v or e.data.get("labels", {}).get(k) == v for k, v in match.items()
        ):
            return e
    raise AssertionError(f"no {kind} {match}")


def test_alert_pages_primary_then_escalates_to_secondary() -> None:
    """Firing alert -> PagerDuty notification -> primary paged -> 5m unacked -> secondary paged."""
    events = run(1200)
    session = prepare("db-pool-exhaustion").session(seed=1)
    oncall = session.setup.oncall
    fired = first(events, "alert.firing", alertname="OrdersDBPoolExhausted")
    note = first(events, "notification", receiver="pagerduty-shop")
    assert note.t >= fired.t
    # Prometheus sends the alert with StartsAt = when it went pending, more than group_wait
    # ago, so Alertmanager flushes the new group at once instead of waiting 30s.
    assert note.t == fired.t
    primary = first(events, "page.notified", level=1)
    assert primary.t == note.t
    assert primary.data["person"] == oncall.on_call("shop-primary", session.wall_time(primary.t))
    escalated = first(events, "page.escalated", incident_id=primary.data["incident_id"])
    assert escalated.t == primary.t + 5 * 60
    secondary = first(events, "page.notified", level=2, incident_id=primary.data["incident_id"])
    assert secondary.t == primary.t + 5 * 60
    assert secondary.data["person"] == oncall.on_call(
        "shop-secondary", session.wall_time(secondary.t)
    )
    assert secondary.data["person"] != primary.data["person"]


def test_ack_stops_escalation() -> None:
    """Acknowledging within the delay means nobody else is paged."""
    # the onset (and so the pages) is seeded: ack once both level-1 pages are in
    pages = [e.t for e in run(1500) if e.kind == "page.notified" and e.data["level"] == 1]
    assert max(pages) + 60 < min(pages) + 300
    events = run(1500, [(max(pages) + 60, "ack")])
    assert [e.data["level"] for e in events if e.kind == "page.notified"] == [1, 1]
    assert not [e for e in events if e.kind == "page.escalated"]


def test_silence_stops_notifications() -> None:
    """A silence made before the alert fires keeps its notifications from going out."""
    silence = 'silence alertname=OrdersDBPoolExhausted --duration 2h --comment "drill"'
    events = run(1200, [(6 * 60, silence)])
    assert first(events, "silence.created").t == 360
    assert first(events, "alert.firing", alertname="OrdersDBPoolExhausted")
    names = {
        a["labels"]["alertname"]
        for e in events
        if e.kind == "notification"
        for a in e.data["alerts"]
    }
    assert "OrdersDBPoolExhausted" not in names
    assert "CheckoutErrorBudgetBurnPage" in names  # other alerts still get through


def test_inhibit_rule_hides_the_warning_while_the_critical_fires() -> None:
    """OrdersDBPoolPending fires but is never notified while OrdersDBPoolExhausted fires."""
    events = run(1200)
    pending = first(events, "alert.firing", alertname="OrdersDBPoolPending")
    critical = first(events, "alert.firing", alertname="OrdersDBPoolExhausted")
    assert critical.t <= pending.t
    notified = [
        a
        for e in events
        if e.kind == "notification"
        for a in e.data["alerts"]
        if a["labels"]["alertname"] == "OrdersDBPoolPending"
    ]
    assert notified == []
