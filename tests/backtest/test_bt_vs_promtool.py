"""Differential: the backtest's alerts agree with ``promtool test rules`` on the same series.

The same random series are written as OpenMetrics (for the backtest) and as promtool
``input_series`` (for promtool); the rules are the same file. For every evaluation
time and every alerting rule, the alerts the backtest says are firing then (labels and
annotations) become the expectation of a promtool alert test, so promtool passing means
both agree on every firing alert at every evaluation: when each one started and
stopped firing, including ``for`` and ``keep_firing_for``. Pending times are checked
through the ``ALERTS{alertstate="pending"}`` series in promql tests at the same times.
The batch path and the step-by-step path of the backtest are also compared.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.backtest.btsupport import run_json, write_om
from tests.promtool import PROMTOOL

STEP = 15
END = 2 * 3600
EVAL = 30

RULES = """
groups:
  - name: g
    interval: 30s
    rules:
      - record: job:errors:rate2m
        expr: sum by (job) (rate(errors_total[2m]))
      - alert: ErrorsHigh
        expr: job:errors:rate2m > 1.5
        for: 90s
        labels: {severity: page}
        annotations: {summary: "{{ $labels.job }} errors"}
      - alert: ErrorsSticky
        expr: job:errors:rate2m > 2
        keep_firing_for: 2m
      - alert: LatencyHigh
        expr: max by (job) (avg_over_time(latency_seconds[1m])) > 0.8
        for: 1m
      - alert: ResetsSeen
        expr: resets(errors_total[5m]) > 0
"""


def _series(seed: int) -> dict[tuple[tuple[str, str], ...], list[float]]:
    gen = np.random.default_rng(seed)
    n = END // STEP + 1
    out = {}
    for job in ("a", "b"):
        inc = np.where(gen.random(n) < 0.15, gen.integers(40, 80, n), gen.integers(0, 15, n))
        counter = np.cumsum(inc).astype(float)
        for r in gen.integers(10, n - 1, 2):  # two restarts
            counter[r:] -= counter[r - 1] + 0.0
            counter[r:] = np.maximum(counter[r:], 0.0)
        out[(("__name__", "errors_total"), ("job", job))] = counter.tolist()
        slow = (np.arange(n) * STEP >= 3000 + seed * 300) & (
            np.arange(n) * STEP < 3900 + seed * 300
        )
        lat = np.round(gen.random(n) * 0.7 + np.where(slow, 0.45, 0.0), 3)
        out[(("__name__", "latency_seconds"), ("job", job))] = lat.tolist()
    return out


def _promtool_suite(folder: Path, series, alerts: list[dict]) -> Path:
    fmt = lambda v: repr(float(v))  # noqa: E731
    input_series = [
        {
            "series": dict(k)["__name__"]
            + "{"
            + ",".join(f'{a}="{b}"' for a, b in k if a != "__name__")
            + "}",
            "values": " ".join(fmt(v) for v in vals),
        }
        for k, vals in series.items()
    ]
    names = ["ErrorsHigh", "ErrorsSticky", "LatencyHigh", "ResetsSeen"]
    tests = []
    for t in range(0, END + 1, EVAL):
        ms = t * 1000
        for name in names:
            firing = [
                a
                for a in alerts
                if a["labels"]["alertname"] == name
                and a["firing_at"] is not None
                and a["firing_at"] <= ms
                and (a["resolved_at"] is None or ms < a["resolved_at"])
            ]
            tests.append(
                {
                    "eval_time": f"{t}s",
                    "alertname": name,
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                k: v for k, v in a["labels"].items() if k != "alertname"
                            },
                            "exp_annotations": a["annotations"],
                        }
                        for a in firing
                    ],
                }
            )
    pending_tests = []
    for t in range(0, END + 1, EVAL):
        ms = t * 1000
        pend = [
            a
            for a in alerts
            if a["active_at"] <= ms
            and (a["firing_at"] is None or ms < a["firing_at"])
            and (a["resolved_at"] is None or ms < a["resolved_at"])
        ]
        pending_tests.append(
            {
                "expr": 'ALERTS{alertstate="pending"}',
                "eval_time": f"{t}s",
                "exp_samples": [
                    {
                        "labels": "ALERTS{"
                        + ",".join(
                            f'{k}="{v}"'
                            for k, v in sorted({**a["labels"], "alertstate": "pending"}.items())
                        )
                        + "}",
                        "value": 1,
                    }
                    for a in pend
                ],
            }
        )
    doc = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": f"{EVAL}s",
        "tests": [
            {
                "interval": f"{STEP}s",
                "input_series": input_series,
                "alert_rule_test": tests,
                "promql_expr_test": pending_tests,
            }
        ],
    }
    path = folder / "tests.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _ms(text: str | None) -> int | None:
    from gameday.timeparse import parse_time

    return None if text is None else parse_time(text)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_backtest_alerts_agree_with_promtool(capsys, tmp_path, seed) -> None:
    """promtool passes a test file whose expectations are the backtest's answers."""
    series = _series(seed)
    (tmp_path / "rules.yml").write_text(RULES)
    families: dict = {}
    for key, vals in series.items():
        name = dict(key)["__name__"]
        fam = name.removesuffix("_total")
        typ = "counter" if name.endswith("_total") else "gauge"
        pts = [(i * STEP, v) for i, v in enumerate(vals)]
        families.setdefault(fam, (typ, []))[1].append((dict(key), pts))
    om = write_om(tmp_path / "data.om", families)
    doc = run_json(
        capsys,
        "backtest",
        "--rules",
        str(tmp_path / "rules.yml"),
        "--openmetrics",
        str(om),
        "--from",
        "0",
        "--to",
        str(END),
    )
    alerts = [
        {
            **a,
            "active_at": _ms(a["active_at"]),
            "firing_at": _ms(a["firing_at"]),
            "resolved_at": _ms(a["resolved_at"]),
        }
        for a in doc["alerts"]
    ]
    assert {a["labels"]["alertname"] for a in alerts if a["firing_at"] is not None} == {
        "ErrorsHigh",
        "ErrorsSticky",
        "LatencyHigh",
        "ResetsSeen",
    }
    # the step-by-step path (a rule reading ALERTS forces it) gives the same alerts
    (tmp_path / "stepwise.yml").write_text(
        RULES + "      - record: alerts:count\n        expr: count(ALERTS)\n"
    )
    stepwise = run_json(
        capsys,
        "backtest",
        "--rules",
        str(tmp_path / "stepwise.yml"),
        "--openmetrics",
        str(om),
        "--from",
        "0",
        "--to",
        str(END),
    )
    assert stepwise["alerts"] == doc["alerts"]
    if PROMTOOL is None:
        pytest.skip("promtool not installed: the differential half is skipped")
    suite = _promtool_suite(tmp_path, series, alerts)
    out = subprocess.run(
        [PROMTOOL, "test", "rules", str(suite)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, (out.stdout + out.stderr)[:4000]
