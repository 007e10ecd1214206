"""Causal relief: a fault ends only because the world stopped carrying it, in its own time.

No command is matched. A rollback relieves a leak when the leaking pods are gone; a
terminated blocker relieves its lock queue at the next tick; a spike is relieved (and
goes on) once ready capacity serves it; a restart replaces pods that read stale state.
"""

from __future__ import annotations

from typing import Any

from act_support import with_faults

from gameday.session.session import Session


def _session(*faults: dict[str, Any], seed: int = 7) -> Session:
    return Session(with_faults(list(faults)), seed=seed)


def _relief(session: Session) -> list[tuple[float, str, str]]:
    return [
        (e.t, e.kind, str(e.data["fault"]))
        for e in session.events
        if e.kind in ("fault.relieved", "fault.returned")
    ]


LEAK = {
    "id": "leaky-release",
    "type": "connection_leak",
    "at": "2m",
    "service": "orders",
    "params": {"version": "v1.15.0", "leak_per_1k": 0.6},
}


def test_rollback_relieves_a_leak_when_the_leaking_pods_are_gone() -> None:
    """Relief comes after the rollout replaced every v1.15.0 pod, not at the command."""
    s = _session(LEAK)
    s.advance_to(900)
    assert s.world.status["checkout"].error_ratio > 0.05
    out = s.perform("kubectl rollout undo deployment/orders -n shop")
    assert (out.ok, out.output, out.changed) == (True, "deployment.apps/orders rolled back", True)
    assert _relief(s) == []  # the old pods still serve: nothing is relieved yet
    s.advance_to(1200)
    [(t, kind, fault)] = _relief(s)
    assert (kind, fault) == ("fault.relieved", "leaky-release")
    assert 915 < t <= 990  # new pods start and get ready; the old ones then terminate
    assert s.incident.mitigated_at == t
    assert s.world.status["checkout"].error_ratio < 0.01


def test_undoing_the_rollback_brings_the_leak_back() -> None:
    """Rolling forward to the leaking release again makes it carried again."""
    s = _session(LEAK)
    s.advance_to(900)
    s.perform("kubectl rollout undo deployment/orders -n shop")
    s.advance_to(1200)
    s.perform("kubectl rollout undo deployment/orders -n shop")
    s.advance_to(1500)
    assert [k for _, k, _ in _relief(s)] == ["fault.relieved", "fault.returned"]
    assert s.incident.mitigated_at is None


def test_restart_during_a_lock_does_not_relieve_it() -> None:
    """Fresh pods queue behind the same lock: the blocker still carries the fault."""
    s = Session(with_faults([]).model_copy(update={"faults": _pool_faults()}), seed=7)
    s.advance_to(900)
    s.perform("kubectl rollout restart deployment/orders -n shop")
    s.advance_to(1500)
    assert _relief(s) == []
    assert s.world.status["checkout"].error_ratio > 0.05


def test_terminating_the_blocker_relieves_at_the_next_tick() -> None:
    """pg_terminate_backend removes the lock holder; relief is seen at the next scrape."""
    s = Session(with_faults([]).model_copy(update={"faults": _pool_faults()}), seed=7)
    s.advance_to(900)
    pid = s.world.faults["lock-holder"].blocker_pid
    out = s.perform(
        f'psql -h orders-db -U postgres -d orders -c "SELECT pg_terminate_backend({pid})"'
    )
    assert out.ok and out.changed
    s.advance_to(960)
    [(t, kind, _)] = _relief(s)
    assert kind == "fault.relieved" and t == 900.0  # the tick right after the command
    s.advance_to(1000)
    assert s.world.status["checkout"].error_ratio < 0.01


def test_traffic_spike_is_relieved_by_capacity_and_goes_on() -> None:
    """Scaling until ready pods serve the load relieves the spike; the traffic stays high."""
    spike = {"id": "spike", "type": "traffic_spike", "at": "1m", "service": "checkout"}
    s = _session({**spike, "params": {"factor": 8}})
    s.advance_to(300)
    before = s.world.status["checkout"].offered_rps
    s.perform("kubectl scale deployment/checkout --replicas=4 -n shop")
    s.advance_to(450)
    assert _relief(s) == []  # four pods are not enough
    s.perform("kubectl scale deployment/checkout --replicas=9 -n shop")
    s.advance_to(600)
    [(t, kind, _)] = _relief(s)
    assert kind == "fault.relieved" and t > 450 + 15  # new pods need time to get ready
    assert s.world.faults["spike"].active
    assert s.world.status["checkout"].offered_rps > 0.8 * before


def test_stale_state_is_carried_by_pods_started_before_the_fix() -> None:
    """A restart replaces the stale pods; one deleted pod relieves only its share."""
    stale = {
        "id": "stale",
        "type": "stale_state",
        "at": "1m",
        "service": "orders",
        "params": {"what": "tls", "error_ratio": 1.0},
    }
    s = _session(stale)
    s.advance_to(300)
    assert s.world.status["orders"].error_ratio > 0.9
    victim = s.world.pods("orders")[0].name
    s.perform(f"kubectl delete pod {victim} -n shop")
    s.advance_to(420)
    assert 0.5 < s.world.status["orders"].error_ratio < 0.8  # two of three still stale
    assert _relief(s) == []
    s.perform("kubectl rollout restart deployment/orders -n shop")
    s.advance_to(600)
    assert [k for _, k, _ in _relief(s)] == ["fault.relieved"]
    assert s.world.status["orders"].error_ratio < 0.01


def test_slow_query_follows_the_pods_that_issue_it() -> None:
    """A slow query is carried by the release running at onset; a new image relieves it."""
    slow = {
        "id": "slow",
        "type": "slow_query",
        "at": "1m",
        "service": "orders",
        "params": {"factor": 20},
    }
    s = _session(slow)
    s.advance_to(300)
    assert s.world.faults["slow"].data["version"] == "v1.14.2"
    s.perform("kubectl rollout restart deployment/orders -n shop")
    s.advance_to(500)
    assert _relief(s) == []  # the same release issues the same query
    s.perform(
        "kubectl set image deploy/orders orders=registry.internal/shop/orders:v1.14.3 -n shop"
    )
    s.advance_to(800)
    assert [k for _, k, _ in _relief(s)] == ["fault.relieved"]


def test_crash_loop_rolled_back() -> None:
    """A crash-looping release shows CrashLoopBackOff; a rollback relieves it in time."""
    crash = {
        "id": "crash",
        "type": "crash_loop",
        "at": "1m",
        "service": "orders",
        "params": {"version": "v1.15.0", "reason": "Missing env ORDERS_DB_URL"},
    }
    s = _session(crash)
    s.advance_to(400)
    out = s.perform("kubectl get pods -n shop -l app=orders").output
    assert "CrashLoopBackOff" in out or "Error" in out
    s.perform("kubectl rollout undo deployment/orders -n shop")
    s.advance_to(700)
    assert [k for _, k, _ in _relief(s)] == ["fault.relieved"]


def test_memory_leak_grows_per_pod_not_in_lockstep() -> None:
    """Each pod leaks at its own seeded rate, so one reaches its limit first."""
    leak = {
        "id": "heap",
        "type": "memory_leak",
        "at": "1m",
        "service": "orders",
        "params": {"mib_per_min": 20},
    }
    s = _session(leak)
    s.advance_to(360)
    memory = sorted(p.memory_mib for p in s.world.pods("orders"))
    rates = s.world.faults["heap"].data["rates"]
    assert len(set(rates.values())) == len(rates) == 3  # each pod its own seeded rate
    assert max(rates.values()) - min(rates.values()) > 2.0, rates
    assert memory[-1] - memory[0] > 5.0, memory
    other = _session(leak, seed=8)
    other.advance_to(360)
    assert sorted(p.memory_mib for p in other.world.pods("orders")) != memory


def _pool_faults() -> list[Any]:
    from act_support import load

    return list(load("db-pool-exhaustion", onset=300.0).faults)
