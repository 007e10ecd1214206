"""The simulated cluster: the API server's objects and the controllers that reconcile them.

:class:`Cluster` holds Deployments, ReplicaSets, Pods and Nodes (``kubernetes`` model
objects) and runs, at every transition and at the end of every tick, the same passes
the control plane runs: the kubelet, the Deployment and ReplicaSet controllers, the
scheduler and the node lifecycle controller. Writers outside (kubectl actions, the
scenario's own deploys) change only specs through :meth:`update_deployment`,
:meth:`delete_pod` and :meth:`set_unschedulable`; nothing else sets replicas or pods.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from kubernetes.client import models as k

from gameday.world.cluster import deployment as dc
from gameday.world.cluster import hpa as hpac
from gameday.world.cluster import kubelet, scheduler
from gameday.world.cluster import objects as o
from gameday.world.cluster import replicaset as rsc
from gameday.world.cluster.records import EventLog, SimNode, SimPod

MAX_PASSES = 40  # transitions handled within one tick before the end-of-tick pass
SYNCS_PER_PASS = 6  # a Deployment re-synced after each of its own scalings


class ApiError(ValueError):
    """A request the API server refuses; the message is kubectl's."""


@dataclass
class AppProfile:
    """How one service's application behaves in its container."""

    warmup_s: float = 15.0  # start to passing readiness
    memory_base_mib: float = 180.0
    seed: int = 0

    def warmup(self, pod: str, restarts: int) -> float:
        """This container's warm-up, within 20% of the service's."""
        jitter = random.Random(f"{self.seed}:{pod}:{restarts}").uniform(-0.2, 0.2)
        return self.warmup_s * (1 + jitter)


class Cluster:
    """One namespace of a cluster and its nodes, reconciled in sim time."""

    def __init__(self, namespace: str, clock: o.Clock, seed: int) -> None:
        self.namespace = namespace
        self.clock = clock
        self.seed = seed
        self.rng = random.Random(f"{seed}:cluster")
        self.probe_rng = random.Random(f"{seed}:probes")
        self.deployments: dict[str, k.V1Deployment] = {}
        self.replicasets: dict[str, k.V1ReplicaSet] = {}
        self.pods: dict[str, SimPod] = {}
        self.nodes: dict[str, SimNode] = {}
        self.hpas: dict[str, k.V2HorizontalPodAutoscaler] = {}
        self.hpa_history: dict[str, list[tuple[float, int]]] = {}
        self._next_hpa = 0.0
        self.events = EventLog()
        self.profiles: dict[str, AppProfile] = {}
        self.crashing: set[tuple[str, str]] = set()  # (service, version) whose app crashes
        self.quota_pods = 200
        self.now = 0.0
        self.dirty = True  # something changed that the controllers have not seen yet
        self._settled = False
        self._wake = math.inf  # when a settled cluster has something due (a retry, an eviction)
        self._by_rs: dict[str, dict[str, SimPod]] = {}
        # per-Deployment indexes: reads by service stay O(its own objects), not O(cluster)
        self._by_service: dict[str, dict[str, SimPod]] = {}
        self._sorted: dict[str, list[SimPod]] = {}  # pods_of, until a pod comes or goes
        self._rs_by_deployment: dict[str, dict[str, k.V1ReplicaSet]] = {}
        self._keys: dict[tuple[str, int], str] = {}
        self._rs_keys: dict[str, str] = {}

    # -- identities --------------------------------------------------------------------

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def born(self, obj: k.V1ReplicaSet | k.V1Deployment) -> float:
        """Sim time an object was created."""
        return self.clock.sim(obj.metadata.creation_timestamp)

    def template_key(self, dep: k.V1Deployment) -> str:
        """The Deployment's template as compared with its ReplicaSets' (cached per generation)."""
        cache = (dep.metadata.name, dep.metadata.generation or 0)
        key = self._keys.get(cache)
        if key is None:
            key = self._keys[cache] = o.template_key(dep.spec.template)
        return key

    def rs_key(self, rs: k.V1ReplicaSet) -> str:
        key = self._rs_keys.get(rs.metadata.name)
        if key is None:
            key = self._rs_keys[rs.metadata.name] = o.template_key(rs.spec.template)
        return key

    def profile(self, service: str) -> AppProfile:
        return self.profiles.setdefault(service, AppProfile(seed=self.seed))

    # -- reads ---------------------------------------------------------------------------

    def replicasets_of(self, deployment: str) -> list[k.V1ReplicaSet]:
        """The ReplicaSets a Deployment owns."""
        return list(self._rs_by_deployment.get(deployment, {}).values())

    def pods_of_rs(self, rs: str) -> list[SimPod]:
        return list(self._by_rs.get(rs, {}).values())

    def pods_of(self, service: str) -> list[SimPod]:
        """Every pod of a Deployment (terminating ones too), by name."""
        found = self._sorted.get(service)
        if found is None:
            pods = self._by_service.get(service, {}).values()
            found = self._sorted[service] = sorted(pods, key=lambda p: p.name)
        return list(found)

    def serving(self, service: str) -> list[SimPod]:
        """The Service's endpoints: ready pods that are not terminating."""
        pods = self._by_service.get(service, {}).values()
        return [p for p in pods if p.ready and p.deleted_at is None]

    def new_replicaset(self, deployment: str) -> k.V1ReplicaSet | None:
        """The ReplicaSet of the Deployment's current template, if it exists yet."""
        dep = self.deployments[deployment]
        key = self.template_key(dep)
        return next((rs for rs in self.replicasets_of(deployment) if self.rs_key(rs) == key), None)

    # -- writes by controllers -----------------------------------------------------------

    def create_replicaset(
        self, dep: k.V1Deployment, key: str, revision: int, t: float
    ) -> k.V1ReplicaSet:
        phash = o.template_hash(key)
        rs = o.replicaset(dep, phash, revision, self.uid(), self.clock.at(t))
        self.replicasets[rs.metadata.name] = rs
        if rs.metadata.owner_references:
            owner = rs.metadata.owner_references[0].name
            self._rs_by_deployment.setdefault(owner, {})[rs.metadata.name] = rs
        self._rs_keys[rs.metadata.name] = key
        self._by_rs.setdefault(rs.metadata.name, {})
        return rs

    def delete_replicaset(self, name: str) -> None:
        rs = self.replicasets.pop(name, None)
        if rs is not None and rs.metadata.owner_references:
            owner = rs.metadata.owner_references[0].name
            self._rs_by_deployment.get(owner, {}).pop(name, None)
        self._rs_keys.pop(name, None)

    def create_pod(self, rs: k.V1ReplicaSet, t: float) -> str:
        """Create a pod of ``rs`` now; returns the API server's refusal, or ''."""
        while True:
            suffix = "".join(self.rng.choice(o.ALPHANUMS) for _ in range(5))
            name = f"{rs.metadata.name}-{suffix}"
            if name not in self.pods:
                break
        if len(self.pods) >= self.quota_pods:
            used = len(self.pods)
            return (
                f'pods "{name}" is forbidden: exceeded quota: compute-resources, requested: '
                f"pods=1, used: pods={used}, limited: pods={self.quota_pods}"
            )
        obj = o.pod(rs, name, self.uid(), self.clock.at(t))
        app = obj.spec.containers[0]
        res = app.resources
        service = rs.metadata.owner_references[0].name
        profile = self.profile(service)
        pod = SimPod(
            obj=obj,
            name=name,
            service=service,
            rs=rs.metadata.name,
            image=app.image,
            created_at=t,
            cpu_request_m=o.cpu_millis((res.requests or {}).get("cpu")),
            memory_request=o.mem_bytes((res.requests or {}).get("memory")),
            memory_limit_mib=o.mem_bytes((res.limits or {}).get("memory")) / 2**20 or math.inf,
            cpu_limit_m=o.cpu_millis((res.limits or {}).get("cpu")),
            memory_mib=profile.memory_base_mib,
            memory_base_mib=profile.memory_base_mib,
            env={e.name: e.value or "" for e in app.env or []},
        )
        self.pods[name] = pod
        self._by_rs.setdefault(rs.metadata.name, {})[name] = pod
        self._by_service.setdefault(pod.service, {})[name] = pod
        self._sorted.pop(pod.service, None)
        self.events.record(
            t,
            f"replicaset/{rs.metadata.name}",
            "Normal",
            "SuccessfulCreate",
            f"Created pod: {name}",
            "replicaset-controller",
        )
        return ""

    def bind(self, pod: SimPod, node: SimNode, t: float) -> None:
        """The scheduler's binding: the pod gets its node and an address on it."""
        pod.node = node.name
        pod.scheduled_at = t
        pod.ip = f"10.244.{node.name.rsplit('-', 1)[-1]}.{node.next_ip}"
        node.next_ip = node.next_ip % 250 + 2
        pod.next_start = t + kubelet.PULL_SECONDS
        pod.unschedulable_since = None
        self.events.record(
            t,
            f"pod/{pod.name}",
            "Normal",
            "Scheduled",
            f"Successfully assigned {self.namespace}/{pod.name} to {node.name}",
            "default-scheduler",
        )

    def delete_pod(self, name: str, t: float, evicted: bool = False) -> SimPod:
        """Mark a pod deleted: out of its Service now, gone when its application stops."""
        pod = self.pods[name]
        if pod.terminating:
            return pod
        self.dirty = True
        pod.deleted_at = t
        pod.evicted = evicted
        pod.ready = False
        node_up = pod.node is not None and self.nodes[pod.node].ready
        if pod.running and node_up:
            shutdown = random.Random(f"{self.seed}:stop:{name}").uniform(2.0, 6.0)
            pod.gone_at = t + min(shutdown, 30.0)
            container = pod.obj.spec.containers[0].name
            self.events.record(
                t, f"pod/{name}", "Normal", "Killing", f"Stopping container {container}", "kubelet"
            )
        elif node_up or pod.node is None:
            pod.gone_at = t
        else:
            pod.gone_at = math.inf  # stays Terminating until its node comes back
        return pod

    def forget_pod(self, name: str) -> None:
        pod = self.pods.pop(name)
        self._by_rs.get(pod.rs, {}).pop(name, None)
        self._by_service.get(pod.service, {}).pop(name, None)
        self._sorted.pop(pod.service, None)

    def sync_replicaset(self, rs: k.V1ReplicaSet, t: float) -> None:
        rsc.sync(self, rs, t)

    # -- writes through the API ---------------------------------------------------------

    def update_deployment(
        self,
        name: str,
        change: Callable[[k.V1Deployment], None],
        dry_run: bool = False,
        now: float | None = None,
    ) -> tuple[k.V1Deployment, bool]:
        """Apply ``change`` to a copy of the Deployment; store it unless a dry run.

        With ``now``, the controllers react at once (as their watches would), so the next
        command sees the new ReplicaSet and revision. Returns the object as it would be
        stored and whether anything changed.
        """
        dep = self.deployments[name]
        copy = dep.model_copy(deep=True)
        change(copy)
        if (copy.spec.replicas or 0) < 0:
            raise ApiError(
                f'The Deployment "{name}" is invalid: spec.replicas: Invalid value: '
                f"{copy.spec.replicas}: must be greater than or equal to 0"
            )
        spec_changed = copy.spec != dep.spec
        changed = spec_changed or copy.metadata != dep.metadata
        if spec_changed:
            copy.metadata.generation = (dep.metadata.generation or 1) + 1
        if changed and not dry_run:
            self.deployments[name] = copy
            self.dirty = True
            if now is not None:
                self.advance(max(now, self.now))
        return copy, changed

    def delete(self, name: str, now: float, force: bool = False) -> SimPod:
        """``DELETE pods/NAME``: graceful (or forced) deletion; the ReplicaSet reacts now."""
        pod = self.delete_pod(name, max(now, self.now))
        if force:
            pod.gone_at = pod.deleted_at or now
        self.advance(max(now, self.now))
        return pod

    def set_unschedulable(self, node: str, flag: bool, dry_run: bool = False) -> bool:
        """Cordon or uncordon a node; whether that changed it."""
        target = self.nodes[node]
        if target.unschedulable == flag:
            return False
        if not dry_run:
            self.dirty = True
            target.unschedulable = flag
            target.obj.spec.unschedulable = flag or None
            taint = k.V1Taint(key="node.kubernetes.io/unschedulable", effect="NoSchedule")
            target.obj.spec.taints = [taint] if flag else None
        return True

    def set_node_ready(self, node: str, ready: bool, t: float) -> None:
        """A node stops (or resumes) posting status: NotReady, then its pods evicted."""
        target = self.nodes[node]
        if target.ready == ready:
            return
        self.dirty = True
        target.ready = ready
        target.not_ready_since = None if ready else t
        for pod in self.pods.values():
            if pod.node == node and not ready:
                pod.ready = False
            if pod.node == node and ready and pod.terminating and not math.isfinite(pod.gone_at):
                pod.gone_at = t

    # -- the reconcile loop -------------------------------------------------------------

    def advance(self, now: float) -> None:
        """Run the control plane up to ``now``: every pod transition on its own time.

        A settled cluster (nothing changed since the last pass, every rollout complete,
        no pod pending, every node ready) has nothing to reconcile, so the pass is skipped:
        the controllers would find every object at its spec.
        """
        t0 = self.now
        for _ in range(MAX_PASSES):
            due = min(
                (kubelet.next_transition(p) for p in self.pods.values() if self._reported(p)),
                default=math.inf,
            )
            if due > now:
                break
            t = max(due, t0)
            kubelet.step(self, t)
            self._controllers(t)
        changed = kubelet.step(self, now)
        if self.hpas and now >= self._next_hpa:  # the HPA controller's sync period
            self._controllers(now)
            for autoscaler in self.hpas.values():
                hpac.sync(self, autoscaler, now)
            while self._next_hpa <= now:
                self._next_hpa += hpac.SYNC_PERIOD
        if changed or self.dirty or not self._settled or now >= self._wake:
            self._controllers(now)
        self.now = now

    def _reported(self, pod: SimPod) -> bool:
        """Whether a kubelet reports on ``pod``: not on a node that stopped posting status."""
        return pod.node is None or self.nodes[pod.node].ready

    def _controllers(self, t: float) -> None:
        self.dirty = False
        for rs in list(self.replicasets.values()):
            rsc.update_status(self, rs)
        for dep in list(self.deployments.values()):
            # Each scaling is an event that requeues the Deployment: sync until it settles.
            for _ in range(SYNCS_PER_PASS):
                if not dc.sync_deployment(self, dep, t):
                    break
                for rs in self.replicasets_of(dep.metadata.name):
                    rsc.update_status(self, rs)
        for rs in list(self.replicasets.values()):
            rsc.sync(self, rs, t)
        scheduler.schedule(self, t)
        scheduler.node_lifecycle(self, t)
        for rs in list(self.replicasets.values()):
            rsc.update_status(self, rs)
        for dep in list(self.deployments.values()):
            dc.refresh_status(self, dep, t)
        self._settled = self._is_settled()

    def _is_settled(self) -> bool:
        """Whether a pass now would find everything at its spec (and when that ends).

        Pods that wait, with nothing to do until something changes, do not unsettle it:
        a Terminating pod on an unreachable node (it goes when the node comes back), a
        Pending pod the scheduler refused (it is retried when capacity changes, which
        dirties the cluster, or when its retry is due). A NotReady node's pods are due
        for eviction at the end of their toleration.
        """
        self._wake = math.inf
        for p in self.pods.values():
            if p.terminating:
                node = self.nodes.get(p.node) if p.node else None
                if node is not None and not node.ready and not math.isfinite(p.gone_at):
                    continue
                return False
            if p.node is None:
                if p.unschedulable_since is None:
                    return False
                self._wake = min(self._wake, p.unschedulable_since + scheduler.RETRY_EVENT_EVERY)
            elif not self.nodes[p.node].ready:
                since = self.nodes[p.node].not_ready_since
                if since is None:
                    return False
                self._wake = min(self._wake, since + scheduler.TOLERATION_SECONDS)
        for dep in self.deployments.values():
            cond = next((c for c in dep.status.conditions or [] if c.type == "Progressing"), None)
            if cond is None or cond.reason != "NewReplicaSetAvailable":
                return False
            if (dep.status.replicas or 0) != (dep.status.updated_replicas or 0):
                return False
        return True
