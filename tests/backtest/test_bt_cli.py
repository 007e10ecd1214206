"""``gameday backtest`` through its entry point: alert times, JSON shape, pages, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backtest.btsupport import T0, gauge_points, run, run_json, write_om

RULES = """
groups:
  - name: db
    interval: 30s
    rules:
      - alert: PoolSaturated
        expr: max by (service) (pool_in_use) > 8
        for: 2m
        labels: {severity: critical}
        annotations:
          summary: "{{ $labels.service }} pool at {{ $value }}"
      - alert: PoolSticky
        expr: max by (service) (pool_in_use) > 8
        keep_firing_for: 3m
        labels: {severity: warning}
      - alert: NeverHappens
        expr: max by (service) (pool_in_use) > 100
"""

AM = """
route:
  receiver: chat
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: [severity="critical"]
      receiver: pager
receivers:
  - name: chat
    slack_configs: [{channel: "#alerts", api_url: "https://hooks.example/x"}]
  - name: pager
    pagerduty_configs: [{routing_key: db-key}]
"""

ONCALL = """
timezone: UTC
people:
  - {id: ana, name: Ana}
  - {id: ben, name: Ben}
schedules:
  - id: primary
    layers:
      - users: [ana]
        rotation_virtual_start: "2026-01-05T00:00:00Z"
        rotation_turn_length: 1w
escalation_policies:
  - id: db
    rules:
      - escalation_delay_in_minutes: 5
        targets: [{type: schedule, id: primary}]
      - escalation_delay_in_minutes: 5
        targets: [{type: user, id: ben}]
services:
  - name: db
    escalation_policy: db
    integration_keys: [db-key]
"""


def _pool(t: float) -> float:
    """9 from 10m to 20m (and 30m to 31m), otherwise 3."""
    return 9.0 if 600 <= t < 1200 or 1800 <= t < 1860 else 3.0


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "rules.yml").write_text(RULES)
    (tmp_path / "am.yml").write_text(AM)
    (tmp_path / "oncall.yml").write_text(ONCALL)
    write_om(
        tmp_path / "data.om",
        {
            "pool_in_use": (
                "gauge",
                [
                    (
                        {"__name__": "pool_in_use", "service": "orders"},
                        gauge_points(T0, T0 + 3600, 15, _pool),
                    )
                ],
            )
        },
    )
    return {
        k: tmp_path / f
        for k, f in [
            ("rules", "rules.yml"),
            ("am", "am.yml"),
            ("oncall", "oncall.yml"),
            ("om", "data.om"),
        ]
    }


def _iso(offset_s: int) -> str:
    from gameday.timeparse import rfc3339

    out = rfc3339((T0 + offset_s) * 1000)
    assert out is not None
    return out


def _args(files: dict[str, Path], *, routed: bool = False) -> list[str]:
    """`backtest` over the fixture's rules and data; ``routed`` adds its Alertmanager
    config and on-call file."""
    args = ["backtest", "--rules", str(files["rules"]), "--openmetrics", str(files["om"])]
    if routed:
        args += ["--alertmanager", str(files["am"]), "--oncall", str(files["oncall"])]
    return args


def test_alert_times_follow_for_and_keep_firing_for(capsys, files) -> None:
    """Pending at the first evaluation over the threshold, firing `for` later, resolved at
    the first evaluation without it (keep_firing_for holds a firing alert 3m longer)."""
    doc = run_json(capsys, *_args(files))
    by = {(a["labels"]["alertname"], a["active_at"]): a for a in doc["alerts"]}
    sat = by[("PoolSaturated", _iso(600))]
    assert sat["labels"] == {
        "alertname": "PoolSaturated",
        "service": "orders",
        "severity": "critical",
    }
    assert sat["annotations"] == {"summary": "orders pool at 9"}
    assert (sat["firing_at"], sat["resolved_at"]) == (_iso(720), _iso(1200))
    # the one-minute spike at 30m never lasts the 2m `for`: pending, then cleared
    spike = by[("PoolSaturated", _iso(1800))]
    assert (spike["firing_at"], spike["resolved_at"]) == (None, _iso(1860))
    sticky = by[("PoolSticky", _iso(600))]
    assert (sticky["firing_at"], sticky["resolved_at"]) == (_iso(600), _iso(1200 + 180))
    assert set(doc) == {"alerts", "notifications", "pages"}
    assert doc["notifications"] == [] and doc["pages"] == []
    assert all(
        set(a) == {"labels", "annotations", "active_at", "firing_at", "resolved_at"}
        for a in doc["alerts"]
    )


def test_still_firing_at_the_end_has_no_resolved_time(capsys, files) -> None:
    """An alert firing when the window ends reports resolved_at null."""
    doc = run_json(
        capsys,
        *_args(files),
        "--from",
        _iso(0),
        "--to",
        _iso(900),
    )
    sat = [a for a in doc["alerts"] if a["labels"]["alertname"] == "PoolSaturated"]
    assert [(a["active_at"], a["firing_at"], a["resolved_at"]) for a in sat] == [
        (_iso(600), _iso(720), None)
    ]


def test_notifications_and_pages(capsys, files) -> None:
    """The critical alert reaches Alertmanager when it fires, already 2m old (startsAt is
    when it went pending), so its new group flushes at once instead of waiting group_wait;
    it pages Ana through the routing key; nobody acknowledges with --ack-after never, so
    Ben is paged 5m on; the resolution goes out at the group's next group_interval."""
    args = _args(files, routed=True)
    doc = run_json(capsys, *args, "--ack-after", "never")
    pager = [(n["time"], n["status"]) for n in doc["notifications"] if n["receiver"] == "pager"]
    assert pager == [(_iso(720), "firing"), (_iso(1320), "resolved")]
    assert [(p["time"], p["person"], p["level"]) for p in doc["pages"]] == [
        (_iso(720), "ana", 1),
        (_iso(1020), "ben", 2),
    ]
    assert doc["pages"][0]["alerts"] == [
        {"alertname": "PoolSaturated", "service": "orders", "severity": "critical"}
    ]
    acked = run_json(capsys, *args)  # the default: acknowledged 4m after the page
    assert [p["person"] for p in acked["pages"]] == ["ana"]
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert "  Ana                          pages    1  at night    1" in out  # 00:12 UTC
    assert "busiest shift: Ana, 2026-11-01 00:00-12:00 (UTC), 1 page" in out
    assert "never fired: NeverHappens" in out
    assert "  pager                        firing    1  resolved    1" in out


def test_flapping_threshold(capsys, tmp_path, files) -> None:
    """Five short bursts make an alert without `for` flap; --flapping sets the count."""
    write_om(
        tmp_path / "flap.om",
        {
            "pool_in_use": (
                "gauge",
                [
                    (
                        {"__name__": "pool_in_use", "service": "orders"},
                        gauge_points(T0, T0 + 3600, 15, lambda t: 9.0 if (t // 300) % 2 else 3.0),
                    )
                ],
            )
        },
    )
    args = ["backtest", "--rules", str(files["rules"]), "--openmetrics", str(tmp_path / "flap.om")]
    _, out, _ = run(capsys, *args)
    assert 'PoolSticky{service="orders", severity="warning"} x' in out
    _, out, _ = run(capsys, *args, "--flapping", "50")
    assert "flapping (fired and resolved more than 50 times): none" in out


@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        ("# TYPE x gauge\nx 1 100\nx{a=} 2 200\n# EOF\n", ":3:", "malformed OpenMetrics"),
        ("# TYPE x gauge\nx 1\n# EOF\n", ":2:", "expected timestamp for series x"),
        ("# TYPE x gauge\nx 1 100\n", ":2:", "Missing # EOF"),
        ("# TYPE x gauge\nx 1 100\n\n# EOF\n", ":3:", "blank line"),
    ],
)
def test_malformed_openmetrics_is_reported_at_its_line(
    capsys, files, tmp_path, content, where, what
) -> None:
    """A bad OpenMetrics file: path:line: what is wrong, exit 2, no traceback."""
    bad = tmp_path / "bad.om"
    bad.write_text(content)
    code, out, err = run(
        capsys, "backtest", "--rules", str(files["rules"]), "--openmetrics", str(bad)
    )
    assert code == 2
    assert err.startswith(f"{bad}{where}") and what in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("extra", "what"),
    [
        (["--from", "2026-11-02T00:00:00Z", "--to", "2026-11-01T00:00:00Z"], "is not before --to"),
        (
            ["--from", "2026-01-01T00:00:00Z", "--to", "2026-11-01T00:00:00Z"],
            "longer than --max-range",
        ),
        (["--from", "yesterday-ish"], "--from: not a time: 'yesterday-ish'"),
        (["--prometheus", "http://127.0.0.1:9"], "exactly one of --openmetrics"),
        (["--oncall", "x.yml"], "--oncall needs --alertmanager"),
        (["--ack-after", "soon"], "--ack-after"),
    ],
)
def test_bad_options_exit_2(capsys, files, extra, what) -> None:
    """Each bad option: one clear line on stderr, exit 2."""
    code, _, err = run(
        capsys,
        *_args(files),
        *extra,
    )
    assert code == 2
    assert what in err and "Traceback" not in err


def test_max_range_can_be_raised(capsys, files) -> None:
    """--max-range allows a longer window."""
    code, out, _ = run(
        capsys,
        *_args(files),
        "--from",
        _iso(-86400 * 100),
        "--to",
        _iso(3600),
        "--max-range",
        "200d",
    )
    assert code == 0 and "PoolSaturated" in out


def test_bad_rule_file_and_missing_data(capsys, files, tmp_path) -> None:
    """Rule-file problems are located; a missing data file is named; both exit 2."""
    broken = tmp_path / "broken.yml"
    broken.write_text("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(\n")
    code, _, err = run(
        capsys, "backtest", "--rules", str(broken), "--openmetrics", str(files["om"])
    )
    assert code == 2 and err.startswith(f"{broken}:5:")
    code, _, err = run(
        capsys,
        "backtest",
        "--rules",
        str(files["rules"]),
        "--openmetrics",
        str(tmp_path / "nope.om"),
    )
    assert code == 2 and "nope.om: cannot read" in err


def test_recorded_rule_outputs_in_the_data_are_recomputed(capsys, files, tmp_path) -> None:
    """A dump of a real server holds the recording rules' own series and ALERTS; the
    backtest ignores them and computes its own (so a changed rule shows its effect)."""
    rules = tmp_path / "rec.yml"
    rules.write_text(
        "groups:\n  - name: r\n    interval: 30s\n    rules:\n"
        "      - record: service:pool:max\n        expr: max by (service) (pool_in_use)\n"
        "      - alert: High\n        expr: service:pool:max > 8\n"
    )
    pts = gauge_points(T0, T0 + 3600, 15, _pool)
    write_om(
        tmp_path / "dump.om",
        {
            "pool_in_use": ("gauge", [({"__name__": "pool_in_use", "service": "orders"}, pts)]),
            "service:pool:max": (
                "gauge",
                [
                    (
                        {"__name__": "service:pool:max", "service": "orders"},
                        [(t, 0.0) for t, _ in pts],
                    )
                ],
            ),
            "ALERTS": (
                "gauge",
                [
                    (
                        {"__name__": "ALERTS", "alertname": "High", "alertstate": "firing"},
                        [(T0, 1.0)],
                    )
                ],
            ),
        },
    )
    doc = run_json(
        capsys, "backtest", "--rules", str(rules), "--openmetrics", str(tmp_path / "dump.om")
    )
    assert [(a["active_at"], a["resolved_at"]) for a in doc["alerts"]] == [
        (_iso(600), _iso(1200)),
        (_iso(1800), _iso(1860)),
    ]


def test_compare_shows_gained_lost_pages_and_time_to_page(capsys, files, tmp_path) -> None:
    """B's rule fires sooner (for: 30s): the one-minute spike at 30m now fires too (gained),
    though it resolves by the time its new Alertmanager group has waited group_wait, so
    nobody is paged for it. The first incident pages 1m sooner, not 1m30s: its alert
    reaches Alertmanager exactly group_wait after it went pending, which is not *more*
    than group_wait, so the new group waits its 30s."""
    b_rules = tmp_path / "b.yml"
    b_rules.write_text(RULES.replace("for: 2m", "for: 30s"))
    args = [*_args(files, routed=True), "--compare", str(b_rules)]
    doc = run_json(capsys, *args)
    assert set(doc) == {"a", "b", "changes"}
    ch = doc["changes"]
    assert [g["alert"] for g in ch["gained"]] == [
        'PoolSaturated{service="orders", severity="critical"}'
    ]
    assert ch["lost"] == []
    assert ch["pages_per_person"] == {"Ana": {"a": 1, "b": 1}}
    first = ch["time_to_first_page"][0]
    assert (first["start"], first["a_seconds"], first["b_seconds"]) == (_iso(600), 120.0, 60.0)
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert "  Ana                       1     1    +0" in out
    assert "    A 2m  B 1m  (-1m)" in out


def test_compare_classifies_files(capsys, files, tmp_path) -> None:
    """--compare takes an alertmanager.yml too (B routes everything to chat: no pages);
    a file of no known kind is refused with exit 2."""
    b_am = tmp_path / "b-am.yml"
    b_am.write_text(
        AM.split("  routes:")[0]
        + "receivers:\n  - name: chat\n    slack_configs: [{channel: '#a', api_url: 'https://hooks.example/x'}]\n"
    )
    args = _args(files, routed=True)
    doc = run_json(capsys, *args, "--compare", str(b_am))
    assert doc["changes"]["pages"] == {"a": 1, "b": 0}
    other = tmp_path / "other.yml"
    other.write_text("hello: world\n")
    code, _, err = run(capsys, *args, "--compare", str(other))
    assert code == 2 and "not an alertmanager.yml, rule file or on-call file" in err


def test_recording_rules_across_days_batch_equals_stepwise(capsys, tmp_path) -> None:
    """Three days (evaluated a day at a time): a recording rule's output, read over a
    range by an alert, continues across the day boundaries; the step-by-step path (forced
    by a rule reading ALERTS) gives the same alerts."""
    rules = (
        "groups:\n  - name: r\n    interval: 1m\n    rules:\n"
        "      - record: pool:max1m\n        expr: max_over_time(pool_in_use[1m])\n"
        "      - alert: PoolLong\n        expr: min_over_time(pool:max1m[20m]) > 8\n"
        "        for: 5m\n"
    )
    (tmp_path / "a.yml").write_text(rules)
    (tmp_path / "b.yml").write_text(
        rules + "      - record: alerts:n\n        expr: count(ALERTS)\n"
    )

    def pool(t: float) -> float:
        return 9.0 if (t % 86400) >= 86400 - 1800 or (t % 86400) < 1800 else 3.0  # around midnight

    om = write_om(
        tmp_path / "d.om",
        {
            "pool_in_use": (
                "gauge",
                [({"__name__": "pool_in_use"}, gauge_points(T0, T0 + 3 * 86400, 15, pool))],
            )
        },
    )
    batch = run_json(
        capsys, "backtest", "--rules", str(tmp_path / "a.yml"), "--openmetrics", str(om)
    )
    stepwise = run_json(
        capsys, "backtest", "--rules", str(tmp_path / "b.yml"), "--openmetrics", str(om)
    )
    assert batch["alerts"] == stepwise["alerts"]
    # the data starts high (pending at once); around each of the two inner midnights:
    # pending 20m after the high run starts (the 20m window is full of it), firing 5m later
    assert [(a["active_at"], a["firing_at"]) for a in batch["alerts"]] == [
        (_iso(0), _iso(300)),
        (_iso(86400 - 1800 + 20 * 60), _iso(86400 - 1800 + 25 * 60)),
        (_iso(2 * 86400 - 1800 + 20 * 60), _iso(2 * 86400 - 1800 + 25 * 60)),
        (_iso(3 * 86400 - 1800 + 20 * 60), _iso(3 * 86400 - 1800 + 25 * 60)),
    ]


def test_alert_firing_at_the_epoch_is_notified(capsys, files, tmp_path) -> None:
    """An alert that fires at time 0 (data from 1970-01-01, as promtool's tests use) is
    sent to Alertmanager like any other."""
    om = write_om(
        tmp_path / "zero.om",
        {
            "pool_in_use": (
                "gauge",
                [
                    (
                        {"__name__": "pool_in_use", "service": "orders"},
                        gauge_points(0, 1800, 15, lambda t: 9.0),
                    )
                ],
            )
        },
    )
    doc = run_json(
        capsys,
        "backtest",
        "--rules",
        str(files["rules"]),
        "--openmetrics",
        str(om),
        "--alertmanager",
        str(files["am"]),
    )
    sticky = [a for a in doc["alerts"] if a["labels"]["alertname"] == "PoolSticky"]
    assert sticky[0]["firing_at"] == "1970-01-01T00:00:00Z"
    chat = [n for n in doc["notifications"] if n["receiver"] == "chat"]
    assert chat and chat[0]["time"] == "1970-01-01T00:00:30Z"  # group_wait after it fired


def test_stagger_evaluates_where_a_server_would(capsys, files) -> None:
    """--stagger moves every evaluation of the group to the server's offset in its
    interval (from the group's name and rule file path); without it, on the interval."""
    from gameday.backtest.evaluate import group_offset_ms
    from gameday.timeparse import parse_time

    args = [*_args(files)]
    offset = group_offset_ms("db", str(files["rules"]), 30_000)
    assert offset != 0
    plain = run_json(capsys, *args)["alerts"]
    staggered = run_json(capsys, *args, "--stagger")["alerts"]
    assert {parse_time(a["active_at"]) % 30_000 for a in plain} == {0}
    assert {parse_time(a["active_at"]) % 30_000 for a in staggered} == {offset}
    assert {parse_time(a["firing_at"]) % 30_000 for a in staggered if a["firing_at"]} == {offset}
