"""RuleEngine: series in, alert transitions out at the right evaluation step."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.errors import InputError
from gameday.rules import RuleEngine, check_rule_files, load_rule_files
from gameday.tsdb import TSDB

RULES = """
groups:
  - name: g
    interval: 15s
    rules:
      - record: job:errors:rate1m
        expr: sum by (job) (rate(errors_total[1m]))
      - alert: HighErrors
        expr: job:errors:rate1m > 1
        for: 1m
        keep_firing_for: 30s
        labels: {severity: page}
        annotations:
          summary: "{{ $labels.job }} errors at {{ $value }}"
"""


def _engine(tmp_path: Path) -> tuple[RuleEngine, TSDB]:
    f = tmp_path / "rules.yml"
    f.write_text(RULES)
    db = TSDB()
    return RuleEngine(load_rule_files([f]), db), db


def test_pending_firing_resolved_with_keep_firing_for(tmp_path: Path) -> None:
    engine, db = _engine(tmp_path)
    assert engine.groups[0].interval_s == 15
    log: list[tuple[int, str]] = []
    value = 0.0
    for step in range(40):
        t = step * 15_000
        # 3 errors/s from 60s to 240s, then nothing
        value += 45 if 60_000 <= t < 240_000 else 0
        db.append({"__name__": "errors_total", "job": "api"}, t, value)
        for tr in engine.evaluate(0, t):
            log.append((t // 1000, tr.kind))
            assert tr.labels == {"alertname": "HighErrors", "job": "api", "severity": "page"}
    kinds = [k for _, k in log]
    assert kinds == ["pending", "firing", "resolved"]
    pending_t, firing_t, resolved_t = (t for t, _ in log)
    assert firing_t - pending_t == 60  # for: 1m
    # condition clears once rate drops to <= 1; keep_firing_for holds it 30 s longer
    assert resolved_t >= 240 + 30
    assert db.series({"__name__": "job:errors:rate1m", "job": "api"}) is not None


def test_active_alerts_and_alerts_series(tmp_path: Path) -> None:
    engine, db = _engine(tmp_path)
    value = 0.0
    for step in range(10):
        value += 100
        t = step * 15_000
        db.append({"__name__": "errors_total", "job": "api"}, t, value)
        engine.evaluate(0, t)
    (alert,) = engine.active_alerts()
    assert alert.state == "firing"
    assert alert.annotations["summary"].startswith("api errors at ")
    s = db.series(
        {
            "__name__": "ALERTS",
            "alertname": "HighErrors",
            "alertstate": "firing",
            "job": "api",
            "severity": "page",
        }
    )
    assert s is not None and s.n > 0


def test_bad_promql_is_located(tmp_path: Path) -> None:
    f = tmp_path / "bad.yml"
    f.write_text(
        "groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: sum(rate(x[5m])\n"
    )
    with pytest.raises(InputError) as exc:
        load_rule_files([f])
    (p,) = exc.value.problems
    assert p.line == 5 and p.key == "groups[0].rules[0].expr"
    assert "could not parse expression" in p.message


def test_prometheusrule_manifest_and_check(tmp_path: Path) -> None:
    f = tmp_path / "pr.yml"
    f.write_text(
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n"
        "  groups:\n    - name: a\n      rules:\n        - record: x:y\n          expr: up\n"
    )
    (g,) = load_rule_files([f])
    assert g.name == "a" and g.rules[0].name == "x:y"
    bad = tmp_path / "dup.yml"
    bad.write_text("groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n")
    problems = check_rule_files([bad])
    assert any("repeated" in p.message and p.line == 4 for p in problems)
