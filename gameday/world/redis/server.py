"""A Redis server in a pod: its key families, memory, eviction and INFO counters.

The data lives in the memory of the pod that runs ``redis-server``; without persistence
a replaced or restarted pod comes back empty, with its counters (``INFO stats``) reset
and a new ``run_id``, as a real restart does. Each tick the world tells the server which
pod serves it (:meth:`RedisServer.sync`), then each caller's key family serves its GETs
(:meth:`RedisServer.demand`) and SETs what its fetches brought back (:meth:`fill`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from gameday.scenario.cache_model import CacheUse, RedisSpec
from gameday.world.redis.keyspace import Demand, Keyspace

EMPTY_USED = 868_000  # used_memory of an idle Redis 7.2 with a few clients (bytes)
PER_KEY_OVERHEAD = 24 + 8  # the expires dict entry and a hash-table bucket per key
_JE_SMALL = (8, 16, 24, 32, 48, 64, 80, 96, 112, 128)


def jemalloc(n: int) -> int:
    """The jemalloc size class an allocation of ``n`` bytes takes (4 classes a doubling)."""
    for size in _JE_SMALL:
        if n <= size:
            return size
    base = 128
    while True:
        step = base // 4
        for k in range(1, 5):
            if n <= base + k * step:
                return base + k * step
        base *= 2


def memory_usage(key: str, value_bytes: int) -> int:
    """``MEMORY USAGE key`` of a string: dictEntry, key sds, robj and value sds."""
    if value_bytes <= 44:  # OBJ_ENCODING_EMBSTR: robj and sds in one allocation
        value = jemalloc(16 + 3 + value_bytes + 1)
    else:
        header = 3 if value_bytes < 256 else 5 if value_bytes < 65536 else 9
        value = 16 + jemalloc(header + value_bytes + 1)
    return 24 + jemalloc(3 + len(key.encode()) + 1) + value


@dataclass
class Family:
    """One caller's keys on the server."""

    caller: str
    use: CacheUse
    keyspace: Keyspace
    key_bytes: int
    prime: int

    def key(self, rank: int) -> str:
        """The key of the item of popularity ``rank`` (ids are not in popularity order)."""
        item = ((rank - 1) * self.prime) % self.use.keys + 1
        return self.use.key.replace("{id}", str(item))

    def rank(self, key: str) -> int | None:
        """The popularity rank of ``key``, or None when the pattern does not match it."""
        prefix, _, suffix = self.use.key.partition("{id}")
        if not (key.startswith(prefix) and key.endswith(suffix)):
            return None
        middle = key[len(prefix) : len(key) - len(suffix)] if suffix else key[len(prefix) :]
        if not middle.isdigit() or not 1 <= int(middle) <= self.use.keys:
            return None
        inverse = pow(self.prime, -1, self.use.keys) if self.use.keys > 1 else 1
        return ((int(middle) - 1) * inverse) % self.use.keys + 1


@dataclass
class Stats:
    """``INFO stats`` counters since the server started."""

    hits: float = 0.0
    misses: float = 0.0
    evicted: float = 0.0
    expired: float = 0.0
    commands: float = 0.0
    connections: int = 0
    ops_per_sec: float = 0.0


@dataclass
class RedisServer:
    """The server of one ``redis:`` service."""

    name: str
    spec: RedisSpec
    seed: int
    families: dict[str, Family] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    pod: str | None = None  # the pod whose memory holds the data
    started_at: float = 0.0
    run_id: str = ""
    up: bool = True
    clients: int = 0
    maxmemory: int = 0  # CONFIG SET changes these until the next restart
    policy: str = "noeviction"
    _tick_ops: float = 0.0

    def __post_init__(self) -> None:
        self.maxmemory = self.spec.maxmemory
        self.policy = self.spec.maxmemory_policy

    def add(self, caller: str, use: CacheUse, slot: float) -> Family:
        """Register a caller's key family."""
        max_ttl = use.ttl * (1 + use.ttl_jitter) + slot
        space = Keyspace(use.keys, use.skew, slot, max_ttl)
        sample = use.key.replace("{id}", str(use.keys))
        prime = next(p for p in (7919, 104729, 15485863) if use.keys % p)
        fam = Family(caller, use, space, memory_usage(sample, use.value_bytes), prime)
        self.families[caller] = fam
        return fam

    def restart(self, pod: str | None, now: float, restarts: int) -> None:
        """The process started afresh in ``pod``: empty, counters reset, a new run_id."""
        self.pod = pod
        self.started_at = now
        rng = random.Random(f"{self.seed}:redis:{self.name}:{pod}:{restarts}")
        self.run_id = f"{rng.getrandbits(160):040x}"
        self.stats = Stats()
        self.maxmemory = self.spec.maxmemory
        self.policy = self.spec.maxmemory_policy
        if not self.spec.persistence:
            for fam in self.families.values():
                fam.keyspace.flush()

    def sync(self, serving: list[tuple[str, float, int]], now: float) -> None:
        """Follow the pods: ``(name, started_at, restarts)`` of each serving pod.

        The data stays with its pod while that pod's container runs; when it is gone or
        its container restarted, the pod that now serves starts empty.
        """
        current = {name: (started, restarts) for name, started, restarts in serving}
        self.up = bool(current)
        if self.pod in current and current[self.pod][0] == self.started_at:
            return
        if not current:
            return
        name = min(current, key=lambda n: (current[n][0], n))
        started, restarts = current[name]
        self.restart(name, started, restarts)

    def used_memory(self) -> int:
        """``used_memory``: the empty server plus every key."""
        keys = sum(
            f.keyspace.total * (f.key_bytes + PER_KEY_OVERHEAD) for f in self.families.values()
        )
        return EMPTY_USED + round(keys)

    def keys(self) -> int:
        """``DBSIZE``."""
        return round(sum(f.keyspace.total for f in self.families.values()))

    def expire(self, now: float) -> None:
        """Active expiry: drop the keys whose TTL ran out (the first step of a tick)."""
        self._tick_ops = 0.0
        for fam in self.families.values():
            self.stats.expired += fam.keyspace.expire(now)

    def demand(
        self,
        caller: str,
        rate: float,
        dt: float,
        fetch_time: float,
        failed: float,
        flight: float = math.inf,
        coalesced: float = 0.0,
    ) -> Demand:
        """The caller's GETs this tick; counted as hits and misses. While no pod serves,
        every GET fails (connection refused) and every request queries the database."""
        fam = self.families[caller]
        if not self.up:
            fam.keyspace.demand(0.0, dt, fetch_time, failed)
            return Demand(misses=rate, fetches=rate)
        got = fam.keyspace.demand(rate, dt, fetch_time, failed, flight, coalesced)
        self.stats.hits += got.hits * dt
        self.stats.misses += got.misses * dt
        self.stats.commands += (got.hits + got.misses) * dt
        self._tick_ops += got.hits + got.misses
        return got

    def fill(self, caller: str, now: float, dt: float, writers: list[tuple[float, float]]) -> None:
        """SET what the caller's fetches brought back; ``writers`` are (share of the
        caller's pods, the TTL jitter they use). Above maxmemory evict as the policy
        says; ``noeviction`` refuses the writes instead (OOM command not allowed)."""
        fam = self.families[caller]
        if not self.up:
            fam.keyspace.fill(now, fam.use.ttl, 0.0, room=0.0)
            return
        limit = self.maxmemory or math.inf
        per_key = fam.key_bytes + PER_KEY_OVERHEAD
        written = 0.0
        left = 1.0
        for share, jitter in writers:
            room = math.inf
            if self.policy == "noeviction":
                room = max(0.0, (limit - self.used_memory()) / per_key)
            part = share / left if left > 1e-12 else 1.0
            written += fam.keyspace.fill(now, fam.use.ttl, jitter, room, share=min(1.0, part))
            left -= share
            over = self.used_memory() - limit
            if over > 0 and self.policy != "noeviction":
                self.stats.evicted += fam.keyspace.evict(math.ceil(over / per_key), self.policy)
        self.stats.commands += written
        self._tick_ops += written / dt if dt > 0 else 0.0
        self.stats.ops_per_sec = self._tick_ops

    def config_set(self, key: str, value: str) -> None:
        """``CONFIG SET`` of maxmemory or maxmemory-policy (until the next restart).

        Raises:
            ValueError: for a value Redis would refuse.
        """
        from gameday.scenario.cache_model import POLICIES, parse_memory

        if key == "maxmemory":
            self.maxmemory = parse_memory(value)
        elif key == "maxmemory-policy" and value.lower() in POLICIES:
            self.policy = value.lower()
        else:
            raise ValueError(f"{key} {value}")
        self.enforce()

    def enforce(self) -> None:
        """Evict down to maxmemory now (as the next write would)."""
        limit = self.maxmemory or math.inf
        for fam in self.families.values():
            over = self.used_memory() - limit
            if over <= 0 or self.policy == "noeviction":
                return
            per_key = fam.key_bytes + PER_KEY_OVERHEAD
            self.stats.evicted += fam.keyspace.evict(math.ceil(over / per_key), self.policy)

    def flushall(self) -> None:
        """``FLUSHALL``: every key gone at once (the counters stay)."""
        for fam in self.families.values():
            fam.keyspace.flush()

    def avg_ttl_ms(self, now: float) -> int:
        """``avg_ttl`` of ``INFO keyspace``: the mean TTL left of keys with an expire."""
        total = weighted = 0.0
        for fam in self.families.values():
            ks = fam.keyspace
            rows = len(ks.ring)
            for k in range(rows):
                count = float(ks.ring[(ks.next_slot + k) % rows].sum())
                if count:
                    total += count
                    weighted += count * max(0.0, (ks.next_slot + k + 0.5) * ks.slot - now)
        return round(1000 * weighted / total) if total else 0
