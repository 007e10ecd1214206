"""``-o json`` and ``-o yaml``: small but well-formed manifests of simulated objects."""

from __future__ import annotations

import json
from typing import Any

from gameday.engine.actions import kube_objects as ko


def dumps(obj: Any, fmt: str) -> str:
    """``obj`` as kubectl's ``-o json`` or ``-o yaml``."""
    if fmt == "json":
        return json.dumps(obj, indent=4)
    import yaml

    return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False).rstrip("\n")


def manifest(ctx: Any, kind: str, name: str) -> dict[str, Any]:
    """A small but well-formed manifest of one object."""
    ns = ctx.world.namespace
    if kind == "pods":
        pod = ko.find_pod(ctx, name, ns)
        ready, status = ko.pod_status(ctx, pod)
        dep = ctx.world.deployments[pod.service]
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": ko.pod_labels(ctx, pod)},
            "spec": {
                "nodeName": pod.node,
                "containers": [{"name": dep.container, "image": f"{dep.image}:{pod.version}"}],
            },
            "status": {
                "phase": "Running" if status != "Terminating" else "Running",
                "podIP": pod.ip,
                "startTime": ctx.wall_time(pod.started_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "containerStatuses": [
                    {"name": dep.container, "ready": ready == "1/1", "restartCount": pod.restarts}
                ],
            },
        }
    if kind == "deployments":
        dep = ko.find_deployment(ctx, name, ns)
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": name,
                "namespace": ns,
                "annotations": {"deployment.kubernetes.io/revision": str(dep.revision)},
            },
            "spec": {
                "replicas": dep.replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "spec": {
                        "containers": [
                            {"name": dep.container, "image": f"{dep.image}:{dep.version}"}
                        ]
                    }
                },
            },
            "status": {
                "replicas": len(dep.pods),
                "readyReplicas": len(ctx.world.serving_pods(name)),
            },
        }
    return {
        "apiVersion": "v1",
        "kind": kind.rstrip("s").capitalize(),
        "metadata": {"name": name, "namespace": ns},
    }


def manifest_list(ctx: Any, kind: str, names: list[str], fmt: str) -> str:
    """``-o json|yaml`` of ``names``: one object, or a ``List``."""
    items = [manifest(ctx, kind, n) for n in names]
    obj = (
        items[0]
        if len(items) == 1
        else {
            "apiVersion": "v1",
            "items": items,
            "kind": "List",
            "metadata": {"resourceVersion": ""},
        }
    )
    return dumps(obj, fmt)
