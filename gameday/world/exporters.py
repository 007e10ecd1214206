"""Series of redis_exporter and of resilience4j's Micrometer binders.

redis_exporter (oliver006/redis_exporter v1.x, ``exporter/exporter.go``'s
``metricMapCounters``/``metricMapGauges``) maps INFO fields to ``redis_*`` names:
``keyspace_hits`` -> ``redis_keyspace_hits_total``, ``used_memory`` ->
``redis_memory_used_bytes``, ``maxmemory`` -> ``redis_memory_max_bytes``, ``db0:keys``
-> ``redis_db_keys{db="db0"}``, and adds ``redis_up``. The exporter runs as its own
deployment scraping ``redis://SERVICE:6379`` (the multi-target pattern), so ``instance``
stays put when the Redis pod is replaced, and while no Redis answers only
``redis_up 0`` is exposed.

resilience4j-micrometer 2.x: ``resilience4j_circuitbreaker_state{name,state}`` (1 for the
current state of the six), ``resilience4j_circuitbreaker_calls_seconds_count{kind}``
(successful / failed attempts), ``resilience4j_circuitbreaker_not_permitted_calls_total``,
``resilience4j_circuitbreaker_failure_rate`` and ``resilience4j_retry_calls_total{kind}``,
one set per caller service (the pods' series summed) and callee instance ``name``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Labels = tuple[tuple[str, str], ...]
LabelFn = Callable[..., Labels]

_REDIS = (
    "redis_uptime_in_seconds",
    "redis_connected_clients",
    "redis_memory_used_bytes",
    "redis_memory_max_bytes",
    "redis_keyspace_hits_total",
    "redis_keyspace_misses_total",
    "redis_evicted_keys_total",
    "redis_expired_keys_total",
    "redis_commands_processed_total",
)
BREAKER_STATES = ("closed", "open", "half_open", "forced_open", "disabled", "metrics_only")
RETRY_KINDS = (
    "successful_without_retry",
    "successful_with_retry",
    "failed_with_retry",
    "failed_without_retry",
)


def redis(
    world: Any, lab: LabelFn, parts: dict[Any, Any], labels: list[Labels], values: list[float]
) -> None:
    """redis_exporter's series for every Redis service of the world."""
    for name, server in world.caches.servers.items():
        key = ("redis", name)
        found = parts.get(key)
        if found is None:
            base = (
                "namespace",
                world.namespace,
                "service",
                name,
                "job",
                "redis-exporter",
                "instance",
                f"redis://{name}:6379",
            )
            found = (
                lab("__name__", "redis_up", *base),
                tuple(lab("__name__", metric, *base) for metric in _REDIS),
                lab("__name__", "redis_db_keys", *base, "db", "db0"),
                lab("__name__", "redis_db_keys_expiring", *base, "db", "db0"),
            )
            parts[key] = found
        up, each, keys, expiring = found
        labels.append(up)
        if not server.up:
            values.append(0)
            continue
        s = server.stats
        labels += each
        labels += (keys, expiring)
        count = server.keys()
        values += (
            1,
            max(0, int(world.now - server.started_at)),
            world.redis_clients(name),
            server.used_memory(),
            server.maxmemory,
            round(s.hits),
            round(s.misses),
            round(s.evicted),
            round(s.expired),
            round(s.commands),
            count,
            count,
        )


def resilience(
    world: Any, lab: LabelFn, parts: dict[Any, Any], labels: list[Labels], values: list[float]
) -> None:
    """resilience4j's retry and circuit-breaker series of every call with a policy."""
    for (caller, callee), edge in world.calls.edges.items():
        if edge.base is None and not edge.policied:
            continue
        key = ("r4j", caller, callee, edge.has_breaker)
        found = parts.get(key)
        if found is None:
            base = ("namespace", world.namespace, "service", caller, "job", caller, "name", callee)
            retry = tuple(
                lab("__name__", "resilience4j_retry_calls_total", *base, "kind", k)
                for k in RETRY_KINDS
            )
            breaker: tuple[Labels, ...] = ()
            if edge.has_breaker:
                breaker = (
                    *(
                        lab("__name__", "resilience4j_circuitbreaker_state", *base, "state", s)
                        for s in BREAKER_STATES
                    ),
                    lab(
                        "__name__",
                        "resilience4j_circuitbreaker_calls_seconds_count",
                        *base,
                        "kind",
                        "successful",
                    ),
                    lab(
                        "__name__",
                        "resilience4j_circuitbreaker_calls_seconds_count",
                        *base,
                        "kind",
                        "failed",
                    ),
                    lab(
                        "__name__",
                        "resilience4j_circuitbreaker_not_permitted_calls_total",
                        *base,
                        "kind",
                        "not_permitted",
                    ),
                    lab("__name__", "resilience4j_circuitbreaker_failure_rate", *base),
                )
            found = (retry, breaker)
            parts[key] = found
        retry, breaker = found
        c = edge.counters
        labels += retry
        values += [int(c.retry[k]) for k in RETRY_KINDS]
        if breaker:
            labels += breaker
            state = edge.breaker.state
            values += [1 if s == state else 0 for s in BREAKER_STATES]
            values += (int(c.successful), int(c.failed), int(c.not_permitted), c.failure_rate)
