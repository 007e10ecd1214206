"""What the world exposes to Prometheus, under the names real exporters use.

Per service: ``http_requests_total{code}`` and the ``http_request_duration_seconds``
histogram (the application), ``hikaricp_connections_*`` (the pool), kube-state-metrics
deployment and pod series, cAdvisor memory and CPU, ``up`` per pod. Per database:
postgres_exporter's ``pg_stat_activity_count``, ``pg_stat_activity_max_tx_duration``,
``pg_settings_max_connections``, ``pg_up``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gameday.engine.world import ServiceStatus, World

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
    return [
        (1 - err) * 0.5 * (1 + erf((lx - m_ok) * _K_OK))
        + err * 0.5 * (1 + erf((lx - m_fail) * _K_FAIL))
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
    """Turns world state into ``(labels, value)`` samples, reusing label tuples."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._hist: dict[str, list[float]] = {n: [0.0] * (len(BUCKETS) + 2) for n in world.services}
        self._cache: dict[tuple[str, ...], Labels] = {}
        self.include_kube = True  # False when a real cluster supplies these series

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
        w = self.world
        ns = w.namespace
        lab = self._labels
        for name, svc in w.services.items():
            c = w.counters[name]
            job = name
            base = ("namespace", ns, "service", name, "job", job)
            yield lab("__name__", "http_requests_total", "code", "200", *base), math.floor(c.ok)
            yield (
                lab("__name__", "http_requests_total", "code", "500", *base),
                math.floor(c.err_500),
            )
            yield (
                lab("__name__", "http_requests_total", "code", "503", *base),
                math.floor(c.err_503),
            )
            hist = self._hist[name]
            for i, le in enumerate(BUCKETS):
                yield (
                    lab(
                        "__name__", "http_request_duration_seconds_bucket", "le", _fmt_le(le), *base
                    ),
                    math.floor(hist[i]),
                )
            inf = math.floor(hist[len(BUCKETS)])
            yield lab("__name__", "http_request_duration_seconds_bucket", "le", "+Inf", *base), inf
            yield lab("__name__", "http_request_duration_seconds_count", *base), inf
            yield lab("__name__", "http_request_duration_seconds_sum", *base), hist[-1]
            st = w.status[name]
            if svc.pool is not None:
                pool = ("namespace", ns, "service", name, "pool", f"{name}-pool")
                yield lab("__name__", "hikaricp_connections_active", *pool), round(st.pool_in_use)
                yield lab("__name__", "hikaricp_connections_max", *pool), st.pool_size
                yield lab("__name__", "hikaricp_connections_pending", *pool), round(st.pool_pending)
                idle = max(0, st.pool_size - round(st.pool_in_use))
                yield lab("__name__", "hikaricp_connections_idle", *pool), idle
            if self.include_kube:
                yield from self._kube(name)
        for db in w.databases.values():
            yield from self._postgres(db.name)

    def _kube(self, name: str) -> Iterator[tuple[Labels, float]]:
        w = self.world
        ns = w.namespace
        lab = self._labels
        dep = w.deployments[name]
        svc = w.services[name]
        kd = ("namespace", ns, "deployment", name, "job", "kube-state-metrics")
        ready = [p for p in dep.pods if p.ready(w.now)]
        yield lab("__name__", "kube_deployment_spec_replicas", *kd), dep.replicas
        yield (
            lab("__name__", "kube_deployment_status_replicas_available", *kd),
            min(len(ready), dep.replicas),
        )
        yield (
            lab("__name__", "kube_deployment_status_replicas_unavailable", *kd),
            max(0, dep.replicas - len(ready)),
        )
        yield lab("__name__", "kube_deployment_status_observed_generation", *kd), dep.revision
        yield lab("__name__", "kube_deployment_metadata_generation", *kd), dep.revision
        for pod in dep.pods:
            pl = ("namespace", ns, "pod", pod.name, "container", dep.container)
            ksm = (*pl, "job", "kube-state-metrics")
            yield lab("__name__", "kube_pod_container_status_restarts_total", *ksm), pod.restarts
            yield (
                lab("__name__", "kube_pod_container_status_ready", *ksm),
                1 if pod.ready(w.now) else 0,
            )
            waiting = "CrashLoopBackOff" if pod.phase == "CrashLoopBackOff" else None
            if waiting:
                yield (
                    lab(
                        "__name__",
                        "kube_pod_container_status_waiting_reason",
                        *ksm,
                        "reason",
                        waiting,
                    ),
                    1,
                )
            if pod.last_termination:
                yield (
                    lab(
                        "__name__",
                        "kube_pod_container_status_last_terminated_reason",
                        *ksm,
                        "reason",
                        pod.last_termination,
                    ),
                    1,
                )
            cad = (*pl, "job", "kubelet")
            yield (
                lab("__name__", "container_memory_working_set_bytes", *cad),
                round(pod.memory_mib * 1048576),
            )
            yield (
                lab("__name__", "container_spec_memory_limit_bytes", *cad),
                svc.memory_limit_mib * 1048576,
            )
            yield (
                lab(
                    "__name__",
                    "up",
                    "namespace",
                    ns,
                    "pod",
                    pod.name,
                    "job",
                    name,
                    "instance",
                    f"{pod.ip}:8080",
                ),
                1 if pod.ready(w.now) else 0,
            )

    def _postgres(self, name: str) -> Iterator[tuple[Labels, float]]:
        w = self.world
        db = w.databases[name]
        lab = self._labels
        pe = ("datname", db.datname, "job", "postgres-exporter", "server", f"{name}:5432")
        counts = {"active": 0, "idle": 0, "idle in transaction": 0}
        oldest = 0.0
        for b in db.backends:
            counts[b.state] = counts.get(b.state, 0) + 1
            if b.state != "idle":
                oldest = max(oldest, w.now - b.xact_start)
        for state, n in counts.items():
            yield lab("__name__", "pg_stat_activity_count", *pe, "state", state), n
        yield lab("__name__", "pg_stat_activity_max_tx_duration", *pe), round(oldest, 3)
        locks = sum(1 for b in db.backends if b.wait_event_type == "Lock")
        yield lab("__name__", "pg_locks_waiting", *pe), locks
        yield (
            lab(
                "__name__",
                "pg_settings_max_connections",
                "job",
                "postgres-exporter",
                "server",
                f"{name}:5432",
            ),
            db.max_connections,
        )
        yield lab("__name__", "pg_up", "job", "postgres-exporter", "server", f"{name}:5432"), 1


def _fmt_le(le: float) -> str:
    text = repr(le)
    return text[:-2] if text.endswith(".0") else text
