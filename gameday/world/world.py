"""The world model: traffic, capacity, connection pools and faults, advanced per tick.

Each tick (one scrape interval) the world computes, per service, the offered load, what
its ready pods and free pool connections can serve, the resulting 5xx ratio and latency,
and how faults move stuck or leaked connections, memory and versions. Load flows from
callers to callees; errors and latency flow back from callees to callers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from gameday.scenario.model import Fault, Scenario, Service
from gameday.world import carriers
from gameday.world.cluster import Cluster, SimPod, bootstrap, kubelet
from gameday.world.cluster import objects as ko
from gameday.world.database import (
    Backend,
    ConnectionRefused,
    PoolDemand,
    PostgresServer,
    Statement,
    Usage,
)
from gameday.world.database.workload import RegisteredQuery, parse_index_spec
from gameday.world.faults import ActiveFault, Effect, approach
from gameday.world.metrics import bucket_shares, histogram_quantile
from gameday.world.state import Namer

MAX_THREADS = 200  # request threads per pod (Tomcat's default), the most that can wait
WRITE_SHARE = 0.5  # requests that write; they wait while a table is locked against writes
POOL_OPENS_BEFORE_READY = 5.0  # the app opens its pool this long before it reports ready
KILL_LOSS_SECONDS = 4.0  # a killed container's in-flight requests, and those sent to it
# until its endpoint is removed, fail: about this many seconds of its share of traffic


@dataclass
class ServiceStatus:
    """What one service did during the last tick."""

    offered_rps: float = 0.0
    ok_rps: float = 0.0
    error_ratio: float = 0.0
    pool_size: int = 0
    pool_in_use: float = 0.0
    pool_pending: float = 0.0
    ready: int = 0
    fail_latency: float = 0.0  # how long failing requests took
    ok_latency: float = 0.0  # median latency of successful requests
    rejected: float = 0.0  # share this service itself could not serve (saturation)
    buckets: list[float] = field(default_factory=list)  # cumulative share per histogram bound

    @property
    def p50(self) -> float:
        """Median latency, as histogram_quantile over the service's buckets gives it."""
        return histogram_quantile(0.5, self.buckets) if self.buckets else 0.0

    @property
    def p99(self) -> float:
        """99th percentile latency, as histogram_quantile over the buckets gives it."""
        return histogram_quantile(0.99, self.buckets) if self.buckets else 0.0


@dataclass
class Counters:
    """Monotonic counters of one service since the start of the session."""

    ok: float = 0.0
    err_500: float = 0.0
    err_503: float = 0.0
    cpu_seconds: float = 0.0


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
        self._leak_lead: dict[str, str] = {}  # the pod that leaks first, per service
        self._leak_rates: dict[str, float] = {}
        self.namespace = scenario.world.namespace
        self.services: dict[str, Service] = {s.name: s for s in scenario.world.services}
        self.order = _callers_first(scenario)
        self.status: dict[str, ServiceStatus] = {n: ServiceStatus() for n in self.services}
        self.counters: dict[str, Counters] = {n: Counters() for n in self.services}
        self.faults: dict[str, ActiveFault] = {}
        self.databases: dict[str, PostgresServer] = {
            d.name: PostgresServer.from_spec(d, seed) for d in scenario.world.databases
        }
        self._granted: dict[str, int] = {}  # pool connections each pod holds
        self._shares: dict[str, tuple[float, dict[str, float]]] = {}  # per tick
        self._plan_cache: tuple[tuple[str, float], Any] | None = None
        self.now = 0.0
        self.cluster: Cluster = bootstrap.build(scenario, seed)
        self._kills: dict[str, int] = {}  # containers OOM-killed this tick, per service
        self._initial_pool = {
            n: (s.pool.size * s.replicas if s.pool else 0) for n, s in self.services.items()
        }
        self._sync_pools(0.0)
        for db in self.databases.values():  # a quiet pool at the start: every session idle
            for pool in db.pools.values():
                db.use(pool.pod, self._usage(pool.service, 0, 0, 0))

    # -- construction -------------------------------------------------------------------

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
        return fault

    def end_fault(self, fault_id: str, now: float, reason: str) -> ActiveFault | None:
        """End a fault (mitigated or expired); returns it if it was active."""
        fault = self.faults.get(fault_id)
        if fault is None or not fault.active:
            return None
        fault.ended_at = now
        fault.end_reason = reason
        if fault.type == "blocking_query":
            for db in self.databases.values():
                db.sessions = [b for b in db.sessions if b.fault != fault_id]
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
        if db is not None and self.services[service].pool is not None:
            total.hold_factor *= db.workload.hold_factor(service, self._version_share(service))
            if db.write_locked_tables():  # a plain CREATE INDEX: writes wait for its lock
                total.stuck_target += pool_total * WRITE_SHARE
        return total

    def _version_share(self, service: str) -> dict[str, float]:
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
        return sum(self._granted.get(p.name, 0) for p in pods)

    def serving_pods(self, service: str) -> list[SimPod]:
        """The pods the Service sends traffic to: ready and not terminating."""
        return self.cluster.serving(service)

    # -- the tick -----------------------------------------------------------------------

    def step(self, now: float, dt: float) -> None:
        """Advance the world to ``now`` over one tick of ``dt`` seconds."""
        self.now = now
        self._kills = {}
        self._applications(dt)
        self.cluster.advance(now)
        self._count_kills(now, dt)
        self._sync_pools(now)
        # Serving pods and fault effects stay put for the rest of the tick: work them out once.
        serving = {name: self.serving_pods(name) for name in self.services}
        effects = {
            name: self._effect(name, self._pool_total(name, pods), pods)
            for name, pods in serving.items()
        }
        offered = self._offered_load(now, effects)
        for name in reversed(self.order):  # callees first: errors flow back up
            self._serve(name, offered[name], dt, serving[name], effects[name])
        self._use_pools(serving)
        self._probes(now, dt, serving)
        if self.cluster.dirty:  # the probes changed readiness: endpoints and statuses follow
            self.cluster.advance(now)
            for name in self.services:
                self.status[name].ready = len(self.serving_pods(name))

    def _applications(self, dt: float) -> None:
        """What the applications do by themselves: crash (a bad release), leak memory."""
        crashing = set()
        leaking = set()
        for fault in self.faults.values():
            if fault.active and fault.type == "crash_loop":
                crashing.add((fault.spec.service, str(fault.data.get("version"))))
            if fault.active and fault.type == "memory_leak":
                leaking.add(fault.spec.service)
        self.cluster.crashing = crashing
        crash_services = {service for service, _ in crashing}
        for name in crash_services | leaking:
            leaks = [
                f
                for f in self.faults.values()
                if f.active and f.spec.service == name and f.type == "memory_leak"
            ]
            pods = self.cluster.pods_of(name)
            for pod in pods:
                if (name, pod.version) in crashing and pod.running and pod.crash_at == math.inf:
                    pod.crash_at = self.now + kubelet.CRASH_AFTER
                leak = sum(carriers.memory_rate(self, f, pod) for f in leaks)
                if leak and pod.ready:
                    pod.memory_mib += leak * self._leak_share(name, pod, pods) * dt / 60.0

    def _leak_share(self, service: str, pod: SimPod, pods: list[SimPod]) -> float:
        """How fast this pod leaks relative to the worst one: the seed picks which pod
        leaks first (full rate); the others leak at 45-80% of it (their traffic mix)."""
        lead = self._leak_lead.get(service)
        if lead is None:
            rng = random.Random(f"{self.seed}:leak:{service}")
            lead = self._leak_lead[service] = rng.choice([p.name for p in pods]) if pods else ""
        rate = self._leak_rates.get(pod.name)
        if rate is None:
            rate = (
                1.0
                if pod.name == lead
                else random.Random(f"{self.seed}:leak:{pod.name}").uniform(0.45, 0.8)
            )
            self._leak_rates[pod.name] = rate
        return rate

    def _count_kills(self, now: float, dt: float) -> None:
        """Containers the kubelet OOM-killed this tick: their in-flight requests fail."""
        for name in self.services:
            for pod in self.cluster.pods_of(name):
                at = pod.last_termination_at
                if pod.last_termination == "OOMKilled" and at is not None and now - dt < at <= now:
                    self._kills[name] = self._kills.get(name, 0) + 1

    def _probes(self, now: float, dt: float, serving: dict[str, list[SimPod]]) -> None:
        """Readiness probes (``/health/ready``, 1 s timeout) need a free request thread.

        The probe does not touch the database (Spring Boot's default readiness group), so
        a pod fails it only while its request threads are taken by requests waiting for
        a pool connection (from 75% of them busy, every probe at 100%), or, without a
        pool, while it is badly overloaded. A pod out of service has free threads.
        """
        for name, svc in self.services.items():
            status = self.status[name]
            in_service = serving[name]
            if svc.pool is not None:
                waiting = status.pool_pending / max(len(in_service), 1) / MAX_THREADS
                busy = min(1.0, max(0.0, (waiting - 0.75) / 0.25))
            else:
                busy = max(0.0, status.rejected - 0.5)
            for pod in self.cluster.pods_of(name):
                kubelet.probe(self.cluster, pod, now, dt, busy if pod in in_service else 0.0)

    def _offered_load(self, now: float, effects: dict[str, Effect]) -> dict[str, float]:
        hour = (self.scenario.start_time.timestamp() + now) / 3600.0 % 24
        offered = {name: 0.0 for name in self.services}
        for name in self.order:
            svc = self.services[name]
            effect = effects[name]
            if svc.traffic is not None:
                t = svc.traffic
                daily = 1 + t.daily_amplitude * math.sin(2 * math.pi * (hour - 8) / 24)
                noise = max(0.2, 1 + self.noise.gauss(0, t.noise))
                offered[name] += t.rps * daily * noise
            offered[name] *= effect.traffic_factor
            for callee in svc.calls:
                offered[callee] += offered[name] * (1 - self._sat_error_guess(name))
        return offered

    def _sat_error_guess(self, name: str) -> float:
        """Requests a saturated caller rejects never reach its callees (last tick's view)."""
        return self.status[name].rejected

    def _serve(
        self, name: str, offered: float, dt: float, pods: list[SimPod], effect: Effect
    ) -> None:
        svc = self.services[name]
        status = ServiceStatus(offered_rps=offered, ready=len(pods))
        cpu_capacity = len(pods) * svc.rps_per_replica
        capacity = cpu_capacity
        hold = 0.0
        if svc.pool is not None:
            hold = svc.pool.hold * effect.hold_factor
            leak_version = self.leaking_version(name)
            per_pod_rps = offered / max(len(pods), 1)
            stuck_share = effect.stuck_target / max(len(pods) * svc.pool.size, 1)
            for pod in pods:
                target = stuck_share * svc.pool.size
                tau = 40.0 if target > pod.stuck else 3.0
                pod.stuck = approach(pod.stuck, target, dt, tau)
                if leak_version is not None and pod.version == leak_version:
                    pod.leaked = min(
                        float(svc.pool.size),
                        pod.leaked + effect.leak_per_request * per_pod_rps * dt,
                    )
            granted = self._granted
            status.pool_size = sum(granted.get(p.name, 0) for p in pods)
            unusable = sum(min(granted.get(p.name, 0), p.stuck + p.leaked) for p in pods)
            free = max(0.0, status.pool_size - unusable)
            capacity = min(cpu_capacity, free / hold if hold > 0 else math.inf)
            # The load balancer spreads requests evenly: a pod short of connections (the
            # server refused them) fails its share even when other pods have room.
            share = offered / max(len(pods), 1)
            served = sum(
                min(share, svc.rps_per_replica, _pod_free(p, granted) / hold if hold > 0 else share)
                for p in pods
            )
            capacity = min(capacity, served if served < offered else capacity)
            busy = min(free, offered * hold)
            status.pool_in_use = min(float(status.pool_size), unusable + busy)
            # Little's law: requests the pool cannot serve wait out the whole timeout.
            waiting = max(0.0, offered - capacity) * svc.pool.timeout
            status.pool_pending = min(waiting, MAX_THREADS * len(pods))
        served_fraction = 1.0 if offered <= 0 else min(1.0, capacity / offered)
        saturation_err = 1.0 - served_fraction
        callee_err = 0.0
        callee_latency = 0.0
        for callee in svc.calls:
            cs = self.status[callee]
            callee_err = 1 - (1 - callee_err) * (1 - cs.error_ratio)
            callee_latency += cs.ok_latency
        base_err = svc.traffic.error_ratio if svc.traffic else 0.0001
        kills = self._kills.get(name, 0)
        killed_err = 0.0
        if kills and dt > 0:
            share = kills / (len(pods) + kills)  # the killed pods' share of the traffic
            killed_err = min(1.0, share * KILL_LOSS_SECONDS / dt)
        err = 1 - (1 - saturation_err) * (1 - base_err) * (1 - callee_err) * (
            1 - effect.error_ratio
        ) * (1 - killed_err)
        status.error_ratio = min(1.0, max(0.0, err))
        utilisation = 0.0 if capacity <= 0 else min(offered / capacity, 1.0)
        queueing = svc.latency * utilisation / max(1e-3, 1 - min(utilisation, 0.97)) * 0.05
        ok_latency = svc.latency * effect.hold_factor + queueing + callee_latency
        ok_latency += effect.added_latency
        timeout = svc.pool.timeout if svc.pool else 30.0
        if saturation_err > 0.001:
            ok_latency = max(ok_latency, min(timeout * 0.6, ok_latency + timeout * saturation_err))
        status.ok_latency = ok_latency
        status.fail_latency = timeout if saturation_err > 0 else max(0.005, callee_latency)
        status.ok_rps = offered * (1 - status.error_ratio)
        status.rejected = saturation_err
        status.buckets = bucket_shares(status)
        self.status[name] = status
        c = self.counters[name]
        c.ok += status.ok_rps * dt
        failed = offered * status.error_ratio * dt
        sat_share = saturation_err / status.error_ratio if status.error_ratio > 0 else 0.0
        c.err_503 += failed * sat_share
        c.err_500 += failed * (1 - sat_share)
        c.cpu_seconds += dt * min(
            len(pods) * svc.cpu_request, 0.05 + offered / svc.rps_per_replica * svc.cpu_request
        )
        self._cpu(svc, offered / max(len(pods), 1), pods, dt)

    def _cpu(self, svc: Service, per_pod_rps: float, serving: list[SimPod], dt: float) -> None:
        """Each running container's CPU: its share of the load, capped by its CFS quota.

        Demand above the limit is throttled; as traffic is bursty, throttling starts
        before the average reaches the limit (from 60% of it, every period at 120%).
        """
        rand = self.usage_rng.random
        for pod in self.cluster.pods_of(svc.name):
            if not pod.running:
                pod.cpu_cores = 0.0
                continue
            load = per_pod_rps / svc.rps_per_replica if pod in serving else 0.0
            want = svc.cpu_request * (0.04 + load) * (0.92 + 0.16 * rand())
            limit = pod.cpu_limit_m / 1000 if pod.cpu_limit_m else math.inf
            pod.cpu_cores = min(want, limit)
            pod.cpu_seconds += pod.cpu_cores * dt
            if math.isfinite(limit):
                periods = dt / 0.1
                pod.cfs_periods += periods
                pod.cfs_throttled += periods * min(1.0, max(0.0, (want / limit - 0.6) / 0.6))

    # -- the database's side of the pools ----------------------------------------------

    def _sync_pools(self, now: float) -> None:
        """Each running pod's pool asks its database for connections; keep what it got."""
        demands: dict[str, list[PoolDemand]] = {name: [] for name in self.databases}
        for name, svc in self.services.items():
            if svc.pool is None or svc.database not in demands:
                continue
            for pod in self.cluster.pods_of(name):
                opens = pod.warm_at - POOL_OPENS_BEFORE_READY
                if pod.running and pod.started_at is not None and now >= opens:
                    opened = max(pod.started_at, opens)
                    demand = PoolDemand(name, pod.name, pod.ip, svc.pool.size, opened)
                    demands[svc.database].append(demand)
        self._granted = {}
        for db_name, db in self.databases.items():
            self._granted.update(db.sync_pools(now, demands[db_name]))

    def _use_pools(self, serving: dict[str, list[SimPod]]) -> None:
        """Tell each database what the pools' connections do; count them as it does."""
        for db in self.databases.values():
            per_service: dict[str, list[str]] = {}
            for pool in db.pools.values():
                per_service.setdefault(pool.service, []).append(pool.pod)
            for name, pod_names in per_service.items():
                status = self.status[name]
                pods = {p.name: p for p in serving[name]}
                held = sum(round(p.stuck) + round(p.leaked) for p in pods.values())
                busy_left = max(0, round(status.pool_in_use) - held)
                share = len([n for n in pod_names if n in pods]) or 1
                in_use = 0
                for pod_name in pod_names:
                    pod = pods.get(pod_name)
                    if pod is None:  # starting or draining: holds its pool, serves nothing
                        db.use(pod_name, self._usage(name, 0, 0, 0))
                        continue
                    busy = min(busy_left, math.ceil(busy_left / share))
                    busy_left -= busy
                    share -= 1
                    usage = self._usage(name, round(pod.stuck), round(pod.leaked), busy)
                    db.use(pod_name, usage)
                    in_use += db.pools[pod_name].usage.active + db.pools[pod_name].usage.leaked
                if status.pool_size:
                    status.pool_in_use = float(in_use)

    def _usage(self, service: str, stuck: int, leaked: int, busy: int) -> Usage:
        """A pod's pool usage: ``busy`` connections split between the queries it runs."""
        hold, slow, app, idle_gap, (lock_query, lock_wait) = self._usage_plan(service)
        statements: list[tuple[Statement, int]] = []
        n = busy
        for stmt, factor in slow:
            n_slow = round(n * (1 - 1 / factor))
            statements.append((stmt, n_slow))
            n -= n_slow
        statements.append((app, n))
        return Usage(stuck, leaked, statements, hold, idle_gap, lock_query, lock_wait)

    def _usage_plan(
        self, service: str
    ) -> tuple[float, list[tuple[Statement, float]], Statement, float, tuple[str, str]]:
        """What a service's pool connections run this tick: hold time, slow statements with
        their factors, the healthy statement, the idle gap and what lock waiters run."""
        key = (service, self.now)
        if self._plan_cache is not None and self._plan_cache[0] == key:
            return self._plan_cache[1]
        svc = self.services[service]
        db = self.databases[svc.database or ""]
        hold = svc.pool.hold if svc.pool else 0.05
        share = self._version_share(service)
        slow = []
        for q in db.workload.slow(service):
            carried = 1.0 if q.version is None else share.get(q.version, 0.0)
            factor = 1.0 + (q.factor - 1.0) * carried
            hold *= factor
            slow.append((Statement(q.text, "IO", "DataFileRead"), factor))
        lock_query = ""
        for f in self.faults.values():
            if f.active and f.type == "blocking_query" and f.spec.service == service:
                table = f.param("table", "orders")
                lock_query = f"UPDATE {table} SET status = $1, updated_at = now() WHERE id = $2"
                break
        lock_wait = "transactionid"
        locked = sorted(db.write_locked_tables())
        if locked and not lock_query:  # writes queue behind a plain CREATE INDEX
            lock_query = f"INSERT INTO {locked[0]} (created_at) VALUES (now()) RETURNING id"
            lock_wait = "relation"
        rps = self.status[service].offered_rps / max(len(self.serving_pods(service)), 1)
        size = svc.pool.size if svc.pool else 1
        idle_gap = min(600.0, size / max(rps, 0.01))
        plan = (hold, slow, db.app_statement(service), idle_gap, (lock_query, lock_wait))
        self._plan_cache = (key, plan)
        return plan


def _pod_free(pod: SimPod, granted: dict[str, int]) -> float:
    """Pool connections of ``pod`` that a request can borrow."""
    held = granted.get(pod.name, 0)
    return max(0.0, held - min(float(held), pod.stuck + pod.leaked))


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
