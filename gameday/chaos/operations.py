"""API-only operations on a cluster, each with the kubectl it equals and its inverse.

An :class:`Operation` is plain data (JSON-able, so the journal can hold it). ``capture``
reads the live object and returns the operation that undoes this one; ``apply`` makes the
change. Both go through :class:`~gameday.chaos.clients.Clients` only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gameday.chaos.clients import Clients

GAMEDAY_LABEL = {"app.kubernetes.io/managed-by": "gameday"}


@dataclass(frozen=True)
class Operation:
    """One change: ``type`` names it, the rest says to what."""

    type: str
    namespace: str
    name: str
    container: str = ""
    value: Any = None
    fault: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Operation:
        return cls(**data)

    def describe(self) -> str:
        """What it does, in words."""
        return DESCRIBE[self.type](self)

    def kubectl(self) -> str:
        """The equivalent kubectl command."""
        return KUBECTL[self.type](self)


def _container(deployment: Any, name: str) -> Any:
    containers = deployment.spec.template.spec.containers
    for c in containers:
        if c.name == name or not name:
            return c
    raise ValueError(f"deployment {deployment.metadata.name} has no container {name!r}")


def _patch_container(clients: Clients, op: Operation, changes: dict[str, Any]) -> None:
    body = {"spec": {"template": {"spec": {"containers": [{"name": op.container, **changes}]}}}}
    clients.apps.patch_namespaced_deployment(op.name, op.namespace, body)


# -- capture: read the live object, return the inverse -------------------------------------


def capture(clients: Clients, op: Operation) -> Operation | None:
    """The operation that restores what ``op`` will change (None: nothing to restore)."""
    if op.type in ("set_image", "set_env", "set_memory_limit", "scale"):
        dep = clients.apps.read_namespaced_deployment(op.name, op.namespace)
        if op.type == "scale":
            return Operation(
                "scale", op.namespace, op.name, value=dep.spec.replicas, fault=op.fault
            )
        c = _container(dep, op.container)
        if op.type == "set_image":
            return Operation("set_image", op.namespace, op.name, c.name, c.image, op.fault)
        if op.type == "set_env":
            current = {e.name: e.value for e in (c.env or []) if e.name in op.value}
            restore = {k: current.get(k) for k in op.value}
            return Operation("set_env", op.namespace, op.name, c.name, restore, op.fault)
        limits = dict((c.resources.limits or {}) if c.resources else {})
        return Operation(
            "set_memory_limit", op.namespace, op.name, c.name, limits.get("memory"), op.fault
        )
    if op.type == "deny_all_network":
        return Operation("delete_network_policy", op.namespace, op.name, fault=op.fault)
    if op.type == "cpu_burn_job":
        return Operation("delete_job", op.namespace, op.name, fault=op.fault)
    if op.type == "delete_pod":
        return None  # the ReplicaSet starts a replacement
    if op.type in ("delete_network_policy", "delete_job"):
        return None
    raise ValueError(f"unknown operation {op.type!r}")


# -- apply --------------------------------------------------------------------------------


def apply(clients: Clients, op: Operation) -> None:
    """Make the change ``op`` describes."""
    if op.type == "set_image":
        _patch_container(clients, op, {"image": op.value})
    elif op.type == "set_env":
        env = [
            {"name": k, "$patch": "delete"} if v is None else {"name": k, "value": str(v)}
            for k, v in op.value.items()
        ]
        _patch_container(clients, op, {"env": env})
    elif op.type == "set_memory_limit":
        _patch_container(clients, op, {"resources": {"limits": {"memory": op.value}}})
    elif op.type == "scale":
        clients.apps.patch_namespaced_deployment_scale(
            op.name, op.namespace, {"spec": {"replicas": int(op.value)}}
        )
    elif op.type == "delete_pod":
        clients.core.delete_namespaced_pod(op.name, op.namespace)
    elif op.type == "deny_all_network":
        clients.networking.create_namespaced_network_policy(op.namespace, _deny_all(op))
    elif op.type == "delete_network_policy":
        clients.networking.delete_namespaced_network_policy(op.name, op.namespace)
    elif op.type == "cpu_burn_job":
        clients.batch.create_namespaced_job(op.namespace, _burn_job(op))
    elif op.type == "delete_job":
        clients.batch.delete_namespaced_job(op.name, op.namespace, propagation_policy="Background")
    else:
        raise ValueError(f"unknown operation {op.type!r}")


def _deny_all(op: Operation) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": op.name, "namespace": op.namespace, "labels": GAMEDAY_LABEL},
        "spec": {
            "podSelector": {"matchLabels": {"app": op.value}},
            "policyTypes": ["Ingress", "Egress"],
        },
    }


def _burn_job(op: Operation) -> dict[str, Any]:
    cpus = int(op.extra.get("workers", 2))
    seconds = int(op.extra.get("seconds", 600))
    script = (
        f"for i in $(seq {cpus}); do timeout {seconds} sh -c 'while :; do :; done' & done; wait"
    )
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": op.name, "namespace": op.namespace, "labels": GAMEDAY_LABEL},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "metadata": {"labels": GAMEDAY_LABEL},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {"name": "burn", "image": "busybox:1.36", "command": ["sh", "-c", script]}
                    ],
                },
            },
        },
    }


DESCRIBE = {
    "set_image": lambda o: f"set image of {o.name}/{o.container} to {o.value}",
    "set_env": lambda o: f"set env {o.value} on {o.name}/{o.container}",
    "set_memory_limit": lambda o: f"set memory limit of {o.name}/{o.container} to {o.value}",
    "scale": lambda o: f"scale deployment {o.name} to {o.value}",
    "delete_pod": lambda o: f"delete pod {o.name}",
    "deny_all_network": lambda o: f"deny all traffic to and from app={o.value} ({o.name})",
    "delete_network_policy": lambda o: f"delete network policy {o.name}",
    "cpu_burn_job": lambda o: f"start CPU-burning job {o.name}",
    "delete_job": lambda o: f"delete job {o.name}",
}


def _env_args(o: Operation) -> str:
    return " ".join(f"{k}-" if v is None else f"{k}={v}" for k, v in o.value.items())


KUBECTL = {
    "set_image": lambda o: (
        f"kubectl -n {o.namespace} set image deployment/{o.name} {o.container}={o.value}"
    ),
    "set_env": lambda o: (
        f"kubectl -n {o.namespace} set env deployment/{o.name} -c {o.container} {_env_args(o)}"
    ),
    "set_memory_limit": lambda o: (
        f"kubectl -n {o.namespace} set resources deployment/{o.name} -c {o.container} "
        f"--limits=memory={o.value if o.value else '0'}"
    ),
    "scale": lambda o: f"kubectl -n {o.namespace} scale deployment/{o.name} --replicas={o.value}",
    "delete_pod": lambda o: f"kubectl -n {o.namespace} delete pod {o.name}",
    "deny_all_network": lambda o: (
        f"kubectl -n {o.namespace} apply -f - <<< "
        f"'<NetworkPolicy {o.name}: podSelector app={o.value}, "
        "no ingress, no egress>'"
    ),
    "delete_network_policy": lambda o: f"kubectl -n {o.namespace} delete networkpolicy {o.name}",
    "cpu_burn_job": lambda o: (
        f"kubectl -n {o.namespace} create job {o.name} --image=busybox:1.36 -- sh -c '<burn>'"
    ),
    "delete_job": lambda o: f"kubectl -n {o.namespace} delete job {o.name}",
}
