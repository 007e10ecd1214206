"""The cache-aside clients of the world: callers GET from Redis, fetch misses from their
database through their pool, and SET what came back.

Each tick, after the controllers moved the pods, :meth:`Caches.sync` lets every Redis
server follow its pod (a replaced pod starts empty) and expire keys;
:meth:`Caches.db_share` tells the world what share of a cached caller's requests need a
database connection this tick (the misses, multiplied by the dogpile when a hot key
is being fetched by many requests at once); :meth:`Caches.served` SETs the keys whose
fetch got a connection. So a cold cache is a stampede on the database, and warming
follows from the traffic that succeeds.

A pod's environment overrides its cache client: ``CACHE_SINGLE_FLIGHT=true`` (misses on
one key wait for one fetch) and ``CACHE_TTL_JITTER=0.2`` (each SET's TTL x (1 +/- 0.2)).
"""

from __future__ import annotations

from typing import Any

from gameday.scenario.cache_model import CacheUse
from gameday.world.redis.server import RedisServer

SINGLE_FLIGHT = "CACHE_SINGLE_FLIGHT"
TTL_JITTER = "CACHE_TTL_JITTER"
SATURATED = 0.01  # a pool that refuses this share of the fetches
COLD = 0.8  # a cold cache: hit ratio below 80% of its warm steady state


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _jitter(value: str | None, default: float) -> float:
    try:
        return min(0.9, max(0.0, float(value))) if value is not None else default
    except ValueError:
        return default


class Caches:
    """Every Redis server of the world and the services that read through them."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.servers: dict[str, RedisServer] = {}
        self.users: dict[str, CacheUse] = {}
        self.failed: dict[str, float] = {}  # share of a caller's fetches the pool refused
        self.steady: dict[str, float] = {}  # a caller's warm hit ratio
        slot = world.scenario.scrape_interval
        for svc in world.services.values():
            if svc.redis is not None:
                self.servers[svc.name] = RedisServer(svc.name, svc.redis, world.seed)
        for svc in world.services.values():
            if svc.cache is not None and svc.cache.server in self.servers:
                self.users[svc.name] = svc.cache
                self.servers[svc.cache.server].add(svc.name, svc.cache, slot)
                self.failed[svc.name] = 0.0
        self.sync(0.0)
        for server in self.servers.values():  # runtime changes the running pod carries
            for key, value in server.spec.config_set.items():
                server.config_set(key, value)
        for caller, use in self.users.items():
            fam = self.servers[use.server].families[caller]
            rate = _expected_rate(world, caller)
            fam.keyspace.warm(0.0, rate, use.ttl, use.ttl_jitter, use.warm)
            self.steady[caller] = fam.keyspace.hit_ratio() / max(use.warm, 1e-9)

    def sync(self, now: float) -> None:
        """Servers follow their pods, then expire what ran out."""
        for name, server in self.servers.items():
            pods = self.world.serving_pods(name)
            server.sync([(p.name, p.started_at or 0.0, p.restarts) for p in pods], now)
            server.expire(now)

    def db_share(self, caller: str, offered: float, dt: float, pods: list[Any]) -> float:
        """The share of ``caller``'s requests that query the database this tick."""
        use = self.users.get(caller)
        if use is None:
            return 1.0
        server = self.servers[use.server]
        svc = self.world.services[caller]
        coalescing = [p for p in pods if _truthy(p.env.get(SINGLE_FLIGHT, str(use.single_flight)))]
        failed = self.failed[caller]
        hold = svc.pool.hold if svc.pool else svc.latency
        wait = svc.pool.timeout if svc.pool else 0.0
        fetch_time = hold + wait * min(1.0, failed / 0.05)
        got = server.demand(
            caller,
            offered,
            dt,
            fetch_time,
            failed,
            flight=max(1, len(coalescing)),
            coalesced=len(coalescing) / len(pods) if pods else 0.0,
        )
        return min(1.0, got.fetches / offered) if offered > 0 else 0.0

    def served(self, caller: str, refused: float, now: float, dt: float, pods: list[Any]) -> None:
        """The pool refused ``refused`` of the fetches; SET what the others brought back."""
        use = self.users.get(caller)
        if use is None:
            return
        self.failed[caller] = refused
        server = self.servers[use.server]
        server.families[caller].keyspace.settle(refused)
        groups: dict[float, int] = {}
        for pod in pods:
            jitter = _jitter(pod.env.get(TTL_JITTER), use.ttl_jitter)
            groups[jitter] = groups.get(jitter, 0) + 1
        writers = [(n / len(pods), j) for j, n in sorted(groups.items())] if pods else []
        server.fill(caller, now, dt, writers)

    def carried(self, server_name: str) -> bool:
        """A stampede is carried while a caller's misses saturate its pool (the database
        refuses its fetches) or while the cache answers well under its warm hit ratio."""
        server = self.servers.get(server_name)
        if server is None:
            return False
        for caller, fam in server.families.items():
            if self.failed.get(caller, 0.0) > SATURATED:
                return True
            if not server.up or fam.keyspace.hit_ratio() < COLD * self.steady[caller]:
                return True
        return False

    def clients(self, server_name: str) -> int:
        """``connected_clients``: one Lettuce connection per running caller pod, the
        exporter's, and redis-cli's own while it runs."""
        server = self.servers[server_name]
        if not server.up:
            return 0
        pods = sum(
            len([p for p in self.world.pods(caller) if p.running]) for caller in server.families
        )
        return pods + 2


def _expected_rate(world: Any, name: str) -> float:
    """Requests a second a service gets on a normal day: its traffic, or its callers'."""
    svc = world.services[name]
    if svc.traffic is not None:
        return float(svc.traffic.rps)
    rate = 0.0
    for caller in world.services.values():
        if name in caller.calls:
            rate += _expected_rate(world, caller.name) if caller.name != name else 0.0
    return rate if rate > 0 else 1.0
