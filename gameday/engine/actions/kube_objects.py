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
    return sorted((p for d in ctx.world.deployments.values() for p in d.pods), key=lambda p: p.name)


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
    if (
        pod.last_termination == "OOMKilled"
        and pod.last_termination_at is not None
        and now - pod.last_termination_at < 5
    ):
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
            f"{dep.name}-{template_hash(ctx, dep.name, rev.version)}",
            dep.name,
            rev.version,
            desired,
            len(pods_of),
            ready,
            age,
        )
    return list(seen.values())
