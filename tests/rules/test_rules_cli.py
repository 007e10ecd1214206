"""``gameday rules test``: promtool's report and exit codes 0 / 1 / 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gameday.cli.rules import rules_group

RULES = """groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        for: 2m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.job }} down"}
"""


def _suite(tmp_path: Path, exp: str) -> Path:
    (tmp_path / "rules.yml").write_text(RULES)
    test = tmp_path / "t.yml"
    test.write_text(f"""rule_files: [rules.yml]
tests:
  - interval: 1m
    input_series:
      - series: 'up{{job="api"}}'
        values: '1 0x5'
    alert_rule_test:
      - eval_time: 3m
        alertname: Down
        exp_alerts: {exp}
""")
    return test


@pytest.mark.parametrize(
    ("exp", "status"),
    [
        ("[{exp_labels: {severity: page, job: api}, exp_annotations: {summary: api down}}]", 0),
        ("[]", 1),
    ],
)
def test_verdict_and_exit_status(tmp_path: Path, exp: str, status: int) -> None:
    test = _suite(tmp_path, exp)
    result = CliRunner().invoke(rules_group, ["test", str(test)], standalone_mode=False)
    assert result.return_value == status, result.output
    if status:
        assert "FAILED" in result.output and 'Labels:{alertname="Down"' in result.output
    else:
        assert "SUCCESS" in result.output


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    args = ["test", str(tmp_path / "missing.yml")]
    result = CliRunner().invoke(rules_group, args, standalone_mode=False)
    assert result.return_value == 2
