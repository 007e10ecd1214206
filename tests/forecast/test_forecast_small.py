"""The on-call forecast on a small case worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from gameday.alerting import load_alertmanager_config
from gameday.forecast import Episode, forecast, generate_episodes
from gameday.oncall import load_oncall

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

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday: Ana's week, then Ben's
DAY = 86400.0


def labels(name: str, severity: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({"alertname": name, "severity": severity, "service": "svc"}.items()))


def test_two_weeks_by_hand(tmp_path: Path) -> None:
    """Two incidents page the right person; noise to chat pages nobody; 03:00 is night."""
    (tmp_path / "am.yml").write_text(AM)
    (tmp_path / "oncall.yaml").write_text(ONCALL)
    am = load_alertmanager_config(tmp_path / "am.yml")
    oncall = load_oncall(tmp_path / "oncall.yaml")
    episodes = [
        Episode(1 * DAY + 10 * 3600, 1 * DAY + 10 * 3600 + 1200, labels("Down", "critical"), True),
        Episode(2 * DAY + 12 * 3600, 2 * DAY + 12 * 3600 + 300, labels("Slow", "warning"), False),
        Episode(8 * DAY + 3 * 3600, 8 * DAY + 3 * 3600 + 1800, labels("Down", "critical"), True),
        Episode(9 * DAY + 15 * 3600, 9 * DAY + 15 * 3600 + 600, labels("Blip", "critical"), False),
    ]
    result = forecast(am, oncall, episodes, days=14, start=START, seed=1)
    f = result.figures
    # Hand count: Down on Tuesday 10:00 pages Ana (her week); Slow goes to chat only;
    # Down on the next Tuesday 03:00 and Blip on Wednesday 15:00 page Ben (his week).
    assert [(p["person"], p["actionable"], p["night"]) for p in result.pages] == [
        ("ana", True, False),
        ("ben", True, True),
        ("ben", False, False),
    ]
    assert f["pages"] == 3
    assert f["pages_per_week_per_person"] == {"ana": 0.5, "ben": 1.0}
    assert f["actionable_pages_per_week_per_person"] == {"ana": 0.5, "ben": 0.5}
    assert f["night_pages"] == {"ben": 1}
    assert f["actionable_ratio"] == round(2 / 3, 4)
    assert f["meets"] == {
        "actionable_pages_per_week": True,
        "pages_per_shift": True,
        "actionable_ratio": False,
    }
    # Each page reached the pager exactly when Alertmanager flushed the new group.
    assert [p["t"] for p in result.pages] == [
        1 * DAY + 10 * 3600 + 30,
        8 * DAY + 3 * 3600 + 30,
        9 * DAY + 15 * 3600 + 30,
    ]


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
