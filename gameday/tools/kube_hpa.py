"""HorizontalPodAutoscalers through kubectl: ``get hpa``'s row, ``describe hpa`` and
``patch hpa``, each in kubectl's words.

``get`` prints the TARGETS cell as the API server's table printer does
(``formatHPAMetrics``: ``cpu: 95%/70%``, ``<unknown>`` before the first metric);
``describe`` follows ``describeHorizontalPodAutoscalerV2`` (Metrics, Min/Max replicas,
``Deployment pods: N current / N desired``, Conditions, Events). A patch goes to the
HPA's spec as the API server would take it (a strategic or JSON merge patch, then the
validation of ``autoscaling/v2``); the controller acts on it at its next sync.
"""

from __future__ import annotations

from typing import Any

from kubernetes.client import models as k

from gameday.tools import kube_objects as ko
from gameday.tools.effects import Outcome
from gameday.tools.kube_describe import describe_time, events_section
from gameday.tools.kube_flags import dry_run, suffix
from gameday.tools.kubectl import namespace
from gameday.tools.output import kube_age, kube_table
from gameday.tools.parse import ActionError, Flags
from gameday.world.cluster import objects as o

PREFIX = "horizontalpodautoscaler.autoscaling"


def find(ctx: Any, name: str, flags: Flags) -> k.V2HorizontalPodAutoscaler:
    """The HPA called ``name`` in the command's namespace.

    Raises:
        ActionError: kubectl's NotFound message.
    """
    hpa = ctx.world.cluster.hpas.get(name)
    if hpa is None or namespace(ctx, flags) != ctx.world.namespace:
        raise ActionError(
            f'Error from server (NotFound): horizontalpodautoscalers.autoscaling "{name}" not found'
        )
    return hpa


def targets(hpa: k.V2HorizontalPodAutoscaler) -> str:
    """The TARGETS cell: ``cpu: 95%/70%`` (``formatHPAMetrics``)."""
    cells = []
    current = hpa.status.current_metrics or []
    for i, spec in enumerate(hpa.spec.metrics or []):
        res = spec.resource
        now = "<unknown>"
        if i < len(current) and current[i].resource is not None:
            pct = current[i].resource.current.average_utilization
            now = "<unknown>" if pct is None else f"{pct}%"
        goal = res.target.average_utilization
        cells.append(f"{res.name}: {now}/{'<auto>' if goal is None else f'{goal}%'}")
    return ", ".join(cells) or "<none>"


def row(ctx: Any, hpa: k.V2HorizontalPodAutoscaler) -> tuple[str, ...]:
    """``kubectl get hpa``: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE."""
    ref = hpa.spec.scale_target_ref
    low = hpa.spec.min_replicas
    return (
        str(hpa.metadata.name),
        f"{ref.kind}/{ref.name}",
        targets(hpa),
        "<unset>" if low is None else str(low),
        str(hpa.spec.max_replicas),
        str(hpa.status.current_replicas or 0),
        kube_age(ko.age(ctx, hpa)),
    )


def describe(ctx: Any, hpa: k.V2HorizontalPodAutoscaler) -> str:
    """``kubectl describe hpa NAME`` (``describeHorizontalPodAutoscalerV2``)."""
    name = hpa.metadata.name
    ref = hpa.spec.scale_target_ref
    st = hpa.status
    current = st.current_metrics or []
    head: list[tuple[str, str]] = [
        ("Name:", name),
        ("Namespace:", hpa.metadata.namespace),
        ("Labels:", "<none>"),
        ("Annotations:", "<none>"),
        ("CreationTimestamp:", describe_time(ctx, ctx.now - ko.age(ctx, hpa))),
        ("Reference:", f"{ref.kind}/{ref.name}"),
        ("Metrics:", "( current / target )"),
    ]
    for i, spec in enumerate(hpa.spec.metrics or []):
        res = spec.resource
        now = "<unknown>"
        if i < len(current) and current[i].resource is not None:
            value = current[i].resource.current
            now = f"{value.average_utilization}% ({value.average_value or '0'})"
        goal = res.target.average_utilization
        head.append(
            (
                f"  resource {res.name} on pods  (as a percentage of request):",
                f"{now} / {'<auto>' if goal is None else f'{goal}%'}",
            )
        )
    low = hpa.spec.min_replicas
    head += [
        ("Min replicas:", "<unset>" if low is None else str(low)),
        ("Max replicas:", str(hpa.spec.max_replicas)),
        (
            f"{ref.kind} pods:",
            f"{st.current_replicas or 0} current / {st.desired_replicas or 0} desired",
        ),
    ]
    # kubectl's tabwriter pads a column to its widest cell plus 2, per block of lines
    width = max(len(key) for key, _ in head) + 2
    lines = [f"{key.ljust(width)}{value}" for key, value in head]
    if st.conditions:
        width = max(len(c.type) for c in st.conditions) + 4  # "  Type": the next block
        rows = [(c.type, c.status, c.reason or "", c.message or "") for c in st.conditions]
        table = kube_table(
            ["Type", "Status", "Reason", "Message"],
            [("----", "------", "------", "-------"), *rows],
            gap=2,
        )
        lines += ["Conditions:", *("  " + line for line in table.split("\n"))]
    lines.append(events_section(ctx, f"horizontalpodautoscaler/{name}", width))
    return "\n".join(lines)


def patch(ctx: Any, name: str, body: dict, strategic: bool, flags: Flags) -> Outcome:
    """``kubectl patch hpa NAME -p PATCH``: the merged spec, validated, stored."""
    from gameday.tools.kube_patch import merge_patch

    cluster = ctx.world.cluster
    hpa = find(ctx, name, flags)
    current = o.to_dict(hpa)
    merged = merge_patch(current, body, strategic)
    spec = merged.get("spec") if isinstance(merged.get("spec"), dict) else {}
    _validate(name, spec)
    try:
        candidate = k.V2HorizontalPodAutoscaler.model_validate(merged)
    except ValueError as exc:
        first = str(exc).splitlines()[1:2] or [str(exc)]
        raise ActionError(
            f'The HorizontalPodAutoscaler "{name}" is invalid: {first[0].strip()}'
        ) from None
    mode = dry_run(flags)
    changed = candidate.spec != hpa.spec or candidate.metadata != hpa.metadata
    if not changed:
        return Outcome(True, f"{PREFIX}/{name} patched (no change){suffix(mode)}", "kubectl.patch")
    if not mode:  # status is a subresource: a patch of the object leaves it alone
        stored = hpa.model_copy(deep=True)
        stored.spec, stored.metadata = candidate.spec, candidate.metadata
        cluster.hpas[name] = stored
    return Outcome(
        True, f"{PREFIX}/{name} patched{suffix(mode)}", "kubectl.patch", changed=not mode
    )


def _validate(name: str, spec: dict) -> None:
    """``validateHorizontalPodAutoscalerSpec``'s checks on the replica bounds (its
    messages; several errors listed as the API server lists them), and the one metric
    this world measures."""
    # maxReplicas is a plain int32: a patch that removes it leaves Go's zero value
    high, low = spec.get("maxReplicas", 0), spec.get("minReplicas")
    for key, value in (("maxReplicas", high), ("minReplicas", low)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ActionError(
                f'The HorizontalPodAutoscaler "{name}" is invalid: spec.{key}: Invalid value: '
                f'"{value}": spec.{key} in body must be of type integer'
            )
    high = int(high or 0)
    errors = []
    if low is not None and low < 1:
        errors.append(f"spec.minReplicas: Invalid value: {low}: must be greater than or equal to 1")
    if high < 1:
        errors.append(f"spec.maxReplicas: Invalid value: {high}: must be greater than 0")
    if low is not None and high < low:
        errors.append(
            f"spec.maxReplicas: Invalid value: {high}: must be greater than or equal to "
            "`minReplicas`"
        )
    if errors:
        listed = errors[0] if len(errors) == 1 else "\n" + "\n".join(f"* {e}" for e in errors)
        raise ActionError(f'The HorizontalPodAutoscaler "{name}" is invalid: {listed}')
    for m in spec.get("metrics") or []:
        res = m.get("resource") if isinstance(m, dict) else None
        target = res.get("target") if isinstance(res, dict) else None
        if not (
            isinstance(m, dict)
            and m.get("type") == "Resource"
            and isinstance(res, dict)
            and res.get("name") == "cpu"
            and isinstance(target, dict)
            and target.get("type") == "Utilization"
            and isinstance(target.get("averageUtilization"), int)
        ):
            raise ActionError(
                "error: only a Resource cpu Utilization metric is simulated on an HPA"
            )
