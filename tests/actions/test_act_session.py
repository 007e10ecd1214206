"""Actions through the real Session: the action event, fault.end and mitigation time."""

from __future__ import annotations

from act_support import load

from gameday.engine.session import Session


def test_session_perform_terminates_blocker():
    """Session.perform runs actions; terminating the blocker ends the fault in the stream."""
    session = Session(load("db-pool-exhaustion"), seed=5)
    session.advance_to(600)
    out = session.perform("kubectl get pods -n shop -l app=orders")
    assert out.ok and out.kind == "kubectl.get.pods" and out.output.count("Running") == 3
    pid = session.world.faults["lock-holder"].blocker_pid
    out = session.perform(
        f'psql -h orders-db -U postgres -d orders -c "SELECT pg_terminate_backend({pid})"'
    )
    assert out.effect == "mitigated:lock-holder"
    kinds = [e.kind for e in session.events[-3:]]
    assert kinds == ["action", "fault.end", "action"]
    assert session.incident.mitigated_at == session.now


def test_events_after_restart(locked):
    """A restart shows up as ScalingReplicaSet and Scheduled events."""
    from gameday.engine.actions import execute

    execute(locked, "kubectl rollout restart deployment/orders -n shop")
    locked.run(960)
    out = execute(locked, "kubectl get events -n shop").output
    assert "Scaled up replica set orders-" in out and "Successfully assigned shop/orders-" in out
    assert "<invalid>" not in out
