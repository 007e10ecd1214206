"""During a chaos session, the responder's fixes reach the real cluster too.

Only ``kubectl rollout undo``, ``kubectl rollout restart`` and ``kubectl scale`` of a
deployment in the opted-in namespace are mirrored, and only when the simulation accepted
the command; everything else a responder types stays inside the simulation.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import Any

from gameday.chaos.clients import Clients

REVISION = "deployment.kubernetes.io/revision"


def parse_fix(command: str) -> tuple[str, str, str | None, int | None] | None:
    """``(verb, deployment, namespace, replicas)`` for a mirrored command, else None."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or words[0] not in ("kubectl", "k"):
        return None
    namespace = None
    replicas = None
    rest: list[str] = []
    i = 1
    while i < len(words):
        w = words[i]
        if w in ("-n", "--namespace") and i + 1 < len(words):
            namespace = words[i + 1]
            i += 2
            continue
        if w.startswith("--namespace="):
            namespace = w.split("=", 1)[1]
        elif w.startswith("--replicas="):
            replicas = int(w.split("=", 1)[1])
        elif w == "--replicas" and i + 1 < len(words):
            replicas = int(words[i + 1])
            i += 1
        elif not w.startswith("-"):
            rest.append(w)
        i += 1
    target = next(
        (r.split("/", 1)[1] for r in rest if r.startswith(("deployment/", "deploy/"))), None
    )
    if target is None:
        return None
    if rest[:2] == ["rollout", "undo"]:
        return ("undo", target, namespace, None)
    if rest[:2] == ["rollout", "restart"]:
        return ("restart", target, namespace, None)
    if rest[:1] == ["scale"] and replicas is not None:
        return ("scale", target, namespace, replicas)
    return None


def mirror(clients: Clients, namespace: str, command: str, ok: bool) -> str | None:
    """Apply the real-cluster side of ``command``; returns a line for the output, or None."""
    fix = parse_fix(command)
    if fix is None or not ok:
        return None
    verb, name, ns, replicas = fix
    if (ns or namespace) != namespace:
        return f"[cluster] not mirrored: namespace {ns} is not the chaos namespace {namespace}"
    if verb == "scale":
        clients.apps.patch_namespaced_deployment_scale(
            name, namespace, {"spec": {"replicas": replicas}}
        )
        return f"[cluster] deployment {name} scaled to {replicas}"
    if verb == "restart":
        stamp = datetime.now(UTC).isoformat()
        body = {
            "spec": {
                "template": {
                    "metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}
                }
            }
        }
        clients.apps.patch_namespaced_deployment(name, namespace, body)
        return f"[cluster] deployment {name} restarted"
    return _undo(clients, namespace, name)


def _undo(clients: Clients, namespace: str, name: str) -> str:
    """Roll back to the previous ReplicaSet's pod template, as ``kubectl rollout undo``."""
    dep = clients.apps.read_namespaced_deployment(name, namespace)
    selector = ",".join(f"{k}={v}" for k, v in (dep.spec.selector.match_labels or {}).items())
    sets: list[Any] = clients.apps.list_namespaced_replica_set(
        namespace, label_selector=selector
    ).items
    owned = [rs for rs in sets if any(o.name == name for o in (rs.metadata.owner_references or []))]
    ranked = sorted(owned, key=lambda rs: int((rs.metadata.annotations or {}).get(REVISION, "0")))
    if len(ranked) < 2:
        return f"[cluster] no previous revision of deployment {name} to roll back to"
    template = clients.api_client.sanitize_for_serialization(ranked[-2].spec.template)
    template.get("metadata", {}).get("labels", {}).pop("pod-template-hash", None)
    clients.apps.patch_namespaced_deployment(name, namespace, {"spec": {"template": template}})
    revision = (ranked[-2].metadata.annotations or {}).get(REVISION, "?")
    return f"[cluster] deployment {name} rolled back to revision {revision}"
