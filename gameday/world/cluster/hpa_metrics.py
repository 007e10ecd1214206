"""kube-state-metrics' HorizontalPodAutoscaler series (``internal/store/hpa.go``).

Per HPA, labelled ``namespace`` and ``horizontalpodautoscaler``:
``kube_horizontalpodautoscaler_spec_max_replicas``, ``..._spec_min_replicas``,
``..._spec_target_metric{metric_name="cpu",metric_target_type="utilization"}``,
``..._status_current_replicas``, ``..._status_desired_replicas`` and
``..._status_condition{condition,status}``: for each condition the HPA reports, one series
per status ``true``/``false``/``unknown``, 1 on the one it has. So a team's rules on them
(an HPA at its maximum, ScalingLimited for 15 minutes) run unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Labels = tuple[tuple[str, str], ...]
PREFIX = "kube_horizontalpodautoscaler_"
STATUSES = ("true", "false", "unknown")


def collect(
    cluster: Any,
    name: str,
    namespace: str,
    lab: Callable[..., Labels],
    parts: dict[Any, Any],
    labels: list[Labels],
    values: list[float],
) -> None:
    """Append the series of the HPA called ``name``, if there is one."""
    hpa = cluster.hpas.get(name)
    if hpa is None:
        return
    conditions = hpa.status.conditions or []
    key = ("hpa", name, tuple(c.type for c in conditions))
    found = parts.get(key)
    if found is None:
        base = (
            "namespace",
            namespace,
            "horizontalpodautoscaler",
            name,
            "job",
            "kube-state-metrics",
        )
        target = ("metric_name", "cpu", "metric_target_type", "utilization")
        found = (
            lab("__name__", PREFIX + "spec_max_replicas", *base),
            lab("__name__", PREFIX + "spec_min_replicas", *base),
            lab("__name__", PREFIX + "spec_target_metric", *base, *target),
            lab("__name__", PREFIX + "status_current_replicas", *base),
            lab("__name__", PREFIX + "status_desired_replicas", *base),
            *(
                lab(
                    "__name__", PREFIX + "status_condition", *base, "condition", c.type, "status", s
                )
                for c in conditions
                for s in STATUSES
            ),
        )
        parts[key] = found
    labels += found
    spec, status = hpa.spec, hpa.status
    values += (spec.max_replicas, spec.min_replicas or 1)
    values.append(spec.metrics[0].resource.target.average_utilization or 0)
    values += (status.current_replicas or 0, status.desired_replicas or 0)
    for c in conditions:
        values += [1 if c.status.lower() == s else 0 for s in STATUSES]
