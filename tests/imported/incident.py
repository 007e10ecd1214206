"""A small real-looking incident for import tests: orders' 5xx ratio jumps for 25 minutes.

Two hours of 15 s samples from 2026-11-04T17:00:00Z (history) to 19:00: requests counters
per code (restarting once, as a redeploy does), ``up`` of three pods (one down during the
incident) and a pool gauge. The incident window is 18:00-19:00; errors run 18:10-18:35.
"""

from __future__ import annotations

from pathlib import Path

from tests.backtest.btsupport import write_om
from tests.backtest.test_bt_cli import AM, ONCALL

T0 = 1_793_811_600  # 2026-11-04T17:00:00Z: the history starts here
INCIDENT = T0 + 3600  # 18:00: the window --from
FROM, TO = "2026-11-04T18:00:00Z", "2026-11-04T19:00:00Z"

RULES = """
groups:
  - name: orders
    interval: 30s
    rules:
      - record: service:http_errors:ratio_rate5m
        expr: |
          sum by (service) (rate(http_requests_total{code=~"5.."}[5m]))
            / sum by (service) (rate(http_requests_total[5m]))
      - alert: OrdersHighErrorRate
        expr: service:http_errors:ratio_rate5m > 0.05
        for: 2m
        labels: {severity: critical, team: shop}
        annotations:
          summary: "{{ $labels.service }} 5xx ratio is {{ $value | humanizePercentage }}"
      - alert: OrdersTrafficLowHourly
        expr: sum(rate(http_requests_total[1h])) < 1
        labels: {severity: warning}
"""

TIMELINE = """time,who,what,kind
2026-11-04T18:14:00Z,Ana Lima,paged by OrdersHighErrorRate,detected
2026-11-04T18:17:30Z,Ana Lima,ack,
2026-11-04T18:19:00Z,Ana Lima,sev SEV1,
2026-11-04T18:21:00Z,Ben Okafor,"status investigating Orders are failing for some customers",
2026-11-04T18:33:00Z,Ana Lima,rolled back orders to v1.4.2,action
2026-11-04T18:36:00Z,Ana Lima,error ratio back under 1%,mitigated
2026-11-04T18:40:00Z,Ben Okafor,"status monitoring A fix is deployed, we are watching",
2026-11-04T18:52:00Z,Ana Lima,resolve,
"""


def _errors(t: float) -> float:
    """5xx share of orders' requests at ``t`` seconds from T0."""
    return 0.3 if INCIDENT + 600 <= T0 + t < INCIDENT + 2100 else 0.002


def write_incident(folder: Path) -> dict[str, Path]:
    """The OpenMetrics file and the team's files for the incident, in ``folder``."""
    rps = 40.0
    ok: list[tuple[float, float]] = []
    bad: list[tuple[float, float]] = []
    pool: list[tuple[float, float]] = []
    ups: dict[str, list[tuple[float, float]]] = {p: [] for p in ("a1", "b2", "c3")}
    total_ok = total_bad = 0.0
    for i in range(2 * 3600 // 15 + 1):
        t = T0 + 15 * i
        if i == 200:  # a redeploy restarts the counters
            total_ok = total_bad = 0.0
        err = _errors(15 * i)
        total_ok += rps * 15 * (1 - err)
        total_bad += rps * 15 * err
        ok.append((float(t), round(total_ok, 1)))
        bad.append((float(t), round(total_bad, 1)))
        pool.append((float(t), 10.0 if err > 0.1 else 3.0))
        for pod, series in ups.items():
            down = pod == "c3" and err > 0.1
            series.append((float(t), 0.0 if down else 1.0))
    write_om(
        folder / "incident.om",
        {
            "http_requests": (
                "counter",
                [
                    ({"__name__": "http_requests_total", "service": "orders", "code": "200"}, ok),
                    ({"__name__": "http_requests_total", "service": "orders", "code": "500"}, bad),
                ],
            ),
            "hikaricp_connections_active": (
                "gauge",
                [({"__name__": "hikaricp_connections_active", "service": "orders"}, pool)],
            ),
            "up": (
                "gauge",
                [
                    ({"__name__": "up", "job": "orders", "instance": f"orders-{p}"}, pts)
                    for p, pts in ups.items()
                ],
            ),
            "node_load1": ("gauge", [({"__name__": "node_load1", "instance": "n1"}, pool)]),
        },
    )
    files = {"om": folder / "incident.om"}
    for key, name, text in (
        ("rules", "orders.rules.yml", RULES),
        ("am", "alertmanager.yml", AM),
        ("oncall", "oncall.yaml", ONCALL),
        ("timeline", "timeline.csv", TIMELINE),
    ):
        (folder / name).write_text(text)
        files[key] = folder / name
    return files


def import_args(files: dict[str, Path], out: Path, *extra: str) -> list[str]:
    """``gameday import`` arguments for the incident into ``out``."""
    return [
        "import",
        "--out",
        str(out),
        "--openmetrics",
        str(files["om"]),
        "--from",
        FROM,
        "--to",
        TO,
        "--rules",
        str(files["rules"]),
        "--alertmanager",
        str(files["am"]),
        "--oncall",
        str(files["oncall"]),
        "--timeline",
        str(files["timeline"]),
        *extra,
    ]


TYPED_MATCH = (
    "--match",
    "orders_pending_total",
    "--match",
    "payments_processed",
    "--match",
    '{__name__=~"orders_latency_seconds_.*"}',
    "--match",
    "orders_build_info",
)  # ``gameday import`` options keeping the families :func:`add_typed_families` adds


def add_typed_families(om: Path) -> None:
    """Add families whose names alone mislead to the incident's OpenMetrics file: a
    gauge named ``_total`` (orders pending: 5, 40 while the errors run), a counter
    without the suffix as the 0.0.4 text format allows (12 payments a second), a
    histogram of orders' latency and an info family."""
    pending, paid, info = [], [], []
    buckets: dict[str, list[tuple[float, float]]] = {"0.1": [], "1": [], "+Inf": []}
    count: list[tuple[float, float]] = []
    total: list[tuple[float, float]] = []
    for i in range(2 * 3600 // 15 + 1):
        t = float(T0 + 15 * i)
        pending.append((t, 40.0 if _errors(15 * i) > 0.1 else 5.0))
        paid.append((t, 180.0 * i))
        info.append((t, 1.0))
        n = 600.0 * i  # 40 requests a second
        buckets["0.1"].append((t, 0.9 * n))
        buckets["1"].append((t, 0.99 * n))
        buckets["+Inf"].append((t, n))
        count.append((t, n))
        total.append((t, 0.05 * n))
    latency = "orders_latency_seconds"
    extra = om.with_name("typed.om")
    write_om(
        extra,
        {
            "orders_pending_total": ("gauge", [({"__name__": "orders_pending_total"}, pending)]),
            "payments_processed": ("counter", [({"__name__": "payments_processed"}, paid)]),
            latency: (
                "histogram",
                [
                    ({"__name__": f"{latency}_bucket", "le": le}, points)
                    for le, points in buckets.items()
                ]
                + [
                    ({"__name__": f"{latency}_count"}, count),
                    ({"__name__": f"{latency}_sum"}, total),
                ],
            ),
            "orders_build": (
                "info",
                [({"__name__": "orders_build_info", "version": "1.5.0"}, info)],
            ),
        },
    )
    text = om.read_text().removesuffix("# EOF\n") + extra.read_text()
    om.write_text(text)
    extra.unlink()
