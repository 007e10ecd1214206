"""The cluster as kubectl shows it: pod status columns, labels, selectors, ReplicaSets,
Services, nodes and the events the kubelet and controllers would have recorded.

Everything is derived from the world's deployments and pods at ``ctx.now``; ages and
addresses that the world does not hold come from stable hashes of the seed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from gameday.engine.actions.output import kube_age
from gameday.engine.actions.parse import ActionError
from gameday.engine.state import Deployment, Pod

EVENT_TTL = 3600.0  # the API server keeps events for an hour
NODES = ("worker-1", "worker-2", "worker-3")


def stable(*parts: object) -> int:
    """A stable non-negative integer from ``parts``."""
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:6], "big")


def template_hash(ctx: Any, service: str, version: str) -> str:
    """The ``pod-template-hash`` of ``service`` at ``version``."""
    return str(ctx.world.namer.template_hash(service, version))


def pod_labels(ctx: Any, pod: Pod) -> dict[str, str]:
    """The labels a pod carries (``app`` and ``pod-template-hash``)."""
    return {"app": pod.service, "pod-template-hash": template_hash(ctx, pod.service, pod.version)}


def matches(labels: dict[str, str], selector: str | None) -> bool:
    """``-l app=orders,tier!=db`` against ``labels`` (``=``, ``==``, ``!=``, bare key)."""
    if not selector:
        return True
    for term in selector.split(","):
        term = term.strip()
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k.strip()) == v.strip():
                return False
        elif "=" in term:
            k, v = term.replace("==", "=").split("=", 1)
            if labels.get(k.strip()) != v.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def pods(ctx: Any) -> list[Pod]:
    """Every pod of every deployment, as the API server lists them (by name)."""
    return sorted((p for d in ctx.world.deployments.values() for p in d.pods),
                  key=lambda p: p.name)


def find_pod(ctx: Any, name: str, namespace: str) -> Pod:
    """The pod called ``name``.

    Raises:
        ActionError: kubectl's NotFound message.
    """
    if namespace == ctx.world.namespace:
        for pod in pods(ctx):
            if pod.name == name:
                return pod
    raise ActionError(f'Error from server (NotFound): pods "{name}" not found')


def find_deployment(ctx: Any, name: str, namespace: str) -> Deployment:
    """The deployment called ``name``.

    Raises:
        ActionError: kubectl's NotFound message.
    """
    dep = ctx.world.deployments.get(name)
    if dep is None or namespace != ctx.world.namespace:
        raise ActionError(f'Error from server (NotFound): deployments.apps "{name}" not found')
    return dep


def pod_status(ctx: Any, pod: Pod) -> tuple[str, str]:
    """READY and STATUS columns of ``pod`` now."""
    now = ctx.now
    if pod.terminate_at <= now:
        return "0/1", "Terminating"
    if pod.phase == "CrashLoopBackOff":
        recent = pod.last_termination_at is not None and now - pod.last_termination_at < 5
        return "0/1", "Error" if recent else "CrashLoopBackOff"
    if pod.last_termination == "OOMKilled" and pod.last_termination_at is not None \
            and now - pod.last_termination_at < 5:
        return "0/1", "OOMKilled"
    if now < pod.ready_at:
        return "0/1", "ContainerCreating" if now - pod.started_at < 3 else "Running"
    return "1/1", "Running"


def restarts(ctx: Any, pod: Pod) -> str:
    """The RESTARTS column: ``2 (3m ago)`` once a container restarted."""
    if pod.restarts and pod.last_termination_at is not None:
        return f"{pod.restarts} ({kube_age(ctx.now - pod.last_termination_at)} ago)"
    return str(pod.restarts)


def updated_pods(dep: Deployment) -> list[Pod]:
    """Pods of the current template that no rollout is replacing."""
    return [p for p in dep.pods if p.version == dep.version and p.terminate_at == float("inf")]


def deployment_age(ctx: Any, dep: Deployment) -> float:
    """Seconds since the deployment was created (stable per seed)."""
    return 86400.0 * (40 + stable(ctx.seed, "deploy-age", dep.name) % 360)


@dataclass
class ReplicaSet:
    """One ReplicaSet of a deployment (one per pod template version)."""

    name: str
    deployment: str
    version: str
    desired: int
    current: int
    ready: int
    age: float


def replicasets(ctx: Any, dep: Deployment) -> list[ReplicaSet]:
    """The deployment's ReplicaSets, oldest revision first (old ones scaled to 0)."""
    seen: dict[str, ReplicaSet] = {}
    base = deployment_age(ctx, dep)
    for i, rev in enumerate(dep.history):
        pods_of = [p for p in dep.pods if p.version == rev.version]
        started = [ctx.now - p.started_at for p in pods_of]
        age = max(started) if started else base * (len(dep.history) - i) / (len(dep.history) + 1)
        ready = sum(pod_status(ctx, p)[0] == "1/1" for p in pods_of)
        desired = dep.replicas if rev.version == dep.version else len(pods_of)
        seen[rev.version] = ReplicaSet(
            f"{dep.name}-{template_hash(ctx, dep.name, rev.version)}", dep.name, rev.version,
            desired, len(pods_of), ready, age)
    return list(seen.values())


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
                out.append(KubeEvent(t, t, 1, "Normal", "ScalingReplicaSet",
                                     f"deployment/{dep.name}", "deployment-controller",
                                     f"Scaled up replica set {rs} to {dep.replicas}"))
        for pod in dep.pods:
            out += _pod_events(ctx, dep, pod, ns)
    out = [e for e in out if now - e.last < EVENT_TTL and e.first <= now
           and (only is None or e.obj == only)]
    return sorted(out, key=lambda e: (e.last, e.obj, e.reason))


def _pod_events(ctx: Any, dep: Deployment, pod: Pod, ns: str) -> list[KubeEvent]:
    now, obj, t = ctx.now, f"pod/{pod.name}", pod.started_at
    image = f"{dep.image}:{pod.version}"
    out = []
    if t > now - EVENT_TTL:
        out += [
            KubeEvent(t, t, 1, "Normal", "Scheduled", obj, "default-scheduler",
                      f"Successfully assigned {ns}/{pod.name} to {pod.node}"),
            KubeEvent(t + 0.5, t + 0.5, 1, "Normal", "Pulled", obj, "kubelet",
                      f'Container image "{image}" already present on machine'),
            KubeEvent(t + 1, t + 1, 1, "Normal", "Created", obj, "kubelet",
                      f"Created container {dep.container}"),
            KubeEvent(t + 1.5, t + 1.5, 1, "Normal", "Started", obj, "kubelet",
                      f"Started container {dep.container}"),
        ]
    if pod.restarts and pod.last_termination_at is not None:
        first = max(t + 5, now - EVENT_TTL)
        if pod.phase == "CrashLoopBackOff":
            out.append(KubeEvent(first, now, max(1, pod.restarts * 2), "Warning", "BackOff", obj,
                                 "kubelet", f"Back-off restarting failed container "
                                 f"{dep.container} in pod {pod.name}_{ns}"))
        elif pod.last_termination == "OOMKilled":
            out.append(KubeEvent(pod.last_termination_at, pod.last_termination_at, pod.restarts,
                                 "Warning", "OOMKilled", obj, "kubelet",
                                 f"Container {dep.container} exceeded its memory limit and was "
                                 "OOMKilled; restarting"))
            out.append(KubeEvent(pod.last_termination_at + 1, pod.last_termination_at + 1,
                                 pod.restarts + 1, "Normal", "Pulled", obj, "kubelet",
                                 f'Container image "{image}" already present on machine'))
    unready_since = _probe_failing_since(ctx, pod)
    if unready_since is not None:
        count = max(1, int((now - unready_since) / 10))
        out.append(KubeEvent(unready_since, now, count, "Warning", "Unhealthy", obj, "kubelet",
                             f'Readiness probe failed: Get "http://{pod.ip}:8080/health/ready": '
                             "context deadline exceeded (Client.Timeout exceeded while "
                             "awaiting headers)"))
    return out


def _probe_failing_since(ctx: Any, pod: Pod) -> float | None:
    """A readiness check that touches the database times out now and then when the pool
    is exhausted; the pod stays Ready (one failure in three does not flip it)."""
    status = ctx.world.status.get(pod.service)
    if status is None or status.pool_size == 0 or status.pool_pending <= 0:
        return None
    if not pod.ready(ctx.now) or status.error_ratio < 0.05:
        return None
    starts = [f.started_at for f in ctx.world.faults.values()
              if f.active and f.spec.service == pod.service]
    return max(min(starts, default=ctx.now - 60) + 60, pod.ready_at)
