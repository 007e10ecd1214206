"""Long-window rule tests: 30 days at 1-minute evaluation, multi-window burn-rate alerts.

Generates a rule file with two SLO burn-rate alerts (14.4x over 1h and 5m, ``for: 2m``;
3x over 3d, ``for: 1h``) and a promtool test file over 30 days of 1-minute samples, then
times ``gameday rules test`` and ``promtool test rules`` as whole processes, requires the
same verdict and prints the speed ratio. Run with ``make bench`` or directly:
``python benchmarks/bench_rules.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

RULES = """groups:
  - name: slo-burn
    rules:
      - alert: ErrorBudgetBurnFast
        expr: |
          (sum(rate(errors_total[1h])) / sum(rate(requests_total[1h]))) > (14.4 * 0.001)
          and
          (sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))) > (14.4 * 0.001)
        for: 2m
        labels: {severity: page}
      - alert: ErrorBudgetBurnSlow
        expr: |
          (sum(rate(errors_total[3d])) / sum(rate(requests_total[3d]))) > (3 * 0.001)
        for: 1h
        labels: {severity: ticket}
"""

# 30 days = 43200 minutes. Baseline 0.05% errors; a 2-day bad spell at 2% from day 14.
TESTS = """rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'requests_total{job="api"}'
        values: '0+100x43200'
      - series: 'errors_total{job="api"}'
        values: '0+0.05x20160 1010+2x2880 6772+0.05x20159'
    alert_rule_test:
      - eval_time: 10d
        alertname: ErrorBudgetBurnFast
        exp_alerts: []
      - eval_time: 14d6h
        alertname: ErrorBudgetBurnFast
        exp_alerts:
          - exp_labels: {severity: page}
      - eval_time: 15d
        alertname: ErrorBudgetBurnSlow
        exp_alerts:
          - exp_labels: {severity: ticket}
      - eval_time: 29d23h
        alertname: ErrorBudgetBurnSlow
        exp_alerts: []
      - eval_time: 30d
        alertname: ErrorBudgetBurnFast
        exp_alerts: []
"""


def write_suite(folder: Path) -> Path:
    (folder / "rules.yml").write_text(RULES)
    test = folder / "tests.yml"
    test.write_text(TESTS)
    return test


def _time(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - t0, proc.returncode, proc.stdout + proc.stderr


def run() -> dict[str, float | int | None]:
    gameday = str(Path(sys.executable).with_name("gameday"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_suite(folder)
        g_s, g_rc, g_out = _time([gameday, "rules", "test", "tests.yml"], folder)
        print(f"gameday rules test: {g_s:.2f} s, exit {g_rc}")
        if g_rc != 0:
            print(g_out)
        promtool = shutil.which("promtool")
        p_s = p_rc = None
        if promtool:
            p_s, p_rc, p_out = _time([promtool, "test", "rules", "tests.yml"], folder)
            print(f"promtool test rules: {p_s:.2f} s, exit {p_rc}")
            if p_rc != 0:
                print(p_out)
            print(f"speed-up: {p_s / g_s:.1f}x")
        else:
            print("promtool not found: comparison skipped")
    return {"gameday_s": g_s, "gameday_rc": g_rc, "promtool_s": p_s, "promtool_rc": p_rc}


@pytest.mark.bench
def test_bench_rules_long_windows() -> None:
    r = run()
    assert r["gameday_rc"] == 0
    if r["promtool_rc"] is not None:
        assert r["promtool_rc"] == r["gameday_rc"], "verdicts differ from promtool"


if __name__ == "__main__":
    run()
