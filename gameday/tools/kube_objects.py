"""The cluster as kubectl reads it: lookups, labels, selectors and the printers' columns.

Everything comes from the world's :class:`~gameday.world.cluster.Cluster` as its
controllers left it at the last tick (kubectl reads the API server, not the future).
"""

from __future__ import annotations

import hashlib
from typing import Any

from kubernetes.client import models as k

from gameday.tools.output import kube_age
from gameday.tools.parse import ActionError
from gameday.world.cluster import SimNode, SimPod
from gameday.world.cluster import objects as o


def stable(*parts: object) -> int:
    """A stable non-negative integer from ``parts``."""
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:6], "big")


def pod_labels(ctx: Any, pod: SimPod) -> dict[str, str]:
    """The labels a pod carries (``app`` and ``pod-template-hash``)."""
    return dict(pod.obj.metadata.labels or {})


def matches(labels: dict[str, str], selector: str | None) -> bool:
    """``-l app=orders,tier!=db`` against ``labels`` (``=``, ``==``, ``!=``, bare key)."""
    if not selector:
        return True
    for term in selector.split(","):
        term = term.strip()
        if "!=" in term:
            key, v = term.split("!=", 1)
            if labels.get(key.strip()) == v.strip():
                return False
        elif "=" in term:
            key, v = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != v.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def pods(ctx: Any) -> list[SimPod]:
    """Every pod of the namespace, as the API server lists them (by name)."""
    return sorted(ctx.world.cluster.pods.values(), key=lambda p: p.name)


def nodes(ctx: Any) -> list[SimNode]:
    return sorted(ctx.world.cluster.nodes.values(), key=lambda n: n.name)


def find_pod(ctx: Any, name: str, namespace: str) -> SimPod:
    """The pod called ``name``.

    Raises:
        ActionError: kubectl's NotFound message.
    """
    pod = ctx.world.cluster.pods.get(name) if namespace == ctx.world.namespace else None
    if pod is None:
        raise ActionError(f'Error from server (NotFound): pods "{name}" not found')
    return pod


def find_deployment(ctx: Any, name: str, namespace: str) -> k.V1Deployment:
    """The Deployment called ``name``.

    Raises:
        ActionError: kubectl's NotFound message.
    """
    dep = ctx.world.cluster.deployments.get(name)
    if dep is None or namespace != ctx.world.namespace:
        raise ActionError(f'Error from server (NotFound): deployments.apps "{name}" not found')
    return dep


def find_node(ctx: Any, name: str) -> SimNode:
    node = ctx.world.cluster.nodes.get(name)
    if node is None:
        raise ActionError(f'Error from server (NotFound): nodes "{name}" not found')
    return node


def pod_status(ctx: Any, pod: SimPod) -> tuple[str, str]:
    """READY and STATUS columns of ``pod`` as kubectl's printer derives them."""
    ready = "1/1" if pod.ready else "0/1"
    if pod.terminating:
        return ready, "Terminating"
    if pod.node is None:
        return "0/1", "Pending"
    if pod.waiting is not None:
        recent = pod.last_termination_at is not None and ctx.now - pod.last_termination_at < 5
        if pod.waiting == "CrashLoopBackOff" and recent and pod.last_termination:
            return "0/1", pod.last_termination
        return "0/1", pod.waiting
    return ready, "Running"


def restarts(ctx: Any, pod: SimPod) -> str:
    """The RESTARTS column: ``2 (3m ago)`` once a container restarted."""
    if pod.restarts and pod.last_termination_at is not None:
        return f"{pod.restarts} ({kube_age(ctx.now - pod.last_termination_at)} ago)"
    return str(pod.restarts)


def age(ctx: Any, obj: Any) -> float:
    """Seconds since an API object was created."""
    return ctx.now - ctx.world.cluster.clock.sim(obj.metadata.creation_timestamp)


def replicasets(ctx: Any, deployment: str | None = None) -> list[k.V1ReplicaSet]:
    """ReplicaSets (of one Deployment, or all), by name."""
    cluster = ctx.world.cluster
    sets = cluster.replicasets_of(deployment) if deployment else cluster.replicasets.values()
    return sorted(sets, key=lambda rs: rs.metadata.name)


def image(dep: k.V1Deployment | k.V1ReplicaSet) -> str:
    return str(o.container(dep.spec.template).image)


def container_name(dep: k.V1Deployment | k.V1ReplicaSet) -> str:
    return str(o.container(dep.spec.template).name)


def node_status(node: SimNode) -> str:
    """The STATUS column of ``kubectl get nodes``."""
    status = "Ready" if node.ready else "NotReady"
    return status + (",SchedulingDisabled" if node.unschedulable else "")


def selector_text(labels: dict[str, str] | None) -> str:
    return ",".join(f"{key}={v}" for key, v in (labels or {}).items())
