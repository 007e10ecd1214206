"""Actions through the real Session: the action event, fault.end and mitigation time."""

from __future__ import annotations

from act_support import load

from gameday.session.session import Session


def test_session_perform_terminates_blocker():
    """Session.perform runs actions; terminating the blocker relieves the fault next tick."""
    session = Session(load("db-pool-exhaustion", onset=300.0), seed=5)
    session.advance_to(600)
    out = session.perform("kubectl get pods -n shop -l app=orders")
    assert out.ok and out.kind == "kubectl.get.pods" and out.output.count("Running") == 3
    pid = session.world.faults["lock-holder"].blocker_pid
    out = session.perform(
        f'psql -h orders-db -U postgres -d orders -c "SELECT pg_terminate_backend({pid})"'
    )
    assert out.changed
    assert [e.kind for e in session.events[-2:]] == ["action", "action"]
    session.advance(15.0)
    relief = [e for e in session.events if e.kind == "fault.relieved"]
    assert [(e.t, e.data["fault"]) for e in relief] == [(600.0, "lock-holder")]
    assert session.incident.mitigated_at == 600.0


def test_events_after_restart(locked):
    """A restart shows up as ScalingReplicaSet and Scheduled events."""
    from gameday.tools import execute

    execute(locked, "kubectl rollout restart deployment/orders -n shop")
    locked.run(960)
    out = execute(locked, "kubectl get events -n shop").output
    assert "Scaled up replica set orders-" in out and "Successfully assigned shop/orders-" in out
    assert "<invalid>" not in out


def test_incident_verbs_drive_the_real_pager():
    """ack, escalate and resolve act on the real pager as the person holding the page."""
    from act_support import SCENARIOS

    from gameday.oncall.loader import load_oncall
    from gameday.session.session import Setup

    oncall = load_oncall(SCENARIOS / "db-pool-exhaustion" / "oncall.yaml")
    session = Session(load("db-pool-exhaustion"), seed=3, setup=Setup(oncall=oncall))
    session.advance_to(60)
    session.pager.trigger("shop-orders", "k1", "OrdersDBPoolExhausted", "critical")
    session.advance_to(120)
    ack = session.perform("ack", actor="you")
    assert ack.ok and ack.output.startswith("INC-1 acknowledged by ")
    assert session.perform("escalate").output == "INC-1 escalated to level 2"
    assert session.perform("resolve").ok
    kinds = [e.kind for e in session.events if e.kind.startswith(("page.", "incident."))]
    assert kinds[:3] == ["page.triggered", "page.notified", "page.acknowledged"]
    assert "incident.escalated" in kinds and kinds[-2:] == ["page.resolved", "incident.resolved"]
