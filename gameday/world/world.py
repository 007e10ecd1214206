"""The world model: traffic, capacity, connection pools and faults, advanced per tick.

Each tick (one scrape interval) the world computes, per service, the offered load, what
its ready pods and free pool connections can serve, the resulting 5xx ratio and latency,
and how faults move stuck or leaked connections, memory and versions. This module holds
the world's state, its faults and the order of a tick; the tick's parts are
:mod:`~gameday.world.apps` (what the applications do by themselves),
:mod:`~gameday.world.traffic` (the request path) and :mod:`~gameday.world.pool_usage`
(the pools' side of the databases).
"""

from __future__ import annotations

import random
from typing import Any

from gameday.scenario.model import Fault, Scenario, Service
from gameday.world import apps, carriers, infra, pool_usage, replicas, traffic
from gameday.world.call_graph import CallGraph
from gameday.world.cluster import Cluster, SimPod, bootstrap
from gameday.world.cluster import objects as ko
from gameday.world.database import (
    Backend,
    ConnectionRefused,
    PostgresServer,
)
from gameday.world.database.workload import RegisteredQuery, parse_index_spec
from gameday.world.faults import ActiveFault, Effect
from gameday.world.kafka import KafkaCluster
from gameday.world.nodes.disk import Disks
from gameday.world.redis.clients import Caches
from gameday.world.state import Namer
from gameday.world.status import Counters, ServiceStatus

WRITE_SHARE = 0.5  # requests that write; they wait while a table is locked against writes


class World:
    """The cluster, the traffic it serves and the databases of a scenario, in sim time.

    Kubernetes objects live in :attr:`cluster` (controllers reconcile them every tick);
    the world decides what the applications in the pods do: how much they serve, what
    they hold, whether they crash or leak.
    """

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = seed
        self.namer = Namer(seed)
        self.noise = random.Random(f"{seed}:noise")
        self.usage_rng = random.Random(f"{seed}:usage")
        self.leak_lead: dict[str, str] = {}  # the pod that leaks first, per service
        self.leak_rates: dict[str, float] = {}
        self.namespace = scenario.world.namespace
        self.services: dict[str, Service] = {s.name: s for s in scenario.world.services}
        self.order = _callers_first(scenario)
        self.status: dict[str, ServiceStatus] = {n: ServiceStatus() for n in self.services}
        self.counters: dict[str, Counters] = {n: Counters() for n in self.services}
        self.faults: dict[str, ActiveFault] = {}
        self.databases: dict[str, PostgresServer] = {
            d.name: PostgresServer.from_spec(d, seed) for d in scenario.world.databases
        }
        replicas.build(self)  # each replica is a server of its own, fed by its primary
        self.granted: dict[str, int] = {}  # pool connections each pod holds
        self._shares: dict[str, tuple[float, dict[str, float]]] = {}  # per tick
        self.plan_cache: tuple[tuple[str, float], Any] | None = None  # pool_usage.usage_plan
        self.now = 0.0
        self.cluster: Cluster = bootstrap.build(scenario, seed)
        self.kills: dict[str, int] = {}  # containers OOM-killed this tick, per service
        self.threads: dict[str, float] = {}  # share of requests the threads could take
        self._initial_pool = {
            n: (s.pool.size * s.replicas if s.pool else 0) for n, s in self.services.items()
        }
        pool_usage.sync_pools(self, 0.0)
        self.kafka: KafkaCluster | None = None
        self.disks: Disks | None = None
        infra.build(self)
        self.caches = Caches(self)
        self.calls = CallGraph(self)
        for db in self.databases.values():  # a quiet pool at the start: every session idle
            for pool in db.pools.values():
                db.use(pool.pod, pool_usage.pod_usage(self, pool.service, 0, 0, 0))

    # -- faults -------------------------------------------------------------------------

    def start_fault(self, spec: Fault, now: float) -> ActiveFault:
        """Begin a fault; deploy-type faults roll out their version."""
        fault = ActiveFault(spec, started_at=now)
        self.faults[spec.id] = fault
        carriers.on_start(self, fault)
        if spec.type in ("connection_leak", "crash_loop"):
            version = str(fault.data["version"])
            self.deploy(spec.service, version, f"deploy {version}")
        if spec.type == "blocking_query":
            self._start_blocker(fault, now)
        if spec.type == "slow_query":
            self._register_slow_query(fault)
        if spec.type == "bulk_import":
            replicas.start_import(self, fault, now)
        if spec.type == "replica_query":
            replicas.start_replica_query(self, fault, now)
        infra.start_fault(self, fault, now)
        if spec.type == "cache_flush":
            self._flush_cache(fault, now)
        return fault

    def _flush_cache(self, fault: ActiveFault, now: float) -> None:
        """The Redis service loses its data: its pod is evicted (a node drain) and its
        ReplicaSet replaces it with an empty one, or a FLUSHALL empties it in place."""
        server = self.caches.servers.get(fault.spec.service)
        if server is None:
            return
        if fault.param("how", "evict") == "flushall":
            server.flushall()
            return
        for pod in self.serving_pods(fault.spec.service):
            self.cluster.delete(pod.name, now)

    def starved_by(self, service: str) -> bool:
        """Whether some caller's request threads are all taken waiting on ``service``."""
        return any(
            self.threads.get(caller, 1.0) < 0.99
            for caller, svc in self.services.items()
            if service in svc.calls
        )

    def starved_by_any(self, caller: str) -> bool:
        """Whether ``caller``'s request threads were all taken last tick."""
        return self.threads.get(caller, 1.0) < 0.99

    def redis_clients(self, server: str) -> int:
        """``connected_clients`` of a Redis service."""
        return self.caches.clients(server)

    def end_fault(self, fault_id: str, now: float, reason: str) -> ActiveFault | None:
        """End a fault (mitigated or expired); returns it if it was active."""
        fault = self.faults.get(fault_id)
        if fault is None or not fault.active:
            return None
        fault.ended_at = now
        fault.end_reason = reason
        if fault.type in ("blocking_query", "bulk_import", "replica_query"):
            for db in self.databases.values():
                db.sessions = [b for b in db.sessions if b.fault != fault_id]
                if db.standby is not None:
                    db.standby.queries = [q for q in db.standby.queries if q.fault != fault_id]
        for db in self.databases.values():
            db.workload.unregister(fault_id)
        return fault

    def _register_slow_query(self, fault: ActiveFault) -> None:
        """A slow query is the database's to time: register it on the service's database."""
        svc = self.services[fault.spec.service]
        db = self.databases.get(svc.database or "")
        if db is None:
            return
        index = fault.param("index", None)
        query = RegisteredQuery(
            key=fault.spec.id,
            service=svc.name,
            text=str(fault.param("query", "") or "") or db.app_statement(svc.name).text,
            factor=max(1.0, float(fault.param("factor", 20.0))),
            version=str(fault.param("version", None) or self.version(svc.name)),
            fix_index=parse_index_spec(str(index)) if index else None,
            base_ms=(svc.pool.hold if svc.pool else svc.latency) * 1000.0,
        )
        db.workload.register(query)

    def _start_blocker(self, fault: ActiveFault, now: float) -> None:
        svc = self.services[fault.spec.service]
        db = self.databases.get(svc.database or "")
        if db is None:
            return
        user = str(fault.param("user", "reporting"))
        app = str(fault.param("application", "psql"))
        try:
            b = db.connect(user, app, self.namer.client_addr(), now)
        except ConnectionRefused as exc:
            fault.data["refused"] = str(exc)
            return
        fault.blocker_pid = b.pid
        table = str(fault.param("table", "orders"))
        b.state = "active"
        b.query = str(fault.param("query", "")) or _default_blocker_query(fault)
        jitter = random.Random(f"{self.seed}:{fault.spec.id}").uniform(0.0, 1.0)
        b.backend_start = now - 60.0 - jitter
        b.xact_start = now - 45.0 - jitter
        b.query_start = b.state_change = now - 40.0 - jitter
        b.blocker_of = table
        b.fault = fault.spec.id

    def active_effect(self, service: str) -> Effect:
        """The combined effect of every active fault on ``service``."""
        serving = self.serving_pods(service)
        return self._effect(service, self._pool_total(service, serving), serving)

    def _effect(self, service: str, pool_total: int, serving: list[SimPod]) -> Effect:
        """Each active fault's effect, scaled by the share of it the world still carries."""
        total = Effect()
        db = self.databases.get(self.services[service].database or "")
        for fault in self.faults.values():
            if not fault.active or fault.spec.service != service:
                continue
            e = fault.effect(pool_total, self._initial_pool[service])
            share = carriers.share(self, fault, serving)
            total.stuck_target += e.stuck_target * share
            total.leak_per_request += e.leak_per_request  # per pod: only carriers leak
            if not (db is not None and fault.type == "slow_query"):  # the database times it
                total.hold_factor *= 1 + (e.hold_factor - 1) * share
            total.traffic_factor *= e.traffic_factor  # the traffic goes on
            total.error_ratio = 1 - (1 - total.error_ratio) * (1 - e.error_ratio * share)
            total.added_latency += e.added_latency * share
        late = infra.reply_failures(self, service)  # Kafka records nobody answers in time
        total.error_ratio = 1 - (1 - total.error_ratio) * (1 - late)
        if db is not None and self.services[service].pool is not None:
            total.hold_factor *= db.workload.hold_factor(service, self.version_share(service))
            if db.write_locked_tables():  # a plain CREATE INDEX: writes wait for its lock
                total.stuck_target += pool_total * WRITE_SHARE
        stale = replicas.stale_ratio(self, service, serving)  # reads of rows not replayed yet
        if stale > 0:
            total.error_ratio = 1 - (1 - total.error_ratio) * (1 - stale)
        return total

    def version_share(self, service: str) -> dict[str, float]:
        """The share of the service's serving pods per version (worked out once a tick)."""
        found = self._shares.get(service)
        if found is not None and found[0] == self.now:
            return found[1]
        pods = self.serving_pods(service)
        share: dict[str, float] = {}
        for pod in pods:
            share[pod.version] = share.get(pod.version, 0.0) + 1.0 / len(pods)
        self._shares[service] = (self.now, share)
        return share

    def relief_changes(self) -> list[tuple[ActiveFault, bool]]:
        """Faults that became relieved (True) or carried again (False) this tick.

        A fault is relieved once something carried it and nothing does any more.
        """
        changes = []
        for fault in self.faults.values():
            if not fault.active:
                continue
            now_carried = carriers.carried(self, fault)
            if now_carried:
                fault.was_carried = True
                if fault.relieved_at is not None:
                    fault.relieved_at = None
                    changes.append((fault, False))
            elif fault.was_carried and fault.relieved_at is None:
                fault.relieved_at = self.now
                changes.append((fault, True))
        return changes

    def leaking_version(self, service: str) -> str | None:
        for fault in self.faults.values():
            if fault.active and fault.spec.service == service and fault.type == "connection_leak":
                return str(fault.data.get("version"))
        return None

    def crashing_version(self, service: str) -> str | None:
        for fault in self.faults.values():
            if fault.active and fault.spec.service == service and fault.type == "crash_loop":
                return str(fault.data.get("version"))
        return None

    # -- the cluster --------------------------------------------------------------------

    def deploy(self, service: str, version: str, cause: str) -> None:
        """A release by the team's CD system: a new image tag and its change-cause."""

        def change(dep: Any) -> None:
            app = dep.spec.template.spec.containers[0]
            app.image = f"{app.image.rsplit(':', 1)[0]}:{version}"
            dep.metadata.annotations = {**(dep.metadata.annotations or {}), ko.CHANGE_CAUSE: cause}

        self.cluster.update_deployment(service, change)

    def version(self, service: str) -> str:
        """The image tag the Deployment's template asks for."""
        dep: Any = self.cluster.deployments[service]  # a V1Deployment, built complete
        return ko.image_tag(dep.spec.template.spec.containers[0].image)

    def pods(self, service: str) -> list[SimPod]:
        """Every pod of ``service`` (pending, running or terminating), by name."""
        return self.cluster.pods_of(service)

    def terminate_backend(self, pid: int, now: float) -> Backend | None:
        """``pg_terminate_backend(pid)``: end a session (a blocker's lock goes with it)."""
        for db in self.databases.values():
            backend = db.terminate(pid)
            if backend is not None:
                return backend
        return None

    def _pool_total(self, service: str, serving: list[SimPod] | None = None) -> int:
        if self.services[service].pool is None:
            return 0
        pods = self.serving_pods(service) if serving is None else serving
        return sum(self.granted.get(p.name, 0) for p in pods)

    def serving_pods(self, service: str) -> list[SimPod]:
        """The pods the Service sends traffic to: ready and not terminating."""
        return self.cluster.serving(service)

    # -- the tick -----------------------------------------------------------------------

    def step(self, now: float, dt: float) -> None:
        """Advance the world to ``now`` over one tick of ``dt`` seconds."""
        self.now = now
        self.kills = {}
        apps.applications(self, dt)
        self.cluster.advance(now)
        self.caches.sync(now)
        apps.count_kills(self, now, dt)
        pool_usage.sync_pools(self, now)
        replicas.advance(self, now, dt)
        # Serving pods and fault effects stay put for the rest of the tick: work them out once.
        serving = {name: self.serving_pods(name) for name in self.services}
        effects = {
            name: self._effect(name, self._pool_total(name, pods), pods)
            for name, pods in serving.items()
        }
        offered = traffic.offered_load(self, now, effects, serving, dt)
        for name in reversed(self.order):  # callees first: errors flow back up
            traffic.serve(self, name, offered[name], dt, serving[name], effects[name])
        self.calls.settle(dt)
        pool_usage.use_pools(self, serving)
        infra.step(self, now, dt, serving)
        apps.probes(self, now, dt, serving)
        if self.cluster.dirty:  # the probes changed readiness: endpoints and statuses follow
            self.cluster.advance(now)
            for name in self.services:
                self.status[name].ready = len(self.serving_pods(name))

    # -- the database's side of the pools ----------------------------------------------


def _default_blocker_query(fault: ActiveFault) -> str:
    table = fault.param("table", "orders")
    return f"UPDATE {table} SET status = 'archived' WHERE created_at < now() - interval '2 years'"


def _callers_first(scenario: Scenario) -> list[str]:
    """Services in an order where every caller comes before its callees."""
    names = [s.name for s in scenario.world.services]
    calls = {s.name: [c for c in s.calls if c in names] for s in scenario.world.services}
    indegree = {n: 0 for n in names}
    for n in names:
        for c in calls[n]:
            indegree[c] += 1
    ready = [n for n in names if indegree[n] == 0]
    order: list[str] = []
    while ready:
        n = ready.pop(0)
        order.append(n)
        for c in calls[n]:
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    order += [n for n in names if n not in order]  # a cycle: validation reports it
    return order
