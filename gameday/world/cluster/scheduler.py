"""The scheduler and the node lifecycle controller.

The scheduler binds each pending pod to the ready, schedulable node with the most CPU
left after the pods already bound there (requests, not usage: ``NodeResourcesFit``
with the least-allocated score). A pod that fits nowhere stays Pending with the
scheduler's ``FailedScheduling`` message. Pods of the same requests share the verdict
within one pass, so a thousand pending pods cost what one does.

A node that stops posting status is tainted ``node.kubernetes.io/unreachable``; its pods
tolerate that for 300 s, then the taint manager evicts them and their ReplicaSets
replace them elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gameday.world.cluster.cluster import Cluster
    from gameday.world.cluster.records import SimNode, SimPod

TOLERATION_SECONDS = 300.0
RETRY_EVENT_EVERY = 300.0  # an unschedulable pod is retried; its event counts again


def free_resources(cluster: Cluster) -> dict[str, tuple[int, int]]:
    """CPU millicores and memory bytes each node has left for new requests."""
    free = {n.name: (n.cpu_m, n.memory) for n in cluster.nodes.values()}
    for pod in cluster.pods.values():
        if pod.node is not None and pod.node in free:
            cpu, mem = free[pod.node]
            free[pod.node] = (cpu - pod.cpu_request_m, mem - pod.memory_request)
    return free


def _why_not(node: SimNode, cpu: int, mem: int, left: tuple[int, int]) -> str | None:
    if not node.ready:
        return "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"
    if node.disk_pressure:
        return "node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }"
    if node.unschedulable:
        return "node(s) were unschedulable"
    if left[0] < cpu:
        return "Insufficient cpu"
    if left[1] < mem:
        return "Insufficient memory"
    return None


def failure_message(reasons: dict[str, int], total: int) -> str:
    """The scheduler's ``FailedScheduling`` text for per-reason node counts."""
    parts = sorted(f"{n} {why}" for why, n in reasons.items())
    fit = sum(n for why, n in reasons.items() if why.startswith("Insufficient"))
    other = total - fit
    pre = []
    if fit:
        pre.append(f"{fit} No preemption victims found for incoming pod")
    if other:
        pre.append(f"{other} Preemption is not helpful for scheduling")
    return (
        f"0/{total} nodes are available: {', '.join(parts)}. preemption: 0/{total} nodes "
        f"are available: {', '.join(sorted(pre))}."
    )


def schedule(
    cluster: Cluster,
    now: float,
    pending: list[SimPod] | None = None,
    free: dict[str, tuple[int, int]] | None = None,
) -> None:
    """Bind every pending pod that fits somewhere; record why the others do not.

    ``pending`` and ``free`` let a caller that keeps them itself (the bootstrap, which
    schedules one Deployment at a time) skip the scan of every pod; ``free`` is then
    updated in place with the pods bound.
    """
    if pending is None:
        pending = [p for p in cluster.pods.values() if p.node is None and not p.terminating]
    if not pending:
        return
    if free is None:
        free = free_resources(cluster)
    nodes = sorted(cluster.nodes.values(), key=lambda n: n.name)
    refused: dict[tuple[int, int], str] = {}
    for pod in sorted(pending, key=lambda p: (p.created_at, p.name)):
        shape = (pod.cpu_request_m, pod.memory_request)
        if shape in refused:
            _unschedulable(cluster, pod, refused[shape], now)
            continue
        best: SimNode | None = None
        reasons: dict[str, int] = {}
        for node in nodes:
            why = _why_not(node, *shape, free[node.name])
            if why is not None:
                reasons[why] = reasons.get(why, 0) + 1
            elif best is None or free[node.name][0] > free[best.name][0]:
                best = node
        if best is None:
            refused[shape] = failure_message(reasons, len(nodes))
            _unschedulable(cluster, pod, refused[shape], now)
            continue
        cpu, mem = free[best.name]
        free[best.name] = (cpu - shape[0], mem - shape[1])
        cluster.bind(pod, best, now)


def _unschedulable(cluster: Cluster, pod: SimPod, message: str, now: float) -> None:
    since = pod.unschedulable_since
    if since is None or now - since >= RETRY_EVENT_EVERY:
        pod.unschedulable_since = now
        cluster.events.record(
            now, f"pod/{pod.name}", "Warning", "FailedScheduling", message, "default-scheduler"
        )


def node_lifecycle(cluster: Cluster, now: float) -> None:
    """Evict the pods of nodes unreachable for longer than their toleration."""
    for node in cluster.nodes.values():
        if node.ready or node.not_ready_since is None:
            continue
        if now - node.not_ready_since < TOLERATION_SECONDS:
            continue
        for pod in cluster.pods.values():
            if pod.node == node.name and not pod.terminating:
                cluster.events.record(
                    now,
                    f"pod/{pod.name}",
                    "Normal",
                    "TaintManagerEviction",
                    f"Marking for deletion Pod {cluster.namespace}/{pod.name}",
                    "taint-eviction-controller",
                )
                cluster.delete_pod(pod.name, now, evicted=True)
