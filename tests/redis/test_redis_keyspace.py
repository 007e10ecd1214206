"""The keyspace as a spec: keys written together expire together (a TTL wave) unless
their TTL is jittered; maxmemory evicts by the policy; a flush empties everything."""

from __future__ import annotations

import math

import pytest

from gameday.scenario.cache_model import CacheUse, RedisSpec
from gameday.world.redis.keyspace import Keyspace
from gameday.world.redis.server import RedisServer, memory_usage

SLOT = 15.0
TTL = 600.0


def refill(jitter: float) -> tuple[Keyspace, list[tuple[float, float]]]:
    """An empty cache refilled by 900 requests/s for two minutes with a 10-minute TTL;
    then 30 minutes with nobody asking, logging (t, keys expired in that tick)."""
    ks = Keyspace(100_000, 1.0, SLOT, TTL * 1.5)
    t = 0.0
    for _ in range(8):
        t += SLOT
        ks.expire(t)
        ks.demand(900.0, SLOT, 0.05, 0.0)
        ks.settle(0.0)
        ks.fill(t, TTL, jitter)
    log = []
    while t < 1800:
        t += SLOT
        log.append((t, ks.expire(t)))
    return ks, log


def test_keys_set_together_expire_together_without_jitter() -> None:
    """Without jitter the two minutes of refills expire in the same two minutes, one TTL
    later, the first tick's keys (the hottest, a fifth of all) in one tick."""
    _, log = refill(0.0)
    expiring = [(t, n) for t, n in log if n > 0]
    total = sum(n for _, n in log)
    assert [t for t, _ in expiring] == [SLOT * k + TTL for k in range(1, 9)]
    assert expiring[0][1] / total > 0.2
    assert expiring[0][1] == max(n for _, n in expiring)


def test_jitter_spreads_the_wave() -> None:
    """With TTL x (1 +/- 0.2) the same keys expire over five and a half minutes, the
    busiest tick a third of the unjittered one."""
    _, plain = refill(0.0)
    _, spread = refill(0.2)
    assert sum(n for _, n in spread) == pytest.approx(sum(n for _, n in plain), rel=1e-6)
    assert max(n for _, n in spread) < max(n for _, n in plain) / 2.5
    expiring = [t for t, n in spread if n > 0]
    assert expiring[0] >= SLOT + TTL * 0.8
    assert expiring[-1] <= 8 * SLOT + TTL * 1.2 + SLOT
    assert expiring[-1] - expiring[0] > 300


def test_wave_share_tells_a_synchronised_cache_from_a_warm_one() -> None:
    """A cache warm for days expires evenly; one refilled after a flush expires in a wave."""
    warm = Keyspace(100_000, 1.0, SLOT, TTL * 1.5)
    warm.warm(0.0, 900.0, TTL, 0.0, 1.0)
    refilled, _ = refill(0.0)
    refilled_before = Keyspace(100_000, 1.0, SLOT, TTL * 1.5)
    refilled_before.demand(900.0, SLOT, 0.05, 0.0)
    refilled_before.settle(0.0)
    refilled_before.fill(SLOT, TTL, 0.0)
    assert warm.wave() < 0.06
    assert refilled_before.wave() == pytest.approx(1.0)


def test_hot_keys_stay_and_the_tail_is_evicted_under_allkeys_lru() -> None:
    """At maxmemory, allkeys-lru evicts the least recently used keys: the long tail."""
    spec = RedisSpec(maxmemory=8 * 1024**2, maxmemory_policy="allkeys-lru")
    server = RedisServer("cache", spec, seed=1)
    server.sync([("cache-0", 0.0, 0)], 0.0)
    use = CacheUse(server="cache", key="item:{id}", keys=50_000, value_bytes=1000, ttl=3600)
    server.add("app", use, SLOT)
    for i in range(1, 21):
        server.expire(i * SLOT)
        server.demand("app", 500.0, SLOT, 0.05, 0.0)
        server.families["app"].keyspace.settle(0.0)
        server.fill("app", i * SLOT, SLOT, [(1.0, 0.0)])
    ks = server.families["app"].keyspace
    assert server.used_memory() <= spec.maxmemory
    assert server.stats.evicted > 1000
    assert ks.cached[0] == pytest.approx(ks.size[0])  # the hottest key is kept
    assert ks.cached[-1] < 0.05 * ks.size[-1]  # the coldest bin went first


def test_noeviction_refuses_writes_instead_of_evicting() -> None:
    """noeviction: nothing is evicted; writes beyond maxmemory are refused."""
    spec = RedisSpec(maxmemory=4 * 1024**2, maxmemory_policy="noeviction")
    server = RedisServer("cache", spec, seed=1)
    server.sync([("cache-0", 0.0, 0)], 0.0)
    server.add("app", CacheUse(server="cache", keys=50_000, value_bytes=1000, ttl=3600), SLOT)
    for i in range(1, 21):
        server.expire(i * SLOT)
        server.demand("app", 500.0, SLOT, 0.05, 0.0)
        server.families["app"].keyspace.settle(0.0)
        server.fill("app", i * SLOT, SLOT, [(1.0, 0.0)])
    assert server.stats.evicted == 0
    assert spec.maxmemory - 2000 < server.used_memory() <= spec.maxmemory


def test_a_new_pod_starts_empty_with_its_counters_reset() -> None:
    """The data lives in the pod: a replacement pod starts empty, a new run_id, stats zero."""
    server = RedisServer("cache", RedisSpec(), seed=3)
    server.sync([("cache-a", 0.0, 0)], 0.0)
    server.add("app", CacheUse(server="cache"), SLOT).keyspace.warm(0.0, 500.0, 600.0, 0.0, 1.0)
    server.stats.hits = 1234.0
    run_id = server.run_id
    server.sync([("cache-a", 0.0, 0)], 30.0)  # the same pod: nothing changes
    assert server.keys() > 0 and server.run_id == run_id
    server.sync([("cache-b", 40.0, 0)], 45.0)  # replaced
    assert server.keys() == 0 and server.stats.hits == 0 and server.run_id != run_id
    assert server.started_at == 40.0


def test_memory_usage_follows_redis_allocations() -> None:
    """MEMORY USAGE of a string: embstr up to 44 bytes, a separate sds above."""
    small, big = memory_usage("k:1", 10), memory_usage("k:1", 3400)
    assert small < 80
    assert 3400 < big < 3400 + 256
    assert memory_usage("product:1", 3400) == memory_usage("product:2", 3400)
    assert math.isfinite(big)
