"""What the kubelet and the world know about a pod or a node beyond its API object.

A :class:`SimPod` pairs a ``V1Pod`` (metadata and spec, as the API server holds them) with
the running container's state: when it was scheduled, started and became ready, its
restarts, and what the application is doing (memory, CPU, connections held). The kubelet
writes this state; :meth:`SimPod.refresh` copies it into the ``V1Pod``'s status when the
object is read. Events are recorded as the API server keeps them: one per object, reason
and message, with a count and first and last times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from kubernetes.client import models as k

from gameday.world.cluster.objects import Clock, image_tag

EVENT_TTL = 3600.0  # the API server's --event-ttl


@dataclass(eq=False)
class SimPod:
    """One pod: its API object and its container's life.

    Attributes:
        obj: the ``V1Pod``.
        name / service / rs: the pod, its Deployment and its ReplicaSet.
        image / version: the container image and its tag.
        created_at: sim time the ReplicaSet created it.
        node: the node it is bound to (None while Pending).
        ready: the Ready condition (the readiness probe passed, not terminating).
        deleted_at: sim time of its deletion (Terminating until ``gone_at``).
        stuck / leaked: pool connections the application cannot use.
        memory_mib / cpu_cores: what the container uses now.
    """

    obj: k.V1Pod
    name: str
    service: str
    rs: str
    image: str
    created_at: float
    cpu_request_m: int
    memory_request: int
    memory_limit_mib: float
    cpu_limit_m: int
    node: str | None = None
    ip: str = ""
    scheduled_at: float | None = None
    started_at: float | None = None  # the current container's start
    warm_at: float = math.inf  # when the application passes its readiness probe
    ready: bool = False
    ready_since: float | None = None
    probe_failures: int = 0
    restarts: int = 0
    waiting: str | None = "ContainerCreating"  # ContainerCreating | CrashLoopBackOff
    next_start: float = math.inf
    crash_at: float = math.inf
    app_crashes: bool = False
    last_termination: str | None = None
    last_termination_at: float | None = None
    last_started_at: float | None = None
    deleted_at: float | None = None
    gone_at: float = math.inf
    evicted: bool = False
    unschedulable_since: float | None = None
    stuck: float = 0.0
    leaked: float = 0.0
    memory_mib: float = 0.0
    memory_base_mib: float = 0.0
    cpu_cores: float = 0.0
    cpu_seconds: float = 0.0
    cfs_periods: float = 0.0
    cfs_throttled: float = 0.0
    env: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The image tag the pod runs."""
        return image_tag(self.image)

    @property
    def container(self) -> str:
        """The application container's name."""
        return str(self.obj.spec.containers[0].name)

    @property
    def terminating(self) -> bool:
        return self.deleted_at is not None

    @property
    def running(self) -> bool:
        """A container is up (it may not be ready yet)."""
        return self.started_at is not None and self.waiting is None

    def phase(self) -> str:
        """``status.phase``: Pending until a container first runs, then Running."""
        if self.started_at is None and self.last_started_at is None:
            return "Pending"
        return "Running"

    def refresh(self, clock: Clock, node_ip: str) -> k.V1Pod:
        """The ``V1Pod`` with its status as the kubelet last reported it."""
        obj = self.obj
        if self.deleted_at is not None and obj.metadata.deletion_timestamp is None:
            obj.metadata.deletion_timestamp = clock.at(self.deleted_at + 30)
            obj.metadata.deletion_grace_period_seconds = 30
        obj.spec.node_name = self.node
        status = k.V1PodStatus(phase=self.phase(), qos_class="Burstable")
        conditions = []
        if self.node is not None:
            status.host_ip = node_ip
            status.pod_ip = self.ip or None
            status.pod_ips = [k.V1PodIP(ip=self.ip)] if self.ip else None
            status.start_time = clock.at(self.scheduled_at or self.created_at)
            ready = "True" if self.ready else "False"
            conditions += [
                k.V1PodCondition(type="Initialized", status="True"),
                k.V1PodCondition(type="Ready", status=ready),
                k.V1PodCondition(type="ContainersReady", status=ready),
            ]
            status.container_statuses = [self._container_status(clock)]
        conditions.append(
            k.V1PodCondition(
                type="PodScheduled",
                status="True" if self.node else "False",
                reason=None if self.node else "Unschedulable",
            )
        )
        status.conditions = conditions
        obj.status = status
        return obj

    def _container_status(self, clock: Clock) -> k.V1ContainerStatus:
        name = self.obj.spec.containers[0].name
        if self.running and self.started_at is not None:
            state = k.V1ContainerState(
                running=k.V1ContainerStateRunning(started_at=clock.at(self.started_at))
            )
        else:
            state = k.V1ContainerState(waiting=k.V1ContainerStateWaiting(reason=self.waiting))
        last = None
        if self.last_termination and self.last_termination_at is not None:
            code = 137 if self.last_termination == "OOMKilled" else 1
            last = k.V1ContainerState(
                terminated=k.V1ContainerStateTerminated(
                    exit_code=code,
                    reason=self.last_termination,
                    started_at=clock.at(self.last_started_at or self.created_at),
                    finished_at=clock.at(self.last_termination_at),
                )
            )
        return k.V1ContainerStatus(
            name=name,
            image=self.image,
            image_id="",
            ready=self.ready,
            restart_count=self.restarts,
            started=self.running,
            state=state,
            last_state=last,
        )


@dataclass(eq=False)
class SimNode:
    """One node: its ``V1Node`` and what the scheduler and kubelet track about it."""

    obj: k.V1Node
    name: str
    ip: str
    cpu_m: int  # allocatable
    memory: int  # allocatable bytes
    ready: bool = True
    not_ready_since: float | None = None
    unschedulable: bool = False
    next_ip: int = 2
    disk_pressure: bool = False  # the kubelet's DiskPressure condition (and its taint)


@dataclass
class KubeEvent:
    """One event as ``kubectl get events`` and ``describe`` show it."""

    first: float
    last: float
    count: int
    type: str
    reason: str
    obj: str  # kind/name, e.g. pod/orders-6b9d8f7c5-x2k4q
    source: str
    message: str


class EventLog:
    """Events as the API server keeps them: repeats aggregated, gone after an hour."""

    def __init__(self) -> None:
        self._events: dict[tuple[str, str, str], KubeEvent] = {}

    def record(
        self, t: float, obj: str, etype: str, reason: str, message: str, source: str
    ) -> None:
        """Record (or count again) an event at sim time ``t``."""
        key = (obj, reason, message)
        found = self._events.get(key)
        if found is not None and t - found.last < EVENT_TTL:
            found.count += 1
            found.last = t
            return
        self._events[key] = KubeEvent(t, t, 1, etype, reason, obj, source, message)

    def prune(self, now: float) -> None:
        """Forget events last seen more than an hour ago."""
        old = [key for key, e in self._events.items() if now - e.last >= EVENT_TTL]
        for key in old:
            del self._events[key]

    def list(self, now: float, only: str | None = None) -> list[KubeEvent]:
        """Events of the last hour, oldest last-seen first; ``only`` keeps one object."""
        out = [
            e
            for e in self._events.values()
            if now - e.last < EVENT_TTL and e.first <= now and (only is None or e.obj == only)
        ]
        return sorted(out, key=lambda e: (e.last, e.obj, e.reason))
