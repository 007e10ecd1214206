"""The Deployment controller, after ``pkg/controller/deployment``.

``sync_deployment`` is ``syncDeployment``: find (or create) the new ReplicaSet for the
current template and sync its revision; on a scaling event scale every active ReplicaSet
proportionally (``sync``); otherwise ``rolloutRolling``: ``reconcileNewReplicaSet``
scales the new ReplicaSet up within ``maxSurge``, ``reconcileOldReplicaSets`` scales old
ones down within ``maxUnavailable`` (unhealthy replicas first), and once complete the
old ReplicaSets beyond ``revisionHistoryLimit`` are deleted. Status and the Progressing
and Available conditions follow ``syncRolloutStatus``, including
``ProgressDeadlineExceeded``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from kubernetes.client import models as k

from gameday.world.cluster import objects as o

if TYPE_CHECKING:
    from gameday.world.cluster.cluster import Cluster


def revision(rs: k.V1ReplicaSet) -> int:
    """The ``deployment.kubernetes.io/revision`` of a ReplicaSet (0 if none)."""
    return int((rs.metadata.annotations or {}).get(o.REVISION, "0"))


def _spec(rs: k.V1ReplicaSet) -> int:
    return rs.spec.replicas or 0


def _available(rs: k.V1ReplicaSet) -> int:
    return rs.status.available_replicas or 0


def new_and_old(
    cluster: Cluster, dep: k.V1Deployment, t: float
) -> tuple[k.V1ReplicaSet, list[k.V1ReplicaSet]]:
    """``getAllReplicaSetsAndSyncRevision``: the new ReplicaSet (created if missing, its
    revision moved past every old one, as ``rollout undo`` needs) and the old ones,
    oldest first."""
    owned = cluster.replicasets_of(dep.metadata.name)
    key = cluster.template_key(dep)
    new = next((rs for rs in owned if cluster.rs_key(rs) == key), None)
    old = sorted(
        (rs for rs in owned if rs is not new), key=lambda r: (cluster.born(r), r.metadata.name)
    )
    max_old = max((revision(rs) for rs in old), default=0)
    if new is None:
        new = cluster.create_replicaset(dep, key, max_old + 1, t)
        _progressing(
            cluster,
            dep,
            "True",
            "NewReplicaSetCreated",
            f'Created new replica set "{new.metadata.name}"',
            t,
        )
    elif revision(new) <= max_old:
        ann = dict(new.metadata.annotations or {})
        history = [h for h in ann.get(o.REVISION_HISTORY, "").split(",") if h]
        ann[o.REVISION_HISTORY] = ",".join([*history, ann.get(o.REVISION, "0")])
        ann.update(o.copied_annotations(dep))
        ann[o.REVISION] = str(max_old + 1)
        new.metadata.annotations = ann
        if not any(c.type == "Progressing" for c in dep.status.conditions or []):
            _progressing(
                cluster,
                dep,
                "True",
                "FoundNewReplicaSet",
                f'Found new replica set "{new.metadata.name}"',
                t,
            )
    ann = dict(dep.metadata.annotations or {})
    if ann.get(o.REVISION) != str(revision(new)):
        ann[o.REVISION] = str(revision(new))
        dep.metadata.annotations = ann
    return new, old


def _scale(cluster: Cluster, dep: k.V1Deployment, rs: k.V1ReplicaSet, to: int, t: float) -> bool:
    """``scaleReplicaSetAndRecordEvent``."""
    before = _spec(rs)
    desired = str(dep.spec.replicas or 0)
    max_rep = str((dep.spec.replicas or 0) + o.fenceposts(dep)[0])
    ann = rs.metadata.annotations or {}
    if before == to and ann.get(o.DESIRED_REPLICAS) == desired:
        return False
    rs.spec.replicas = to
    rs.metadata.annotations = {**ann, o.DESIRED_REPLICAS: desired, o.MAX_REPLICAS: max_rep}
    if before != to:
        rs.metadata.generation = (rs.metadata.generation or 1) + 1
        way = "up" if to > before else "down"
        cluster.events.record(
            t,
            f"deployment/{dep.metadata.name}",
            "Normal",
            "ScalingReplicaSet",
            f"Scaled {way} replica set {rs.metadata.name} to {to} from {before}",
            "deployment-controller",
        )
        cluster.sync_replicaset(rs, t)
    return before != to


def _reconcile_new(
    cluster: Cluster, dep: k.V1Deployment, new: k.V1ReplicaSet, all_rs: list, t: float
) -> bool:
    desired = dep.spec.replicas or 0
    if _spec(new) == desired:
        return False
    if _spec(new) > desired:
        return _scale(cluster, dep, new, desired, t)
    surge = o.fenceposts(dep)[0]
    current = sum(_spec(rs) for rs in all_rs)
    max_total = desired + surge
    if current >= max_total:
        return False
    count = _spec(new) + min(max_total - current, desired - _spec(new))
    return _scale(cluster, dep, new, count, t)


def _reconcile_old(
    cluster: Cluster, dep: k.V1Deployment, new: k.V1ReplicaSet, old: list, t: float
) -> bool:
    old = [rs for rs in old if _spec(rs) > 0]
    if not old:
        return False
    all_rs = [new, *old]
    desired = dep.spec.replicas or 0
    min_available = desired - o.max_unavailable(dep)
    new_unavailable = _spec(new) - _available(new)
    max_down = sum(_spec(rs) for rs in all_rs) - min_available - new_unavailable
    if max_down <= 0:
        return False
    cleaned = 0
    for rs in old:  # cleanupUnhealthyReplicas: old pods that are not available go first
        if cleaned >= max_down:
            break
        unhealthy = _spec(rs) - _available(rs)
        if _spec(rs) == 0 or unhealthy <= 0:
            continue
        n = min(max_down - cleaned, unhealthy)
        _scale(cluster, dep, rs, _spec(rs) - n, t)
        cleaned += n
    available = sum(_available(rs) for rs in all_rs)
    budget = available - min_available
    scaled = 0
    for rs in old:  # scaleDownOldReplicaSetsForRollingUpdate
        if scaled >= budget:
            break
        if _spec(rs) == 0:
            continue
        n = min(_spec(rs), budget - scaled)
        _scale(cluster, dep, rs, _spec(rs) - n, t)
        scaled += n
    return cleaned + scaled > 0


def _proportion(dep: k.V1Deployment, rs: k.V1ReplicaSet, to_add: int, added: int) -> int:
    """``GetProportion``: this ReplicaSet's share of a replica change."""
    if _spec(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    desired = dep.spec.replicas or 0
    if desired == 0:
        fraction = -_spec(rs)
    else:
        annotated = int((rs.metadata.annotations or {}).get(o.MAX_REPLICAS, "0") or 0)
        annotated = annotated or (dep.status.replicas or 0) or 1
        size = _spec(rs) * (desired + o.fenceposts(dep)[0]) / annotated
        fraction = int(math.floor(size + 0.5)) - _spec(rs)  # Go's math.Round for size >= 0
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _proportional(
    cluster: Cluster, dep: k.V1Deployment, new: k.V1ReplicaSet, old: list, t: float
) -> None:
    """``sync``/``scale``: a change of replicas spread over the active ReplicaSets."""
    desired = dep.spec.replicas or 0
    active = [rs for rs in [new, *old] if _spec(rs) > 0]
    if len(active) <= 1:  # FindActiveOrLatest
        _scale(cluster, dep, active[0] if active else new, desired, t)
        return
    if _spec(new) == desired and _available(new) == desired:  # IsSaturated
        for rs in active:
            if rs is not new:
                _scale(cluster, dep, rs, 0, t)
        return
    allowed = desired + o.fenceposts(dep)[0] if desired > 0 else 0
    to_add = allowed - sum(_spec(rs) for rs in active)
    # ReplicaSetsBySizeNewer (adding) or BySizeOlder (removing): the largest first
    newer = -1 if to_add > 0 else 1
    order = sorted(active, key=lambda r: (-_spec(r), newer * cluster.born(r)))
    sizes, added = {}, 0
    for rs in order:
        part = _proportion(dep, rs, to_add, added)
        sizes[rs.metadata.name] = _spec(rs) + part
        added += part
    first = order[0].metadata.name
    sizes[first] = max(0, sizes[first] + to_add - added)
    for rs in order:
        _scale(cluster, dep, rs, sizes[rs.metadata.name], t)


def _scaling_event(dep: k.V1Deployment, active: list) -> bool:
    """``isScalingEvent``: an active ReplicaSet was sized for other desired replicas."""
    desired = str(dep.spec.replicas or 0)
    return any(
        (rs.metadata.annotations or {}).get(o.DESIRED_REPLICAS, desired) != desired for rs in active
    )


def sync_deployment(cluster: Cluster, dep: k.V1Deployment, t: float) -> bool:
    """``syncDeployment``: one level-triggered pass over a Deployment; whether it scaled."""
    new, old = new_and_old(cluster, dep, t)
    active = [rs for rs in [new, *old] if _spec(rs) > 0]
    before = [_spec(rs) for rs in [new, *old]]
    if _scaling_event(dep, active):
        _proportional(cluster, dep, new, old, t)
    elif (  # rolloutRolling: new up, else old down, else (complete) clean up
        not _reconcile_new(cluster, dep, new, [new, *old], t)
        and not _reconcile_old(cluster, dep, new, old, t)
        and _complete(dep, new, old)
    ):
        _cleanup(cluster, dep, old)
    _status(cluster, dep, new, old, t)
    return before != [_spec(rs) for rs in [new, *old]]


def refresh_status(cluster: Cluster, dep: k.V1Deployment, t: float) -> None:
    """Recompute a Deployment's status from its ReplicaSets (after their pods changed)."""
    new = cluster.new_replicaset(dep.metadata.name)
    if new is not None:
        old = [rs for rs in cluster.replicasets_of(dep.metadata.name) if rs is not new]
        _status(cluster, dep, new, old, t)


def _complete(dep: k.V1Deployment, new: k.V1ReplicaSet, old: list) -> bool:
    desired = dep.spec.replicas or 0
    replicas = (new.status.replicas or 0) + sum(rs.status.replicas or 0 for rs in old)
    return (new.status.replicas or 0) == desired == replicas and _available(new) == desired


def _cleanup(cluster: Cluster, dep: k.V1Deployment, old: list) -> None:
    """Delete old ReplicaSets beyond ``revisionHistoryLimit``, oldest revision first."""
    limit = dep.spec.revision_history_limit
    limit = 10 if limit is None else limit
    spare = [rs for rs in old if _spec(rs) == 0 and not (rs.status.replicas or 0)]
    spare.sort(key=revision)
    for rs in spare[: max(0, len(spare) - limit)]:
        cluster.delete_replicaset(rs.metadata.name)


def _progressing(
    cluster: Cluster, dep: k.V1Deployment, status: str, reason: str, message: str, t: float
) -> None:
    """Set the Progressing condition (its transition time kept while its status holds)."""
    conds = list(dep.status.conditions or [])
    prev = next((c for c in conds if c.type == "Progressing"), None)
    stamp = cluster.clock.at(t)
    since = prev.last_transition_time if prev is not None and prev.status == status else stamp
    conds = [c for c in conds if c.type != "Progressing"]
    conds.append(
        k.V1DeploymentCondition(
            type="Progressing",
            status=status,
            reason=reason,
            message=message,
            last_update_time=stamp,
            last_transition_time=since,
        )
    )
    dep.status.conditions = sorted(conds, key=lambda c: 0 if c.type == "Available" else 1)


def _available_condition(cluster: Cluster, dep: k.V1Deployment, available: int, t: float) -> None:
    desired = dep.spec.replicas or 0
    if available >= desired - o.max_unavailable(dep):
        want = ("True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
    else:
        want = (
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    conds = list(dep.status.conditions or [])
    cur = next((c for c in conds if c.type == "Available"), None)
    if cur is not None and (cur.status, cur.reason) == want[:2]:
        return
    stamp = cluster.clock.at(t)
    conds = [c for c in conds if c.type != "Available"]
    conds.append(
        k.V1DeploymentCondition(
            type="Available",
            status=want[0],
            reason=want[1],
            message=want[2],
            last_update_time=stamp,
            last_transition_time=stamp,
        )
    )
    dep.status.conditions = sorted(conds, key=lambda c: 0 if c.type == "Available" else 1)


def _status(
    cluster: Cluster, dep: k.V1Deployment, new: k.V1ReplicaSet, old: list, t: float
) -> None:
    """``syncRolloutStatus``: the counts, then Available and Progressing."""
    all_rs = [new, *old]
    desired = dep.spec.replicas or 0
    prev = dep.status
    replicas = sum(rs.status.replicas or 0 for rs in all_rs)
    updated = new.status.replicas or 0
    ready = sum(rs.status.ready_replicas or 0 for rs in all_rs)
    available = sum(_available(rs) for rs in all_rs)
    unavailable = max(0, sum(_spec(rs) for rs in all_rs) - available)
    _available_condition(cluster, dep, available, t)
    cond = next((c for c in dep.status.conditions or [] if c.type == "Progressing"), None)
    settled = replicas == updated and cond is not None and cond.reason == "NewReplicaSetAvailable"
    name = new.metadata.name
    if not settled:
        if updated == desired and replicas == desired and available == desired:
            _progressing(
                cluster,
                dep,
                "True",
                "NewReplicaSetAvailable",
                f'ReplicaSet "{name}" has successfully progressed.',
                t,
            )
        elif (
            updated > (prev.updated_replicas or 0)
            or replicas - updated < (prev.replicas or 0) - (prev.updated_replicas or 0)
            or ready > (prev.ready_replicas or 0)
            or available > (prev.available_replicas or 0)
        ):
            _progressing(
                cluster, dep, "True", "ReplicaSetUpdated", f'ReplicaSet "{name}" is progressing.', t
            )
        elif cond is not None and cond.reason != "ProgressDeadlineExceeded":
            deadline = dep.spec.progress_deadline_seconds or 600
            if cluster.clock.sim(cond.last_update_time) + deadline < t:
                _progressing(
                    cluster,
                    dep,
                    "False",
                    "ProgressDeadlineExceeded",
                    f'ReplicaSet "{name}" has timed out progressing.',
                    t,
                )
    dep.status.replicas = replicas
    dep.status.updated_replicas = updated
    dep.status.ready_replicas = ready
    dep.status.available_replicas = available
    dep.status.unavailable_replicas = unavailable or None
    dep.status.observed_generation = dep.metadata.generation
