"""Faults: what goes wrong and how it bends the world.

A :class:`ActiveFault` holds the running state of one scenario fault. The world asks
each active fault for its effect on a service every tick (stuck connections, a slower
query, more traffic, errors from a dependency) and scales it by how much of it the
world still carries (:mod:`gameday.world.carriers`); nothing here knows any command.
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
    values: dict[str, Any] = field(default_factory=dict)  # params, ranges drawn
    relieved_at: float | None = None  # since when nothing carries it (None: carried)
    was_carried: bool = False  # something carried it at least once

    def resolve(self, rng: Any) -> None:
        """Fix this session's parameter values: typed, defaults filled, ranges drawn."""
        from gameday.scenario.fault_params import draw

        typed = self.spec.typed_params()
        values: dict[str, Any] = {}
        for key in type(typed).model_fields:
            value = getattr(typed, key)
            values[key] = draw(value, rng) if isinstance(value, tuple) else value
        self.values = values

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def type(self) -> str:
        return self.spec.type

    def param(self, key: str, default: Any) -> Any:
        """This session's value of a parameter (drawn from its range), else ``default``."""
        value = self.values.get(key) if self.values else self.spec.params.get(key)
        return default if value is None else value

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
        if kind == "slow_dependency":
            return Effect(added_latency=float(self.param("latency_ms", 800.0)) / 1000.0)
        if kind in ("dependency_errors", "stale_state"):
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
