"""The imported incident's dashboard figures against PromQL on the session's own store.

A counter's figure is the summed per-second increase between consecutive scrapes, which
for samples one scrape apart is Prometheus' ``sum(irate(x[1m]))`` (the reset at 17:50
included); ``up``'s is ``sum(up)``; a recording rule's output ``max(x)``. Nothing after
the session's time is read.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from gameday.promql import evaluate_range
from gameday.runtime import prepare
from gameday.session.recorded_panels import (
    MAX,
    RATE,
    UP,
    RecordedPanels,
    is_counter,
    is_left_out,
)
from tests.clirun import run_gameday
from tests.imported.incident import TYPED_MATCH, add_typed_families, import_args, write_incident

WINDOW = 60


@pytest.fixture
def folder(capsys, tmp_path: Path) -> Path:
    out = tmp_path / "orders-outage"
    assert run_gameday(capsys, *import_args(write_incident(tmp_path), out))[0] == 0
    return out


@pytest.mark.parametrize("now", [5.0, 10 * 60, 20 * 60 + 7.5, 59 * 60])
def test_figures_equal_promql_on_the_session_store(folder: Path, now: float) -> None:
    prepared = prepare(folder)
    session = prepared.session()
    session.advance_to(now)
    setup = prepared.setup
    panels = RecordedPanels(setup.recording, setup.rule_groups, 15.0, session.tsdb)
    rows = {row.name: row for row in panels.rows(session.now, WINDOW)}
    ratio = "service:http_errors:ratio_rate5m"
    assert list(rows) == [ratio, "http_requests_total", "up"]
    now_ms = int(round(session.now * 1000))
    start = now_ms - 15_000 * (WINDOW - 1)
    for name, expr in (
        ("http_requests_total", "sum(irate(http_requests_total[1m]))"),
        ("up", "sum(up)"),
        (ratio, f"max({ratio})"),
    ):
        [series] = evaluate_range(expr, session.tsdb, start, now_ms, 15_000)
        want = dict(series.points)
        got = rows[name].values
        assert len(got) == WINDOW
        for i, value in enumerate(got):
            t = start + 15_000 * i
            if t in want:
                assert value == pytest.approx(want[t], rel=1e-12), (name, t)
            else:
                assert math.isnan(value), (name, t)
    assert [row.kind for row in rows.values()] == [MAX, RATE, UP]
    assert rows["up"].series == 3
    if now >= 20 * 60:  # 30% of the requests failing still sums to the same traffic
        assert rows["http_requests_total"].current == pytest.approx(40.0, abs=0.01)
    if 20 * 60 <= now < 35 * 60:  # orders-c3 down while the errors run
        assert rows["up"].current == 2 and rows[ratio].current > 0.29


def test_the_future_is_not_shown(folder: Path) -> None:
    """At T+0 the window is the recorded history only: orders-c3 going down at 18:10 is
    not in it however the recording continues. Without the session's store, only the
    recorded families."""
    prepared = prepare(folder)
    panels = RecordedPanels(prepared.setup.recording, prepared.setup.rule_groups, 15.0)
    early = {row.name: row for row in panels.rows(0.0, WINDOW)}
    late = {row.name: row for row in panels.rows(20 * 60, WINDOW)}
    assert list(early) == ["http_requests_total", "up"]
    assert early["up"].values == (3.0,) * WINDOW and late["up"].values[-1] == 2.0
    # before 18:00 the traffic is steady; the reset at 17:50 reads as traffic, not a drop
    assert min(early["http_requests_total"].values) == pytest.approx(40.0, abs=0.01)


def _typed_folder(capsys, tmp_path: Path, declared: bool) -> Path:
    """The incident with the families whose names mislead, imported with or without the
    source's TYPE lines."""
    files = write_incident(tmp_path)
    add_typed_families(files["om"])
    if not declared:
        lines = files["om"].read_text().splitlines(keepends=True)
        files["om"].write_text("".join(line for line in lines if not line.startswith("# TYPE")))
    out = tmp_path / "typed"
    assert run_gameday(capsys, *import_args(files, out, *TYPED_MATCH))[0] == 0
    return out


@pytest.mark.parametrize("declared", [True, False])
def test_declared_types_decide_what_is_a_rate(capsys, tmp_path: Path, declared: bool) -> None:
    """Declared, a gauge named _total is drawn as its maximum and a counter without the
    suffix as a rate (12 payments a second); undeclared, their names decide, the other
    way round. A histogram's buckets are left out; its count and sum are rates."""
    prepared = prepare(_typed_folder(capsys, tmp_path, declared))
    session = prepared.session()
    session.advance_to(20 * 60)  # 18:20: 40 orders pending while the errors run
    setup = prepared.setup
    panels = RecordedPanels(setup.recording, setup.rule_groups, 15.0, session.tsdb)
    rows = {row.name: row for row in panels.rows(session.now, WINDOW)}
    assert list(rows) == [
        "service:http_errors:ratio_rate5m",
        "http_requests_total",
        "orders_build_info",
        "orders_latency_seconds_count",
        "orders_latency_seconds_sum",
        "orders_pending_total",
        "payments_processed",
        "up",
    ]
    assert rows["orders_latency_seconds_count"].kind == RATE
    assert rows["orders_latency_seconds_count"].current == pytest.approx(40.0)
    assert rows["orders_latency_seconds_sum"].kind == RATE
    assert rows["orders_build_info"].kind == MAX and rows["orders_build_info"].current == 1.0
    pending, paid = rows["orders_pending_total"], rows["payments_processed"]
    if declared:
        assert (pending.kind, pending.current) == (MAX, 40.0)
        assert (paid.kind, paid.current) == (RATE, pytest.approx(12.0))
    else:
        assert (pending.kind, paid.kind) == (RATE, MAX)
        # the raw count at 18:20, 80 minutes in (the last scrape the session has replayed)
        assert paid.current == pytest.approx(180.0 * 4 * 80, abs=180)


@pytest.mark.parametrize(
    ("name", "types", "counter", "left_out"),
    [
        ("requests_total", {"requests": "counter"}, True, False),  # OpenMetrics' family
        ("requests_total", {"requests_total": "counter"}, True, False),  # 0.0.4's
        ("requests_created", {"requests_created": "gauge"}, False, True),  # 0.0.4's
        ("payments", {"payments": "counter"}, True, False),
        ("pending_total", {"pending_total": "gauge"}, False, False),
        ("pending_total", {"pending_total": "unknown"}, True, False),  # unknown: the name
        ("rps_bucket", {"rps_bucket": "gauge"}, False, False),
        ("lat_bucket", {"lat": "histogram"}, False, True),
        ("lat_count", {"lat": "histogram"}, True, False),
        ("rpc", {"rpc": "summary"}, False, False),  # the quantiles
        ("rpc_sum", {"rpc": "summary"}, True, False),
        ("queue_gcount", {"queue": "gaugehistogram"}, False, False),
        ("build_info", {"build": "info"}, False, False),
        ("jobs_count", {}, True, False),  # nothing declared: the name
        ("jobs_bucket", {"other": "gauge"}, False, True),
    ],
)
def test_what_is_a_counter(name, types, counter, left_out) -> None:
    """A declared type decides (a histogram's or summary's count and sum count up too);
    with no declaration, or ``unknown``, the name does."""
    assert is_counter(name, types) is counter
    assert is_left_out(name, types) is left_out
