"""What the applications in the pods do by themselves each tick.

A bad release crashes, a leak grows the pods' memory (one seeded pod first), the kubelet's
OOM kills are counted (their in-flight requests fail), and readiness probes need a free
request thread.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from gameday.world import carriers
from gameday.world.cluster import SimPod, kubelet
from gameday.world.traffic import MAX_THREADS

if TYPE_CHECKING:  # the world calls these on itself
    from gameday.world.world import World


def applications(world: World, dt: float) -> None:
    """What the applications do by themselves: crash (a bad release), leak memory."""
    crashing = set()
    leaking = set()
    for fault in world.faults.values():
        if fault.active and fault.type == "crash_loop":
            crashing.add((fault.spec.service, str(fault.data.get("version"))))
        if fault.active and fault.type == "memory_leak":
            leaking.add(fault.spec.service)
    world.cluster.crashing = crashing
    crash_services = {service for service, _ in crashing}
    for name in crash_services | leaking:
        leaks = [
            f
            for f in world.faults.values()
            if f.active and f.spec.service == name and f.type == "memory_leak"
        ]
        pods = world.cluster.pods_of(name)
        for pod in pods:
            if (name, pod.version) in crashing and pod.running and pod.crash_at == math.inf:
                pod.crash_at = world.now + kubelet.CRASH_AFTER
            leak = sum(carriers.memory_rate(world, f, pod) for f in leaks)
            if leak and pod.ready:
                pod.memory_mib += leak * leak_share(world, name, pod, pods) * dt / 60.0


def leak_share(world: World, service: str, pod: SimPod, pods: list[SimPod]) -> float:
    """How fast this pod leaks relative to the worst one: the seed picks which pod
    leaks first (full rate); the others leak at 45-80% of it (their traffic mix)."""
    lead = world.leak_lead.get(service)
    if lead is None:
        rng = random.Random(f"{world.seed}:leak:{service}")
        lead = world.leak_lead[service] = rng.choice([p.name for p in pods]) if pods else ""
    rate = world.leak_rates.get(pod.name)
    if rate is None:
        rate = (
            1.0
            if pod.name == lead
            else random.Random(f"{world.seed}:leak:{pod.name}").uniform(0.45, 0.8)
        )
        world.leak_rates[pod.name] = rate
    return rate


def count_kills(world: World, now: float, dt: float) -> None:
    """Containers the kubelet OOM-killed this tick: their in-flight requests fail."""
    for name in world.services:
        for pod in world.cluster.pods_of(name):
            at = pod.last_termination_at
            if pod.last_termination == "OOMKilled" and at is not None and now - dt < at <= now:
                world.kills[name] = world.kills.get(name, 0) + 1


def probes(world: World, now: float, dt: float, serving: dict[str, list[SimPod]]) -> None:
    """Readiness probes (``/health/ready``, 1 s timeout) need a free request thread.

    The probe does not touch the database (Spring Boot's default readiness group), so
    a pod fails it only while its request threads are taken by requests waiting for
    a pool connection (from 75% of them busy, every probe at 100%), or, without a
    pool, while it is badly overloaded. A pod out of service has free threads.
    """
    for name, svc in world.services.items():
        status = world.status[name]
        in_service = serving[name]
        if svc.pool is not None:
            waiting = status.pool_pending / max(len(in_service), 1) / MAX_THREADS
            busy = min(1.0, max(0.0, (waiting - 0.75) / 0.25))
        else:
            busy = max(0.0, status.rejected - 0.5)
        for pod in world.cluster.pods_of(name):
            if pod.node is not None and not world.cluster.nodes[pod.node].ready:
                continue  # no kubelet posts its status: the pod stays not ready
            kubelet.probe(world.cluster, pod, now, dt, busy if pod in in_service else 0.0)
