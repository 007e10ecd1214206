"""Read the cluster as kube-state-metrics would expose it."""

from __future__ import annotations

from typing import Any

from gameday.chaos.clients import Clients

Labels = tuple[tuple[str, str], ...]


def _labels(**pairs: str) -> Labels:
    return tuple(sorted(pairs.items()))


def cluster_samples(clients: Clients, namespace: str) -> list[tuple[Labels, float]]:
    """kube_deployment_* and kube_pod_container_* series for one namespace."""
    out: list[tuple[Labels, float]] = []
    ksm = "kube-state-metrics"
    for dep in clients.apps.list_namespaced_deployment(namespace).items:
        name = dep.metadata.name
        status = dep.status
        base = {"namespace": namespace, "deployment": name, "job": ksm}
        out.append(
            (
                _labels(__name__="kube_deployment_spec_replicas", **base),
                float(dep.spec.replicas or 0),
            )
        )
        out.append(
            (
                _labels(__name__="kube_deployment_status_replicas_available", **base),
                float(status.available_replicas or 0),
            )
        )
        out.append(
            (
                _labels(__name__="kube_deployment_status_replicas_unavailable", **base),
                float(status.unavailable_replicas or 0),
            )
        )
    for pod in clients.core.list_namespaced_pod(namespace).items:
        for cs in pod.status.container_statuses or []:
            base = {
                "namespace": namespace,
                "pod": pod.metadata.name,
                "container": cs.name,
                "job": ksm,
            }
            out.append(
                (
                    _labels(__name__="kube_pod_container_status_restarts_total", **base),
                    float(cs.restart_count or 0),
                )
            )
            out.append(
                (
                    _labels(__name__="kube_pod_container_status_ready", **base),
                    1.0 if cs.ready else 0.0,
                )
            )
            waiting = getattr(cs.state, "waiting", None) if cs.state else None
            if waiting is not None and waiting.reason:
                out.append(
                    (
                        _labels(
                            __name__="kube_pod_container_status_waiting_reason",
                            reason=str(waiting.reason),
                            **base,
                        ),
                        1.0,
                    )
                )
            last = getattr(cs.last_state, "terminated", None) if cs.last_state else None
            if last is not None and last.reason:
                out.append(
                    (
                        _labels(
                            __name__="kube_pod_container_status_last_terminated_reason",
                            reason=str(last.reason),
                            **base,
                        ),
                        1.0,
                    )
                )
    return out


def summary_line(samples: list[tuple[Labels, float]]) -> str:
    """A one-line view of deployments' availability and pods' restarts."""
    parts: list[str] = []
    by: dict[str, dict[str, Any]] = {}
    for labels, value in samples:
        d = dict(labels)
        if d["__name__"] == "kube_deployment_status_replicas_available":
            by.setdefault(d["deployment"], {})["avail"] = int(value)
        elif d["__name__"] == "kube_deployment_spec_replicas":
            by.setdefault(d["deployment"], {})["spec"] = int(value)
    for name in sorted(by):
        parts.append(f"{name} {by[name].get('avail', 0)}/{by[name].get('spec', 0)}")
    restarts = sum(
        v for ls, v in samples if dict(ls)["__name__"] == "kube_pod_container_status_restarts_total"
    )
    return ", ".join(parts) + f"; restarts {int(restarts)}"
