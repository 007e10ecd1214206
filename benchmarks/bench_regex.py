"""Regex-heavy routing and rule evaluation: the cost of Go-semantics regex matching.

Two workloads, both dominated by regex matchers:

* routing: an ``alertmanager.yml`` of 40 routes (``match_re``, ``matchers`` with ``=~``
  and ``!~``, Unicode classes) routes 20 000 label sets, in process;
* rule evaluation: ``gameday rules test`` on three days of 1-minute samples for 60 series,
  selected through regex matchers and rewritten by ``label_replace``, as a whole
  process (and ``promtool test rules`` beside it when installed, same verdict required).

Run with ``make bench`` or ``python benchmarks/bench_regex.py``.
"""

from __future__ import annotations

import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from gameday.alerting import parse_alertmanager_config

SERVICES = ["api", "web", "checkout", "payments", "search", "ledger", "auth", "mailer"]
TEAMS = ["core", "growth", "money", "platform", "δelta"]


def routing_config() -> str:
    """40 regex routes under one root, some with ``continue``."""
    lines = ["route:", "  receiver: default", "  group_by: [alertname]", "  routes:"]
    for i in range(40):
        svc = SERVICES[i % len(SERVICES)]
        team = TEAMS[i % len(TEAMS)]
        if i % 4 == 0:
            lines += [
                f"    - receiver: r{i}",
                "      match_re:",
                f"        service: '{svc}(-canary)?|{svc}-v[0-9]+'",
                "        severity: 'crit.*|page'",
            ]
        elif i % 4 == 1:
            lines += [
                f"    - receiver: r{i}",
                "      matchers:",
                f"        - 'team=~\"(?i){team}|\\\\p{{Lu}}+.*\"'",
                f"        - 'instance!~\"10\\\\.0\\\\.{i}\\\\..*\"'",
                "      continue: true",
            ]
        elif i % 4 == 2:
            lines += [
                f"    - receiver: r{i}",
                "      matchers:",
                f"        - 'alertname=~\"[A-Z][a-z]+{svc.title()}.*\"'",
            ]
        else:
            lines += [
                f"    - receiver: r{i}",
                "      matchers:",
                f"        - 'namespace=~\"prod-[[:alpha:]]+|{svc}\"'",
                "        - 'cluster=\"eu-1\"'",
            ]
    lines += ["receivers:", "  - name: default"]
    lines += [f"  - name: r{i}" for i in range(40)]
    return "\n".join(lines) + "\n"


def label_sets(n: int, seed: int = 7) -> list[dict[str, str]]:
    """``n`` alert label sets drawn from a small vocabulary, as a real fleet repeats them."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        svc = rng.choice(SERVICES)
        out.append(
            {
                "alertname": rng.choice(["High", "Slow", "Down"]) + svc.title() + "Errors",
                "service": svc + rng.choice(["", "-canary", "-v2", "-old"]),
                "severity": rng.choice(["critical", "warning", "page", "info"]),
                "team": rng.choice(TEAMS + ["Γamma", "CORE"]),
                "instance": f"10.0.{rng.randrange(50)}.{rng.randrange(255)}:9100",
                "namespace": rng.choice(["prod-eu", "prod-us", "staging", svc]),
                "cluster": rng.choice(["eu-1", "us-1"]),
            }
        )
    return out


def bench_routing(n: int = 20_000) -> tuple[float, int]:
    """CPU seconds to route ``n`` label sets (config parsing included) and a checksum.

    CPU time, not wall time, so that figures taken on a shared machine compare.
    """
    sets = label_sets(n)
    t0 = time.process_time()
    cfg = parse_alertmanager_config(routing_config(), "bench.yml")
    total = 0
    for labels in sets:
        total += len(cfg.route.receivers(labels))
    return time.process_time() - t0, total


RULES = """groups:
  - name: regex
    rules:
      - record: job:errors:rate5m
        expr: |
          sum by (job) (label_replace(
            rate(errors_total{job=~"api|web|check.*",instance!~"10\\\\.9\\\\..*"}[5m]),
            "job", "$1", "instance", "10\\\\.([0-9]+)\\\\..*"))
      - alert: ManyErrors
        expr: sum(rate(errors_total{job=~"(?i)API|web",zone=~"[a-z]+-[0-9]"}[5m])) > 0.5
        for: 5m
        labels: {severity: page}
"""


def rules_tests() -> str:
    series = []
    for i in range(60):
        job = ["api", "web", "checkout", "ledger"][i % 4]
        zone = ["eu-1", "us-2", "ap-3"][i % 3]
        rate = 2 if i % 5 else 40
        series.append(
            f'      - series: \'errors_total{{job="{job}",zone="{zone}",'
            f'instance="10.{i % 12}.0.{i}:80"}}\'\n'
            f"        values: '0+{rate}x4320'"
        )
    return (
        "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n"
        "    input_series:\n" + "\n".join(series) + "\n    alert_rule_test:\n"
        "      - eval_time: 71h\n        alertname: ManyErrors\n        exp_alerts:\n"
        "          - exp_labels: {severity: page}\n"
    )


def _time(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    """The child's CPU seconds (user + system), its exit code and output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, proc.returncode, proc.stdout + proc.stderr


def bench_rules() -> dict[str, float | int | None]:
    """``gameday rules test`` and ``promtool test rules`` on the regex-heavy suite."""
    gameday = str(Path(sys.executable).with_name("gameday"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "rules.yml").write_text(RULES)
        (folder / "tests.yml").write_text(rules_tests())
        g_s, g_rc, g_out = _time([gameday, "rules", "test", "tests.yml"], folder)
        print(f"gameday rules test (regex): {g_s:.2f} s CPU, exit {g_rc}")
        if g_rc != 0:
            print(g_out)
        p_s = p_rc = None
        promtool = shutil.which("promtool")
        if promtool:
            p_s, p_rc, p_out = _time([promtool, "test", "rules", "tests.yml"], folder)
            print(f"promtool test rules (regex): {p_s:.2f} s CPU, exit {p_rc}")
            if p_rc != 0:
                print(p_out)
    return {"gameday_s": g_s, "gameday_rc": g_rc, "promtool_s": p_s, "promtool_rc": p_rc}


def run() -> dict[str, float | int | None]:
    best = min(bench_routing()[0] for _ in range(3))
    print(f"routing 20000 label sets through 40 regex routes: {best:.3f} s CPU (best of 3)")
    return {"routing_s": best, **bench_rules()}


@pytest.mark.bench
def test_bench_regex_routing_and_rules() -> None:
    r = run()
    assert r["gameday_rc"] == 0
    if r["promtool_rc"] is not None:
        assert r["promtool_rc"] == r["gameday_rc"], "verdicts differ from promtool"


if __name__ == "__main__":
    run()
