"""Hypothesis strategies for random promtool rule unit-test cases (see test_rules_vs_promtool).

A case is a dict: ``series`` (list of (series, values) in promtool's input notation),
``record`` (a recording-rule expression), ``alert`` (an alerting-rule expression),
``for`` (the alert's ``for:``), ``alert_times`` / ``expr_times`` (eval times in seconds)
and ``exprs`` (extra expressions for ``promql_expr_test``).
"""

from __future__ import annotations

from hypothesis import strategies as st

STEPS = 36  # input samples at 0..35m (interval 1m)
JOBS = ["api", "web"]
INSTANCES = ["i1", "i2"]
CODES = ["200", "500"]
BUCKETS = ["0.1", "0.5", "1", "+Inf"]

COUNTER = "http_requests_total"
GAUGE = "queue_depth"
HIST = "req_duration_seconds_bucket"

small_int = st.integers(min_value=0, max_value=20)
step_num = st.sampled_from(["0", "1", "2", "3", "5", "10", "0.5", "1.5", "2.25", "7"])


@st.composite
def counter_values(draw: st.DrawFn) -> str:
    """Increasing runs with resets (a lower restart), gaps and stale markers."""
    out: list[str] = []
    n = 0
    while n < STEPS:
        kind = draw(st.sampled_from(["run", "run", "run", "gap", "stale", "const"]))
        if kind == "gap":
            k = draw(st.integers(0, 3))
            out.append("_" if k == 0 else f"_x{k}")
            n += k + 1
        elif kind == "stale":
            out.append("stale")
            n += 1
        else:
            start = draw(small_int)
            k = draw(st.integers(1, 15))
            if kind == "const":
                out.append(f"{start}x{k}")
            else:
                out.append(f"{start}+{draw(step_num)}x{k}")
            n += k + 1
    return " ".join(out)


@st.composite
def gauge_values(draw: st.DrawFn) -> str:
    out: list[str] = []
    n = 0
    while n < STEPS:
        kind = draw(st.sampled_from(["up", "down", "const", "gap", "stale", "one"]))
        k = draw(st.integers(1, 12))
        if kind == "gap":
            out.append(f"_x{k}")
        elif kind == "stale":
            out.append("stale")
            k = 0
        elif kind == "one":
            out.append(draw(st.sampled_from(["-3", "0", "4", "12.5", "100"])))
            k = 0
        elif kind == "const":
            out.append(f"{draw(small_int)}x{k}")
        else:
            sign = "+" if kind == "up" else "-"
            out.append(f"{draw(st.integers(-5, 60))}{sign}{draw(step_num)}x{k}")
        n += k + 1
    return " ".join(out)


@st.composite
def input_series(draw: st.DrawFn) -> list[tuple[str, str]]:
    out = []
    combos = [(j, i, c) for j in JOBS for i in INSTANCES for c in CODES]
    for j, i, c in draw(st.lists(st.sampled_from(combos), min_size=1, max_size=5, unique=True)):
        sel = f'{COUNTER}{{job="{j}", instance="{i}", code="{c}"}}'
        out.append((sel, draw(counter_values())))
    pairs = [(j, i) for j in JOBS for i in INSTANCES]
    for j, i in draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=3, unique=True)):
        out.append((f'{GAUGE}{{job="{j}", instance="{i}"}}', draw(gauge_values())))
    for j in draw(st.lists(st.sampled_from(JOBS), min_size=0, max_size=2, unique=True)):
        # cumulative buckets: per-step increments non-decreasing with le
        incs = sorted(draw(st.lists(st.integers(0, 6), min_size=4, max_size=4)))
        k = draw(st.integers(10, STEPS - 1))
        for le, inc in zip(BUCKETS, incs, strict=True):
            out.append((f'{HIST}{{job="{j}", le="{le}"}}', f"0+{inc}x{k}"))
    return out


window = st.sampled_from(["1m", "2m", "3m", "5m", "10m", "15m", "30m"])
offset = st.sampled_from(["", "", "", " offset 1m", " offset 2m", " offset 5m"])


@st.composite
def matchers(draw: st.DrawFn) -> str:
    ms = []
    if draw(st.booleans()):
        ms.append(f'job="{draw(st.sampled_from(JOBS))}"')
    if draw(st.integers(0, 3)) == 0:
        ms.append(draw(st.sampled_from(['code="500"', 'code=~"5.."', 'code!="200"'])))
    return "{" + ", ".join(ms) + "}" if ms else ""


@st.composite
def range_call(draw: st.DrawFn) -> str:
    """A function over a range selector: an instant vector without __name__."""
    kind = draw(st.sampled_from(["counter", "counter", "gauge", "over_time"]))
    w, off = draw(window), draw(offset)
    if kind == "counter":
        fn = draw(st.sampled_from(["rate", "increase", "irate", "resets", "changes"]))
        return f"{fn}({COUNTER}{draw(matchers())}[{w}]{off})"
    sel = GAUGE + ("" if draw(st.booleans()) else f'{{job="{draw(st.sampled_from(JOBS))}"}}')
    if kind == "gauge":
        fn = draw(st.sampled_from(["delta", "deriv", "changes", "resets"]))
        return f"{fn}({sel}[{w}]{off})"
    fn = draw(
        st.sampled_from(
            ["avg", "min", "max", "sum", "count", "last", "present", "stddev", "stdvar"]
        )
    )
    return f"{fn}_over_time({sel}[{w}]{off})"


def _by(draw: st.DrawFn, labels: list[str]) -> str:
    chosen = draw(st.lists(st.sampled_from(labels), max_size=2, unique=True))
    return ", ".join(sorted(chosen))


ROUND = "0.0009765625"  # 2**-10


def _exact(op: str, agg: str) -> str:
    """``sum``/``avg`` rounded to a multiple of 2**-10.

    promtool 2.42 adds up (and averages) the members of a group in the order of the
    series' references, which come from a Go map iteration when the test loads its
    input: the last bits of a sum or mean of non-dyadic values change from run to run.
    Rounding to 2**-10 gives one answer (no true value sits at a tie of that grid).
    """
    return f"round({agg}, {ROUND})" if op in ("sum", "avg") else agg


@st.composite
def vector_expr(draw: st.DrawFn, depth: int = 0) -> str:
    """An instant vector whose series all have distinct label sets (no __name__)."""
    if depth >= 2:
        return draw(range_call())
    kind = draw(
        st.sampled_from(
            [
                "range",
                "range",
                "agg",
                "agg",
                "arith",
                "cmp_bool",
                "cmp",
                "vv",
                "set",
                "label_replace",
                "clamp_min",
                "histogram",
                "absent",
            ]
        )
    )
    if kind == "range":
        return draw(range_call())
    if kind == "agg":
        op = draw(st.sampled_from(["sum", "avg", "max", "min", "count"]))
        how = draw(st.sampled_from(["by", "by", "without"]))
        agg = f"{op} {how} ({_by(draw, ['job', 'instance', 'code'])}) ({draw(vector_expr(depth + 1))})"
        return _exact(op, agg)
    if kind == "arith":
        op = draw(st.sampled_from(["+", "-", "*", "/"]))
        num = draw(st.sampled_from(["2", "0.5", "60", "3", "100"]))
        inner = draw(vector_expr(depth + 1))
        return f"({inner}) {op} {num}" if draw(st.booleans()) else f"{num} {op} ({inner})"
    if kind in ("cmp_bool", "cmp"):
        op = draw(st.sampled_from([">", "<", ">=", "<=", "==", "!="]))
        num = draw(st.sampled_from(["0", "0.1", "1", "2", "5"]))
        b = " bool" if kind == "cmp_bool" else ""
        return f"({draw(vector_expr(depth + 1))}) {op}{b} {num}"
    if kind == "vv":
        # one-to-one on job: both sides aggregated by job
        op = draw(st.sampled_from(["+", "-", "*", "/", ">", "<", "> bool"]))
        a = draw(st.sampled_from(["sum", "max", "avg"]))
        b = draw(st.sampled_from(["sum", "min", "count"]))
        left = _exact(a, f"{a} by (job) ({draw(range_call())})")
        right = _exact(b, f"{b} by (job) ({draw(range_call())})")
        on = draw(st.sampled_from(["", " on (job)", " ignoring (code)"]))
        return f"{left} {op}{on} {right}"
    if kind == "set":
        op = draw(st.sampled_from(["and", "or", "unless"]))
        on = draw(st.sampled_from(["", " on (job)", " on (job, instance)", " ignoring (code)"]))
        return f"({draw(vector_expr(depth + 1))}) {op}{on} ({draw(vector_expr(depth + 1))})"
    if kind == "label_replace":
        src = draw(st.sampled_from(["job", "instance", "code"]))
        regex = draw(st.sampled_from(["(.*)", "a(.*)", "(i)(\\\\d)", "w.*"]))
        repl = draw(st.sampled_from(["$1", "x-$1", "fixed"]))
        return f'label_replace({draw(vector_expr(depth + 1))}, "dst", "{repl}", "{src}", "{regex}")'
    if kind == "clamp_min":
        return (
            f"clamp_min({draw(vector_expr(depth + 1))}, {draw(st.sampled_from(['0', '0.5', '3']))})"
        )
    if kind == "histogram":
        q = draw(st.sampled_from(["0.5", "0.9", "0.99", "0.25"]))
        by = draw(st.sampled_from(["le", "job, le"]))
        return f"histogram_quantile({q}, sum by ({by}) (rate({HIST}[{draw(window)}])))"
    sel = draw(st.sampled_from([f'{COUNTER}{{job="nope"}}', GAUGE, f'{GAUGE}{{job="api"}}']))
    return f"absent({sel})"


@st.composite
def case(draw: st.DrawFn) -> dict:
    expr_times = sorted(
        set(draw(st.lists(st.integers(1, 140).map(lambda x: x * 15), min_size=1, max_size=3)))
    )
    alert_times = sorted(
        set(draw(st.lists(st.integers(0, 70).map(lambda x: x * 30), min_size=1, max_size=3)))
    )
    alert = draw(vector_expr())
    if draw(st.booleans()):
        alert = f"({alert}) > {draw(st.sampled_from(['0', '0.5', '1', '3']))}"
    return {
        "series": draw(input_series()),
        "record": draw(vector_expr()),
        "alert": alert,
        "for": draw(st.sampled_from(["0s", "1m", "2m", "5m"])),
        "exprs": draw(st.lists(vector_expr(), min_size=1, max_size=2)),
        "expr_times": expr_times,
        "alert_times": alert_times,
    }
