"""PromQL evaluation over a :class:`~gameday.engine.tsdb.TSDB`, whole step ranges at once.

Every instant-vector expression evaluates to a list of :class:`Row` (a label set plus a
value array and a presence mask over the evaluation steps), scalars to a float array,
strings to ``str``. An instant query is a range of one step. The semantics follow
Prometheus 2.42's engine: 5-minute lookback, staleness markers, inclusive range windows,
``offset`` and ``@`` applied to the reference time, sub-queries aligned to their step.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import promql_parser

from gameday.engine.tsdb import TSDB, Labels, Matcher, stale_mask
from gameday.promql.errors import EvalError, PromQLParseError, UnsupportedError
from gameday.promql.labels import drop_name

LOOKBACK_MS = 300_000
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_PARSE_CACHE: dict[str, Any] = {}


@dataclass
class Row:
    """One series of an instant-vector result: labels, values and presence per step."""

    labels: Labels
    v: np.ndarray
    m: np.ndarray


@dataclass
class RangeSeries:
    """One series of a range argument: labels and its non-stale samples."""

    labels: Labels
    t: np.ndarray
    v: np.ndarray


def parse(expr: str) -> Any:
    """Parse with ``promql_parser`` (cached); errors become :class:`PromQLParseError`."""
    node = _PARSE_CACHE.get(expr)
    if node is None:
        try:
            node = promql_parser.parse(expr)
        except Exception as exc:  # the Rust parser raises ValueError and friends
            raise PromQLParseError(str(exc)) from None
        _PARSE_CACHE[expr] = node
    return node


def td_ms(td: _dt.timedelta | None) -> int:
    """A timedelta as integer milliseconds (0 for None)."""
    if td is None:
        return 0
    return (td.days * 86_400_000) + td.seconds * 1000 + td.microseconds // 1000


def at_ms(at: Any, start: int, end: int) -> int | None:
    """The ``@`` modifier as ms, or None."""
    if at is None:
        return None
    kind = str(at.type).rsplit(".", 1)[-1]
    if kind == "Start":
        return start
    if kind == "End":
        return end
    delta = at.at - _EPOCH
    return td_ms(delta)


_MATCH_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


def selector_matchers(vs: Any) -> list[Matcher]:
    """The label matchers of a vector selector (metric name included)."""
    out = []
    if vs.name:
        out.append(Matcher("__name__", "=", vs.name))
    if vs.matchers.or_matchers:
        raise UnsupportedError("'or' inside a label matcher set is not PromQL 2.42")
    for m in vs.matchers.matchers:
        op = str(m.op).rsplit(".", 1)[-1]
        op = op.split("(", 1)[0]
        out.append(Matcher(m.name, _MATCH_OPS[op], m.value))
    return out


def merge_rows(rows: list[Row], n: int) -> list[Row]:
    """Join rows with equal label sets; overlapping presence is Prometheus' error."""
    seen: dict[Labels, Row] = {}
    out: list[Row] = []
    for r in rows:
        prev = seen.get(r.labels)
        if prev is None:
            seen[r.labels] = r
            out.append(r)
            continue
        both = prev.m & r.m
        if both.any():
            raise EvalError(
                "vector cannot contain metrics with the same labelset", int(np.argmax(both))
            )
        prev.v = np.where(r.m, r.v, prev.v)
        prev.m = prev.m | r.m
    return out


class Evaluator:
    """Evaluates parsed expressions at the timestamps ``steps`` (ms, increasing).

    Args:
        db: the store to read.
        steps: evaluation timestamps; one element for an instant query.
        lookback_ms: how far back an instant selector looks for a sample.
        subquery_step_ms: step of sub-queries written without one (``x[1h:]``).
        max_samples: points one range window may hold (promtool uses 10000), or None.
        start_ms, end_ms: what ``start()``/``end()`` mean for ``@`` (default: first/last step).
        rule_mode: evaluate as a rule does (Prometheus re-parses ``expr.String()``, which
            orders selector matchers by their text; only ``absent()`` can tell).
    """

    def __init__(
        self,
        db: TSDB,
        steps: np.ndarray,
        *,
        lookback_ms: int = LOOKBACK_MS,
        subquery_step_ms: int = 60_000,
        max_samples: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        rule_mode: bool = False,
    ) -> None:
        self.db = db
        self.steps = np.asarray(steps, dtype=np.int64)
        self.n = len(self.steps)
        self.lookback_ms = lookback_ms
        self.subquery_step_ms = subquery_step_ms
        self.max_samples = max_samples
        self.rule_mode = rule_mode
        self.start_ms = int(self.steps[0]) if start_ms is None else start_ms
        self.end_ms = int(self.steps[-1]) if end_ms is None else end_ms

    # ---- helpers -------------------------------------------------------------------
    def scalar(self, value: float) -> np.ndarray:
        return np.full(self.n, value, dtype=np.float64)

    def child(self, steps: np.ndarray) -> Evaluator:
        return Evaluator(
            self.db,
            steps,
            lookback_ms=self.lookback_ms,
            subquery_step_ms=self.subquery_step_ms,
            max_samples=self.max_samples,
            start_ms=self.start_ms,
            end_ms=self.end_ms,
            rule_mode=self.rule_mode,
        )

    def ref_times(self, node: Any) -> np.ndarray:
        """Per-step reference time of a selector: (@ or step) - offset."""
        at = at_ms(node.at, self.start_ms, self.end_ms)
        offset = td_ms(node.offset)
        if at is not None:
            return np.full(self.n, at - offset, dtype=np.int64)
        return self.steps - offset

    # ---- dispatch ------------------------------------------------------------------
    def eval(self, node: Any) -> Any:
        kind = type(node).__name__
        method = getattr(self, "_eval_" + kind, None)
        if method is None:
            raise UnsupportedError(f"unsupported PromQL construct: {kind}")
        return method(node)

    def eval_vector(self, node: Any) -> list[Row]:
        val = self.eval(node)
        if not isinstance(val, list):
            raise EvalError("expected an instant vector")
        return val

    def eval_scalar(self, node: Any) -> np.ndarray:
        val = self.eval(node)
        if not isinstance(val, np.ndarray):
            raise EvalError("expected a scalar")
        return val

    def _eval_NumberLiteral(self, node: Any) -> np.ndarray:
        return self.scalar(float(node.val))

    def _eval_StringLiteral(self, node: Any) -> str:
        return str(node.val)

    def _eval_ParenExpr(self, node: Any) -> Any:
        return self.eval(node.expr)

    def _eval_UnaryExpr(self, node: Any) -> Any:
        val = self.eval(node.expr)
        if isinstance(val, np.ndarray):
            return -val
        rows = [Row(drop_name(r.labels), -r.v, r.m) for r in val]
        return merge_rows(rows, self.n)

    def _eval_VectorSelector(self, node: Any) -> list[Row]:
        return [row for row, _ in self.select_instant(node)]

    def select_instant(self, node: Any) -> list[tuple[Row, np.ndarray]]:
        """Rows of an instant selector plus the timestamps of the samples they took."""
        refs = self.ref_times(node)
        out = []
        for s in self.db.select(selector_matchers(node)):
            t, v = s.t, s.v
            if len(t) == 0:
                continue
            idx = np.searchsorted(t, refs, side="right") - 1
            ok = idx >= 0
            safe = np.where(ok, idx, 0)
            st = t[safe]
            vals = v[safe]
            present = ok & (st >= refs - self.lookback_ms) & ~stale_mask(vals)
            if present.any():
                out.append((Row(s.labels, vals.astype(np.float64, copy=True), present), st))
        return out

    def _eval_MatrixSelector(self, node: Any) -> Any:
        raise EvalError("a range vector cannot be the result of an instant expression here")

    def _eval_SubqueryExpr(self, node: Any) -> Any:
        raise EvalError("a subquery must be the argument of a range function")

    def _eval_Call(self, node: Any) -> Any:
        from gameday.promql.functions import call

        return call(self, node)

    def _eval_AggregateExpr(self, node: Any) -> Any:
        from gameday.promql.aggregate import aggregate

        return aggregate(self, node)

    def _eval_BinaryExpr(self, node: Any) -> Any:
        from gameday.promql.binops import binary

        return binary(self, node)

    # ---- range arguments -----------------------------------------------------------
    def range_arg(self, node: Any) -> tuple[list[RangeSeries], np.ndarray, int]:
        """Series and per-step window end (ms) of a matrix selector or subquery, plus range."""
        while type(node).__name__ == "ParenExpr":
            node = node.expr
        kind = type(node).__name__
        if kind == "MatrixSelector":
            vs = node.vector_selector
            rng = td_ms(node.range)
            refs = self.ref_times(vs)
            series = []
            for s in self.db.select(selector_matchers(vs)):
                t, v = s.t, s.v
                keep = ~stale_mask(v)
                if not keep.all():
                    t, v = t[keep], v[keep]
                if len(t):
                    series.append(RangeSeries(s.labels, t, v))
            return series, refs, rng
        if kind == "SubqueryExpr":
            return self.subquery(node)
        raise EvalError(f"expected a range vector, got {kind}")

    def subquery(self, node: Any) -> tuple[list[RangeSeries], np.ndarray, int]:
        rng = td_ms(node.range)
        step = td_ms(node.step) or self.subquery_step_ms
        refs = self.ref_times(node)
        lo = int(refs.min()) - rng
        hi = int(refs.max())
        first = (lo // step) * step
        if first < lo:
            first += step
        if first > hi:
            return [], refs, rng
        sub_steps = np.arange(first, hi + 1, step, dtype=np.int64)
        val = self.child(sub_steps).eval(node.expr)
        if isinstance(val, np.ndarray):
            raise EvalError("subquery is only allowed on instant vector")
        series = [RangeSeries(r.labels, sub_steps[r.m], r.v[r.m]) for r in val]
        return series, refs, rng


def windows(t: np.ndarray, refs: np.ndarray, rng: int) -> tuple[np.ndarray, np.ndarray]:
    """Index bounds [lo, hi) of the samples in ``[ref - rng, ref]`` for each step."""
    lo = np.searchsorted(t, refs - rng, side="left")
    hi = np.searchsorted(t, refs, side="right")
    return lo, hi
