"""The cache in the world, through a session: a Redis pod replaced comes back empty;
the misses fall through to the database (a stampede: many identical active queries in
pg_stat_activity, the pool saturated); warming follows from the traffic once the cache
can hold the hot keys; redis_exporter's series are scraped into the TSDB."""

from __future__ import annotations

from typing import Any

import pytest

from gameday.runtime import prepare

EXEC = "kubectl exec deploy/catalogue-cache -n shop -- redis-cli"
ACTIVITY = (
    'psql -h catalogue-db -U postgres -d catalogue -At -c "SELECT count(*) FROM '
    "pg_stat_activity WHERE datname = 'catalogue' AND state = 'active' AND query LIKE "
    "'SELECT%products%'\""
)


def session(seed: int = 1, **changes: Any) -> Any:
    prepared = prepare("cache-stampede")
    scenario = prepared.loaded.scenario
    if changes:
        scenario = scenario.model_copy(update=changes)
    return prepared.session(seed=seed, scenario=scenario)


def onset(s: Any) -> float:
    return next(e.t for e in s.events if e.kind == "fault.start")


def series(s: Any, name: str) -> float:
    """The last scraped value of the one series called ``name``."""
    found = [x for x in s.tsdb.all_series() if dict(x.labels)["__name__"] == name]
    assert len(found) == 1, name
    return float(found[0].v[-1])


def test_a_replaced_cache_pod_comes_back_empty_and_the_misses_stampede_the_database() -> None:
    """After the eviction the cache is empty, every lookup misses, the catalogue pool is
    saturated and pg_stat_activity shows the same product query many times over."""
    s = session()
    s.advance_to(240)
    before = int(s.perform(f"{EXEC} DBSIZE").output)
    quiet = int(s.perform(ACTIVITY).output)
    s.advance_to(480)
    start = onset(s)
    assert before > 100_000
    assert s.world.status["catalogue"].pool_in_use == s.world.status["catalogue"].pool_size
    assert s.world.status["storefront"].error_ratio > 0.03
    stampede = int(s.perform(ACTIVITY).output)
    # every pooled connection runs the product query (and psql's own row matches too)
    assert stampede > s.world.status["catalogue"].pool_size > quiet + 20, (quiet, stampede)
    info = s.perform(f"{EXEC} INFO server").output
    uptime = int(
        next(ln for ln in info.splitlines() if ln.startswith("uptime_in_seconds:")).split(":")[1]
    )
    assert uptime < 480 - start


def test_the_cache_warms_from_the_traffic_once_it_can_hold_the_hot_keys() -> None:
    """CONFIG SET maxmemory 1gb on the new pod: misses load keys, hits come back, the pool
    drains; nothing else is needed."""
    s = session()
    s.advance_to(600)
    held = int(s.perform(f"{EXEC} DBSIZE").output)
    assert s.perform(f"{EXEC} CONFIG SET maxmemory 1gb").output == "OK"
    s.advance_to(1500)
    assert int(s.perform(f"{EXEC} DBSIZE").output) > 5 * held
    assert s.world.status["storefront"].error_ratio < 0.002
    assert any(e.kind == "fault.relieved" for e in s.events)


def test_restarting_the_emptied_cache_makes_it_worse() -> None:
    """A restart of the cache's Deployment empties it again (and the ConfigMap's limit
    stays): more requests fail than without the restart."""
    idle, restarted = session(), session()
    for s in (idle, restarted):
        s.advance_to(600)
    restarted.perform("kubectl rollout restart deployment/catalogue-cache -n shop")
    for s in (idle, restarted):
        s.advance_to(1200)
    failed = [
        s.world.counters["storefront"].err_500 + s.world.counters["storefront"].err_503
        for s in (idle, restarted)
    ]
    assert failed[1] > failed[0] * 1.05


def test_redis_exporter_series_are_scraped() -> None:
    """redis_up, keys, memory, hits, misses, evictions and clients as redis_exporter names them."""
    s = session()
    s.advance_to(900)
    assert series(s, "redis_up") == 1
    assert series(s, "redis_memory_max_bytes") == 32 * 1024**2
    assert series(s, "redis_memory_used_bytes") <= 32 * 1024**2
    assert series(s, "redis_db_keys") == int(s.perform(f"{EXEC} DBSIZE").output)
    assert series(s, "redis_evicted_keys_total") > 0
    assert series(s, "redis_keyspace_misses_total") > 0
    assert series(s, "redis_connected_clients") == 4 + 2  # 4 catalogue pods, exporter, cli
    labels = next(
        dict(x.labels) for x in s.tsdb.all_series() if dict(x.labels)["__name__"] == "redis_db_keys"
    )
    assert labels["db"] == "db0" and labels["instance"] == "redis://catalogue-cache:6379"
    assert not [
        x
        for x in s.tsdb.all_series()
        if dict(x.labels).get("service") == "catalogue-cache"
        and dict(x.labels)["__name__"] == "http_requests_total"
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_same_seed_same_cache(seed: int) -> None:
    """Deterministic: the same seed gives the same keyspace, counters and INFO text."""
    a, b = session(seed), session(seed)
    for s in (a, b):
        s.advance_to(900)
    assert a.perform(f"{EXEC} INFO stats").output == b.perform(f"{EXEC} INFO stats").output
    assert a.perform(f"{EXEC} DBSIZE").output == b.perform(f"{EXEC} DBSIZE").output


def test_ttl_jitter_from_the_environment_spreads_the_refill() -> None:
    """Pods with CACHE_TTL_JITTER=0.2 write keys whose expiries spread over minutes: the
    refilled cache's largest one-slot share of hits is smaller than without it."""
    plain, jittered = session(), session()
    jittered.perform("kubectl set env deployment/catalogue CACHE_TTL_JITTER=0.2 -n shop")
    for s in (plain, jittered):
        s.advance_to(120)
        s.perform(f"{EXEC} CONFIG SET maxmemory 1gb")  # room for the hot set
        s.advance_to(600)
    waves = [
        s.world.caches.servers["catalogue-cache"].families["catalogue"].keyspace.wave()
        for s in (plain, jittered)
    ]
    assert waves[1] < waves[0] / 2, waves
