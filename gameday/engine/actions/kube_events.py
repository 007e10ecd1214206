"""Events the kubelet and controllers would have recorded, derived from the world.

Pods started in the last hour bring Scheduled, Pulled, Created and Started; a rollout
brings ScalingReplicaSet; a crash loop BackOff; an OOM kill OOMKilled; an exhausted pool
timed-out readiness probes. Events older than the API server's hour are gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gameday.engine.actions.kube_objects import template_hash
from gameday.engine.state import Deployment, Pod

EVENT_TTL = 3600.0  # the API server keeps events for an hour


@dataclass
class KubeEvent:
    """One event as ``kubectl get events`` and ``describe`` show it."""

    first: float
    last: float
    count: int
    type: str
    reason: str
    obj: str
    source: str
    message: str


def events(ctx: Any, only: str | None = None) -> list[KubeEvent]:
    """Events of the last hour, oldest first; ``only`` keeps one object (``pod/NAME``)."""
    now, out = ctx.now, []
    ns = ctx.world.namespace
    for dep in ctx.world.deployments.values():
        by_start: dict[tuple[float, str], list[Pod]] = {}
        for pod in dep.pods:
            by_start.setdefault((pod.started_at, pod.version), []).append(pod)
        for t, version in sorted(by_start):
            if now - t < EVENT_TTL and t > 0:
                rs = f"{dep.name}-{template_hash(ctx, dep.name, version)}"
                out.append(
                    KubeEvent(
                        t,
                        t,
                        1,
                        "Normal",
                        "ScalingReplicaSet",
                        f"deployment/{dep.name}",
                        "deployment-controller",
                        f"Scaled up replica set {rs} to {dep.replicas}",
                    )
                )
        for pod in dep.pods:
            out += _pod_events(ctx, dep, pod, ns)
    out = [
        e
        for e in out
        if now - e.last < EVENT_TTL and e.first <= now and (only is None or e.obj == only)
    ]
    return sorted(out, key=lambda e: (e.last, e.obj, e.reason))


def _pod_events(ctx: Any, dep: Deployment, pod: Pod, ns: str) -> list[KubeEvent]:
    now, obj, t = ctx.now, f"pod/{pod.name}", pod.started_at
    image = f"{dep.image}:{pod.version}"
    out = []
    if t > now - EVENT_TTL:
        out += [
            KubeEvent(
                t,
                t,
                1,
                "Normal",
                "Scheduled",
                obj,
                "default-scheduler",
                f"Successfully assigned {ns}/{pod.name} to {pod.node}",
            ),
            KubeEvent(
                t + 0.5,
                t + 0.5,
                1,
                "Normal",
                "Pulled",
                obj,
                "kubelet",
                f'Container image "{image}" already present on machine',
            ),
            KubeEvent(
                t + 1,
                t + 1,
                1,
                "Normal",
                "Created",
                obj,
                "kubelet",
                f"Created container {dep.container}",
            ),
            KubeEvent(
                t + 1.5,
                t + 1.5,
                1,
                "Normal",
                "Started",
                obj,
                "kubelet",
                f"Started container {dep.container}",
            ),
        ]
    if pod.restarts and pod.last_termination_at is not None:
        first = max(t + 5, now - EVENT_TTL)
        if pod.phase == "CrashLoopBackOff":
            out.append(
                KubeEvent(
                    first,
                    now,
                    max(1, pod.restarts * 2),
                    "Warning",
                    "BackOff",
                    obj,
                    "kubelet",
                    f"Back-off restarting failed container {dep.container} in pod {pod.name}_{ns}",
                )
            )
        elif pod.last_termination == "OOMKilled":
            out.append(
                KubeEvent(
                    pod.last_termination_at,
                    pod.last_termination_at,
                    pod.restarts,
                    "Warning",
                    "OOMKilled",
                    obj,
                    "kubelet",
                    f"Container {dep.container} exceeded its memory limit and was "
                    "OOMKilled; restarting",
                )
            )
            out.append(
                KubeEvent(
                    pod.last_termination_at + 1,
                    pod.last_termination_at + 1,
                    pod.restarts + 1,
                    "Normal",
                    "Pulled",
                    obj,
                    "kubelet",
                    f'Container image "{image}" already present on machine',
                )
            )
    unready_since = _probe_failing_since(ctx, pod)
    if unready_since is not None:
        count = max(1, int((now - unready_since) / 10))
        out.append(
            KubeEvent(
                unready_since,
                now,
                count,
                "Warning",
                "Unhealthy",
                obj,
                "kubelet",
                f'Readiness probe failed: Get "http://{pod.ip}:8080/health/ready": '
                "context deadline exceeded (Client.Timeout exceeded while "
                "awaiting headers)",
            )
        )
    return out


def _probe_failing_since(ctx: Any, pod: Pod) -> float | None:
    """A readiness check that touches the database times out now and then when the pool
    is exhausted; the pod stays Ready (one failure in three does not flip it)."""
    status = ctx.world.status.get(pod.service)
    if status is None or status.pool_size == 0 or status.pool_pending <= 0:
        return None
    if not pod.ready(ctx.now) or status.error_ratio < 0.05:
        return None
    starts = [
        f.started_at
        for f in ctx.world.faults.values()
        if f.active and f.spec.service == pod.service
    ]
    return max(min(starts, default=ctx.now - 60) + 60, pod.ready_at)
