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

from gameday.engine.database import (
    Backend,
    ConnectionRefused,
    PoolDemand,
    PostgresServer,
    Statement,
    Usage,
)
from gameday.engine.faults import ActiveFault, Effect, approach
from gameday.engine.metrics import bucket_shares, histogram_quantile
from gameday.engine.state import Deployment, Namer, Pod, Revision
from gameday.scenario.model import Fault, Scenario, Service

STARTUP_SECONDS = 20.0  # container start to readiness
ROLLOUT_STAGGER = 12.0  # seconds between pods of a rolling update
CRASH_BACKOFF_MAX = 300.0
MAX_THREADS = 200  # request threads per pod (Tomcat's default), the most that can wait
POOL_OPENS_BEFORE_READY = 5.0  # the app opens its pool this long before it reports ready


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
    """Deployments, pods and databases of a scenario, advanced in sim time."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = seed
        self.namer = Namer(seed)
        self.noise = random.Random(f"{seed}:noise")
        self.namespace = scenario.world.namespace
        self.services: dict[str, Service] = {s.name: s for s in scenario.world.services}
        self.order = _callers_first(scenario)
        self.deployments: dict[str, Deployment] = {}
        self.status: dict[str, ServiceStatus] = {n: ServiceStatus() for n in self.services}
        self.counters: dict[str, Counters] = {n: Counters() for n in self.services}
        self.faults: dict[str, ActiveFault] = {}
        self.databases: dict[str, PostgresServer] = {
            d.name: PostgresServer.from_spec(d, seed) for d in scenario.world.databases
        }
        self._granted: dict[str, int] = {}  # pool connections each pod holds
        self.now = 0.0
        for svc in scenario.world.services:
            self._create_deployment(svc)
        self._initial_pool = {
            n: (s.pool.size * s.replicas if s.pool else 0) for n, s in self.services.items()
        }
        self._sync_pools(0.0)
        for db in self.databases.values():  # a quiet pool at the start: every session idle
            for pool in db.pools.values():
                db.use(pool.pod, self._usage(pool.service, 0, 0, 0))

    # -- construction -------------------------------------------------------------------

    def _create_deployment(self, svc: Service) -> None:
        history = [
            Revision(i + 1, v, f"deploy {v}")
            for i, v in enumerate([*svc.previous_versions, svc.version])
        ]
        dep = Deployment(
            name=svc.name,
            namespace=self.namespace,
            image=svc.image or f"registry.internal/{self.namespace}/{svc.name}",
            container=svc.container or svc.name,
            replicas=svc.replicas,
            version=svc.version,
            history=history,
        )
        age_rng = random.Random(f"{self.seed}:age:{svc.name}")
        for _ in range(svc.replicas):
            started = -age_rng.uniform(2 * 86400, 9 * 86400)
            dep.pods.append(self._new_pod(svc, svc.version, started, started + STARTUP_SECONDS))
        self.deployments[svc.name] = dep

    def _new_pod(self, svc: Service, version: str, started: float, ready_at: float) -> Pod:
        pod = Pod(
            name=self.namer.pod_name(svc.name, version),
            service=svc.name,
            version=version,
            started_at=started,
            node=self.namer.node(),
            ip=self.namer.pod_ip(),
            ready_at=ready_at,
            memory_mib=float(svc.memory_base_mib),
        )
        return pod

    # -- faults -------------------------------------------------------------------------

    def start_fault(self, spec: Fault, now: float) -> ActiveFault:
        """Begin a fault; deploy-type faults roll out their version."""
        fault = ActiveFault(spec, started_at=now)
        self.faults[spec.id] = fault
        if spec.type in ("connection_leak", "crash_loop"):
            version = str(spec.params.get("version", "v2.0.0"))
            fault.data["version"] = version
            self.deploy(spec.service, version, now, f"deploy {version}")
        if spec.type == "blocking_query":
            self._start_blocker(fault, now)
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
        return fault

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
        return self._effect(service, self._pool_total(service))

    def _effect(self, service: str, pool_total: int) -> Effect:
        total = Effect()
        for fault in self.faults.values():
            if not fault.active or fault.spec.service != service:
                continue
            e = fault.effect(pool_total, self._initial_pool[service])
            total.stuck_target += e.stuck_target
            total.leak_per_request += e.leak_per_request
            total.hold_factor *= e.hold_factor
            total.traffic_factor *= e.traffic_factor
            total.error_ratio = 1 - (1 - total.error_ratio) * (1 - e.error_ratio)
            total.added_latency += e.added_latency
            total.memory_mib_per_min += e.memory_mib_per_min
        return total

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

    # -- changes responders make --------------------------------------------------------

    def deploy(self, service: str, version: str, now: float, cause: str) -> None:
        """Roll out ``version`` as a new revision."""
        dep = self.deployments[service]
        dep.history.append(Revision(dep.revision + 1, version, cause))
        dep.version = version
        self._replace_pods(dep, version, now)

    def rollout_undo(self, service: str, now: float, to_revision: int | None = None) -> Revision:
        """Roll back to the previous (or a given) revision; returns the one rolled to."""
        dep = self.deployments[service]
        if to_revision is None:
            if len(dep.history) < 2:
                raise ValueError(f'no rollout history found for deployment "{service}"')
            target = dep.history[-2]
        else:
            found = [r for r in dep.history if r.number == to_revision]
            if not found:
                raise ValueError(f"unable to find specified revision {to_revision} in history")
            target = found[0]
        dep.history = [r for r in dep.history if r.number != target.number]
        dep.history.append(Revision(dep.revision + 1, target.version, target.change_cause))
        dep.version = target.version
        self._replace_pods(dep, target.version, now)
        return target

    def rollout_restart(self, service: str, now: float) -> None:
        """Replace every pod with a fresh one of the same version."""
        dep = self.deployments[service]
        self._replace_pods(dep, dep.version, now)

    def scale(self, service: str, replicas: int, now: float) -> None:
        """Set the replica count; new pods start, surplus pods go."""
        dep = self.deployments[service]
        svc = self.services[service]
        live = [p for p in dep.pods if p.phase != "Terminating"]
        if replicas > len(live):
            for i in range(replicas - len(live)):
                ready = now + STARTUP_SECONDS + ROLLOUT_STAGGER * i / 2
                dep.pods.append(self._new_pod(svc, dep.version, now, ready))
        else:
            for pod in live[replicas:]:
                dep.pods.remove(pod)
        dep.replicas = replicas

    def delete_pod(self, name: str, now: float) -> Pod:
        """Delete a pod; its ReplicaSet starts a replacement."""
        for dep in self.deployments.values():
            for pod in dep.pods:
                if pod.name == name:
                    dep.pods.remove(pod)
                    svc = self.services[dep.name]
                    dep.pods.append(self._new_pod(svc, pod.version, now, now + STARTUP_SECONDS))
                    return pod
        raise KeyError(name)

    def terminate_backend(self, pid: int, now: float) -> Backend | None:
        """``pg_terminate_backend(pid)``: end a session; a blocker's fault is mitigated."""
        for db in self.databases.values():
            backend = db.terminate(pid)
            if backend is not None:
                if backend.fault and backend.blocker_of:
                    self.end_fault(backend.fault, now, "mitigated")
                return backend
        return None

    def _replace_pods(self, dep: Deployment, version: str, now: float) -> None:
        svc = self.services[dep.name]
        old = [p for p in dep.pods if p.phase != "Terminating"]
        new_pods = []
        for i in range(dep.replicas):
            ready = now + STARTUP_SECONDS + ROLLOUT_STAGGER * i
            new_pods.append(self._new_pod(svc, version, now, ready))
        for i, pod in enumerate(old):
            pod.terminate_at = new_pods[min(i, len(new_pods) - 1)].ready_at if new_pods else now
        dep.pods = old + new_pods
        dep.rollout_until = max((p.ready_at for p in new_pods), default=now)

    def _pool_total(self, service: str, serving: list[Pod] | None = None) -> int:
        if self.services[service].pool is None:
            return 0
        pods = self.serving_pods(service) if serving is None else serving
        return sum(self._granted.get(p.name, 0) for p in pods)

    def serving_pods(self, service: str) -> list[Pod]:
        """Ready pods that receive traffic (a rolling update's surplus is capped)."""
        dep = self.deployments[service]
        ready = [p for p in dep.pods if p.ready(self.now)]
        if len(ready) > dep.replicas:
            # during a surge the newest ready pods take over first
            ready = sorted(ready, key=lambda p: -p.started_at)[: dep.replicas]
        return ready

    # -- the tick -----------------------------------------------------------------------

    def step(self, now: float, dt: float) -> None:
        """Advance the world to ``now`` over one tick of ``dt`` seconds."""
        self.now = now
        for dep in self.deployments.values():
            self._pod_lifecycle(dep, now, dt)
        self._sync_pools(now)
        # Serving pods and fault effects stay put for the rest of the tick: work them out once.
        serving = {name: self.serving_pods(name) for name in self.services}
        effects = {
            name: self._effect(name, self._pool_total(name, pods)) for name, pods in serving.items()
        }
        offered = self._offered_load(now, effects)
        for name in reversed(self.order):  # callees first: errors flow back up
            self._serve(name, offered[name], dt, serving[name], effects[name])
        self._use_pools(serving)

    def _pod_lifecycle(self, dep: Deployment, now: float, dt: float) -> None:
        svc = self.services[dep.name]
        dep.pods = [p for p in dep.pods if p.terminate_at > now]
        crash_version = self.crashing_version(dep.name)
        faulted = any(f.active and f.spec.service == dep.name for f in self.faults.values())
        leak_mib = self.active_effect(dep.name).memory_mib_per_min if faulted else 0.0
        for pod in dep.pods:
            if crash_version is not None and pod.version == crash_version:
                if not pod.crash_looping:
                    pod.crash_looping = True
                    pod.next_crash = now + 5.0
                if now >= pod.next_crash:
                    pod.restarts += 1
                    pod.last_termination = "Error"
                    pod.last_termination_at = now
                    backoff = min(10.0 * 2 ** min(pod.restarts - 1, 6), CRASH_BACKOFF_MAX)
                    pod.next_crash = now + backoff + 5.0
                pod.phase = "CrashLoopBackOff"
                continue
            if leak_mib and pod.ready(now):
                pod.memory_mib += leak_mib * dt / 60.0
                if pod.memory_mib >= svc.memory_limit_mib:
                    pod.restarts += 1
                    pod.last_termination = "OOMKilled"
                    pod.last_termination_at = now
                    pod.memory_mib = float(svc.memory_base_mib)
                    pod.ready_at = now + STARTUP_SECONDS
                    pod.stuck = 0.0
                    pod.leaked = 0.0

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

    def _serve(self, name: str, offered: float, dt: float, pods: list[Pod], effect: Effect) -> None:
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
        err = 1 - (1 - saturation_err) * (1 - base_err) * (1 - callee_err) * (
            1 - effect.error_ratio
        )
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

    # -- the database's side of the pools ----------------------------------------------

    def _sync_pools(self, now: float) -> None:
        """Each running pod's pool asks its database for connections; keep what it got."""
        demands: dict[str, list[PoolDemand]] = {name: [] for name in self.databases}
        for name, svc in self.services.items():
            if svc.pool is None or svc.database not in demands:
                continue
            for pod in self.deployments[name].pods:
                if pod.phase == "Running" and now >= pod.ready_at - POOL_OPENS_BEFORE_READY:
                    opened = max(pod.started_at, pod.ready_at - POOL_OPENS_BEFORE_READY)
                    demand = PoolDemand(name, pod.name, pod.ip, svc.pool.size, opened)
                    demands[svc.database].append(demand)
        self._granted = {}
        for db_name, db in self.databases.items():
            self._granted.update(db.sync_pools(now, demands[db_name]))

    def _use_pools(self, serving: dict[str, list[Pod]]) -> None:
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
        svc = self.services[service]
        db = self.databases[svc.database or ""]
        hold = svc.pool.hold if svc.pool else 0.05
        slow = [
            f
            for f in self.faults.values()
            if f.active and f.type == "slow_query" and f.spec.service == service
        ]
        statements: list[tuple[Statement, int]] = []
        n = busy
        for fault in slow:
            factor = max(1.0, float(fault.param("factor", 20.0)))
            hold *= factor
            text = str(fault.param("query", "")) or db.app_statement(service).text
            n_slow = round(n * (1 - 1 / factor))
            statements.append((Statement(text, "IO", "DataFileRead"), n_slow))
            n -= n_slow
        statements.append((db.app_statement(service), n))
        blocking = [
            f
            for f in self.faults.values()
            if f.active and f.type == "blocking_query" and f.spec.service == service
        ]
        lock_query = ""
        if blocking:
            table = blocking[0].param("table", "orders")
            lock_query = f"UPDATE {table} SET status = $1, updated_at = now() WHERE id = $2"
        rps = self.status[service].offered_rps / max(len(self.serving_pods(service)), 1)
        size = svc.pool.size if svc.pool else 1
        idle_gap = min(600.0, size / max(rps, 0.01))
        return Usage(stuck, leaked, statements, hold, idle_gap, lock_query)


def _pod_free(pod: Pod, granted: dict[str, int]) -> float:
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
