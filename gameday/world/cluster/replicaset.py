"""The ReplicaSet controller: as many active pods as ``spec.replicas``, and a status.

``manageReplicas`` creates missing pods (in slow-start batches, at most ``burstReplicas``
a sync, stopped by the namespace's pod quota) and deletes surplus ones, the least useful
first (``ActivePodsWithRanks``: unscheduled, pending, not ready, newer). Terminating pods
are not active: a deleted pod is replaced at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubernetes.client import models as k

if TYPE_CHECKING:
    from gameday.world.cluster.cluster import Cluster
    from gameday.world.cluster.records import SimPod

BURST_REPLICAS = 500  # pkg/controller/replicaset: BurstReplicas


def active_pods(cluster: Cluster, rs: k.V1ReplicaSet) -> list[SimPod]:
    """Pods the ReplicaSet owns that are not being deleted."""
    return [p for p in cluster.pods_of_rs(rs.metadata.name) if not p.terminating]


def _rank(p: SimPod, now: float) -> tuple[int, int, int, float, int, float]:
    """Delete-first order: unscheduled, pending, not ready, ready briefly, restarts, newer."""
    ready_for = now - p.ready_since if p.ready and p.ready_since is not None else -1.0
    return (
        0 if p.node is None else 1,
        0 if p.started_at is None else 1,
        0 if not p.ready else 1,
        ready_for,
        -p.restarts,
        -p.created_at,
    )


def sync(cluster: Cluster, rs: k.V1ReplicaSet, now: float) -> None:
    """``syncReplicaSet``: create or delete pods toward ``spec.replicas``; update status."""
    pods = active_pods(cluster, rs)
    want = rs.spec.replicas or 0
    diff = len(pods) - want
    obj = f"replicaset/{rs.metadata.name}"
    if diff < 0:
        missing = min(-diff, BURST_REPLICAS)
        batch, made = 1, 0
        while made < missing:
            for _ in range(min(batch, missing - made)):
                refused = cluster.create_pod(rs, now)
                if refused:
                    cluster.events.record(
                        now,
                        obj,
                        "Warning",
                        "FailedCreate",
                        f"Error creating: {refused}",
                        "replicaset-controller",
                    )
                    made = missing
                    break
                made += 1
            batch *= 2
    elif diff > 0:
        doomed = sorted(pods, key=lambda p: _rank(p, now))[:diff]
        for pod in doomed:
            cluster.delete_pod(pod.name, now)
            cluster.events.record(
                now,
                obj,
                "Normal",
                "SuccessfulDelete",
                f"Deleted pod: {pod.name}",
                "replicaset-controller",
            )
    update_status(cluster, rs)


def update_status(cluster: Cluster, rs: k.V1ReplicaSet) -> None:
    """``calculateStatus``: replicas, fullyLabeled, ready and available counts."""
    pods = active_pods(cluster, rs)
    ready = sum(1 for p in pods if p.ready)
    status = rs.status
    values = (len(pods), ready, rs.metadata.generation)
    if (status.replicas, status.ready_replicas or 0, status.observed_generation) == values:
        return
    rs.status = k.V1ReplicaSetStatus(
        replicas=len(pods),
        fully_labeled_replicas=len(pods) or None,
        ready_replicas=ready or None,
        available_replicas=ready or None,
        observed_generation=rs.metadata.generation,
    )
