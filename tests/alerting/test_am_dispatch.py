"""The dispatcher's timing, grouping, inhibition and silences, as Alertmanager 0.25's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gameday.alerting import parse_alertmanager_config
from gameday.alerting.alerts import Alert, Notification
from gameday.alerting.dispatch import Dispatcher

BASE = """
global:
  resolve_timeout: 5m
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  routes:
    - matchers: ['team="db"']
      receiver: db
      continue: true
    - matchers: ['team="db"']
      receiver: chat
receivers:
  - name: hook
    webhook_configs: [{url: "http://127.0.0.1:9/"}]
  - name: db
    pagerduty_configs: [{routing_key: abc}]
  - name: chat
    slack_configs: [{api_url: "http://127.0.0.1:9/slack", channel: "#db"}]
"""


def make(env, log, text=BASE, **kw):
    """A dispatcher whose notifications are logged as (t, summary)."""
    cfg = parse_alertmanager_config(text, "alertmanager.yml")

    def notify(n: Notification) -> None:
        log.append((env.now, n.summary()))

    return Dispatcher(env, cfg, notify, **kw)


def at(env, t, fn):
    """Run ``fn`` at sim time ``t``."""

    def proc(env):
        yield env.timeout(t - env.now)
        fn()

    env.process(proc(env))


def firing(name, start, end=None, **labels):
    return Alert({"alertname": name, **labels}, starts_at=start, ends_at=end)


def test_first_notification_after_group_wait_batches_alerts(env, log):
    """Alerts arriving within group_wait go out together, group_wait after the first."""
    d = make(env, log)
    at(env, 0, lambda: d.put([firing("A", 0, 9999, i="1")]))
    at(env, 20, lambda: d.put([firing("A", 20, 9999, i="2")]))
    env.run(until=100)
    assert log == [(30, "hook firing [A:firing,A:firing]")]


def test_new_alert_waits_for_group_interval(env, log):
    """A new alert in a flushed group is sent at the next group_interval tick."""
    d = make(env, log)
    at(env, 0, lambda: d.put(firing("A", 0, 9999, i="1")))
    at(env, 60, lambda: d.put(firing("A", 60, 9999, i="2")))
    env.run(until=700)
    assert log == [(30, "hook firing [A:firing]"), (330, "hook firing [A:firing,A:firing]")]


def test_unchanged_group_repeats_after_repeat_interval(env, log):
    """Nothing changes: the first tick strictly later than repeat_interval repeats it."""
    d = make(env, log)
    at(env, 0, lambda: d.put(firing("A", 0, 99999)))
    env.run(until=4000)
    assert log == [(30, "hook firing [A:firing]"), (3930, "hook firing [A:firing]")]


def test_resolved_sent_only_to_integrations_with_send_resolved(env, log):
    """PagerDuty gets the resolution; Slack (send_resolved false) gets nothing."""
    d = make(env, log)
    at(env, 0, lambda: d.put(firing("A", 0, 9999, team="db")))
    at(env, 100, lambda: d.put(firing("A", 0, 100, team="db")))
    env.run(until=1000)
    assert log == [
        (30, "db firing [A:firing]"),
        (30, "chat firing [A:firing]"),
        (330, "db resolved [A:resolved]"),
    ]


def test_alert_without_end_resolves_after_resolve_timeout(env, log):
    """An alert posted once without endsAt counts as resolved resolve_timeout later."""
    d = make(env, log)
    at(env, 0, lambda: d.put(Alert({"alertname": "A"}, starts_at=0)))
    env.run(until=1000)
    assert log == [(30, "hook firing [A:firing]"), (330, "hook resolved [A:resolved]")]


def test_old_alert_flushes_a_new_group_at_once(env, log):
    """An alert that started more than group_wait ago is sent without waiting."""
    d = make(env, log)
    at(env, 100, lambda: d.put(firing("A", 0, 9999)))
    env.run(until=200)
    assert log == [(100, "hook firing [A:firing]")]


def test_inhibition_needs_a_firing_source_with_equal_labels():
    """A critical alert mutes the warning of the same cluster, not of another."""
    text = (
        BASE
        + """
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
"""
    )
    import simpy

    env, log = simpy.Environment(), []
    d = make(env, log, text)
    at(env, 0, lambda: d.put(firing("Down", 0, 9999, severity="critical", cluster="a")))
    at(env, 0, lambda: d.put(firing("Slow", 0, 9999, severity="warning", cluster="a")))
    at(env, 0, lambda: d.put(firing("Lag", 0, 9999, severity="warning", cluster="b")))
    at(env, 100, lambda: d.put(firing("Down", 0, 100, severity="critical", cluster="a")))
    env.run(until=400)
    assert sorted(log) == [
        (30, "hook firing [Down:firing]"),
        (30, "hook firing [Lag:firing]"),
        (330, "hook firing [Slow:firing]"),
        (330, "hook resolved [Down:resolved]"),
    ]


def test_silenced_alert_is_not_sent_until_the_silence_expires(env, log):
    """A silence mutes matching alerts; once expired they go out at the next tick."""
    d = make(env, log)
    sid = d.silences.add('alertname="A"', 0, 10_000, "me", "maintenance")
    at(env, 0, lambda: d.put(firing("A", 0, 99999)))
    at(env, 500, lambda: d.silences.expire(sid))
    env.run(until=700)
    assert [s.id for s in d.silences.active(600)] == []
    assert log == [(630, "hook firing [A:firing]")]


def test_silence_validation(env, log):
    """A silence must have matchers and must not end before it starts."""
    d = make(env, log)
    with pytest.raises(ValueError, match="matcher"):
        d.silences.add([], 0, 10)
    with pytest.raises(ValueError, match="before start"):
        d.silences.add("a=b", 10, 5)
    sid = d.silences.add({"a": "b"}, 0, 10)
    assert [s.id for s in d.silences.active(5)] == [sid]


def test_mute_and_active_time_intervals_follow_the_clock(env, log):
    """Weekend mute: nothing on Saturday; the active-hours route only in office hours."""
    text = """
route:
  receiver: hook
  group_by: ['...']
  group_wait: 10s
  group_interval: 1h
  repeat_interval: 1h
  routes:
    - matchers: [team=ops]
      receiver: hook
      mute_time_intervals: [weekend]
    - matchers: [team=dev]
      receiver: hook
      active_time_intervals: [office]
receivers:
  - name: hook
    webhook_configs: [{url: "http://x.example/"}]
time_intervals:
  - name: weekend
    time_intervals: [{weekdays: [saturday, sunday]}]
  - name: office
    time_intervals: [{times: [{start_time: '09:00', end_time: '17:00'}]}]
"""
    saturday_8am = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    d = make(env, log, text, clock=lambda t: saturday_8am + timedelta(seconds=t))
    at(env, 0, lambda: d.put(firing("Ops", 0, 10**6, team="ops")))
    at(env, 0, lambda: d.put(firing("Dev", 0, 10**6, team="dev")))
    env.run(until=3 * 3600 + 60)
    assert log == [(3610, "hook firing [Dev:firing]"), (10810, "hook firing [Dev:firing]")]


def test_group_by_all_makes_one_group_per_label_set(env, log):
    """group_by ['...'] groups by every label: two alerts, two notifications."""
    text = BASE.replace("group_by: [alertname]", "group_by: ['...']")
    d = make(env, log, text)
    at(env, 0, lambda: d.put([firing("A", 0, 9999, i="1"), firing("A", 0, 9999, i="2")]))
    env.run(until=100)
    assert log == [(30, "hook firing [A:firing]"), (30, "hook firing [A:firing]")]


def test_notification_carries_group_key_labels_and_integrations(env):
    """The payload names the route key, the group labels and the integrations."""
    got: list[Notification] = []
    cfg = parse_alertmanager_config(BASE, "alertmanager.yml")
    d = Dispatcher(env, cfg, got.append)
    d.put(firing("A", 0, 9999, team="db", job="x"))
    env.run(until=40)
    n = got[0]
    assert n.group_key == '{}/{team="db"}:{alertname="A"}'
    assert n.group_labels == {"alertname": "A"}
    assert [(i.type, i.send_resolved) for i in n.integrations] == [("pagerduty", True)]
    assert n.alerts[0].status == "firing" and n.alerts[0].ends_at is None


def test_receiver_without_integrations_sends_nothing_unless_asked(env, log):
    """Like Alertmanager, an empty receiver sends nothing; null_receivers pages anyway."""
    text = "route: {receiver: none}\nreceivers: [{name: none}]\n"
    d = make(env, log, text)
    d.put(firing("A", 0, 9999))
    env.run(until=40)
    assert log == []
    d2 = make(env, log, text, null_receivers=True)
    d2.put(Alert({"alertname": "B"}, ends_at=9999))
    env.run(until=80)
    assert log == [(70, "none firing [B:firing]")]


def test_invalid_alerts_are_refused_but_valid_ones_kept(env, log):
    """As the API does: a 400 naming the bad alert, the good ones still taken in."""
    d = make(env, log)
    with pytest.raises(ValueError, match="start time must be before end time"):
        d.put([firing("A", 0, 9999), Alert({"alertname": "B"}, starts_at=50, ends_at=10)])
    with pytest.raises(ValueError, match="at least one label pair"):
        d.put(Alert({}, starts_at=0))
    env.run(until=40)
    assert log == [(30, "hook firing [A:firing]")]


def test_reposting_keeps_the_earliest_start_and_updates_annotations(env):
    """Prometheus re-sends a firing alert: one alert, earliest startsAt, new annotations."""
    got: list[Notification] = []
    d = Dispatcher(env, parse_alertmanager_config(BASE, "am.yml"), got.append)
    d.put(Alert({"alertname": "A"}, {"v": "1"}, starts_at=0, ends_at=100))
    env.run(until=10)
    d.put(Alert({"alertname": "A"}, {"v": "2"}, starts_at=5, ends_at=200))
    env.run(until=40)
    (n,) = got
    assert [(a.starts_at, a.annotations) for a in n.alerts] == [(0, {"v": "2"})]
