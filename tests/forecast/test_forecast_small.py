"""The on-call forecast on a small case worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gameday.alerting import load_alertmanager_config
from gameday.forecast import Episode, forecast, generate_episodes
from gameday.oncall import load_oncall
from gameday.rules import load_rule_files

AM = """
route:
  receiver: chat
  group_by: [alertname, service]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: [severity="critical"]
      receiver: pager
receivers:
  - name: chat
    slack_configs: [{channel: "#alerts", api_url: "https://hooks.slack.com/services/x"}]
  - name: pager
    pagerduty_configs: [{routing_key: key-1}]
"""

ONCALL = """
timezone: UTC
people:
  - {id: ana, name: Ana}
  - {id: ben, name: Ben}
schedules:
  - id: primary
    layers:
      - users: [ana, ben]
        rotation_virtual_start: "2026-03-02T00:00:00+00:00"
        rotation_turn_length: 1w
escalation_policies:
  - id: only
    rules:
      - escalation_delay_in_minutes: 60
        targets: [{type: schedule, id: primary}]
services:
  - {name: svc, escalation_policy: only, integration_keys: [key-1]}
"""

RULES = """
groups:
  - name: g
    interval: 30s
    rules:
      - alert: Down
        expr: up == 0
        for: 1m
        labels: {severity: critical}
        annotations: {summary: "{{ $labels.service }} is down"}
      - alert: Errors
        expr: errors > 1
        for: 1m
        labels: {severity: critical}
      - alert: Slow
        expr: latency > 1
        for: 5m
        labels: {severity: warning}
      - alert: Blip
        expr: blip > 0
        for: 2m
        labels: {severity: critical}
"""

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday: Ana's week, then Ben's
DAY = 86400.0
SVC = (("service", "svc"),)


def setup_files(tmp_path: Path) -> tuple[object, object, list]:
    (tmp_path / "am.yml").write_text(AM)
    (tmp_path / "oncall.yaml").write_text(ONCALL)
    (tmp_path / "rules.yml").write_text(RULES)
    groups = load_rule_files([tmp_path / "rules.yml"])
    return (
        load_alertmanager_config(tmp_path / "am.yml"),
        load_oncall(tmp_path / "oncall.yaml"),
        groups,
    )


def test_two_weeks_by_hand(tmp_path: Path) -> None:
    """Incidents page the right person once their rule's for: has passed; a warning that
    clears before its for: never fires; 03:00 is night."""
    am, oncall, groups = setup_files(tmp_path)
    episodes = [
        Episode(1 * DAY + 10 * 3600, 1 * DAY + 10 * 3600 + 1200, "Down", SVC, True),
        Episode(2 * DAY + 12 * 3600, 2 * DAY + 12 * 3600 + 300, "Slow", SVC, False),
        Episode(8 * DAY + 3 * 3600, 8 * DAY + 3 * 3600 + 1800, "Down", SVC, True),
        Episode(9 * DAY + 15 * 3600, 9 * DAY + 15 * 3600 + 600, "Blip", SVC, False),
    ]
    result = forecast(am, oncall, groups, episodes, days=14, start=START, seed=1)
    f = result.figures
    # Hand count: Down on Tuesday 10:00 pages Ana (her week); Slow holds 5 minutes, less
    # than its for: 5m ends, so it never fires; Down on the next Tuesday 03:00 and Blip
    # on Wednesday 15:00 page Ben (his week).
    assert [(p["person"], p["actionable"], p["night"]) for p in result.pages] == [
        ("ana", True, False),
        ("ben", True, True),
        ("ben", False, False),
    ]
    assert [labels["alertname"] for _, labels in result.fired] == ["Down", "Down", "Blip"]
    assert f["alerts_fired"] == 3 and f["episodes"] == 4
    assert f["pages"] == 3
    assert f["pages_per_week_per_person"] == {"ana": 0.5, "ben": 1.0}
    assert f["actionable_pages_per_week_per_person"] == {"ana": 0.5, "ben": 0.5}
    assert f["night_pages"] == {"ben": 1}
    assert f["actionable_ratio"] == round(2 / 3, 4)
    assert f["duplicate_pages"] == 0 and f["flapping_refires"] == {}
    assert f["meets"] == {
        "actionable_pages_per_week": True,
        "pages_per_shift": True,
        "actionable_ratio": False,
    }
    # Each alert fires at the first 30 s evaluation after its for: (1m, 1m, 2m); its
    # StartsAt is then older than group_wait, so Alertmanager flushes the new group at once.
    assert [p["t"] for p in result.pages] == [
        1 * DAY + 10 * 3600 + 60,
        8 * DAY + 3 * 3600 + 60,
        9 * DAY + 15 * 3600 + 120,
    ]


def test_flapping_alert_pages_again_and_is_counted(tmp_path: Path) -> None:
    """Blip holds 5 of every 10 minutes, three times: it fires at +2m, resolves at +5m
    (Alertmanager says so at the group's next flush, +7m, which resolves the incident),
    fires again at +12m and +22m: three pages, two re-fires within the hour."""
    am, oncall, groups = setup_files(tmp_path)
    t0 = 1 * DAY + 10 * 3600
    result = forecast(am, oncall, groups, [Episode(t0, t0 + 1800, "Blip", SVC, False, 3)], 2, START)
    assert [p["t"] - t0 for p in result.pages] == [120, 720, 1320]
    assert len({p["incident"] for p in result.pages}) == 3
    assert result.figures["flapping_refires"] == {"Blip": 2}
    assert [t - t0 for t, _ in result.flaps] == [720, 1320]


def test_symptoms_of_one_incident_page_twice(tmp_path: Path) -> None:
    """Down and Errors hold together on one service; grouped by alertname they open two
    incidents, and the second page is a duplicate of the first."""
    am, oncall, groups = setup_files(tmp_path)
    t0 = 1 * DAY + 10 * 3600
    episodes = [
        Episode(t0, t0 + 1200, "Down", SVC, True),
        Episode(t0 + 90, t0 + 1200, "Errors", SVC, True),
        Episode(t0 + 3 * 3600, t0 + 3 * 3600 + 1200, "Errors", SVC, True),
    ]
    result = forecast(am, oncall, groups, episodes, 2, START)
    assert [(p["t"] - t0, p["duplicate"]) for p in result.pages] == [
        (60, False),
        (150, True),
        (3 * 3600 + 60, False),
    ]
    assert result.figures["duplicate_pages"] == 1


def test_episodes_are_seeded() -> None:
    """The same seed draws the same episodes; another seed draws others."""
    rules = [
        {"alertname": "Down", "severity": "critical"},
        {"alertname": "Slow", "severity": "warning"},
    ]
    a = generate_episodes(rules, ["svc"], 30, seed=1)
    assert a == generate_episodes(rules, ["svc"], 30, seed=1)
    assert a != generate_episodes(rules, ["svc"], 30, seed=2)
    assert all(0 <= e.start < e.end for e in a)
    assert {e.rule for e in a if e.actionable} <= {"Down", "Slow"}


def test_episodes_must_name_alerting_rules(tmp_path: Path) -> None:
    am, oncall, groups = setup_files(tmp_path)
    with pytest.raises(ValueError, match="Donw"):
        forecast(am, oncall, groups, [Episode(0, 60, "Donw", SVC, True)], 1, START)


def test_oncall_cli_names_each_target_and_its_verdict() -> None:
    """The text report lists the people, then each DESIGN.md target met or missed,
    agreeing with the figures --json gives for the same forecast."""
    import json

    from click.testing import CliRunner

    from gameday.cli.main import cli

    args = ["oncall", "--days", "7", "db-pool-exhaustion", "--services", "2"]
    runner = CliRunner()
    figures = json.loads(runner.invoke(cli, [*args, "--json"]).output)
    text = runner.invoke(cli, args).output
    over = [p for p, n in figures["actionable_pages_per_week_per_person"].items() if n >= 5]
    line = next(x for x in text.splitlines() if "actionable pages a week" in x)
    assert line.endswith(f"missed by {', '.join(over)}" if over else ": met")
    shift = figures["max_pages_per_shift"]
    assert f"the busiest had {shift}, {'met' if shift <= 2 else 'missed'}" in text
    ratio = figures["actionable_ratio"]
    assert f"over 80% of pages actionable: {ratio * 100:.1f}%, " in text
