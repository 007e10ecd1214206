"""PromQL function calls, dispatched by name; unknown names raise UnsupportedError."""

# ruff: noqa: B023 - the per-window lambdas run inside the loop that binds their variables

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from gameday.goregex import GoRegexError, compile_anchored, expand
from gameday.promql import rangefuncs as rf
from gameday.promql.errors import EvalError, UnsupportedError
from gameday.promql.evaluator import Evaluator, Row, merge_rows, selector_matchers, windows
from gameday.promql.histogram import bucket_quantile
from gameday.promql.labels import LABEL_NAME_RE, NAME, drop_name, go_quote, lget

_MATH = {
    "abs": np.abs,
    "ceil": np.ceil,
    "floor": np.floor,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "ln": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "asinh": np.arcsinh,
    "acosh": np.arccosh,
    "atanh": np.arctanh,
    "deg": np.degrees,
    "rad": np.radians,
    "sgn": np.sign,
}
_RATE = {"rate": (True, True), "increase": (True, False), "delta": (False, False)}


def _unwrap(node: Any) -> Any:
    while node.kind == "ParenExpr":
        node = node.expr
    return node


def _string_arg(ev: Evaluator, node: Any) -> str:
    val = ev.eval(node)
    if not isinstance(val, str):
        raise EvalError("expected a string argument")
    return val


def call(ev: Evaluator, node: Any) -> Any:
    name = node.func_name
    args = node.args
    n = ev.n
    with np.errstate(all="ignore"):
        if name in _MATH:
            fn = _MATH[name]
            rows = [Row(drop_name(r.labels), fn(r.v), r.m) for r in ev.eval_vector(args[0])]
            return merge_rows(rows, n)
        if (
            name in _RATE
            or name in ("irate", "idelta")
            or name in rf.OVER_TIME
            or name
            in (
                "deriv",
                "predict_linear",
                "quantile_over_time",
                "holt_winters",
                "absent_over_time",
            )
        ):
            return _range_call(ev, name, args)
        handler = _HANDLERS.get(name)
        if handler is None:
            raise UnsupportedError(f"unsupported PromQL function {name}()")
        return handler(ev, args)


def _window_of(fn: Callable[[np.ndarray], float], v: np.ndarray, _i: int, a: int, b: int) -> float:
    return fn(v[a:b])


def _range_call(ev: Evaluator, name: str, args: list[Any]) -> Any:
    n = ev.n
    idx = 1 if name == "quantile_over_time" else 0
    scalars = [ev.eval_scalar(a) for i, a in enumerate(args) if i != idx]
    series, refs, rng = ev.range_arg(args[idx])
    out: list[Row] = []
    any_present = np.zeros(n, dtype=bool)
    cache = ev.cache
    for s in series:
        t, v = s.t, s.v
        frame = None
        if name in _RATE:
            frame = (
                cache.frame(s.source, t, refs, rng)
                if cache is not None
                else rf.RateFrame(t, *windows(t, refs, rng), refs, rng)
            )
        else:
            lo, hi = windows(t, refs, rng)
        most = frame.most if frame is not None else int((hi - lo).max()) if len(lo) else 0
        if ev.max_samples is not None and most > ev.max_samples:
            lo, hi = windows(t, refs, rng)
            raise EvalError(
                "query processing would load too many samples into memory in query execution",
                int(np.argmax(hi - lo > ev.max_samples)),
            )
        if frame is not None:
            counter, is_rate = _RATE[name]
            resets = cache.resets(s.source, v) if cache is not None and counter else None
            val, ok = rf.rate_in_frame(frame, v, counter, is_rate, resets)
        elif name in ("irate", "idelta"):
            val, ok = rf.instant_value(t, v, lo, hi, name == "irate")
        elif name in rf.OVER_TIME:
            fn = rf.OVER_TIME[name]
            val, ok = rf.per_window(partial(_window_of, fn, v), lo, hi)
        elif name == "absent_over_time":
            any_present |= hi > lo
            continue
        elif name == "quantile_over_time":
            q = scalars[0]
            val, ok = rf.per_window(lambda i, a, b: rf.quantile_over(v[a:b], float(q[i])), lo, hi)
        elif name == "deriv":
            val, ok = rf.per_window(
                lambda _i, a, b: (
                    rf.linear_regression(t[a:b], v[a:b], int(t[a]))[0] if b - a >= 2 else None
                ),
                lo,
                hi,
            )
        elif name == "predict_linear":
            dur = scalars[0]

            def pl(i: int, a: int, b: int) -> float | None:
                if b - a < 2:
                    return None
                slope, icpt = rf.linear_regression(t[a:b], v[a:b], int(ev.steps[i]))
                return slope * float(dur[i]) + icpt

            val, ok = rf.per_window(pl, lo, hi)
        else:  # holt_winters
            sf, tf = scalars
            for i in range(n):
                if not (0 < sf[i] < 1):
                    raise EvalError(
                        f"invalid smoothing factor. Expected: 0 < sf < 1, got: {sf[i]:f}", i
                    )
                if not (0 < tf[i] < 1):
                    raise EvalError(
                        f"invalid trend factor. Expected: 0 < tf < 1, got: {tf[i]:f}", i
                    )
            val, ok = rf.per_window(
                lambda i, a, b: rf.holt_winters(v[a:b], float(sf[i]), float(tf[i])), lo, hi
            )
        if ok.any():
            labels = s.labels if name == "last_over_time" else drop_name(s.labels)
            out.append(Row(labels, val, ok))
    if name == "absent_over_time":
        missing = ~any_present
        if not missing.any():
            return []
        return [Row(_absent_labels(args[0], ev.rule_mode), np.ones(n), missing)]
    return merge_rows(out, n)


def _absent_labels(node: Any, sort_matchers: bool = False) -> tuple:
    """Labels of ``absent()``'s output, from the selector's equality matchers.

    Rules in Prometheus 2.42 evaluate ``expr.String()``, which sorts a selector's matchers
    by their text; ``sort_matchers`` reproduces that order (it decides which of two
    matchers on one label wins).
    """
    node = _unwrap(node)
    kind = node.kind
    if kind == "MatrixSelector":
        node = node.vector_selector
    elif kind != "VectorSelector":
        return ()
    out: dict[str, str] = {}
    has: set[str] = set()
    matchers = selector_matchers(node)
    if sort_matchers:
        matchers = sorted(matchers, key=lambda m: m.name + m.op + go_quote(m.value))
    for m in matchers:
        if m.name == NAME:
            continue
        if m.op == "=" and m.name not in has:
            out[m.name] = m.value
            has.add(m.name)
        else:
            out.pop(m.name, None)
    return tuple(sorted((k, v) for k, v in out.items() if v != ""))


def _absent(ev: Evaluator, args: list[Any]) -> list[Row]:
    rows = ev.eval_vector(args[0])
    present = np.zeros(ev.n, dtype=bool)
    for r in rows:
        present |= r.m
    if present.all():
        return []
    return [Row(_absent_labels(args[0], ev.rule_mode), np.ones(ev.n), ~present)]


def _unix_s(ev: Evaluator, t_ms: np.ndarray) -> np.ndarray:
    """Unix seconds of the evaluator's times (sim ms in a session, see ``epoch_ms``)."""
    return (t_ms + ev.epoch_ms).astype(np.float64) / 1000


def _time(ev: Evaluator, args: list[Any]) -> np.ndarray:
    return _unix_s(ev, ev.steps)


def _vector(ev: Evaluator, args: list[Any]) -> list[Row]:
    return [Row((), ev.eval_scalar(args[0]).copy(), np.ones(ev.n, dtype=bool))]


def _scalar(ev: Evaluator, args: list[Any]) -> np.ndarray:
    rows = ev.eval_vector(args[0])
    count = np.zeros(ev.n, dtype=np.int64)
    value = np.full(ev.n, math.nan)
    for r in rows:
        count += r.m
        value = np.where(r.m, r.v, value)
    return np.where(count == 1, value, math.nan)


def _timestamp(ev: Evaluator, args: list[Any]) -> list[Row]:
    arg = _unwrap(args[0])
    if arg.kind == "VectorSelector":
        rows = [Row(drop_name(r.labels), _unix_s(ev, st), r.m) for r, st in ev.select_instant(arg)]
    else:
        ts = _unix_s(ev, ev.steps)
        rows = [Row(drop_name(r.labels), ts.copy(), r.m) for r in ev.eval_vector(arg)]
    return merge_rows(rows, ev.n)


def _clamp(ev: Evaluator, args: list[Any], which: str) -> list[Row]:
    rows = ev.eval_vector(args[0])
    out = []
    if which == "clamp":
        lo, hi = ev.eval_scalar(args[1]), ev.eval_scalar(args[2])
        ok = ~(hi < lo)
        for r in rows:
            m = r.m & ok
            if m.any():
                out.append(Row(drop_name(r.labels), _gomax(lo, _gomin(hi, r.v)), m))
    else:
        b = ev.eval_scalar(args[1])
        fn = _gomin if which == "clamp_max" else _gomax
        out = [Row(drop_name(r.labels), fn(b, r.v), r.m) for r in rows]
    return merge_rows(out, ev.n)


def _gomax(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(a, b)  # propagates NaN like Go's math.Max


def _gomin(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.minimum(a, b)


def _round(ev: Evaluator, args: list[Any]) -> list[Row]:
    rows = ev.eval_vector(args[0])
    to = ev.eval_scalar(args[1]) if len(args) > 1 else np.ones(ev.n)
    inv = 1.0 / to
    out = [Row(drop_name(r.labels), np.floor(r.v * inv + 0.5) / inv, r.m) for r in rows]
    return merge_rows(out, ev.n)


def _sort(ev: Evaluator, args: list[Any]) -> list[Row]:
    return ev.eval_vector(args[0])


def _histogram_quantile(ev: Evaluator, args: list[Any]) -> list[Row]:
    q = ev.eval_scalar(args[0])
    rows = ev.eval_vector(args[1])
    groups: dict[tuple, list[tuple[float, Row]]] = {}
    out_labels: dict[tuple, tuple] = {}
    for r in rows:
        try:
            ub = _parse_go_float(lget(r.labels, "le"))
        except ValueError:
            continue
        sig = tuple(kv for kv in r.labels if kv[0] != "le")
        groups.setdefault(sig, []).append((ub, r))
        out_labels.setdefault(sig, tuple(kv for kv in r.labels if kv[0] not in ("le", NAME)))
    out = []
    for sig, members in groups.items():
        val = np.zeros(ev.n)
        ok = np.zeros(ev.n, dtype=bool)
        for i in range(ev.n):
            buckets = [(ub, float(r.v[i])) for ub, r in members if r.m[i]]
            if buckets:
                ok[i] = True
                val[i] = bucket_quantile(float(q[i]), buckets)
        if ok.any():
            out.append(Row(out_labels[sig], val, ok))
    return merge_rows(out, ev.n)


def _parse_go_float(s: str) -> float:
    t = s.strip()
    if t != s or not t:
        raise ValueError(s)
    low = t.lower().lstrip("+-")
    if low in ("inf", "infinity"):
        return -math.inf if t.startswith("-") else math.inf
    if low == "nan":
        return math.nan
    return float(t.replace("_", "x") if "_" in t else t)


def _label_replace(ev: Evaluator, args: list[Any]) -> list[Row]:
    rows = ev.eval_vector(args[0])
    dst, repl, src, rx = (_string_arg(ev, a) for a in args[1:5])
    try:
        pattern = compile_anchored(rx)
    except GoRegexError:
        raise EvalError(f"invalid regular expression in label_replace(): {rx}") from None
    if not LABEL_NAME_RE.match(dst):
        raise EvalError(f"invalid destination label name in label_replace(): {dst}")
    out = []
    for r in rows:
        m = pattern.find(lget(r.labels, src))
        labels = r.labels
        if m is not None:
            res = expand(repl, m)
            d = {k: v for k, v in r.labels if k != dst}
            if res:
                d[dst] = res
            labels = tuple(sorted(d.items()))
        out.append(Row(labels, r.v, r.m))
    return merge_rows(out, ev.n)


def _label_join(ev: Evaluator, args: list[Any]) -> list[Row]:
    rows = ev.eval_vector(args[0])
    dst, sep = _string_arg(ev, args[1]), _string_arg(ev, args[2])
    srcs = [_string_arg(ev, a) for a in args[3:]]
    for s in srcs:
        if not LABEL_NAME_RE.match(s):
            raise EvalError(f"invalid source label name in label_join(): {s}")
    if not LABEL_NAME_RE.match(dst):
        raise EvalError(f"invalid destination label name in label_join(): {dst}")
    out = []
    for r in rows:
        joined = sep.join(lget(r.labels, s) for s in srcs)
        d = {k: v for k, v in r.labels if k != dst}
        if joined:
            d[dst] = joined
        out.append(Row(tuple(sorted(d.items())), r.v, r.m))
    return merge_rows(out, ev.n)


def _date_fn(fn: Any) -> Any:
    def handler(ev: Evaluator, args: list[Any]) -> Any:
        if not args:
            secs = ((ev.steps + ev.epoch_ms) // 1000).tolist()
            return np.array(
                [fn(_dt.datetime.fromtimestamp(s, _dt.UTC)) for s in secs],
                dtype=np.float64,
            )
        rows = ev.eval_vector(args[0])
        out = []
        for r in rows:
            vals = np.array(
                [
                    fn(_dt.datetime.fromtimestamp(int(x), _dt.UTC))
                    if ok and math.isfinite(x)
                    else math.nan
                    for x, ok in zip(r.v.tolist(), r.m.tolist(), strict=True)
                ]
            )
            out.append(Row(drop_name(r.labels), vals, r.m))
        return merge_rows(out, ev.n)

    return handler


def _pi(ev: Evaluator, args: list[Any]) -> np.ndarray:
    return ev.scalar(math.pi)


def _days_in_month(year: int, month: int) -> int:
    import calendar  # only date functions need it (it loads locale: 2 ms a process)

    return calendar.monthrange(year, month)[1]


_HANDLERS: dict[str, Any] = {
    "absent": _absent,
    "time": _time,
    "vector": _vector,
    "scalar": _scalar,
    "timestamp": _timestamp,
    "clamp": lambda ev, a: _clamp(ev, a, "clamp"),
    "clamp_min": lambda ev, a: _clamp(ev, a, "clamp_min"),
    "clamp_max": lambda ev, a: _clamp(ev, a, "clamp_max"),
    "round": _round,
    "sort": _sort,
    "sort_desc": _sort,
    "histogram_quantile": _histogram_quantile,
    "label_replace": _label_replace,
    "label_join": _label_join,
    "pi": _pi,
    "days_in_month": _date_fn(lambda d: _days_in_month(d.year, d.month)),
    "day_of_month": _date_fn(lambda d: d.day),
    "day_of_week": _date_fn(lambda d: (d.weekday() + 1) % 7),
    "day_of_year": _date_fn(lambda d: d.timetuple().tm_yday),
    "hour": _date_fn(lambda d: d.hour),
    "minute": _date_fn(lambda d: d.minute),
    "month": _date_fn(lambda d: d.month),
    "year": _date_fn(lambda d: d.year),
}
