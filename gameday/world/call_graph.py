"""The call graph's client side: each caller's policy per callee applied every tick.

:meth:`CallGraph.send` runs while the world works out the offered load: a caller's pods,
grouped by the policy their environment gives them, send their calls through retries and
the breaker, judged on what the callee did last tick; the callee is offered the
attempts. :meth:`CallGraph.cost` then tells the caller how long its threads waited and
what share of its requests the calls failed; :meth:`CallGraph.settle` counts the calls
(resilience4j's Micrometer counters) and moves the breakers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from gameday.scenario.cache_model import CallPolicy
from gameday.world.calls import (
    CLOSED,
    HALF_OPEN,
    Attempts,
    Breaker,
    CallOutcome,
    attempt,
    half_open_share,
    outcome,
    policy_for,
)


@dataclass
class EdgeCounters:
    """resilience4j's counters for one caller's instance of one callee."""

    retry: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "successful_without_retry",
                "successful_with_retry",
                "failed_with_retry",
                "failed_without_retry",
            ),
            0.0,
        )
    )
    successful: float = 0.0  # breaker calls (attempts) by outcome
    failed: float = 0.0
    not_permitted: float = 0.0
    seconds: float = 0.0  # sum of the attempts' durations
    failure_rate: float = -1.0  # the breaker's gauge: -1 until the window has enough calls


@dataclass
class Edge:
    """One caller -> callee call with a policy."""

    caller: str
    callee: str
    base: CallPolicy | None
    breaker: Breaker = field(default_factory=Breaker)
    counters: EdgeCounters = field(default_factory=EdgeCounters)
    now: CallOutcome = field(default_factory=CallOutcome)
    attempts: Attempts = field(default_factory=lambda: Attempts(0.0, 0.0))
    has_breaker: bool = False
    policied: bool = False  # some serving pod of the caller has a policy for it this tick
    policies: dict[tuple[tuple[str, str], ...], Any] = field(default_factory=dict)
    by_pod: dict[str, Any] = field(default_factory=dict)  # a pod's env never changes


_MISSING = object()


class CallGraph:
    """Every call between services that has a client policy (or may get one by env)."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.edges: dict[tuple[str, str], Edge] = {}
        for svc in world.services.values():
            policies = svc.resilience or {}
            for callee in svc.calls:
                self.edges[(svc.name, callee)] = Edge(svc.name, callee, policies.get(callee))

    def send(self, caller: str, callee: str, calls: float, pods: list[Any], dt: float) -> float:
        """Attempts per second ``caller``'s ``calls`` put on ``callee`` this tick."""
        edge = self.edges[(caller, callee)]
        groups = _groups(edge, pods)
        edge.policied = bool(groups)
        if not groups:  # no policy anywhere: one attempt a call, as before
            edge.now = CallOutcome(sent=calls, calls=calls)
            return calls
        st = self.world.status[callee]
        within = _within(st, groups)
        total = CallOutcome(calls=calls)
        edge.has_breaker = any(p.breaker is not None for p, _ in groups)
        for policy, share in groups:
            a = attempt(
                policy, st.error_ratio, within[policy.timeout], st.ok_latency, st.fail_latency
            )
            edge.attempts = a
            permitted = 1.0
            if policy.breaker is not None:
                permitted = edge.breaker.permitted(policy.breaker, self.world.now)
                if edge.breaker.state == HALF_OPEN:
                    permitted = half_open_share(policy.breaker, calls * share * dt)
            got = outcome(policy, calls * share, a, permitted)
            total.sent += got.sent
            total.failed += got.failed * share
            total.not_permitted += got.not_permitted * share
            total.seconds += got.seconds * share
            total.retried_ok += got.retried_ok * share
        edge.now = total
        return total.sent

    def cost(self, caller: str, callee: str) -> tuple[float, float, bool]:
        """(seconds a request waits on the call, share of requests it fails, optional)."""
        edge = self.edges[(caller, callee)]
        optional = bool(edge.base and edge.base.optional)
        if not edge.policied:
            return math.nan, math.nan, optional
        return edge.now.seconds, edge.now.failed, optional

    def settle(self, dt: float) -> None:
        """Count this tick's calls and move each breaker on its attempts."""
        now = self.world.now
        for edge in self.edges.values():
            got, c = edge.now, edge.counters
            if got.calls <= 0 or not edge.policied:
                continue
            n = got.calls * dt
            permitted = 1.0 - got.not_permitted
            attempts = got.sent * dt
            f = edge.attempts.fail
            ok_first = n * permitted * (1 - f)
            ok_retry = n * got.retried_ok
            failed_calls = (
                n * permitted * max(0.0, got.failed - got.not_permitted) / max(permitted, 1e-9)
                if permitted > 0
                else 0.0
            )
            retried = (edge.base or CallPolicy()).max_attempts > 1
            c.retry["successful_without_retry"] += ok_first
            c.retry["successful_with_retry"] += ok_retry
            c.retry["failed_with_retry" if retried else "failed_without_retry"] += failed_calls
            c.successful += attempts * (1 - f)
            c.failed += attempts * f
            c.not_permitted += n * got.not_permitted
            c.seconds += attempts * edge.attempts.seconds
            if edge.has_breaker:
                c.failure_rate = round(100 * f, 2) if attempts >= 1 else -1.0
                spec = _breaker_spec(edge, self.world)
                edge.breaker.record(spec, attempts, f, now)

    def state(self, caller: str, callee: str) -> str:
        """The breaker's state (``closed`` when the caller has none)."""
        edge = self.edges.get((caller, callee))
        return edge.breaker.state if edge is not None else CLOSED


def _groups(edge: Edge, pods: list[Any]) -> list[tuple[CallPolicy, float]]:
    """The caller's serving pods grouped by the policy their environment gives them
    (worked out once per distinct environment)."""
    if not pods:
        return [(edge.base, 1.0)] if edge.base is not None else []
    found: dict[int, tuple[CallPolicy, int]] = {}
    by_pod = edge.by_pod
    for pod in pods:
        policy = by_pod.get(pod.name, _MISSING)
        if policy is _MISSING:
            key = tuple(sorted(pod.env.items()))
            policy = edge.policies.get(key, _MISSING)
            if policy is _MISSING:
                policy = edge.policies[key] = policy_for(edge.base, pod.env, edge.callee)
            by_pod[pod.name] = policy
        if policy is None:
            continue
        held = found.get(id(policy))
        found[id(policy)] = (policy, (held[1] if held else 0) + 1)
    return [(p, n / len(pods)) for p, n in found.values()]


def _within(status: Any, groups: list[tuple[CallPolicy, float]]) -> dict[float, float]:
    """The share of the callee's answers within each group's timeout."""
    from gameday.world.metrics import latency_cdf

    return {p.timeout: latency_cdf(status, p.timeout) for p, _ in groups}


def _breaker_spec(edge: Edge, world: Any) -> Any:
    for policy, _ in _groups(edge, world.serving_pods(edge.caller)):
        if policy.breaker is not None:
            return policy.breaker
    return None
