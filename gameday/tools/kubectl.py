"""``kubectl``: flags, the verb table, ``get`` and ``top``.

Reads answer from the world as kubectl prints it (tabwriter columns, ages, kubectl's
NotFound and "No resources found" messages). Changes (rollout, scale, delete, set image)
live in :mod:`~gameday.tools.kube_change`, ``describe`` in
:mod:`~gameday.tools.kube_describe`, ``logs`` in
:mod:`~gameday.tools.logs`.
"""

from __future__ import annotations

import difflib
from typing import Any

from gameday.tools.effects import Outcome
from gameday.tools.parse import ActionError, Flags, parse_flags

SHORT = {
    "n": "namespace",
    "l": "selector",
    "o": "output",
    "c": "container",
    "p": "previous",
    "A": "all-namespaces",
    "f": "follow",
    "w": "watch",
    "i": "stdin",
    "t": "tty",
    "L": "label-columns",
}
VALUES = {
    "namespace",
    "selector",
    "output",
    "container",
    "context",
    "tail",
    "since",
    "since-time",
    "replicas",
    "to-revision",
    "revision",
    "timeout",
    "grace-period",
    "field-selector",
    "sort-by",
    "kubeconfig",
    "cluster",
    "user",
    "dry-run",
    "cascade",
    "max-log-requests",
    "limit-bytes",
    "current-replicas",
    "image",
    "type",
    "patch",
    "limits",
    "requests",
    "containers",
    "env",
    "label-columns",
}
BOOLS = {
    "list",
    "previous",
    "all-namespaces",
    "follow",
    "watch",
    "stdin",
    "tty",
    "show-labels",
    "no-headers",
    "timestamps",
    "force",
    "now",
    "all",
    "record",
    "ignore-not-found",
    "all-containers",
    "prefix",
    "wait",
    "quiet",
    "ignore-daemonsets",
    "delete-emptydir-data",
    "disable-eviction",
}
RESOURCES = {
    "pods": ("po", "pod", "pods"),
    "deployments": ("deploy", "deployment", "deployments", "deployment.apps", "deployments.apps"),
    "services": ("svc", "service", "services"),
    "replicasets": ("rs", "replicaset", "replicasets", "replicaset.apps"),
    "events": ("ev", "event", "events"),
    "nodes": ("no", "node", "nodes"),
    "namespaces": ("ns", "namespace", "namespaces"),
    "horizontalpodautoscalers.autoscaling": (  # a service's `autoscaler:`
        "hpa",
        "horizontalpodautoscaler",
        "horizontalpodautoscalers",
    ),
    # kinds the simulated namespace has none of (the answer is "No resources found")
    "configmaps": ("cm", "configmap", "configmaps"),
    "ingresses.networking.k8s.io": ("ing", "ingress", "ingresses"),
    "statefulsets.apps": ("sts", "statefulset", "statefulsets"),
    "daemonsets.apps": ("ds", "daemonset", "daemonsets"),
    "jobs.batch": ("job", "jobs"),
    "cronjobs.batch": ("cj", "cronjob", "cronjobs"),
    "persistentvolumeclaims": ("pvc", "persistentvolumeclaim", "persistentvolumeclaims"),
    "poddisruptionbudgets.policy": ("pdb", "poddisruptionbudget", "poddisruptionbudgets"),
}
RESOURCE_OF = {alias: kind for kind, aliases in RESOURCES.items() for alias in aliases}
NAME_PREFIX = {
    "pods": "pod",
    "deployments": "deployment.apps",
    "services": "service",
    "replicasets": "replicaset.apps",
    "events": "event",
    "nodes": "node",
    "namespaces": "namespace",
    "horizontalpodautoscalers.autoscaling": "horizontalpodautoscaler.autoscaling",
}
VERBS = (
    "get",
    "describe",
    "logs",
    "rollout",
    "scale",
    "top",
    "delete",
    "set",
    "patch",
    "cordon",
    "uncordon",
    "drain",
    "exec",
    "version",
    "config",
)


def resource(word: str) -> str:
    """The canonical plural for a kubectl resource alias.

    Raises:
        ActionError: kubectl's message for an unknown resource type.
    """
    kind = RESOURCE_OF.get(word.lower())
    if kind is None:
        raise ActionError(f'error: the server doesn\'t have a resource type "{word}"')
    return kind


def namespace(ctx: Any, flags: Flags) -> str:
    """The namespace a command acts in: ``-n``, else the kubeconfig context's namespace.

    That is ``default`` (as on a fresh kubeconfig) unless the session offers a
    ``kube_namespace`` attribute, as a tabletop that pre-selects the namespace would.
    """
    return flags.get("namespace") or getattr(ctx, "kube_namespace", None) or "default"


def run_kubectl(ctx: Any, args: list[str]) -> Outcome:
    """Run ``kubectl ARGS``."""
    from gameday.tools import (
        kube_change,
        kube_describe,
        kube_get,
        kube_node,
        kube_patch,
        kube_rollout,
        logs,
    )

    args = [_bare_dry_run(a, args[i + 1 : i + 2]) for i, a in enumerate(args)]
    first = next((a for a in args if not a.startswith("-")), "")
    short = {**SHORT, "p": "patch"} if first == "patch" else SHORT  # patch -p is --patch
    try:
        flags = parse_flags(args, short, VALUES, BOOLS)
    except ActionError as exc:
        verb = next((a for a in args if not a.startswith("-")), "")
        raise ActionError(f"error: {exc}\nSee 'kubectl {verb} --help' for usage.") from None
    if not flags.words:
        return Outcome(
            False,
            "kubectl controls the Kubernetes cluster manager.\n\n"
            "Simulated verbs: " + ", ".join(VERBS),
            "kubectl",
        )
    verb, rest = flags.words[0], flags.words[1:]
    handlers = {
        "get": kube_get.get,
        "describe": kube_describe.describe,
        "logs": logs.kubectl_logs,
        "rollout": kube_rollout.rollout,
        "scale": kube_change.scale,
        "top": kube_get.top,
        "delete": kube_change.delete,
        "set": kube_change.set_,
        "patch": kube_patch.patch,
        "cordon": kube_node.cordon,
        "uncordon": kube_node.uncordon,
        "drain": kube_node.drain,
        "exec": kube_change.exec_,
        "version": version,
        "config": config,
    }
    if verb not in handlers:
        close = difflib.get_close_matches(verb, VERBS, n=1)
        hint = f"\n\nDid you mean this?\n\t{close[0]}" if close else ""
        return Outcome(False, f'error: unknown command "{verb}" for "kubectl"{hint}', "unknown")
    return handlers[verb](ctx, rest, flags)


def _bare_dry_run(arg: str, after: list[str]) -> str:
    """A bare ``--dry-run`` is the deprecated spelling of ``--dry-run=client``."""
    if arg == "--dry-run" and not (after and after[0] in ("none", "client", "server")):
        return "--dry-run=client"
    return arg


def version(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl version``."""
    return Outcome(
        True,
        "Client Version: v1.29.4\nKustomize Version: v5.0.4-0.20230601165947"
        "-6ce0bf390ce3\nServer Version: v1.29.4",
        "kubectl.version",
    )


def config(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl config current-context``."""
    if words[:1] == ["current-context"]:
        return Outcome(True, ctx.scenario.world.cluster, "kubectl.config")
    return Outcome(False, "only 'kubectl config current-context' is simulated", "kubectl.config")
