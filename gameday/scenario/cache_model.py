"""Scenario keys for caches and resilient calls: a Redis server, a service's cache-aside
key family, and the retry, timeout and circuit-breaker policy of a call.

A service with ``redis:`` *is* a Redis server (its Deployment runs ``redis-server``);
a service with ``cache:`` reads through that server and falls back to its database on a
miss; ``resilience:`` maps a callee to the caller's client policy (the knobs of
resilience4j 2.x: ``maxAttempts``, ``waitDuration``, ``timeoutDuration``,
``failureRateThreshold``, ``slidingWindowSize``, ``waitDurationInOpenState``,
``permittedNumberOfCallsInHalfOpenState``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, Field

from gameday.scenario.model_base import Duration, Strict

# Redis's own memory units (redis.conf, "Note on units"): k/m/g are powers of 1000,
# kb/mb/gb powers of 1024, case-insensitive.
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1024,
    "m": 10**6,
    "mb": 1024**2,
    "g": 10**9,
    "gb": 1024**3,
}
_MEMORY = re.compile(r"^\s*(\d+)\s*([a-z]*)\s*$", re.IGNORECASE)
Policy = Literal[
    "noeviction",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
]
POLICIES: tuple[str, ...] = get_args(Policy)


def parse_memory(value: Any) -> int:
    """``256mb`` / ``1gb`` / ``1000000`` as bytes, with redis.conf's units."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 256mb")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a size cannot be negative")
        return value
    match = _MEMORY.match(str(value))
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(f"{value!r} is not a size (redis.conf units: 100mb, 1gb, 500k)")
    return int(match.group(1)) * _UNITS[unit]


Bytes = Annotated[int, BeforeValidator(parse_memory)]
Seconds = Duration


class RedisSpec(Strict):
    """The Redis server a service's pods run (``redis-server``, no persistence)."""

    version: str = Field("7.2.4", description="the redis_version INFO reports")
    maxmemory: Bytes = Field(256 * 1024**2, description="maxmemory; 0 means no limit")
    maxmemory_policy: Policy = "allkeys-lru"
    maxmemory_samples: int = Field(5, ge=1, le=64)
    persistence: bool = Field(
        False, description="false: a new pod starts empty (no RDB/AOF on a volume)"
    )
    config_set: dict[Literal["maxmemory", "maxmemory-policy"], str] = Field(
        default_factory=dict,
        description="CONFIG SET done at runtime on the pod running at the start (not in "
        "its config file: a new pod starts without it)",
    )


class CacheUse(Strict):
    """How a service reads through a Redis cache (cache-aside: GET, on a miss query the
    database and SET with a TTL)."""

    server: str = Field(description="the service that runs Redis (has a redis: block)")
    key: str = Field("item:{id}", description="the key pattern; {id} is the item's id")
    keys: int = Field(100_000, ge=1, le=50_000_000, description="distinct items requested")
    skew: float = Field(1.0, ge=0, le=3, description="Zipf exponent of item popularity")
    value_bytes: int = Field(2048, ge=1, le=512 * 1024**2)
    ttl: Seconds = Field(600.0, description="the TTL each SET gives (EX)")
    ttl_jitter: float = Field(0.0, ge=0, lt=1, description="TTL spread: ttl x (1 +/- jitter)")
    single_flight: bool = Field(
        False, description="misses on the same key share one database fetch (per pod)"
    )
    warm: float = Field(1.0, ge=0, le=1, description="share of the steady state at t=0")


class BreakerSpec(Strict):
    """A count-based circuit breaker (resilience4j CircuitBreakerConfig defaults)."""

    failure_rate_threshold: float = Field(50.0, gt=0, le=100, description="percent")
    slow_call_duration_threshold: Seconds | None = Field(
        None, description="calls slower than this count as slow (and as failures here)"
    )
    sliding_window_size: int = Field(100, ge=1)
    minimum_number_of_calls: int = Field(100, ge=1)
    wait_duration_in_open_state: Seconds = Field(60.0)
    permitted_number_of_calls_in_half_open_state: int = Field(10, ge=1)


class CallPolicy(Strict):
    """A caller's client policy for one callee."""

    timeout: Seconds = Field(1.0, description="per attempt (TimeLimiter timeoutDuration)")
    max_attempts: int = Field(1, ge=1, le=20, description="the first call included")
    backoff: Seconds = Field(0.0, description="wait before the 2nd attempt (waitDuration)")
    backoff_multiplier: float = Field(1.0, ge=1, le=10)
    optional: bool = Field(
        False, description="a failed call degrades the response (fallback) instead of failing it"
    )
    breaker: BreakerSpec | None = None
