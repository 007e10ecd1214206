"""The HorizontalPodAutoscaler controller (autoscaling/v2, CPU utilisation), every 15 s.

After ``pkg/controller/podautoscaler``: the replica calculator takes the ready pods' CPU
usage over their requests (``desired = ceil(ready * utilisation / target)``, nothing
within the 10% tolerance; unready pods count as idle when scaling up, and a change that
would flip direction once they are counted is dropped); recommendations are stabilised
(the highest of the last 300 s, the first being the scale found), a scale-up is limited
to ``max(2 * current, 4)`` per sync, and the result is bounded by
``minReplicas``/``maxReplicas``. An HPA without ``spec.behavior`` takes this path
(``normalizeDesiredReplicas``); the conditions carry the controller's reasons and messages.
A target scaled outside the bounds by hand is brought back at the next sync, whatever the
metrics say ("Current number of replicas above Spec.MaxReplicas"). The controller writes
only the Deployment's ``spec.replicas`` (the scale subresource) and its own status.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from kubernetes.client import models as k

if TYPE_CHECKING:
    from gameday.world.cluster.cluster import Cluster

SYNC_PERIOD = 15.0
TOLERANCE = 0.1
DOWNSCALE_WINDOW = 300.0


def autoscaler(
    name: str, namespace: str, target: str, low: int, high: int, cpu: int, created: object
) -> k.V2HorizontalPodAutoscaler:
    """An HPA on a Deployment's average CPU utilisation."""
    return k.V2HorizontalPodAutoscaler(
        api_version="autoscaling/v2",
        kind="HorizontalPodAutoscaler",
        metadata=k.V1ObjectMeta(name=name, namespace=namespace, creation_timestamp=created),
        spec=k.V2HorizontalPodAutoscalerSpec(
            scale_target_ref=k.V2CrossVersionObjectReference(
                api_version="apps/v1", kind="Deployment", name=target
            ),
            min_replicas=low,
            max_replicas=high,
            metrics=[
                k.V2MetricSpec(
                    type="Resource",
                    resource=k.V2ResourceMetricSource(
                        name="cpu",
                        target=k.V2MetricTarget(type="Utilization", average_utilization=cpu),
                    ),
                )
            ],
        ),
        status=k.V2HorizontalPodAutoscalerStatus(current_replicas=0, desired_replicas=0),
    )


def target_utilization(hpa: k.V2HorizontalPodAutoscaler) -> int:
    return int(hpa.spec.metrics[0].resource.target.average_utilization or 80)


def replicas_for(
    cluster: Cluster, hpa: k.V2HorizontalPodAutoscaler, current: int
) -> tuple[int, int | None]:
    """``GetResourceReplicas``: the replica count the CPU usage asks for, and the
    utilisation (percent of requests) it saw (None without metrics)."""
    target = target_utilization(hpa)
    pods = [p for p in cluster.pods_of(hpa.spec.scale_target_ref.name) if not p.terminating]
    ready = [p for p in pods if p.ready and p.running]
    unready = [p for p in pods if not (p.ready and p.running)]
    if not ready or not any(p.cpu_seconds > 0 for p in ready):
        # no sample yet (the world's first step): no metric, so no recommendation, as
        # the controller does without one, rather than a reading of 0% that never was
        return current, None
    usage = sum(p.cpu_cores * 1000 for p in ready)
    requests = sum(p.cpu_request_m for p in ready) or 1
    utilization = usage * 100 / requests
    ratio = utilization / target
    if not (unready and ratio > 1.0):
        if abs(1.0 - ratio) <= TOLERANCE:
            return current, round(utilization)
        return math.ceil(ratio * len(ready)), round(utilization)
    # Scaling up with unready pods: count them as using nothing.
    requests += sum(p.cpu_request_m for p in unready)
    new_ratio = usage * 100 / requests / target
    if abs(1.0 - new_ratio) <= TOLERANCE or new_ratio < 1.0:
        return current, round(utilization)
    wanted = math.ceil(new_ratio * (len(ready) + len(unready)))
    return (current if wanted < current else wanted), round(utilization)


def sync(cluster: Cluster, hpa: k.V2HorizontalPodAutoscaler, t: float) -> None:
    """``reconcileAutoscaler``: one pass over one HPA (no ``spec.behavior``, so the
    controller's ``normalizeDesiredReplicas`` path)."""
    name = hpa.spec.scale_target_ref.name
    dep = cluster.deployments.get(name)
    if dep is None:
        return
    current = dep.spec.replicas or 0
    low, high = hpa.spec.min_replicas or 1, hpa.spec.max_replicas
    history = cluster.hpa_history.setdefault(hpa.metadata.name, [])
    if not history:  # recordInitialRecommendation: the scale it found counts as one
        history.append((t, current))
    status = hpa.status
    metrics: list[k.V2MetricStatus] | None = None
    if current == 0 and low > 0:
        _condition(
            cluster,
            hpa,
            "ScalingActive",
            "False",
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
            t,
        )
        desired, reason = current, ""
    elif current > high:  # a manual scale above the bounds is undone without metrics
        desired, reason = high, "Current number of replicas above Spec.MaxReplicas"
    elif current < low:
        desired, reason = low, "Current number of replicas below Spec.MinReplicas"
    else:
        wanted, utilization, usage = _metric(cluster, hpa, current, t)
        if utilization is not None:
            metrics = [_metric_status(utilization, usage)]
        reason = (
            "cpu resource utilization (percentage of request) above target"
            if wanted > current
            else "All metrics below target"
        )
        desired = _normalize(cluster, hpa, history, current, wanted, low, high, t)
    status.current_metrics = metrics
    status.current_replicas = current
    status.desired_replicas = current
    if desired == current:
        return

    def change(d: k.V1Deployment) -> None:
        d.spec.replicas = desired

    cluster.update_deployment(name, change)
    status.desired_replicas = desired
    status.last_scale_time = cluster.clock.at(t)
    _condition(
        cluster,
        hpa,
        "AbleToScale",
        "True",
        "SucceededRescale",
        f"the HPA controller was able to update the target scale to {desired}",
        t,
    )
    cluster.events.record(
        t,
        f"horizontalpodautoscaler/{hpa.metadata.name}",
        "Normal",
        "SuccessfulRescale",
        f"New size: {desired}; reason: {reason}",
        "horizontal-pod-autoscaler",
    )


def _metric(
    cluster: Cluster, hpa: k.V2HorizontalPodAutoscaler, current: int, t: float
) -> tuple[int, int | None, int]:
    """The metric's proposal, its utilisation and the pods' average usage (millicores);
    sets ``ScalingActive`` as ``computeReplicasForMetrics`` does."""
    wanted, utilization = replicas_for(cluster, hpa, current)
    if utilization is None:
        return current, None, 0
    _condition(
        cluster,
        hpa,
        "ScalingActive",
        "True",
        "ValidMetricFound",
        "the HPA was able to successfully calculate a replica count from cpu resource "
        "utilization (percentage of request)",
        t,
    )
    ready = [
        p
        for p in cluster.pods_of(hpa.spec.scale_target_ref.name)
        if p.ready and p.running and not p.terminating
    ]
    usage = round(sum(p.cpu_cores * 1000 for p in ready) / max(len(ready), 1))
    return wanted, utilization, usage


def _metric_status(utilization: int, usage_m: int) -> k.V2MetricStatus:
    return k.V2MetricStatus(
        type="Resource",
        resource=k.V2ResourceMetricStatus(
            name="cpu",
            current=k.V2MetricValueStatus(
                average_utilization=utilization, average_value=f"{usage_m}m"
            ),
        ),
    )


def _normalize(
    cluster: Cluster,
    hpa: k.V2HorizontalPodAutoscaler,
    history: list[tuple[float, int]],
    current: int,
    wanted: int,
    low: int,
    high: int,
    t: float,
) -> int:
    """``normalizeDesiredReplicas``: the highest recommendation of the last 300 s, then
    ``convertDesiredReplicasWithRules`` (minReplicas, the scale-up limit, maxReplicas)."""
    history[:] = [(when, n) for when, n in history if t - when <= DOWNSCALE_WINDOW]
    stable = max([wanted, *(n for _, n in history)])
    history.append((t, wanted))
    able = (
        ("ReadyForNewScale", "recommended size matches current size")
        if stable == wanted
        else (
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest "
            "recent recommendation",
        )
    )
    _condition(cluster, hpa, "AbleToScale", "True", *able, t)
    up_limit = max(2 * current, 4)  # calculateScaleUpLimit: scaleUpLimitFactor, Minimum
    ceiling = min(up_limit, high)
    if stable < low:
        desired = low
        why = ("TooFewReplicas", "the desired replica count is less than the minimum replica count")
    elif stable > ceiling:
        desired = ceiling
        why = (
            (
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate",
            )
            if high > up_limit
            else (
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        )
    else:
        desired, why = (
            stable,
            ("DesiredWithinRange", "the desired count is within the acceptable range"),
        )
    _condition(cluster, hpa, "ScalingLimited", "False" if desired == stable else "True", *why, t)
    return desired


def _condition(
    cluster: Cluster,
    hpa: k.V2HorizontalPodAutoscaler,
    ctype: str,
    status: str,
    reason: str,
    message: str,
    t: float,
) -> None:
    conds = [c for c in hpa.status.conditions or [] if c.type != ctype]
    prev = next((c for c in hpa.status.conditions or [] if c.type == ctype), None)
    since = prev.last_transition_time if prev is not None and prev.status == status else None
    conds.append(
        k.V2HorizontalPodAutoscalerCondition(
            type=ctype,
            status=status,
            reason=reason,
            message=message,
            last_transition_time=since or cluster.clock.at(t),
        )
    )
    order = ("AbleToScale", "ScalingActive", "ScalingLimited")
    hpa.status.conditions = sorted(conds, key=lambda c: order.index(c.type))
