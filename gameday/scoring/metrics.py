"""What the debrief needs from the world's metrics: a small, serialisable summary.

The session fills a :class:`MetricsSummary` for the entry service (the one the SLO is
about): one point per scrape with request rate, 5xx ratio, p99 latency and pool usage,
plus the run's total and failed requests. The error budget is the SLO's allowance over
a 30-day window at the run's mean request rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

BUDGET_WINDOW = 30 * 86400.0


@dataclass(frozen=True)
class MetricPoint:
    """The entry service at one scrape (sim seconds)."""

    t: float
    rps: float
    error_ratio: float
    p99: float
    pool_in_use: float = 0.0
    pool_size: float = 0.0


@dataclass(frozen=True)
class MetricsSummary:
    """Per-scrape points and totals for the entry service over a run."""

    service: str = ""
    points: tuple[MetricPoint, ...] = field(default_factory=tuple)
    total_requests: float = 0.0
    failed_requests: float = 0.0
    scrape_interval: float = 15.0

    @property
    def mean_rps(self) -> float:
        """Mean request rate over the run (from the points, else from the totals)."""
        if self.points:
            return sum(p.rps for p in self.points) / len(self.points)
        return 0.0

    def budget_requests(self, slo: float) -> float:
        """Failed requests the SLO allows in 30 days at the mean rate."""
        return (1.0 - slo) * BUDGET_WINDOW * self.mean_rps

    def budget_consumed_pct(self, slo: float) -> float:
        """Failed requests of this run as a percentage of the 30-day budget."""
        budget = self.budget_requests(slo)
        if budget <= 0:
            return 0.0 if self.failed_requests <= 0 else 100.0
        return 100.0 * self.failed_requests / budget

    def recovered_at(self, threshold: float, scrapes: int = 2) -> float | None:
        """When the last outage visibly ended: the ``scrapes``-th consecutive point under
        ``threshold`` after the last point at or above it. None if the run never went
        over the threshold, or ended while still over it."""
        bad = [i for i, p in enumerate(self.points) if p.error_ratio >= threshold]
        if not bad:
            return None
        after = self.points[bad[-1] + 1 :]
        return after[scrapes - 1].t if len(after) >= scrapes else None

    def healthy_before(self, t: float, threshold: float, scrapes: int = 2) -> bool:
        """True if the last ``scrapes`` points at or before ``t`` are all under threshold."""
        last = [p for p in self.points if p.t <= t][-scrapes:]
        return len(last) == scrapes and all(p.error_ratio < threshold for p in last)

    def peak_error_ratio(self) -> float:
        """The worst scrape's 5xx ratio."""
        return max((p.error_ratio for p in self.points), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form with rounded numbers, for ``result.json``."""
        return {
            "service": self.service,
            "scrape_interval": self.scrape_interval,
            "total_requests": round(self.total_requests, 1),
            "failed_requests": round(self.failed_requests, 1),
            "points": [{k: round(v, 6) for k, v in asdict(p).items()} for p in self.points],
        }

    @classmethod
    def from_samples(
        cls,
        service: str,
        samples: Iterable[Any],
        scrape_interval: float,
        total_requests: float | None = None,
        failed_requests: float | None = None,
    ) -> MetricsSummary:
        """Build from per-scrape samples with ``t``, ``rps``, ``error_ratio``, ``p99``,
        ``pool_in_use`` and ``pool_size`` attributes. Totals default to rate x interval
        summed over the samples; pass the counters' totals when they are known."""
        points = tuple(
            MetricPoint(
                float(p.t),
                float(p.rps),
                float(p.error_ratio),
                float(p.p99),
                float(getattr(p, "pool_in_use", 0.0)),
                float(getattr(p, "pool_size", 0.0)),
            )
            for p in samples
        )
        if total_requests is None:
            total_requests = sum(p.rps * scrape_interval for p in points)
        if failed_requests is None:
            failed_requests = sum(p.rps * p.error_ratio * scrape_interval for p in points)
        return cls(service, points, total_requests, failed_requests, scrape_interval)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MetricsSummary:
        """Inverse of :meth:`to_dict`."""
        return cls(
            service=str(data.get("service", "")),
            points=tuple(MetricPoint(**p) for p in data.get("points", [])),
            total_requests=float(data.get("total_requests", 0.0)),
            failed_requests=float(data.get("failed_requests", 0.0)),
            scrape_interval=float(data.get("scrape_interval", 15.0)),
        )
