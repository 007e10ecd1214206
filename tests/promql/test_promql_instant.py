"""The instant evaluator (floats, one time) agrees with the range evaluator run for one step.

Rules in a session go through :class:`InstantEvaluator`; the range evaluator is the one
checked against promtool. Random stores (counters with resets, gauges with NaN and
infinities, staleness markers, gaps) and random expressions (including ones that must
fail: many-to-many matching, duplicate label sets) must give the same samples, bit for
bit, or the same error message, at every evaluation time.
"""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gameday.promql import evaluate_instant, parse
from gameday.promql.errors import PromQLError
from gameday.promql.evaluator import Evaluator
from gameday.promql.instant import InstantEvaluator, rate_window
from gameday.promql.rangefuncs import extrapolated_rate
from gameday.tsdb import STALE_NAN, TSDB

STEP_MS = 15_000
N_SAMPLES = 60
JOBS = ("api", "web")
INSTANCES = ("a", "b")
CODES = ("200", "500")

SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e308]


def make_store(seed: int) -> TSDB:
    """Counters with increments, resets, gaps and staleness markers; gauges with NaN/Inf."""
    rng = np.random.default_rng(seed)
    db = TSDB()
    combos = [(j, i, c) for j in JOBS for i in INSTANCES for c in CODES]
    for k in rng.choice(len(combos), int(rng.integers(1, 7)), replace=False):
        j, i, c = combos[int(k)]
        labels = {"__name__": "reqs_total", "job": j, "instance": i, "code": c}
        total = float(rng.integers(0, 50))
        for step in range(N_SAMPLES):
            event = rng.choice(["inc"] * 8 + ["reset", "gap", "stale"])
            if event == "gap":
                continue
            if event == "stale":
                db.append(labels, step * STEP_MS, STALE_NAN)
                continue
            if event == "reset":
                total = float(rng.integers(0, 5))
            total += float(rng.choice([0.0, 1.0, 2.5, 7.0, 0.1]))
            db.append(labels, step * STEP_MS, total)
    pairs = [(j, i) for j in JOBS for i in INSTANCES]
    for k in rng.choice(len(pairs), int(rng.integers(0, 5)), replace=False):
        j, i = pairs[int(k)]
        labels = {"__name__": "depth", "job": j, "instance": i}
        for step in range(N_SAMPLES):
            event = rng.choice(["value"] * 5 + ["special"] * 3 + ["gap", "stale"])
            if event == "value":
                db.append(labels, step * STEP_MS, float(np.float32(rng.uniform(-50, 500))))
            elif event == "special":
                db.append(labels, step * STEP_MS, float(rng.choice(SPECIAL)))
            elif event == "stale":
                db.append(labels, step * STEP_MS, STALE_NAN)
    return db


SELECTORS = [
    "reqs_total",
    'reqs_total{code="500"}',
    'reqs_total{code=~"5..", job!="web"}',
    "depth",
    'depth{job="api"}',
    '{__name__=~"depth|reqs_total"}',
    "missing_metric",
]
RANGE_FNS = [
    "rate", "increase", "delta", "irate", "idelta", "resets", "changes", "deriv",
    "avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "count_over_time",
    "last_over_time", "present_over_time", "stddev_over_time", "stdvar_over_time",
    "absent_over_time",
]  # fmt: skip
AGGS = ["sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"]
LABELS = ["job", "instance", "code"]
WINDOW = st.sampled_from(["15s", "30s", "1m", "2m", "5m", "10m", "1h"])
OFFSET = st.sampled_from(["", "", "", " offset 1m", " offset 5m", " @ 300", " @ end()"])
NUMBER = st.sampled_from(["0", "1", "2.5", "-3", "0.001", "100"])


@st.composite
def range_call(draw: st.DrawFn) -> str:
    sel = draw(st.sampled_from(SELECTORS))
    w, off = draw(WINDOW), draw(OFFSET)
    fn = draw(st.sampled_from(RANGE_FNS))
    if draw(st.integers(0, 9)) == 0:
        return f"quantile_over_time(0.9, {sel}[{w}]{off})"
    if draw(st.integers(0, 9)) == 0:
        return f"rate({sel}[{w}:1m]{off})"
    return f"{fn}({sel}[{w}]{off})"


def _grouping(draw: st.DrawFn) -> str:
    how = draw(st.sampled_from(["", " by", " without"]))
    if not how:
        return ""
    names = draw(st.lists(st.sampled_from(LABELS), max_size=2, unique=True))
    return f"{how} ({', '.join(names)})"


def _matching(draw: st.DrawFn, allow_group: bool) -> str:
    kind = draw(st.sampled_from(["", "", " on", " ignoring"]))
    if not kind:
        return ""
    names = draw(st.lists(st.sampled_from(LABELS), max_size=2, unique=True))
    out = f"{kind} ({', '.join(names)})"
    if allow_group and draw(st.booleans()):
        side = draw(st.sampled_from([" group_left", " group_right"]))
        extra = draw(st.lists(st.sampled_from(LABELS), max_size=1))
        out += f"{side} ({', '.join(extra)})" if extra else side
    return out


@st.composite
def vector(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 3:
        return draw(st.one_of(st.sampled_from(SELECTORS), range_call()))
    kind = draw(
        st.sampled_from(
            [
                "selector",
                "range",
                "range",
                "agg",
                "agg",
                "param_agg",
                "scalar_op",
                "cmp",
                "vv",
                "set",
                "unary",
                "fallback",
            ]  # fmt: skip
        )
    )
    inner = vector(depth + 1)
    if kind == "selector":
        return draw(st.sampled_from(SELECTORS)) + draw(OFFSET)
    if kind == "range":
        return draw(range_call())
    if kind == "agg":
        arg = draw(st.one_of(inner, st.sampled_from(["depth", "-depth", "depth / 0"])))
        return f"{draw(st.sampled_from(AGGS))}{_grouping(draw)} ({arg})"
    if kind == "param_agg":
        op = draw(st.sampled_from(['topk(2, ', 'bottomk(1, ', 'quantile(0.5, ',
                                   'count_values("v", ']))  # fmt: skip
        return f"{op}{draw(inner)})"
    if kind == "scalar_op":
        op = draw(st.sampled_from(["+", "-", "*", "/", "%", "^", "atan2"]))
        num = draw(st.one_of(NUMBER, st.just("scalar(sum(depth))"), st.just("time()")))
        v = draw(inner)
        return f"({v}) {op} {num}" if draw(st.booleans()) else f"{num} {op} ({v})"
    if kind == "cmp":
        op = draw(st.sampled_from(["==", "!=", ">", "<", ">=", "<="]))
        b = draw(st.sampled_from(["", " bool"]))
        v = draw(inner)
        num = draw(NUMBER)
        return f"({v}) {op}{b} {num}" if draw(st.booleans()) else f"{num} {op}{b} ({v})"
    if kind == "vv":
        op = draw(st.sampled_from(["+", "-", "*", "/", ">", "<", "== bool", "!= bool"]))
        one = st.sampled_from(["sum by (job) (reqs_total)", "max by (job, instance) (depth)"])
        rhs = draw(st.one_of(inner, one))
        return f"({draw(inner)}) {op}{_matching(draw, True)} ({rhs})"
    if kind == "set":
        op = draw(st.sampled_from(["and", "or", "unless"]))
        return f"({draw(inner)}) {op}{_matching(draw, False)} ({draw(inner)})"
    if kind == "unary":
        return f"-({draw(inner)})"
    fn = draw(st.sampled_from(["abs", "clamp_min", "absent", "label_replace", "sort"]))
    if fn == "clamp_min":
        return f"clamp_min({draw(inner)}, 1)"
    if fn == "label_replace":
        return f'label_replace({draw(inner)}, "job", "x-$1", "instance", "(.*)")'
    return f"{fn}({draw(inner)})"


def _bits(x: float) -> bytes:
    return b"nan" if x != x else struct.pack("<d", x)


def _range_one(db: TSDB, node: object, ts: int) -> object:
    val = Evaluator(db, np.array([ts], dtype=np.int64), rule_mode=True).eval(node)
    if isinstance(val, np.ndarray):
        return _bits(float(val[0]))
    if isinstance(val, str):
        return val
    return sorted((r.labels, _bits(float(r.v[0]))) for r in val if r.m[0])


def _instant_one(db: TSDB, node: object, ts: int) -> object:
    val = InstantEvaluator(db, ts, rule_mode=True).eval(node)
    if isinstance(val, float):
        return _bits(val)
    if isinstance(val, str):
        return val
    return sorted((labels, _bits(v)) for labels, v in val)


def _outcome(fn: object, db: TSDB, node: object, ts: int) -> object:
    try:
        return fn(db, node, ts)  # type: ignore[operator]
    except PromQLError as exc:
        return ("error", type(exc).__name__, str(exc))


@settings(
    max_examples=1000,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(seed=st.integers(0, 2**32 - 1), expr=st.one_of(vector(), range_call()), data=st.data())
def test_instant_agrees_with_range_evaluator(seed: int, expr: str, data: st.DataObject) -> None:
    db = make_store(seed)
    try:
        node = parse(expr)
    except PromQLError:
        return  # the grammar can build what PromQL refuses (e.g. a scalar in topk)
    times = data.draw(
        st.lists(st.integers(0, N_SAMPLES + 30).map(lambda k: k * STEP_MS + 7_000), min_size=3)
    )
    for ts in [0, *times]:
        want = _outcome(_range_one, db, node, ts)
        got = _outcome(_instant_one, db, node, ts)
        assert got == want, f"{expr} at {ts} ms"


def test_rate_window_matches_the_vectorised_rate() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(2, 40))
        t = np.cumsum(rng.integers(1_000, 30_000, n)).astype(np.int64)
        v = np.cumsum(rng.choice([0.0, 1.0, 3.5], n)) - rng.choice([0.0, 0.0, 2.0])
        if rng.random() < 0.5:
            v[int(rng.integers(1, n))] = 0.5  # a counter reset
        ref = int(t[-1] + rng.integers(0, 20_000))
        rng_ms = int(ref - t[0] + rng.integers(0, 60_000))
        for counter, is_rate in ((True, True), (True, False), (False, False)):
            want, ok = extrapolated_rate(
                t, v, np.array([0]), np.array([n]), np.array([ref]), rng_ms, counter, is_rate
            )
            got = rate_window(t, v, ref, rng_ms, counter, is_rate)
            assert ok[0] and got is not None
            assert _bits(got) == _bits(float(want[0]))


def test_select_cache_sees_new_series() -> None:
    db = TSDB()
    db.append({"__name__": "up", "job": "a"}, 0, 1.0)
    assert [s["job"] for s in _labels(evaluate_instant("up", db, 1_000))] == ["a"]
    db.append({"__name__": "up", "job": "b"}, 0, 0.0)
    assert [s["job"] for s in _labels(evaluate_instant("up", db, 1_000))] == ["a", "b"]


def test_staleness_marker_ends_a_series_for_instant_queries() -> None:
    db = TSDB()
    db.append({"__name__": "up", "job": "a"}, 0, 1.0)
    db.mark_stale({"__name__": "up", "job": "a"}, 15_000)
    assert evaluate_instant("up", db, 10_000) != []
    assert evaluate_instant("up", db, 20_000) == []
    assert evaluate_instant("count_over_time(up[1m])", db, 20_000)[0].value == 1.0  # type: ignore[index,union-attr]


def _labels(result: object) -> list[dict[str, str]]:
    assert isinstance(result, list)
    return [s.labels for s in result]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("reqs_total + on (job) reqs_total", "many-to-many matching not allowed"),
        ("sum by (job) (reqs_total) + on (job) group_left reqs_total", ""),
        ("-reqs_total or -reqs_total", ""),
    ],
)
def test_errors_are_the_range_evaluators(expr: str, message: str) -> None:
    db = TSDB()
    for inst in INSTANCES:
        db.append({"__name__": "reqs_total", "job": "api", "instance": inst}, 0, 1.0)
    node = parse(expr)
    want = _outcome(_range_one, db, node, 1_000)
    assert _outcome(_instant_one, db, node, 1_000) == want
    if message:
        assert isinstance(want, tuple) and message in want[2]


CORNERS = [
    "reqs_total + on (job) sum by (job) (reqs_total)",
    "reqs_total + ignoring (code) reqs_total",
    "sum by (job, instance) (reqs_total) + on (job) group_left sum by (job) (reqs_total)",
    "sum by (job) (reqs_total) + on (job) group_right sum by (job, instance) (reqs_total)",
    "sum by (job) (reqs_total) * on (job) group_left (instance) reqs_total",
    "sum by (job, code) (reqs_total) > on (job) group_left max by (job) (depth)",
    "rate(reqs_total[5m]) == bool rate(reqs_total[1m])",
    "rate(reqs_total[5m]) > bool on (job, instance, code) irate(reqs_total[1m])",
    "max by (job) (depth)", "min without (instance) (depth)", "avg (depth)",
    "stddev by (job) (depth)", "stdvar (depth)", "group by (instance) (depth)",
    "count (depth)", "sum (depth)", "avg by (job) (depth / 0)",
    "depth % 7", "2 ^ depth", "depth atan2 3", "depth / 0", "0 / depth", "-depth",
    "depth > bool 10", "10 < depth", "(depth > 10) or on (job) reqs_total",
    "reqs_total unless ignoring (code) depth", "reqs_total and on (instance) depth",
    "sum by (job) (rate(reqs_total[1h])) / sum by (job) (rate(reqs_total[5m]))",
    "rate(reqs_total[5m] offset 1m)", "increase(reqs_total[10m] @ 300)",
    "delta(depth[2m])", "irate(reqs_total[1m])", "idelta(depth[5m])", "rate(depth[5m])",
    "last_over_time(depth[1m])", "last_over_time(reqs_total[5m]) + last_over_time(depth[5m])",
    "max_over_time(depth[10m])", "stddev_over_time(depth[5m])", "changes(depth[15m])",
]  # fmt: skip


@pytest.mark.parametrize("expr", CORNERS)
def test_corner_expressions_agree(expr: str) -> None:
    node = parse(expr)
    for seed in range(25):
        db = make_store(seed)
        for k in range(0, N_SAMPLES + 25, 3):
            ts = k * STEP_MS + 7_000
            assert _outcome(_instant_one, db, node, ts) == _outcome(_range_one, db, node, ts), (
                f"seed {seed} at {ts} ms"
            )


def test_resets_inside_extended_blocks_are_seen() -> None:
    """Samples added in bulk (extend) and one by one: rate() finds every reset."""
    db = TSDB()
    labels = {"__name__": "c_total"}
    db.extend(labels, np.arange(0, 600_000, 15_000), np.array([float(x % 17) for x in range(40)]))
    for k, value in enumerate([17.0, 18.0, 19.0, 20.0]):
        db.append(labels, 600_000 + k * 15_000, value)
    node = parse("increase(c_total[10m])")
    for ts in range(60_000, 700_000, 15_000):
        assert _outcome(_instant_one, db, node, ts) == _outcome(_range_one, db, node, ts)
