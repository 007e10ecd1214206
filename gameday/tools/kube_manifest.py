"""``-o json`` and ``-o yaml``: objects as the API server serialises them.

Deployments, ReplicaSets, Pods and Nodes are the ``kubernetes`` package's model objects,
so their manifests are that package's own serialisation (camelCase keys, RFC 3339 times);
a pod's status is the kubelet's as of the last tick.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from gameday.tools import kube_objects as ko
from gameday.world.cluster import objects as o


def dumps(obj: Any, fmt: str) -> str:
    """``obj`` as kubectl's ``-o json`` or ``-o yaml``.

    kubectl's YAML comes from go-yaml v2 (through sigs.k8s.io/yaml): keys sorted, a string
    that cannot stand plain double-quoted (``revision: "3"``, ``status: "True"``,
    ``creationTimestamp: "2025-04-18T10:00:00Z"``), long lines never folded.
    """
    if fmt == "json":
        return json.dumps(obj, indent=4)
    import yaml

    return yaml.dump(
        obj, Dumper=_go_dumper(), sort_keys=True, default_flow_style=False, width=1 << 30
    ).rstrip("\n")


@functools.cache
def _go_dumper() -> type:
    """A safe YAML dumper that quotes as go-yaml does: double quotes, never single."""
    import yaml

    class GoYamlDumper(yaml.SafeDumper):
        def choose_scalar_style(self) -> str:
            style: str = super().choose_scalar_style()
            return '"' if style == "'" else style

    return GoYamlDumper


def manifest(ctx: Any, kind: str, name: str) -> dict[str, Any]:
    """One object's manifest."""
    ns = ctx.world.namespace
    cluster = ctx.world.cluster
    if kind == "pods":
        pod = ko.find_pod(ctx, name, ns)
        node = cluster.nodes.get(pod.node or "")
        return dict(o.to_dict(pod.refresh(cluster.clock, node.ip if node else "")))
    if kind == "deployments":
        return dict(o.to_dict(ko.find_deployment(ctx, name, ns)))
    if kind == "replicasets" and name in cluster.replicasets:
        return dict(o.to_dict(cluster.replicasets[name]))
    if kind == "horizontalpodautoscalers.autoscaling" and name in cluster.hpas:
        return dict(o.to_dict(cluster.hpas[name]))
    if kind == "nodes":
        return dict(o.to_dict(ko.find_node(ctx, name).obj))
    return {
        "apiVersion": "v1",
        "kind": kind.rstrip("s").capitalize(),
        "metadata": {"name": name, "namespace": ns},
    }


def manifest_list(ctx: Any, kind: str, names: list[str], fmt: str, single: bool) -> str:
    """``-o json|yaml`` of ``names``: the object when the command named exactly one
    (``single``), else a ``List``, even of one item (kubectl's ``singleItemImplied``:
    ``get pods -l app=x -o yaml`` prints a List)."""
    items = [manifest(ctx, kind, n) for n in names]
    obj = (
        items[0]
        if single and len(items) == 1
        else {
            "apiVersion": "v1",
            "items": items,
            "kind": "List",
            "metadata": {"resourceVersion": ""},
        }
    )
    return dumps(obj, fmt)
