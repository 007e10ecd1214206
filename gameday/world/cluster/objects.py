"""Kubernetes API objects of the simulated cluster, as the ``kubernetes`` package models them.

Builders for the Deployments, ReplicaSets, Pods and Nodes a scenario's world starts with,
and the few pieces of apimachinery the controllers need: the ``pod-template-hash``
(FNV-1a over the template, encoded as ``rand.SafeEncodeString`` does), int-or-percent
scaling (surge rounds up, unavailable rounds down), quantities, and times.
"""

from __future__ import annotations

import functools
import json
import math
from datetime import datetime, timedelta
from typing import Any

from kubernetes.client import models as k

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE = "kubernetes.io/change-cause"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
HASH_LABEL = "pod-template-hash"
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand
# Annotations a Deployment keeps for itself; the rest are copied onto its ReplicaSets.
_NOT_COPIED = {REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS}
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


class Clock:
    """Sim seconds to wall-clock datetimes and back (the scenario's start is t = 0)."""

    def __init__(self, start: datetime) -> None:
        self.start = start

    def at(self, t: float) -> datetime:
        """The wall-clock time at sim time ``t``, to the second as the API server keeps it."""
        return (self.start + timedelta(seconds=math.floor(t))).replace(microsecond=0)

    def sim(self, when: datetime | None) -> float:
        """Sim seconds at wall-clock ``when`` (``-inf`` for None)."""
        if when is None:
            return -math.inf
        return (when - self.start).total_seconds()


def safe_encode(text: str) -> str:
    """``rand.SafeEncodeString``: each byte mapped onto consonants and digits."""
    return "".join(ALPHANUMS[b % len(ALPHANUMS)] for b in text.encode())


def fnv32a(data: bytes) -> int:
    """The 32-bit FNV-1a hash (Go's ``hash/fnv`` New32a)."""
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def template_key(template: k.V1PodTemplateSpec) -> str:
    """The template as canonical JSON without the hash label (``EqualIgnoreHash``)."""
    data = to_dict(template)
    labels = data.get("metadata", {}).get("labels", {})
    labels.pop(HASH_LABEL, None)
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


@functools.lru_cache(maxsize=256)
def template_hash(key: str, collision_count: int = 0) -> str:
    """``controller.ComputeHash``: FNV-1a of the template, safe-encoded."""
    payload = key + (str(collision_count) if collision_count else "")
    return safe_encode(str(fnv32a(payload.encode())))


def scaled_value(value: int | str | None, total: int, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``: ``25%`` of ``total``, or an int."""
    if value is None:
        value = "25%"
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        return int(value)
    share = int(value[:-1]) * total / 100
    return math.ceil(share) if round_up else math.floor(share)


def fenceposts(dep: k.V1Deployment) -> tuple[int, int]:
    """``ResolveFenceposts``: (maxSurge, maxUnavailable) of a rolling update; both zero
    would stall it, so unavailable becomes 1."""
    desired = dep.spec.replicas or 0
    ru = dep.spec.strategy.rolling_update if dep.spec.strategy else None
    surge = scaled_value(ru.max_surge if ru else None, desired, True)
    unavailable = scaled_value(ru.max_unavailable if ru else None, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_unavailable(dep: k.V1Deployment) -> int:
    """``deploymentutil.MaxUnavailable``: capped at the desired replicas."""
    desired = dep.spec.replicas or 0
    if desired == 0:
        return 0
    return min(fenceposts(dep)[1], desired)


def cpu_millis(quantity: str | None) -> int:
    """A CPU quantity (``500m``, ``2``, ``0.5``) in millicores."""
    if not quantity:
        return 0
    if quantity.endswith("m"):
        return int(float(quantity[:-1]))
    return int(round(float(quantity) * 1000))


_MEM_UNITS = {
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
}


def mem_bytes(quantity: str | None) -> int:
    """A memory quantity (``512Mi``, ``1Gi``, ``16199428Ki``, ``1e9``) in bytes."""
    if not quantity:
        return 0
    for unit in sorted(_MEM_UNITS, key=len, reverse=True):
        if quantity.endswith(unit):
            return int(float(quantity[: -len(unit)]) * _MEM_UNITS[unit])
    return int(float(quantity))


def to_dict(obj: Any) -> Any:
    """An object as the API server serialises it: the models' own camelCase aliases,
    unset fields left out, RFC 3339 ``Z`` times (what ``ApiClient`` would send)."""
    return obj.model_dump(mode="json", by_alias=True, exclude_none=True)


def copied_annotations(dep: k.V1Deployment) -> dict[str, str]:
    """Annotations a Deployment passes on to a new ReplicaSet."""
    ann = dep.metadata.annotations or {}
    return {key: v for key, v in ann.items() if key not in _NOT_COPIED and key != _LAST_APPLIED}


def env_var(name: str, value: str) -> k.V1EnvVar:
    """A container environment variable."""
    return k.V1EnvVar(name=name, value=value)


def container(template: k.V1PodTemplateSpec) -> k.V1Container:
    """The (single) application container of a pod template."""
    return template.spec.containers[0]


def image_tag(image: str) -> str:
    """The tag of ``registry/name:tag`` (``latest`` when there is none)."""
    tail = image.rsplit("/", 1)[-1]
    return tail.rsplit(":", 1)[1] if ":" in tail else "latest"


def owner(kind: str, name: str, uid: str, api_version: str = "apps/v1") -> k.V1OwnerReference:
    """A controller owner reference."""
    return k.V1OwnerReference(
        api_version=api_version,
        kind=kind,
        name=name,
        uid=uid,
        controller=True,
        block_owner_deletion=True,
    )


def _http_probe(path: str, delay: int, period: int) -> k.V1Probe:
    """An HTTP GET probe on the application port (1 s timeout, 3 failures)."""
    return k.V1Probe(
        http_get=k.V1HTTPGetAction(path=path, port=8080, scheme="HTTP"),
        initial_delay_seconds=delay,
        period_seconds=period,
        timeout_seconds=1,
        success_threshold=1,
        failure_threshold=3,
    )


def deployment(
    name: str,
    namespace: str,
    *,
    image: str,
    container_name: str,
    replicas: int,
    cpu_request: float,
    memory_limit_mib: int,
    uid: str,
    created: datetime,
    max_surge: int | str = "25%",
    max_unavailable: int | str = "25%",
) -> k.V1Deployment:
    """A Deployment as a team's manifest would declare it (defaults filled in)."""
    probe = _http_probe("/health/ready", delay=10, period=5)
    live = _http_probe("/health/live", delay=30, period=10)
    millis = int(round(cpu_request * 1000))
    app = k.V1Container(
        name=container_name,
        image=image,
        image_pull_policy="IfNotPresent",
        ports=[k.V1ContainerPort(container_port=8080, name="http", protocol="TCP")],
        resources=k.V1ResourceRequirements(
            requests={"cpu": f"{millis}m", "memory": f"{memory_limit_mib}Mi"},
            limits={"cpu": f"{2 * millis}m", "memory": f"{memory_limit_mib}Mi"},
        ),
        readiness_probe=probe,
        liveness_probe=live,
        termination_message_path="/dev/termination-log",
        termination_message_policy="File",
    )
    template = k.V1PodTemplateSpec(
        metadata=k.V1ObjectMeta(labels={"app": name}),
        spec=k.V1PodSpec(
            containers=[app],
            restart_policy="Always",
            termination_grace_period_seconds=30,
            dns_policy="ClusterFirst",
            scheduler_name="default-scheduler",
            service_account_name="default",
        ),
    )
    return k.V1Deployment(
        api_version="apps/v1",
        kind="Deployment",
        metadata=k.V1ObjectMeta(
            name=name,
            namespace=namespace,
            uid=uid,
            labels={"app": name},
            annotations={},
            generation=1,
            creation_timestamp=created,
        ),
        spec=k.V1DeploymentSpec(
            replicas=replicas,
            selector=k.V1LabelSelector(match_labels={"app": name}),
            strategy=k.V1DeploymentStrategy(
                type="RollingUpdate",
                rolling_update=k.V1RollingUpdateDeployment(
                    max_surge=max_surge, max_unavailable=max_unavailable
                ),
            ),
            revision_history_limit=10,
            progress_deadline_seconds=600,
            min_ready_seconds=0,
            template=template,
        ),
        status=k.V1DeploymentStatus(observed_generation=0, replicas=0),
    )


def replicaset(
    dep: k.V1Deployment, phash: str, revision: int, uid: str, created: datetime
) -> k.V1ReplicaSet:
    """``getNewReplicaSet``'s new ReplicaSet: the template plus the hash label, at 0."""
    template = dep.spec.template.model_copy(deep=True)
    template.metadata.labels = {**(template.metadata.labels or {}), HASH_LABEL: phash}
    selector = {**(dep.spec.selector.match_labels or {}), HASH_LABEL: phash}
    annotations = copied_annotations(dep)
    annotations[REVISION] = str(revision)
    annotations[DESIRED_REPLICAS] = str(dep.spec.replicas or 0)
    surge = fenceposts(dep)[0]
    annotations[MAX_REPLICAS] = str((dep.spec.replicas or 0) + surge)
    name = f"{dep.metadata.name}-{phash}"
    return k.V1ReplicaSet(
        api_version="apps/v1",
        kind="ReplicaSet",
        metadata=k.V1ObjectMeta(
            name=name,
            namespace=dep.metadata.namespace,
            uid=uid,
            labels=dict(template.metadata.labels),
            annotations=annotations,
            owner_references=[owner("Deployment", dep.metadata.name, dep.metadata.uid)],
            creation_timestamp=created,
            generation=1,
        ),
        spec=k.V1ReplicaSetSpec(
            replicas=0,
            min_ready_seconds=dep.spec.min_ready_seconds,
            selector=k.V1LabelSelector(match_labels=selector),
            template=template,
        ),
        status=k.V1ReplicaSetStatus(replicas=0, observed_generation=1),
    )


def pod(rs: k.V1ReplicaSet, name: str, uid: str, created: datetime) -> k.V1Pod:
    """A pod made from a ReplicaSet's template, owned by it and not yet scheduled."""
    template = rs.spec.template
    # A shallow copy: a pod's containers are its ReplicaSet's, which nothing changes.
    spec = template.spec.model_copy(update={"tolerations": _TOLERATIONS})
    return k.V1Pod(
        api_version="v1",
        kind="Pod",
        metadata=k.V1ObjectMeta(
            name=name,
            generate_name=f"{rs.metadata.name}-",
            namespace=rs.metadata.namespace,
            uid=uid,
            labels=dict(template.metadata.labels or {}),
            annotations=dict(template.metadata.annotations or {}) or None,
            owner_references=[owner("ReplicaSet", rs.metadata.name, rs.metadata.uid)],
            creation_timestamp=created,
        ),
        spec=spec,
        status=k.V1PodStatus(phase="Pending", qos_class="Burstable"),
    )


_TOLERATIONS = [
    k.V1Toleration(key=key, operator="Exists", effect="NoExecute", toleration_seconds=300)
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
]


def node(name: str, cpu: int, memory_ki: int, internal_ip: str, created: datetime) -> k.V1Node:
    """A worker node with its capacity and allocatable resources."""
    alloc_cpu = cpu * 1000 - 80
    alloc_mem = memory_ki - 1_100_000
    return k.V1Node(
        api_version="v1",
        kind="Node",
        metadata=k.V1ObjectMeta(
            name=name,
            uid=None,
            labels={
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
            },
            creation_timestamp=created,
        ),
        spec=k.V1NodeSpec(pod_cidr=f"10.244.{name.rsplit('-', 1)[-1]}.0/24"),
        status=k.V1NodeStatus(
            capacity={"cpu": str(cpu), "memory": f"{memory_ki}Ki", "pods": "110"},
            allocatable={"cpu": f"{alloc_cpu}m", "memory": f"{alloc_mem}Ki", "pods": "110"},
            addresses=[
                k.V1NodeAddress(type="InternalIP", address=internal_ip),
                k.V1NodeAddress(type="Hostname", address=name),
            ],
            node_info=k.V1NodeSystemInfo(
                architecture="amd64",
                boot_id="",
                container_runtime_version="containerd://1.7.13",
                kernel_version="6.1.0-18-cloud-amd64",
                kube_proxy_version="v1.29.4",
                kubelet_version="v1.29.4",
                machine_id="",
                operating_system="linux",
                os_image="Debian GNU/Linux 12 (bookworm)",
                system_uuid="",
            ),
        ),
    )
