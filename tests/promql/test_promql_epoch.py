"""A session's store keeps sim time; ``epoch_ms`` makes PromQL answer in Unix time.

The invariant: a store at sim time with ``epoch_ms = E`` gives the values the same
samples give at Unix time (shifted by E) with no offset, for every time-valued function,
``@ <unix time>`` and subquery step alignment, in both evaluators.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gameday.promql import evaluate_instant, evaluate_range
from gameday.tsdb import TSDB

EPOCH_MS = 1_793_815_234_500  # 2026-11-04T17:20:34.5Z: not on a minute, so alignment shows
EXPRS = [
    "time()",
    "timestamp(up)",
    "time() - timestamp(up)",
    "hour()",
    "minute()",
    "day_of_week()",
    "hour(timestamp(up))",
    "cert_expiry - time() < 7 * 86400",
    f"up @ {(EPOCH_MS + 600_000) / 1000}",
    "max_over_time(up[10m:1m])",
    "sum_over_time(timestamp(up)[5m:30s])",
]


def _stores() -> tuple[TSDB, TSDB]:
    sim, unix = TSDB(), TSDB()
    t = np.arange(-3_600_000, 3_600_001, 15_000, dtype=np.int64)
    up = (np.sin(t / 400_000.0) > -0.5).astype(np.float64)
    expiry = np.full(len(t), (EPOCH_MS + 3 * 86_400_000) / 1000)
    for db, shift in ((sim, 0), (unix, EPOCH_MS)):
        db.extend({"__name__": "up", "job": "api"}, t + shift, up)
        db.extend({"__name__": "cert_expiry", "job": "api"}, t + shift, expiry)
    return sim, unix


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("expr", EXPRS)
def test_instant_answers_in_unix_time(expr: str) -> None:
    sim, unix = _stores()
    for t_ms in (0, 45_000, 1_234_567, 2_700_000):
        got = evaluate_instant(expr, sim, t_ms, epoch_ms=EPOCH_MS)
        want = evaluate_instant(expr, unix, t_ms + EPOCH_MS)
        if isinstance(want, float):
            assert isinstance(got, float) and _same(got, want), (expr, t_ms)
            continue
        assert isinstance(got, list) and isinstance(want, list)
        assert [(s.labels, s.value) for s in got] == [(s.labels, s.value) for s in want]
    if expr.startswith("time()") and "-" not in expr:
        assert evaluate_instant(expr, sim, 0, epoch_ms=EPOCH_MS) == EPOCH_MS / 1000


@pytest.mark.parametrize("expr", EXPRS)
def test_range_answers_in_unix_time(expr: str) -> None:
    sim, unix = _stores()
    got = evaluate_range(expr, sim, 0, 3_000_000, 15_000, epoch_ms=EPOCH_MS)
    want = evaluate_range(expr, unix, EPOCH_MS, EPOCH_MS + 3_000_000, 15_000)
    assert [s.labels for s in got] == [s.labels for s in want]
    for a, b in zip(got, want, strict=True):
        assert [v for _, v in a.points] == [v for _, v in b.points], expr
        assert [t + EPOCH_MS for t, _ in a.points] == [t for t, _ in b.points]


def test_without_an_epoch_time_is_the_store_time() -> None:
    """Rule tests start at Unix 0, as promtool's do: no offset there."""
    sim, _ = _stores()
    assert evaluate_instant("time()", sim, 90_000) == 90.0
