"""The kubelet: a bound pod's containers start, get ready, crash, are OOM-killed, stop.

Times come from the pod's own schedule, so the cluster can step from one transition to
the next within a scrape interval: the image is present (the container starts 2 s after
binding), the readiness probe first runs ``initialDelaySeconds`` after the start and then
every ``periodSeconds``, and the first probe after the application has warmed up passes.
A container whose application crashes exits after a few seconds and is restarted with
the kubelet's back-off (10 s doubling to 300 s); one past its memory limit is
OOMKilled. A deleted pod stops receiving traffic at once and is gone when its
application has shut down (at most ``terminationGracePeriodSeconds``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gameday.world.cluster.cluster import Cluster
    from gameday.world.cluster.records import SimPod

PULL_SECONDS = 2.0  # image already present: sandbox and container start
PROBE_DELAY = 10.0
PROBE_PERIOD = 5.0
FAILURE_THRESHOLD = 3
CRASH_AFTER = 5.0  # a crashing application exits this long after starting
BACKOFF_MAX = 300.0


def first_ready(pod: SimPod) -> float:
    """The time of the first readiness probe at or after the application warmed up."""
    if pod.started_at is None or not math.isfinite(pod.warm_at):
        return math.inf
    first = pod.started_at + PROBE_DELAY
    if pod.warm_at <= first:
        return first
    return first + math.ceil((pod.warm_at - first) / PROBE_PERIOD) * PROBE_PERIOD


def next_transition(pod: SimPod) -> float:
    """When this pod changes state next by itself (inf: not on its own)."""
    t = min(pod.next_start, pod.gone_at)
    if pod.running:
        t = min(t, pod.crash_at)
        if not pod.ready and not pod.terminating and pod.probe_failures == 0:
            t = min(t, first_ready(pod))
    return t


def start_container(cluster: Cluster, pod: SimPod, t: float) -> None:
    """The container (re)starts at ``t``: warm-up, crash time, fresh memory."""
    pod.started_at = t
    pod.waiting = None
    pod.next_start = math.inf
    pod.ready = False
    pod.probe_failures = 0
    pod.memory_mib = pod.memory_base_mib
    pod.stuck = pod.leaked = 0.0
    profile = cluster.profile(pod.service)
    pod.warm_at = t + profile.warmup(pod.name, pod.restarts)
    crashes = pod.app_crashes or (pod.service, pod.version) in cluster.crashing
    pod.crash_at = t + CRASH_AFTER if crashes else math.inf
    name = pod.obj.spec.containers[0].name
    obj = f"pod/{pod.name}"
    if pod.restarts == 0:
        cluster.events.record(
            t - 1,
            obj,
            "Normal",
            "Pulled",
            f'Container image "{pod.image}" already present on machine',
            "kubelet",
        )
    cluster.events.record(t, obj, "Normal", "Created", f"Created container {name}", "kubelet")
    cluster.events.record(t, obj, "Normal", "Started", f"Started container {name}", "kubelet")


def stop_container(cluster: Cluster, pod: SimPod, t: float, reason: str) -> None:
    """The container ended (``Error`` or ``OOMKilled``); it restarts after the back-off."""
    ran = t - (pod.started_at or t)
    pod.last_started_at = pod.started_at
    pod.restarts += 1
    pod.last_termination = reason
    pod.last_termination_at = t
    pod.ready = False
    pod.started_at = None
    pod.crash_at = math.inf
    pod.warm_at = math.inf
    fresh = ran >= 600  # the back-off resets after ten good minutes
    delay = 0.0 if pod.restarts == 1 or fresh else min(10.0 * 2 ** (pod.restarts - 2), BACKOFF_MAX)
    pod.next_start = t + delay
    pod.waiting = "CrashLoopBackOff" if delay > 0 else "ContainerCreating"
    if delay > 0:
        name = pod.obj.spec.containers[0].name
        cluster.events.record(
            t,
            f"pod/{pod.name}",
            "Warning",
            "BackOff",
            f"Back-off restarting failed container {name} in pod "
            f"{pod.name}_{cluster.namespace}({pod.obj.metadata.uid})",
            "kubelet",
        )


def step(cluster: Cluster, t: float) -> bool:
    """Carry out every pod transition due at or before ``t``; whether any happened."""
    changed = False
    for pod in list(cluster.pods.values()):
        if pod.gone_at <= t:
            cluster.forget_pod(pod.name)
            changed = True
            continue
        if pod.node is None or not cluster.nodes[pod.node].ready:
            continue  # unscheduled, or its node's kubelet posts nothing any more
        if pod.next_start <= t and not pod.terminating:
            start_container(cluster, pod, pod.next_start)
            changed = True
        if not pod.running:
            continue
        if pod.crash_at <= t:
            stop_container(cluster, pod, pod.crash_at, "Error")
            changed = True
            continue
        if pod.memory_mib >= pod.memory_limit_mib:
            stop_container(cluster, pod, t, "OOMKilled")
            changed = True
            continue
        if not pod.ready and not pod.terminating and pod.probe_failures == 0:
            ready_at = first_ready(pod)
            if ready_at <= t:
                pod.ready = True
                pod.ready_since = ready_at
                changed = True
    return changed


def probe(cluster: Cluster, pod: SimPod, t: float, dt: float, fail_share: float) -> None:
    """The readiness probes of one tick; each fails with probability ``fail_share``.

    Three failures in a row take the pod out of service; one success brings it back.
    """
    if not pod.running or pod.terminating or not math.isfinite(pod.warm_at) or t < pod.warm_at:
        return
    rng = cluster.probe_rng
    n = max(1, int(dt // PROBE_PERIOD))
    for i in range(n):
        at = t - dt + (i + 1) * dt / n
        if fail_share > 0 and rng.random() < fail_share:
            pod.probe_failures += 1
            cluster.events.record(
                at,
                f"pod/{pod.name}",
                "Warning",
                "Unhealthy",
                f'Readiness probe failed: Get "http://{pod.ip}:8080/health/ready": context '
                "deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                "kubelet",
            )
            if pod.probe_failures >= FAILURE_THRESHOLD and pod.ready:
                pod.ready = False
                cluster.dirty = True
        else:
            pod.probe_failures = 0
            if not pod.ready:
                pod.ready = True
                pod.ready_since = at
                cluster.dirty = True
