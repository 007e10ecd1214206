"""What each service did in the last tick, and its counters since the session began."""

from __future__ import annotations

from dataclasses import dataclass, field

from gameday.world.metrics import histogram_quantile


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
