"""Instant queries (one evaluation time) in plain Python floats.

A rule group in a session is evaluated every 30 s, one time at a time. The range
:class:`~gameday.promql.evaluator.Evaluator` pays numpy's per-call cost on one-element
arrays there, and reads a series' whole history to drop staleness markers. This
evaluator walks the same tree sample by sample: it slices each range window straight
out of the store and does the arithmetic on floats, in the order the range evaluator
(and Prometheus) does it, so both give the same bits.

It covers what rules mostly use: selectors, ``rate``/``increase``/``delta``,
``irate``/``idelta`` and the ``*_over_time`` family over a range selector, the simple
aggregations with ``by``/``without``, arithmetic, comparisons (with ``bool``) and the
set operators with ``on``/``ignoring``/``group_left``/``group_right``. Any other subtree
(``histogram_quantile``, ``topk``, subqueries, ``absent``...) is handed to the range
evaluator for this one step, so every expression has an answer and the same errors.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from gameday.promql import rangefuncs as rf
from gameday.promql.aggregate import _group_key
from gameday.promql.binops import ARITH, COMPARE, SETOPS, _result_labels, left_spine, signature
from gameday.promql.binops import arith as np_arith
from gameday.promql.errors import EvalError
from gameday.promql.evaluator import LOOKBACK_MS, Evaluator
from gameday.promql.labels import NAME, labels_str, lget
from gameday.promql.labels import drop_name as _drop_name
from gameday.tsdb import TSDB, Labels, is_stale, stale_mask

Vector = list[tuple[Labels, float]]
Value = Vector | float | str

_RATES = {"rate": (True, True), "increase": (True, False), "delta": (False, False)}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}
_FAST_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}
_SIMPLE = {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"}


class InstantEvaluator:
    """Evaluates parsed expressions at one time ``ts`` (ms).

    Takes the keyword arguments of :class:`~gameday.promql.evaluator.Evaluator`; they
    mean the same here and are passed on for subtrees this class leaves to it.
    """

    def __init__(
        self,
        db: TSDB,
        ts: int,
        *,
        lookback_ms: int = LOOKBACK_MS,
        max_samples: int | None = None,
        lagged: frozenset[str] = frozenset(),
        **options: Any,
    ) -> None:
        self.db = db
        self.ts = int(ts)
        self.lookback_ms = lookback_ms
        self.max_samples = max_samples
        self.lagged = lagged
        self.start_ms = options.get("start_ms")
        self.end_ms = options.get("end_ms")
        self.epoch_ms = int(options.get("epoch_ms", 0))
        self._options = dict(
            options, lookback_ms=lookback_ms, max_samples=max_samples, lagged=lagged
        )

    # ---- dispatch ------------------------------------------------------------------
    def eval(self, node: Any) -> Value:
        """A vector (``[(labels, value)]``), a float (scalar) or a str."""
        kind = node.kind
        if kind == "NumberLiteral":
            return float(node.val)
        if kind == "ParenExpr":
            return self.eval(node.expr)
        if kind == "VectorSelector":
            return self._selector(node)
        if kind == "BinaryExpr":
            return self._binary(node)
        if kind == "AggregateExpr" and node.op in _SIMPLE:
            return self._aggregate(node)
        if kind == "Call":
            done = self._call(node)
            if done is not None:
                return done
        if kind == "UnaryExpr":
            val = self.eval(node.expr)
            if isinstance(val, float):
                return -val
            if isinstance(val, list):
                return _unique([(drop_name(ls), -v) for ls, v in val])
        return self._fallback(node)

    def _fallback(self, node: Any) -> Value:
        """Evaluate ``node`` with the range evaluator, as a range of this one step."""
        ev = Evaluator(self.db, np.array([self.ts], dtype=np.int64), **self._options)
        val = ev.eval(node)
        if isinstance(val, np.ndarray):
            return float(val[0])
        if isinstance(val, str):
            return val
        return [(r.labels, float(r.v[0])) for r in val if r.m[0]]

    def _ref(self, node: Any) -> int:
        """Reference time of a selector: (@ or now) - offset."""
        at = node.at
        if at is None:
            return self.ts - node.offset_ms
        kind, ms = at
        if kind == "Start":
            ms = self.ts if self.start_ms is None else self.start_ms
        elif kind == "End":
            ms = self.ts if self.end_ms is None else self.end_ms
        else:
            ms = int(ms) - self.epoch_ms  # ``@ <unix time>``, into the store's time
        return int(ms) - node.offset_ms

    def _limit(self, labels: Labels, ref: int) -> int:
        if self.lagged and lget(labels, NAME) in self.lagged:
            return min(ref, self.ts - 1)
        return ref

    # ---- selectors -----------------------------------------------------------------
    def _selector(self, node: Any) -> Vector:
        ref = self._ref(node)
        oldest = ref - self.lookback_ms
        out = []
        for s in self.db.select(node.matchers):
            if not s.n:
                continue
            t = s.t
            idx = int(t.searchsorted(self._limit(s.labels, ref), side="right")) - 1
            if idx < 0 or int(t[idx]) < oldest:
                continue
            value = float(s.v[idx])
            if value != value and is_stale(value):
                continue
            out.append((s.labels, value))
        return out

    def _windows(
        self, node: Any
    ) -> tuple[list[tuple[Labels, np.ndarray, np.ndarray, bool]], int, int]:
        """Each series' non-stale samples in ``[ref - range, ref]`` (non-empty ones only),
        and whether the window may hold a counter reset."""
        vs = node.vector_selector
        rng = node.range_ms
        ref = self._ref(vs)
        start = ref - rng
        out = []
        for s in self.db.select(vs.matchers):
            if not s.n:
                continue
            t = s.t
            lo = int(t.searchsorted(start, side="left"))
            hi = int(t.searchsorted(self._limit(s.labels, ref), side="right"))
            if hi <= lo:
                continue
            tw, vw = t[lo:hi], s.v[lo:hi]
            if s.n_stale:
                keep = ~stale_mask(vw)
                if not keep.all():
                    tw, vw = tw[keep], vw[keep]
                    if not len(tw):
                        continue
            if self.max_samples is not None and len(tw) > self.max_samples:
                raise EvalError(
                    "query processing would load too many samples into memory in query execution",
                    0,
                )
            out.append((s.labels, tw, vw, s.last_drop > lo))
        return out, ref, rng

    # ---- functions -----------------------------------------------------------------
    def _call(self, node: Any) -> Vector | None:
        """Range functions over a plain range selector; None leaves the call to fallback."""
        name = node.func_name
        args = node.args
        if len(args) != 1:
            return None
        arg = args[0]
        while arg.kind == "ParenExpr":
            arg = arg.expr
        if arg.kind != "MatrixSelector":
            return None
        rate = _RATES.get(name)
        over = rf.OVER_TIME.get(name)
        if rate is None and over is None and name not in ("irate", "idelta"):
            return None
        windows, ref, rng = self._windows(arg)
        out: Vector = []
        for labels, t, v, resets in windows:
            if rate is not None:
                value = rate_window(t, v, ref, rng, *rate, may_reset=resets)
            elif over is not None:
                value = over(v)
            else:
                value = instant_value(t, v, name == "irate")
            if value is not None:
                out.append((labels if name == "last_over_time" else drop_name(labels), value))
        return _unique(out)

    # ---- aggregation ---------------------------------------------------------------
    def _aggregate(self, node: Any) -> Vector:
        if node.param is not None:
            self.eval(node.param)
        rows = self.eval(node.expr)
        if not isinstance(rows, list):
            raise EvalError("expected an instant vector")
        op = node.op
        grouping = tuple(node.grouping)
        groups: dict[Labels, list[float]] = {}
        for labels, value in rows:
            groups.setdefault(group_key(labels, grouping, node.without), []).append(value)
        return [(key, _simple(op, values)) for key, values in groups.items()]

    # ---- binary operators ----------------------------------------------------------
    def _binary(self, node: Any) -> Value:
        spine = left_spine(node)
        acc = self.eval(spine[-1].lhs)
        for n in reversed(spine):
            acc = self._combine(n, acc, self.eval(n.rhs))
        return acc

    def _combine(self, node: Any, lhs: Value, rhs: Value) -> Value:
        op = node.op
        if isinstance(lhs, str) or isinstance(rhs, str):
            raise EvalError("binary operators are not defined on strings")
        l_scalar = isinstance(lhs, float)
        r_scalar = isinstance(rhs, float)
        if l_scalar and r_scalar:
            assert isinstance(lhs, float) and isinstance(rhs, float)
            if op in COMPARE:
                return 1.0 if _COMPARE[op](lhs, rhs) else 0.0
            return _arith(op, lhs, rhs)
        if l_scalar or r_scalar:
            vec, sc = (rhs, lhs) if l_scalar else (lhs, rhs)
            assert isinstance(vec, list) and isinstance(sc, float)
            return _vector_scalar(op, vec, sc, l_scalar, node.return_bool)
        assert isinstance(lhs, list) and isinstance(rhs, list)
        if op in SETOPS:
            return _set_op(op, lhs, rhs, node.on, node.names)
        return _vector_binop(node, lhs, rhs)


# ---- range windows -----------------------------------------------------------------
def rate_window(
    t: np.ndarray,
    v: np.ndarray,
    ref: int,
    rng: int,
    is_counter: bool,
    is_rate: bool,
    may_reset: bool = True,
) -> float | None:
    """Prometheus 2.42 ``extrapolatedRate`` of one window (None under two samples).

    ``may_reset=False`` says the store knows the window holds no counter reset.
    """
    cnt = len(t)
    if cnt < 2:
        return None
    ft, lt = int(t[0]), int(t[-1])
    fv, lv = float(v[0]), float(v[-1])
    result = lv - fv
    if is_counter and may_reset and bool((v[1:] < v[:-1]).any()):
        prev = fv
        for x in v[1:].tolist():
            if x < prev:
                result += prev
            prev = x
    dur_start = float(ft - (ref - rng)) / 1000
    dur_end = float(ref - lt) / 1000
    sampled = float(lt - ft) / 1000
    avg = sampled / float(cnt - 1)
    if is_counter and result > 0 and fv >= 0:
        to_zero = sampled * (fv / result)
        if to_zero < dur_start:
            dur_start = to_zero
    threshold = avg * 1.1
    interval = sampled + (dur_start if dur_start < threshold else avg / 2)
    interval = interval + (dur_end if dur_end < threshold else avg / 2)
    factor = _div(interval, sampled)
    if is_rate:
        factor = _div(factor, rng // 1000 + (rng % 1000) * 1e6 / 1e9)
    return result * factor


def instant_value(t: np.ndarray, v: np.ndarray, is_rate: bool) -> float | None:
    """``irate``/``idelta`` of one window: the last two samples."""
    if len(t) < 2:
        return None
    dt = int(t[-1]) - int(t[-2])
    if dt == 0:
        return None
    lv, pv = float(v[-1]), float(v[-2])
    if not is_rate:
        return lv - pv
    return (lv if lv < pv else lv - pv) / (float(dt) / 1000)


# ---- float helpers -----------------------------------------------------------------
def _div(a: float, b: float) -> float:
    if b == 0 or b != b:
        with np.errstate(all="ignore"):
            return float(np.true_divide(np.float64(a), np.float64(b)))
    return a / b


def _arith(op: str, a: float, b: float) -> float:
    fast = _FAST_ARITH.get(op)
    if fast is not None:
        return fast(a, b)
    if op == "/":
        return _div(a, b)
    return float(np_arith(op, np.array(a), np.array(b)))  # %, ^, atan2 as numpy does


def _simple(op: str, values: list[float]) -> float:
    """One group of sum/avg/min/max/count/group/stddev/stdvar, accumulated in order."""
    first = values[0]
    count = 1.0
    mean = first
    value = 0.0 if op in ("stddev", "stdvar") else 1.0 if op == "group" else first
    for v in values[1:]:
        if op == "sum":
            value = value + v
        elif op == "avg":
            count += 1
            if math.isinf(mean) and (
                (math.isinf(v) and (mean > 0) == (v > 0)) or (not math.isinf(v) and v == v)
            ):
                continue
            mean = mean + (v / count - mean / count)
        elif op == "max":
            if value < v or value != value:
                value = v
        elif op == "min":
            if value > v or value != value:
                value = v
        elif op in ("count", "stddev", "stdvar"):
            count += 1
            if op != "count":
                delta = v - mean
                new_mean = mean + delta / count
                value = value + delta * (v - new_mean)
                mean = new_mean
    if op == "avg":
        return mean
    if op == "count":
        return count
    if op == "stdvar":
        return value / count
    if op == "stddev":
        x = value / count
        return math.sqrt(x) if x >= 0 or x != x else math.nan
    return value


_DROPPED: dict[Labels, Labels] = {}
_GROUPS: dict[tuple[Labels, tuple[str, ...], bool], Labels] = {}
_CACHE_LIMIT = 100_000  # label sets seen; a session sees a few hundred


def drop_name(labels: Labels) -> Labels:
    """``labels`` without ``__name__`` (remembered: rules ask for the same sets each time)."""
    out = _DROPPED.get(labels)
    if out is None:
        if len(_DROPPED) > _CACHE_LIMIT:
            _DROPPED.clear()
        out = _DROPPED[labels] = _drop_name(labels)
    return out


def group_key(labels: Labels, grouping: tuple[str, ...], without: bool) -> Labels:
    """The aggregation group of ``labels`` (remembered like :func:`drop_name`)."""
    key = (labels, grouping, without)
    out = _GROUPS.get(key)
    if out is None:
        if len(_GROUPS) > _CACHE_LIMIT:
            _GROUPS.clear()
        out = _GROUPS[key] = _group_key(labels, list(grouping), without)
    return out


def _unique(vec: Vector) -> Vector:
    """Prometheus refuses a vector with two samples of one label set."""
    if len(vec) > 1 and len({ls for ls, _ in vec}) != len(vec):
        raise EvalError("vector cannot contain metrics with the same labelset", 0)
    return vec


# ---- binary operators --------------------------------------------------------------
def _vector_scalar(op: str, vec: Vector, sc: float, swap: bool, return_bool: bool) -> Vector:
    out = []
    for labels, v in vec:
        lv, rv = (sc, v) if swap else (v, sc)
        if op in COMPARE:
            keep = _COMPARE[op](lv, rv)
            if return_bool:
                out.append((drop_name(labels), 1.0 if keep else 0.0))
            elif keep:
                out.append((labels, v))
        else:
            out.append((drop_name(labels), _arith(op, lv, rv)))
    return _unique(out)


def _set_op(op: str, lhs: Vector, rhs: Vector, on: bool, names: list[str] | None) -> Vector:
    if op == "or":
        covered = {signature(ls, on, names) for ls, _ in lhs}
        out = list(lhs) + [(ls, v) for ls, v in rhs if signature(ls, on, names) not in covered]
        return _unique(out)
    present = {signature(ls, on, names) for ls, _ in rhs}
    if op == "and":
        return [(ls, v) for ls, v in lhs if signature(ls, on, names) in present]
    return [(ls, v) for ls, v in lhs if signature(ls, on, names) not in present]


def _vector_binop(node: Any, lhs: Vector, rhs: Vector) -> Vector:
    op, card, on, names = node.op, node.card, node.on, node.names
    include, return_bool = node.include, node.return_bool
    if not lhs or not rhs:
        return []
    swapped = card == "OneToMany"
    if swapped:
        lhs, rhs = rhs, lhs
    r_groups: dict[Labels, Vector] = {}
    for ls, v in rhs:
        r_groups.setdefault(signature(ls, on, names), []).append((ls, v))
    for rows in r_groups.values():
        if len(rows) > 1:
            ml = labels_str(_match_labels(rows[1][0], on, names))
            raise EvalError(
                f"found duplicate series for the match group {ml} on the "
                f"{'left' if swapped else 'right'} hand-side of the operation: "
                f"[{labels_str(rows[1][0])}, {labels_str(rows[0][0])}];many-to-many matching "
                "not allowed: matching labels must be unique on one side",
                0,
            )
    l_groups: dict[Labels, Vector] = {}
    for ls, v in lhs:
        l_groups.setdefault(signature(ls, on, names), []).append((ls, v))
    out: Vector = []
    match_err = False
    for sig, lrows in l_groups.items():
        rrows = r_groups.get(sig)
        if not rrows:
            continue
        kept = 0
        seen: dict[Labels, bool] = {}
        for lls, lval in lrows:
            for rls, rval in rrows:
                vl, vr = (rval, lval) if swapped else (lval, rval)
                if op in COMPARE:
                    keep = _COMPARE[op](vl, vr)
                    value = (1.0 if keep else 0.0) if return_bool else vl
                    both = keep or return_bool
                else:
                    value = _arith(op, vl, vr)
                    both = True
                metric = _result_labels(lls, rls, op, card, on, names, include)
                if return_bool:
                    metric = drop_name(metric)
                if card == "OneToOne":
                    kept += both
                else:
                    before = seen.get(metric)
                    match_err = match_err or (bool(before) and both)
                    seen[metric] = bool(before) or both
                if both:
                    out.append((metric, value))
        if card == "OneToOne" and kept > 1:
            match_err = True
    if match_err:
        if card == "OneToOne":
            raise EvalError(
                "multiple matches for labels: many-to-one matching must be explicit "
                "(group_left/group_right)",
                0,
            )
        raise EvalError(
            "multiple matches for labels: grouping labels must ensure unique matches", 0
        )
    return _unique(out)


def _match_labels(ls: Labels, on: bool, names: list[str] | None) -> Labels:
    ns = set(names or [])
    return tuple(kv for kv in ls if (kv[0] in ns) == on and (on or kv[0] != NAME))


__all__ = ["ARITH", "InstantEvaluator", "instant_value", "rate_window"]
