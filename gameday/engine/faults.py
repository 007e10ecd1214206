"""Faults: what goes wrong, how it bends the world, and what fixes it.

A :class:`ActiveFault` holds the running state of one scenario fault. The world asks
each active fault for its effect on a service every tick (stuck connections, a slower
query, more traffic, errors from a dependency); actions tell faults about rollbacks,
restarts and terminated backends, and a fault answers whether that mitigated it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from gameday.scenario.model import Fault

DEFAULT_BLOCKER_QUERY = (
    "UPDATE orders SET status = 'archived' WHERE created_at < now() - interval '2 years'"
)
WAITER_QUERIES = [
    "SELECT id, status FROM orders WHERE customer_id = $1 FOR UPDATE",
    "UPDATE orders SET status = $1, updated_at = now() WHERE id = $2",
    "INSERT INTO orders (customer_id, total_cents, status) VALUES ($1, $2, 'new')",
]


@dataclass
class Effect:
    """How active faults change one service during one tick."""

    stuck_target: float = 0.0  # connections of the pool that no request can use
    leak_per_request: float = 0.0
    hold_factor: float = 1.0
    traffic_factor: float = 1.0
    error_ratio: float = 0.0
    added_latency: float = 0.0
    memory_mib_per_min: float = 0.0


@dataclass
class ActiveFault:
    """The running state of one fault."""

    spec: Fault
    started_at: float
    ended_at: float | None = None
    end_reason: str | None = None
    blocker_pid: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def type(self) -> str:
        return self.spec.type

    def param(self, key: str, default: Any) -> Any:
        return self.spec.params.get(key, default)

    def effect(self, pool_total: int, initial_pool_total: int) -> Effect:
        """This fault's effect on its service while active."""
        kind = self.spec.type
        if kind == "blocking_query":
            # Every write to the locked table waits holding its connection, so waiters
            # fill any pool, however large; what stays free is what reads need.
            held = float(self.param("connections", 25))
            free = max(0.0, initial_pool_total - held)
            return Effect(stuck_target=max(0.0, pool_total - free))
        if kind == "connection_leak":
            return Effect(leak_per_request=float(self.param("leak_per_1k", 2.0)) / 1000.0)
        if kind == "slow_query":
            return Effect(hold_factor=float(self.param("factor", 20.0)))
        if kind == "traffic_spike":
            return Effect(traffic_factor=float(self.param("factor", 3.0)))
        if kind == "memory_leak":
            return Effect(memory_mib_per_min=float(self.param("mib_per_min", 20.0)))
        if kind == "dependency_errors":
            from gameday.durations import parse_duration

            return Effect(
                error_ratio=float(self.param("error_ratio", 0.5)),
                added_latency=parse_duration(self.param("latency", "0s")),
            )
        return Effect()


def approach(current: float, target: float, dt: float, tau: float) -> float:
    """Move ``current`` toward ``target`` as a first-order lag with time constant ``tau``."""
    if tau <= 0:
        return target
    return target + (current - target) * math.exp(-dt / tau)
