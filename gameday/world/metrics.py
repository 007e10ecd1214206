"""What the world exposes to Prometheus, under the names real exporters use.

Per service: ``http_requests_total{code}`` and the ``http_request_duration_seconds``
histogram (the application), ``hikaricp_connections_*`` (the pool), kube-state-metrics
deployment, HorizontalPodAutoscaler, ReplicaSet and pod series (readiness as the kubelet
reports it), cAdvisor's memory working set, CPU usage and CFS throttling per running
container, ``up`` per pod.
Per database: postgres_exporter's ``pg_stat_activity_count`` and
``pg_stat_activity_max_tx_duration`` per state, ``pg_locks_count`` per mode,
``pg_stat_database_numbackends``, ``pg_settings_max_connections``,
``pg_settings_superuser_reserved_connections``, ``pg_up``, and ``pg_locks_waiting`` (a
common custom query: backends waiting on a lock).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gameday.world import exporters
from gameday.world.cluster import hpa_metrics
from gameday.world.database import STATES
from gameday.world.database.locks import LOCK_MODES, relation_lock_counts, waiting_for_locks
from gameday.world.kafka.exporter import KafkaExposition
from gameday.world.nodes.exporter import NodeExposition
from gameday.world.probes import Prober

if TYPE_CHECKING:
    from gameday.world.cluster import SimPod
    from gameday.world.status import ServiceStatus
    from gameday.world.world import World

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SIGMA_OK = 0.45
_SIGMA_FAIL = 0.08

Labels = tuple[tuple[str, str], ...]


_LOG_BUCKETS = tuple(math.log(le) for le in BUCKETS)
_K_OK = 1 / (_SIGMA_OK * math.sqrt(2))
_K_FAIL = 1 / (_SIGMA_FAIL * math.sqrt(2))


def latency_cdf(status: ServiceStatus, x: float) -> float:
    """Share of requests that finished within ``x`` seconds."""
    if x <= 0:
        return 0.0
    return _mixture(status, math.log(x))


def _mixture(status: ServiceStatus, log_x: float) -> float:
    erf = math.erf
    err = status.error_ratio
    ok = 0.5 * (1 + erf((log_x - math.log(max(status.ok_latency, 1e-4))) * _K_OK))
    if err <= 0:
        return ok
    fail = 0.5 * (1 + erf((log_x - math.log(max(status.fail_latency, 1e-4))) * _K_FAIL))
    return (1 - err) * ok + err * fail


def bucket_shares(status: ServiceStatus) -> list[float]:
    """Cumulative share of requests at or under each histogram bucket bound."""
    erf = math.erf
    err = status.error_ratio
    m_ok = math.log(max(status.ok_latency, 1e-4))
    if err <= 0:
        return [0.5 * (1 + erf((lx - m_ok) * _K_OK)) for lx in _LOG_BUCKETS]
    m_fail = math.log(max(status.fail_latency, 1e-4))
    w_ok, w_fail = (1 - err) * 0.5, err * 0.5  # (each product is left to right, as before)
    return [
        w_ok * (1 + erf((lx - m_ok) * _K_OK)) + w_fail * (1 + erf((lx - m_fail) * _K_FAIL))
        for lx in _LOG_BUCKETS
    ]


def histogram_quantile(q: float, shares: list[float]) -> float:
    """Quantile ``q`` from cumulative bucket shares, interpolated as Prometheus does."""
    lower, below = 0.0, 0.0
    for le, share in zip(BUCKETS, shares, strict=True):
        if share >= q:
            if share <= below:
                return le
            return lower + (le - lower) * (q - below) / (share - below)
        lower, below = le, share
    return BUCKETS[-1]


class Exposition:
    """Turns world state into samples: label tuples built once, values every scrape.

    :meth:`collect` returns parallel lists of label sets and values. The label tuples of
    a service, a pod or a database state are built the first time they are needed and
    reused for the rest of the session, so a scrape only computes numbers.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self._hist: dict[str, list[float]] = {n: [0.0] * (len(BUCKETS) + 2) for n in world.services}
        self._cache: dict[tuple[str, ...], Labels] = {}
        self._parts: dict[tuple[object, ...], Any] = {}  # label tuples, built once
        self.include_kube = True  # False when a real cluster supplies these series
        self._kafka = KafkaExposition(world.kafka, self._labels) if world.kafka else None
        self._nodes = NodeExposition(world, self._labels) if world.disks is not None else None
        probes = world.scenario.world.probes
        self._probes = Prober(world, probes, self._labels) if probes else None

    def _labels(self, *pairs: str) -> Labels:
        key = pairs
        found = self._cache.get(key)
        if found is None:
            found = tuple(sorted(zip(pairs[::2], pairs[1::2], strict=True)))  # the TSDB's key form
            self._cache[key] = found
        return found

    def observe(self, dt: float) -> None:
        """Add the last tick's requests to each service's latency histogram."""
        for name, status in self.world.status.items():
            hist = self._hist[name]
            n = status.offered_rps * dt
            for i, share in enumerate(status.buckets):
                hist[i] += n * share
            hist[len(BUCKETS)] += n  # +Inf and _count
            mean = (1 - status.error_ratio) * status.ok_latency * math.exp(_SIGMA_OK**2 / 2)
            mean += status.error_ratio * status.fail_latency
            hist[len(BUCKETS) + 1] += n * mean  # _sum

    def samples(self) -> Iterator[tuple[Labels, float]]:
        """Every series and its current value."""
        labels, values = self.collect()
        return zip(labels, values, strict=True)

    def collect(self) -> tuple[list[Labels], list[float]]:
        """Every series' labels and current value, as two lists in the same order.

        The label tuples are the same objects scrape after scrape while the series stay
        the same, so a caller can tell an unchanged set of series by identity.
        """
        w = self.world
        labels: list[Labels] = []
        values: list[float] = []
        floor = math.floor
        n_buckets = len(BUCKETS)
        for name, svc in w.services.items():
            if svc.redis is not None:  # redis-server speaks RESP, not HTTP: redis_exporter
                if self.include_kube:
                    self._kube(name, labels, values)
                continue
            c = w.counters[name]
            hist = self._hist[name]
            st = w.status[name]
            pooled = svc.pool is not None
            labels += self._service_labels(name, pooled)
            inf = floor(hist[n_buckets])
            values += (floor(c.ok), floor(c.err_500), floor(c.err_503))
            values += [floor(x) for x in hist[:n_buckets]]
            values += (inf, inf, hist[-1])
            if pooled:
                in_use = round(st.pool_in_use)
                values += (in_use, st.pool_size, round(st.pool_pending))
                values.append(max(0, st.pool_size - in_use))
            if self.include_kube:
                self._kube(name, labels, values)
        for db in w.databases.values():
            self._postgres(db.name, labels, values)
        if self._kafka is not None:
            self._kafka.collect(labels, values)
        if self._nodes is not None and self.include_kube:
            self._nodes.collect(labels, values)
        if self._probes is not None:
            self._probes.collect(labels, values)
        exporters.redis(w, self._labels, self._parts, labels, values)
        exporters.resilience(w, self._labels, self._parts, labels, values)
        return labels, values

    def _service_labels(self, name: str, pooled: bool) -> tuple[Labels, ...]:
        key: tuple[object, ...] = ("service", name, pooled)
        found = self._parts.get(key)
        if found is not None:
            return found
        lab = self._labels
        base = ("namespace", self.world.namespace, "service", name, "job", name)
        out = [lab("__name__", "http_requests_total", "code", code, *base) for code in _CODES]
        bucket = "http_request_duration_seconds_bucket"
        out += [lab("__name__", bucket, "le", _fmt_le(le), *base) for le in BUCKETS]
        out.append(lab("__name__", bucket, "le", "+Inf", *base))
        out.append(lab("__name__", "http_request_duration_seconds_count", *base))
        out.append(lab("__name__", "http_request_duration_seconds_sum", *base))
        if pooled:
            pool = ("namespace", self.world.namespace, "service", name, "pool", f"{name}-pool")
            out += [lab("__name__", f"hikaricp_connections_{s}", *pool) for s in _POOL_SERIES]
        self._parts[key] = found = tuple(out)
        return found

    def _kube(self, name: str, labels: list[Labels], values: list[float]) -> None:
        """kube-state-metrics of a Deployment, its ReplicaSets and pods; cAdvisor per pod."""
        w = self.world
        cluster = w.cluster
        dep: Any = cluster.deployments[name]  # a V1Deployment, built complete
        key: tuple[object, ...] = ("deployment", name)
        found = self._parts.get(key)
        if found is None:
            kd = ("namespace", w.namespace, "deployment", name, "job", "kube-state-metrics")
            found = tuple(self._labels("__name__", f"kube_deployment_{s}", *kd) for s in _DEP)
            self._parts[key] = found
        labels += found
        st = dep.status
        values += (dep.spec.replicas or 0, st.available_replicas or 0)
        values += (st.unavailable_replicas or 0, st.updated_replicas or 0)
        values += (st.observed_generation or 0, dep.metadata.generation or 0)
        hpa_metrics.collect(cluster, name, w.namespace, self._labels, self._parts, labels, values)
        rs: Any
        for rs in cluster.replicasets_of(name):
            labels += self._rs_labels(rs.metadata.name)
            values += (rs.spec.replicas or 0, rs.status.ready_replicas or 0)
        for pod in cluster.pods_of(name):
            waiting = pod.waiting if pod.node is not None else None
            labels += self._pod_labels(pod, waiting, name)
            ready = 1 if pod.ready else 0
            values += (pod.restarts, ready, ready, pod.cpu_request_m / 1000)
            values.append(pod.memory_limit_mib * 1048576)
            if waiting:
                values.append(1)
            if pod.last_termination:
                values.append(1)
            if pod.running:
                values += (round(pod.memory_mib * 1048576), pod.memory_limit_mib * 1048576)
                values += (round(pod.cpu_seconds, 3), int(pod.cfs_periods), int(pod.cfs_throttled))
                values.append(1)

    def _rs_labels(self, rs: str) -> tuple[Labels, ...]:
        key: tuple[object, ...] = ("replicaset", rs)
        found = self._parts.get(key)
        if found is None:
            kr = ("namespace", self.world.namespace, "replicaset", rs, "job", "kube-state-metrics")
            found = tuple(self._labels("__name__", f"kube_replicaset_{s}", *kr) for s in _RS)
            self._parts[key] = found
        return found

    def _pod_labels(self, pod: SimPod, waiting: str | None, job: str) -> tuple[Labels, ...]:
        container = pod.container
        key = ("pod", pod.name, pod.ip, waiting, pod.last_termination, pod.running)
        found = self._parts.get(key)
        if found is not None:
            return found
        lab = self._labels
        ns = self.world.namespace
        pl = ("namespace", ns, "pod", pod.name, "container", container)
        ksm = (*pl, "job", "kube-state-metrics")
        pod_ksm = ("namespace", ns, "pod", pod.name, "job", "kube-state-metrics")
        out = [
            lab("__name__", "kube_pod_container_status_restarts_total", *ksm),
            lab("__name__", "kube_pod_container_status_ready", *ksm),
            lab("__name__", "kube_pod_status_ready", *pod_ksm, "condition", "true"),
            lab("__name__", "kube_pod_container_resource_requests", *ksm, *_CPU),
            lab("__name__", "kube_pod_container_resource_limits", *ksm, *_MEMORY),
        ]
        if waiting:
            reason = ("reason", waiting)
            out.append(lab("__name__", "kube_pod_container_status_waiting_reason", *ksm, *reason))
        if pod.last_termination:
            reason = ("reason", pod.last_termination)
            out.append(
                lab("__name__", "kube_pod_container_status_last_terminated_reason", *ksm, *reason)
            )
        if pod.running:
            cad = (*pl, "job", "kubelet")
            out += [
                lab("__name__", f"container_{series}", *cad)
                for series in (
                    "memory_working_set_bytes",
                    "spec_memory_limit_bytes",
                    "cpu_usage_seconds_total",
                    "cpu_cfs_periods_total",
                    "cpu_cfs_throttled_periods_total",
                )
            ]
            up = ("namespace", ns, "pod", pod.name, "job", job, "instance", f"{pod.ip}:8080")
            out.append(lab("__name__", "up", *up))
        self._parts[key] = found = tuple(out)
        return found

    def _postgres(self, name: str, labels: list[Labels], values: list[float]) -> None:
        db = self.world.databases[name]
        counts = db.state_counts()
        oldest = db.oldest_transactions()
        by_state = self._pg_state_labels(name)
        for state, (count_labels, age_labels) in zip(STATES, by_state, strict=True):
            labels += (count_labels, age_labels)
            values += (counts[state], round(oldest[state], 3))
        locks = relation_lock_counts(db)
        labels += self._pg_labels(name)
        values += [locks[mode] for mode in LOCK_MODES]
        values += (waiting_for_locks(db), db.connections, db.max_connections)
        values += (db.superuser_reserved_connections, 1)
        if db.replication is not None or db.standby is not None:
            self._replication(db, labels, values)

    def _replication(self, db: Any, labels: list[Labels], values: list[float]) -> None:
        """postgres_exporter v0.15's replication series (collector/pg_replication.go and
        the pg_stat_replication query of cmd/postgres_exporter/queries.go)."""
        rep, standby = db.replication, db.standby
        recovering = standby is not None and standby.in_recovery
        lag = 0.0
        if recovering and db.upstream is not None:
            feed = db.upstream.replication
            lag = max(0.0, feed.now - feed.last_replay(standby))
        streaming = [s for s in rep.standbys.values() if s.state == "streaming"] if rep else []
        labels += self._replication_labels(db, tuple(s.name for s in streaming))
        values += (round(lag, 3), 1 if recovering else 0)
        if standby is not None:
            values.append(standby.conflicts)
        for s in streaming:  # a promoted standby's walsender is gone, and its series
            values += (float(rep.lsn), float(rep.lag_bytes(s)))

    def _replication_labels(self, db: Any, streaming: tuple[str, ...]) -> Any:
        """The label sets of one server's replication series, in value order."""
        key = ("replication", db.name, streaming)
        found = self._parts.get(key)
        if found is not None:
            return found
        lab = self._labels
        settings = ("job", "postgres-exporter", "server", f"{db.name}:5432")
        out = [
            lab("__name__", "pg_replication_lag_seconds", *settings),
            lab("__name__", "pg_replication_is_replica", *settings),
        ]
        if db.standby is not None:
            pe = self._pg_base(db.name)
            out.append(lab("__name__", "pg_stat_database_conflicts_confl_snapshot", *pe))
        for name in streaming:
            s = db.replication.standbys[name]
            sender = (
                *(settings + ("application_name", s.name)),
                *("client_addr", s.client_addr, "state", "streaming"),
            )
            out.append(lab("__name__", "pg_stat_replication_pg_current_wal_lsn_bytes", *sender))
            out.append(lab("__name__", "pg_stat_replication_pg_wal_lsn_diff", *sender))
        self._parts[key] = found = tuple(out)
        return found

    def _pg_state_labels(self, name: str) -> Any:
        """Per state, the ``pg_stat_activity_count`` and ``_max_tx_duration`` label sets."""
        key = ("postgres-states", name)
        found = self._parts.get(key)
        if found is None:
            pe = self._pg_base(name)
            lab = self._labels
            found = tuple(
                (
                    lab("__name__", "pg_stat_activity_count", *pe, "state", state),
                    lab("__name__", "pg_stat_activity_max_tx_duration", *pe, "state", state),
                )
                for state in STATES
            )
            self._parts[key] = found
        return found

    def _pg_base(self, name: str) -> tuple[str, ...]:
        datname = self.world.databases[name].datname
        return ("datname", datname, "job", "postgres-exporter", "server", f"{name}:5432")

    def _pg_labels(self, name: str) -> Any:
        """The label sets of one server's other postgres_exporter series, in value order."""
        key = ("postgres", name)
        found = self._parts.get(key)
        if found is not None:
            return found
        lab = self._labels
        pe = self._pg_base(name)
        settings = ("job", "postgres-exporter", "server", f"{name}:5432")
        found = (
            *(lab("__name__", "pg_locks_count", *pe, "mode", m) for m in LOCK_MODES),
            lab("__name__", "pg_locks_waiting", *pe),
            lab("__name__", "pg_stat_database_numbackends", *pe),
            lab("__name__", "pg_settings_max_connections", *settings),
            lab("__name__", "pg_settings_superuser_reserved_connections", *settings),
            lab("__name__", "pg_up", *settings),
        )
        self._parts[key] = found
        return found


_CODES = ("200", "500", "503")
_POOL_SERIES = ("active", "max", "pending", "idle")
_DEP = (
    "spec_replicas",
    "status_replicas_available",
    "status_replicas_unavailable",
    "status_replicas_updated",
    "status_observed_generation",
    "metadata_generation",
)
_RS = ("spec_replicas", "status_ready_replicas")
_CPU = ("resource", "cpu", "unit", "core")
_MEMORY = ("resource", "memory", "unit", "byte")


def _fmt_le(le: float) -> str:
    text = repr(le)
    return text[:-2] if text.endswith(".0") else text
