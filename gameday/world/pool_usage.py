"""The pools' side of the databases each tick: which pods hold connections, and what
those connections run (as ``pg_stat_activity`` shows them)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from gameday.world.cluster import SimPod
from gameday.world.database import PoolDemand, Statement, Usage

if TYPE_CHECKING:  # the world calls these on itself
    from gameday.world.world import World

POOL_OPENS_BEFORE_READY = 5.0  # the app opens its pool this long before it reports ready


def sync_pools(world: World, now: float) -> None:
    """Each running pod's pool asks its database for connections; keep what it got."""
    demands: dict[str, list[PoolDemand]] = {name: [] for name in world.databases}
    for name, svc in world.services.items():
        if svc.pool is None or svc.database not in demands:
            continue
        for pod in world.cluster.pods_of(name):
            opens = pod.warm_at - POOL_OPENS_BEFORE_READY
            if pod.running and pod.started_at is not None and now >= opens:
                opened = max(pod.started_at, opens)
                demand = PoolDemand(name, pod.name, pod.ip, svc.pool.size, opened)
                demands[svc.database].append(demand)
    world.granted = {}
    for db_name, db in world.databases.items():
        world.granted.update(db.sync_pools(now, demands[db_name]))


def use_pools(world: World, serving: dict[str, list[SimPod]]) -> None:
    """Tell each database what the pools' connections do; count them as it does."""
    for db in world.databases.values():
        per_service: dict[str, list[str]] = {}
        for pool in db.pools.values():
            per_service.setdefault(pool.service, []).append(pool.pod)
        for name, pod_names in per_service.items():
            status = world.status[name]
            pods = {p.name: p for p in serving[name]}
            held = sum(round(p.stuck) + round(p.leaked) for p in pods.values())
            busy_left = max(0, round(status.pool_in_use) - held)
            share = len([n for n in pod_names if n in pods]) or 1
            in_use = 0
            for pod_name in pod_names:
                pod = pods.get(pod_name)
                if pod is None:  # starting or draining: holds its pool, serves nothing
                    db.use(pod_name, pod_usage(world, name, 0, 0, 0))
                    continue
                busy = min(busy_left, math.ceil(busy_left / share))
                busy_left -= busy
                share -= 1
                used = pod_usage(world, name, round(pod.stuck), round(pod.leaked), busy)
                db.use(pod_name, used)
                in_use += db.pools[pod_name].usage.active + db.pools[pod_name].usage.leaked
            if status.pool_size:
                status.pool_in_use = float(in_use)


def pod_usage(world: World, service: str, stuck: int, leaked: int, busy: int) -> Usage:
    """A pod's pool usage: ``busy`` connections split between the queries it runs."""
    hold, slow, app, idle_gap, (lock_query, lock_wait) = usage_plan(world, service)
    statements: list[tuple[Statement, int]] = []
    n = busy
    for stmt, factor in slow:
        n_slow = round(n * (1 - 1 / factor))
        statements.append((stmt, n_slow))
        n -= n_slow
    statements.append((app, n))
    return Usage(stuck, leaked, statements, hold, idle_gap, lock_query, lock_wait)


def usage_plan(
    world: World, service: str
) -> tuple[float, list[tuple[Statement, float]], Statement, float, tuple[str, str]]:
    """What a service's pool connections run this tick: hold time, slow statements with
    their factors, the healthy statement, the idle gap and what lock waiters run."""
    key = (service, world.now)
    if world.plan_cache is not None and world.plan_cache[0] == key:
        return world.plan_cache[1]
    svc = world.services[service]
    db = world.databases[svc.database or ""]
    hold = svc.pool.hold if svc.pool else 0.05
    share = world.version_share(service)
    slow = []
    for q in db.workload.slow(service):
        carried = 1.0 if q.version is None else share.get(q.version, 0.0)
        factor = 1.0 + (q.factor - 1.0) * carried
        hold *= factor
        slow.append((Statement(q.text, "IO", "DataFileRead"), factor))
    lock_query = ""
    for f in world.faults.values():
        if f.active and f.type == "blocking_query" and f.spec.service == service:
            table = f.param("table", "orders")
            lock_query = f"UPDATE {table} SET status = $1, updated_at = now() WHERE id = $2"
            break
    lock_wait = "transactionid"
    locked = sorted(db.write_locked_tables())
    if locked and not lock_query:  # writes queue behind a plain CREATE INDEX
        lock_query = f"INSERT INTO {locked[0]} (created_at) VALUES (now()) RETURNING id"
        lock_wait = "relation"
    rps = world.status[service].offered_rps / max(len(world.serving_pods(service)), 1)
    size = svc.pool.size if svc.pool else 1
    idle_gap = min(600.0, size / max(rps, 0.01))
    plan = (hold, slow, db.app_statement(service), idle_gap, (lock_query, lock_wait))
    world.plan_cache = (key, plan)
    return plan
