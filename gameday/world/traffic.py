"""The request path of one tick: offered load from callers to callees, what the ready pods
and free pool connections serve, and the errors, latency and CPU that follow.

Load flows from callers to callees; errors and latency flow back from callees to callers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from gameday.scenario.model import Service
from gameday.world.cluster import SimPod
from gameday.world.faults import Effect, approach
from gameday.world.metrics import bucket_shares
from gameday.world.status import ServiceStatus

if TYPE_CHECKING:  # the world calls these on itself
    from gameday.world.world import World

MAX_THREADS = 200  # request threads per pod (Tomcat's default), the most that can wait
KILL_LOSS_SECONDS = 4.0  # a killed container's in-flight requests, and those sent to it
# until its endpoint is removed, fail: about this many seconds of its share of traffic


def offered_load(
    world: World,
    now: float,
    effects: dict[str, Effect],
    serving: dict[str, list[SimPod]],
    dt: float,
) -> dict[str, float]:
    """What each service is offered this tick: its own traffic, and its callers' calls
    through their retry policies (a failing callee gets up to max_attempts per call)."""
    hour = (world.scenario.start_time.timestamp() + now) / 3600.0 % 24
    offered = {name: 0.0 for name in world.services}
    for name in world.order:
        svc = world.services[name]
        effect = effects[name]
        if svc.traffic is not None:
            t = svc.traffic
            daily = 1 + t.daily_amplitude * math.sin(2 * math.pi * (hour - 8) / 24)
            noise = max(0.2, 1 + world.noise.gauss(0, t.noise))
            offered[name] += t.rps * daily * noise
        offered[name] *= effect.traffic_factor
        calls = offered[name] * (1 - sat_error_guess(world, name))
        for callee in svc.calls:  # each call through the caller's retry policy
            offered[callee] += world.calls.send(name, callee, calls, serving[name], dt)
    return offered


def sat_error_guess(world: World, name: str) -> float:
    """Requests a saturated caller rejects never reach its callees (last tick's view)."""
    return world.status[name].rejected


def serve(
    world: World, name: str, offered: float, dt: float, pods: list[SimPod], effect: Effect
) -> None:
    svc = world.services[name]
    status = ServiceStatus(offered_rps=offered, ready=len(pods))
    cpu_capacity = len(pods) * svc.rps_per_replica
    capacity = cpu_capacity
    hold = 0.0
    pool_offered = offered
    if svc.pool is not None:
        # a cached service queries its database on misses only
        pool_offered = offered * world.caches.db_share(name, offered, dt, pods)
        hold = svc.pool.hold * effect.hold_factor
        leak_version = world.leaking_version(name)
        per_pod_rps = pool_offered / max(len(pods), 1)
        stuck_share = effect.stuck_target / max(len(pods) * svc.pool.size, 1)
        for pod in pods:
            target = stuck_share * svc.pool.size
            tau = 40.0 if target > pod.stuck else 3.0
            pod.stuck = approach(pod.stuck, target, dt, tau)
            if leak_version is not None and pod.version == leak_version:
                pod.leaked = min(
                    float(svc.pool.size),
                    pod.leaked + effect.leak_per_request * per_pod_rps * dt,
                )
        granted = world.granted
        status.pool_size = sum(granted.get(p.name, 0) for p in pods)
        unusable = sum(min(granted.get(p.name, 0), p.stuck + p.leaked) for p in pods)
        free = max(0.0, status.pool_size - unusable)
        capacity = min(cpu_capacity, free / hold if hold > 0 else math.inf)
        # The load balancer spreads requests evenly: a pod short of connections (the
        # server refused them) fails its share even when other pods have room.
        share = pool_offered / max(len(pods), 1)
        served = sum(
            min(share, svc.rps_per_replica, _pod_free(p, granted) / hold if hold > 0 else share)
            for p in pods
        )
        capacity = min(capacity, served if served < pool_offered else capacity)
        busy = min(free, pool_offered * hold)
        status.pool_in_use = min(float(status.pool_size), unusable + busy)
        # Little's law: requests the pool cannot serve wait out the whole timeout.
        waiting = max(0.0, pool_offered - capacity) * svc.pool.timeout
        status.pool_pending = min(waiting, MAX_THREADS * len(pods))
    served_fraction = 1.0 if pool_offered <= 0 else min(1.0, capacity / pool_offered)
    if name in world.caches.users and svc.pool is not None:  # hits need no connection
        world.caches.served(name, 1.0 - served_fraction, world.now, dt, pods)
        cpu_share = 1.0 if offered <= 0 else min(1.0, cpu_capacity / offered)
        db_share = pool_offered / offered if offered > 0 else 0.0
        served_fraction = min(cpu_share, 1.0 - db_share * (1.0 - served_fraction))
    saturation_err = 1.0 - served_fraction
    callee_err = 0.0
    callee_latency = 0.0
    for callee in svc.calls:
        cs = world.status[callee]
        waited, failed, optional = world.calls.cost(name, callee)
        if math.isnan(waited):  # no client policy: one call, its errors passed on
            callee_err = 1 - (1 - callee_err) * (1 - cs.error_ratio)
            callee_latency += cs.ok_latency
            continue
        callee_latency += waited
        if not optional:  # an optional call's failure falls back to a degraded answer
            callee_err = 1 - (1 - callee_err) * (1 - failed)
    threads = thread_limit(svc, offered, pods, callee_latency)
    world.threads[name] = threads
    if threads < 1.0:  # request threads all waiting on calls: the rest are refused
        saturation_err = 1 - (1 - saturation_err) * threads
    base_err = svc.traffic.error_ratio if svc.traffic else 0.0001
    kills = world.kills.get(name, 0)
    killed_err = 0.0
    if kills and dt > 0:
        share = kills / (len(pods) + kills)  # the killed pods' share of the traffic
        killed_err = min(1.0, share * KILL_LOSS_SECONDS / dt)
    err = 1 - (1 - saturation_err) * (1 - base_err) * (1 - callee_err) * (
        1 - effect.error_ratio
    ) * (1 - killed_err)
    status.error_ratio = min(1.0, max(0.0, err))
    utilisation = 0.0 if capacity <= 0 else min(offered / capacity, 1.0)
    queueing = svc.latency * utilisation / max(1e-3, 1 - min(utilisation, 0.97)) * 0.05
    ok_latency = svc.latency * effect.hold_factor + queueing + callee_latency
    ok_latency += effect.added_latency
    timeout = svc.pool.timeout if svc.pool else 30.0
    if saturation_err > 0.001:
        ok_latency = max(ok_latency, min(timeout * 0.6, ok_latency + timeout * saturation_err))
    status.ok_latency = ok_latency
    status.fail_latency = timeout if saturation_err > 0 else max(0.005, callee_latency)
    status.ok_rps = offered * (1 - status.error_ratio)
    status.rejected = saturation_err
    status.buckets = bucket_shares(status)
    world.status[name] = status
    c = world.counters[name]
    c.ok += status.ok_rps * dt
    failed = offered * status.error_ratio * dt
    sat_share = saturation_err / status.error_ratio if status.error_ratio > 0 else 0.0
    c.err_503 += failed * sat_share
    c.err_500 += failed * (1 - sat_share)
    c.cpu_seconds += dt * min(
        len(pods) * svc.cpu_request, 0.05 + offered / svc.rps_per_replica * svc.cpu_request
    )
    cpu(world, svc, offered / max(len(pods), 1), pods, dt)


def thread_limit(svc: Service, offered: float, pods: list[SimPod], waiting: float) -> float:
    """The share of requests the pods' request threads can take (Little's law): each
    request holds a thread for its own latency plus what it waits on calls. Modelled
    for services with a client policy (``resilience``)."""
    if not svc.resilience or offered <= 0 or not pods:
        return 1.0
    busy = offered * (svc.latency + waiting)
    return min(1.0, MAX_THREADS * len(pods) / busy) if busy > 0 else 1.0


def cpu(world: World, svc: Service, per_pod_rps: float, serving: list[SimPod], dt: float) -> None:
    """Each running container's CPU: its share of the load, capped by its CFS quota.

    Demand above the limit is throttled; as traffic is bursty, throttling starts
    before the average reaches the limit (from 60% of it, every period at 120%).
    """
    rand = world.usage_rng.random
    for pod in world.cluster.pods_of(svc.name):
        if not pod.running:
            pod.cpu_cores = 0.0
            continue
        load = per_pod_rps / svc.rps_per_replica if pod in serving else 0.0
        want = svc.cpu_request * (0.04 + load) * (0.92 + 0.16 * rand())
        limit = pod.cpu_limit_m / 1000 if pod.cpu_limit_m else math.inf
        pod.cpu_cores = min(want, limit)
        pod.cpu_seconds += pod.cpu_cores * dt
        if math.isfinite(limit):
            periods = dt / 0.1
            pod.cfs_periods += periods
            pod.cfs_throttled += periods * min(1.0, max(0.0, (want / limit - 0.6) / 0.6))


def _pod_free(pod: SimPod, granted: dict[str, int]) -> float:
    """Pool connections of ``pod`` that a request can borrow."""
    held = granted.get(pod.name, 0)
    return max(0.0, held - min(float(held), pod.stuck + pod.leaked))
