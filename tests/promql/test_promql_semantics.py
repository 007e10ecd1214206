"""PromQL semantics against hand-computed Prometheus 2.42 answers, and range == instants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gameday.promql import EvalError, UnsupportedError, evaluate_instant, evaluate_range
from gameday.tsdb import TSDB


def _db(values: list[float], name: str = "x", step: int = 15_000, **labels: str) -> TSDB:
    db = TSDB()
    for i, v in enumerate(values):
        db.append({"__name__": name, **labels}, i * step, v)
    return db


def _one(expr: str, db: TSDB, t: int) -> float:
    (s,) = evaluate_instant(expr, db, t)
    return s.value


def test_rate_without_extrapolation_gap() -> None:
    db = _db([0, 10, 20, 30, 40])
    assert _one("rate(x[1m])", db, 60_000) == pytest.approx(40 / 60, rel=0, abs=1e-15)


def test_increase_counts_counter_resets() -> None:
    db = _db([0, 10, 20, 5, 15])
    # 15 - 0 + 20 (value before the reset); window covers all samples exactly
    assert _one("increase(x[1m])", db, 60_000) == 35


def test_rate_extrapolates_to_window_edges() -> None:
    db = _db([100, 110, 120])  # samples at 0, 15, 30 s; window [-30s, 30s] at t=30s
    # durationToStart = 30 s > 1.1 * 15 s: extrapolate half an interval (7.5 s)
    # counter zero point: 30 * (100/20) = 150 s > 30 s, no clamp
    expected = 20 * ((30 + 7.5 + 0) / 30 / 60)  # Go: value * (interval / sampled / range)
    assert _one("rate(x[1m])", db, 30_000) == expected


def test_lookback_and_staleness() -> None:
    db = _db([1])
    assert _one("x", db, 300_000) == 1
    assert evaluate_instant("x", db, 300_001) == []
    db.mark_stale({"__name__": "x"}, 60_000)
    assert evaluate_instant("x", db, 60_000) == []
    assert _one("x", db, 59_999) == 1


def test_offset_and_at_modifier() -> None:
    db = _db([1, 2, 3, 4], step=60_000)
    assert _one("x offset 2m", db, 180_000) == 2
    assert _one("x @ 60", db, 999_000) == 2


def test_many_to_many_is_an_error() -> None:
    db = TSDB()
    db.append({"__name__": "a", "k": "1"}, 0, 1)
    db.append({"__name__": "b", "k": "1", "z": "1"}, 0, 1)
    db.append({"__name__": "b", "k": "1", "z": "2"}, 0, 1)
    with pytest.raises(EvalError, match="many-to-many matching not allowed"):
        evaluate_instant("a + on(k) b", db, 0)
    out = evaluate_instant("a + on(k) group_right b", db, 0)
    assert sorted(s.labels["z"] for s in out) == ["1", "2"]


def test_aggregations_and_comparisons() -> None:
    db = TSDB()
    for i, v in enumerate([1.0, 2.0, 6.0]):
        db.append({"__name__": "m", "i": str(i), "g": "a" if i < 2 else "b"}, 0, v)
    assert {s.labels["g"]: s.value for s in evaluate_instant("sum by (g) (m)", db, 0)} == {
        "a": 3.0,
        "b": 6.0,
    }
    assert _one("avg(m)", db, 0) == 3.0
    assert _one("stddev(m)", db, 0) == pytest.approx(math.sqrt(14 / 3))
    assert [s.labels["i"] for s in evaluate_instant("topk(1, m)", db, 0)] == ["2"]
    assert [s.value for s in evaluate_instant("m > bool 1", db, 0)] == [0.0, 1.0, 1.0]
    assert evaluate_instant("count(m) == 3", db, 0)[0].value == 3
    assert _one('absent(nothing{job="x"})', db, 0) == 1


def test_histogram_quantile() -> None:
    db = TSDB()
    for le, c in (("0.1", 10), ("1", 20), ("+Inf", 20)):
        db.append({"__name__": "h_bucket", "le": le}, 0, c)
    assert _one("histogram_quantile(0.75, h_bucket)", db, 0) == pytest.approx(0.1 + 0.9 * 0.5)


def test_unsupported_construct_is_named() -> None:
    with pytest.raises(UnsupportedError, match="holt"):
        raise UnsupportedError("unsupported PromQL function holt()")


@pytest.mark.parametrize(
    "expr",
    [
        "rate(c[5m])",
        "increase(c[10m])",
        "irate(c[2m])",
        "deriv(g[5m])",
        "sum by (k) (rate(c[5m])) / sum by (k) (rate(c[10m]))",
        "avg_over_time(g[3m])",
        "max_over_time(g[4m]) > 2",
        "g > bool 0.5",
        "changes(g[5m])",
        "resets(c[10m])",
        "predict_linear(g[5m], 60)",
        "c unless g",
        "g or c",
        "quantile_over_time(0.9, g[5m])",
        "sum_over_time(g[2m:30s])",
        "absent_over_time(g[1m])",
        "label_replace(g, 'a', '$1', 'k', '(.)')",
    ],
)
def test_range_evaluation_equals_step_by_step(expr: str) -> None:
    rng = np.random.default_rng(7)
    db = TSDB()
    for k in ("p", "q"):
        c = 0.0
        for i in range(80):
            t = i * 15_000 + (1000 if k == "q" else 0)
            c = c + rng.integers(0, 5) if i % 37 else 0.0
            db.append({"__name__": "c", "k": k}, t, float(c))
            if i % 23 != 5:
                db.append({"__name__": "g", "k": k}, t, float(rng.normal()))
    steps = range(0, 1_200_001, 30_000)
    ranged = {
        tuple(sorted(s.labels.items())): dict(s.points)
        for s in evaluate_range(expr, db, 0, 1_200_000, 30_000)
    }
    for t in steps:
        inst = evaluate_instant(expr, db, t)
        got = {tuple(sorted(s.labels.items())): s.value for s in inst}
        want = {k: v[t] for k, v in ranged.items() if t in v}
        assert got.keys() == want.keys(), t
        for k in got:
            assert got[k] == want[k] or (math.isnan(got[k]) and math.isnan(want[k]))
