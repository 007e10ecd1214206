"""Retries, timeouts and circuit breakers on a call, through a session: a callee that
fails every attempt receives max_attempts times the calls; a breaker opens at its
threshold, half-opens after its wait, opens again while the callee fails and closes
once it answers; a pod's environment (``kubectl set env``) changes its policy."""

from __future__ import annotations

from typing import Any

import pytest

from gameday.runtime import prepare
from gameday.scenario.model import Fault

ENV = "RESILIENCE4J_{}_INSTANCES_RECOMMENDATIONS_{}"


def session(attempts: int, fault: dict[str, Any], replicas: int = 3) -> Any:
    """retry-storm with ``attempts`` per call and ``fault`` on recommendations."""
    prepared = prepare("retry-storm")
    sc = prepared.loaded.scenario
    front = sc.world.services[0]
    policy = front.resilience["recommendations"].model_copy(update={"max_attempts": attempts})
    front = front.model_copy(
        update={"resilience": {"recommendations": policy}, "replicas": replicas}
    )
    recs = sc.world.services[1].model_copy(update={"rps_per_replica": 5000.0})
    world = sc.world.model_copy(update={"services": [front, recs]})
    faults = [Fault.model_validate({"id": "f", "service": "recommendations", "at": "2m", **fault})]
    return prepared.session(
        seed=1, scenario=sc.model_copy(update={"world": world, "faults": faults})
    )


@pytest.mark.parametrize("attempts", [1, 2, 4])
def test_a_callee_failing_every_attempt_gets_max_attempts_times_the_calls(attempts: int) -> None:
    """Retries multiply the load on a failing dependency by exactly max_attempts."""
    s = session(attempts, {"type": "dependency_errors", "params": {"error_ratio": 1.0}})
    s.advance_to(100)
    healthy = s.world.status
    assert healthy["recommendations"].offered_rps == pytest.approx(
        healthy["storefront"].offered_rps, rel=1e-3
    )
    s.advance_to(400)
    st = s.world.status
    assert st["storefront"].error_ratio < 0.01  # optional: the page renders without it
    assert st["recommendations"].offered_rps == pytest.approx(
        attempts * st["storefront"].offered_rps, rel=1e-6
    )


def test_half_failing_attempts_are_retried_as_a_geometric_series() -> None:
    """With half the attempts failing, 4 attempts send 1 + 1/2 + 1/4 + 1/8 calls each."""
    s = session(4, {"type": "dependency_errors", "params": {"error_ratio": 0.5}})
    s.advance_to(400)
    st = s.world.status
    factor = st["recommendations"].offered_rps / st["storefront"].offered_rps
    assert factor == pytest.approx(1.875, rel=0.02)


def test_waiting_on_retries_exhausts_the_callers_threads_and_fewer_attempts_free_them() -> None:
    """A slow callee: four 800 ms attempts hold the storefront's threads until it refuses
    most requests; one attempt (set by env, rolled out) frees them."""
    s = session(4, {"type": "slow_dependency", "params": {"latency_ms": 1100}})
    s.advance_to(480)
    assert s.world.status["storefront"].error_ratio > 0.3
    s.perform(
        f"kubectl set env deployment/storefront {ENV.format('RETRY', 'MAXATTEMPTS')}=1 -n shop"
    )
    s.advance_to(720)
    assert s.world.status["storefront"].error_ratio < 0.01


def test_breaker_opens_half_opens_and_closes() -> None:
    """closed -> open at the threshold; open -> half_open after the wait; half_open ->
    open while the callee still fails; half_open -> closed once it answers again."""
    s = session(1, {"type": "dependency_errors", "duration": "6m", "params": {"error_ratio": 1.0}})
    s.advance_to(30)
    s.perform(
        f"kubectl set env deployment/storefront {ENV.format('CIRCUITBREAKER', 'FAILURERATETHRESHOLD')}=50 "
        f"{ENV.format('CIRCUITBREAKER', 'WAITDURATIONINOPENSTATE')}=60s -n shop"
    )
    s.advance_to(160)
    logs = s.perform("kubectl logs deployment/storefront -n shop --since=1m").output
    assert "CircuitBreaker 'recommendations' changed state from CLOSED to OPEN" in logs
    assert "CallNotPermittedException: CircuitBreaker 'recommendations' is OPEN" in logs
    s.advance_to(900)
    edge = s.world.calls.edges[("storefront", "recommendations")]
    moves = [(a, b) for _, a, b in edge.breaker.transitions]
    times = [t for t, _, _ in edge.breaker.transitions]
    assert moves[0] == ("closed", "open") and 120 <= times[0] < 150
    assert ("open", "half_open") in moves and ("half_open", "open") in moves
    assert moves[-1] == ("half_open", "closed") and times[-1] >= 480
    gap = times[moves.index(("open", "half_open"))] - times[0]
    assert 60 <= gap < 75


def test_breaker_metrics_are_scraped() -> None:
    """resilience4j_circuitbreaker_state is 1 for the current state of six; retry calls
    counted by kind."""
    s = session(4, {"type": "dependency_errors", "params": {"error_ratio": 1.0}})
    s.perform(
        f"kubectl set env deployment/storefront {ENV.format('CIRCUITBREAKER', 'FAILURERATETHRESHOLD')}=50 -n shop"
    )
    s.advance_to(300)
    state = {
        dict(x.labels)["state"]: x.v[-1]
        for x in s.tsdb.all_series()
        if dict(x.labels)["__name__"] == "resilience4j_circuitbreaker_state"
    }
    assert set(state) == {"closed", "open", "half_open", "forced_open", "disabled", "metrics_only"}
    assert state["open"] == 1 and sum(state.values()) == 1
    kinds = {
        dict(x.labels)["kind"]
        for x in s.tsdb.all_series()
        if dict(x.labels)["__name__"] == "resilience4j_retry_calls_total"
    }
    assert kinds == {
        "successful_without_retry",
        "successful_with_retry",
        "failed_with_retry",
        "failed_without_retry",
    }
