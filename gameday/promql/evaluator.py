"""PromQL evaluation over a :class:`~gameday.tsdb.TSDB`, whole step ranges at once.

Every instant-vector expression evaluates to a list of :class:`Row` (a label set plus a
value array and a presence mask over the evaluation steps), scalars to a float array,
strings to ``str``. An instant query is a range of one step. The semantics follow
Prometheus 2.42's engine: 5-minute lookback, staleness markers, inclusive range windows,
``offset`` and ``@`` applied to the reference time, sub-queries aligned to their step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from gameday.promql.errors import EvalError, UnsupportedError
from gameday.promql.labels import drop_name
from gameday.promql.limits import MAX_SUBQUERY_STEPS
from gameday.promql.parsing import parse as parse  # re-exported: callers import it here
from gameday.tsdb import TSDB, Labels, Matcher, StoredSeries, stale_mask

if TYPE_CHECKING:
    from gameday.promql.stepcache import StepCache

LOOKBACK_MS = 300_000


@dataclass
class Row:
    """One series of an instant-vector result: labels, values and presence per step."""

    labels: Labels
    v: np.ndarray
    m: np.ndarray


@dataclass
class RangeSeries:
    """One series of a range argument: labels and its non-stale samples, and the stored
    series when they are all of its samples (what a :class:`StepCache` keys on)."""

    labels: Labels
    t: np.ndarray
    v: np.ndarray
    source: StoredSeries | None = None


def selector_matchers(vs: Any) -> list[Matcher]:
    """The label matchers of a (converted) vector selector, metric name included."""
    return list(vs.matchers)


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
        lagged: metric names whose samples at or after each step's own time are hidden
            (series a later rule writes: step-by-step evaluation has not written them yet).
        cache: window work shared with other expressions over the same ``steps`` array
            (ignored for any other steps).
        epoch_ms: the Unix time in ms of time 0 of ``steps`` and of the store. A session
            keeps sim time (0 is the scenario's start); Prometheus evaluates at Unix time,
            so ``time()``, ``timestamp()``, the date functions, ``@ <unix time>`` and the
            alignment of subquery steps use ``epoch_ms + t``. Rule tests start at 0 (0).
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
        lagged: frozenset[str] = frozenset(),
        cache: StepCache | None = None,
        epoch_ms: int = 0,
    ) -> None:
        self.db = db
        self.steps = np.asarray(steps, dtype=np.int64)
        self.cache = cache if cache is not None and cache.steps is self.steps else None
        self.n = len(self.steps)
        self.lookback_ms = lookback_ms
        self.subquery_step_ms = subquery_step_ms
        self.max_samples = max_samples
        self.rule_mode = rule_mode
        self.lagged = lagged
        self.start_ms = int(self.steps[0]) if start_ms is None else start_ms
        self.end_ms = int(self.steps[-1]) if end_ms is None else end_ms
        self.epoch_ms = epoch_ms

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
            epoch_ms=self.epoch_ms,
        )

    def ref_times(self, node: Any) -> np.ndarray:
        """Per-step reference time of a selector: (@ or step) - offset."""
        at = None
        if node.at is not None:
            kind, ms = node.at
            at = (
                self.start_ms
                if kind == "Start"
                else self.end_ms
                if kind == "End"
                else ms - self.epoch_ms
            )
        offset = node.offset_ms
        if self.cache is not None:
            return self.cache.refs((at, offset), lambda: self._refs(at, offset))
        return self._refs(at, offset)

    def _refs(self, at: int | None, offset: int) -> np.ndarray:
        if at is not None:
            return np.full(self.n, at - offset, dtype=np.int64)
        return self.steps - offset

    # ---- dispatch ------------------------------------------------------------------
    def eval(self, node: Any) -> Any:
        kind = node.kind
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

    def limit(self, labels: Labels, refs: np.ndarray) -> np.ndarray:
        """The latest visible sample time per step for one series."""
        if self.lagged and dict(labels).get("__name__", "") in self.lagged:
            return np.minimum(refs, self.steps - 1)
        return refs

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
        for s in self.db.select(node.matchers):
            t, v = s.t, s.v
            if len(t) == 0:
                continue
            idx = search(t, self.limit(s.labels, refs), "right", grid_step(t)) - 1
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
        while node.kind == "ParenExpr":
            node = node.expr
        kind = node.kind
        if kind == "MatrixSelector":
            vs = node.vector_selector
            rng = node.range_ms
            refs = self.ref_times(vs)
            series = []
            for s in self.db.select(vs.matchers):
                t, v = s.t, s.v
                source: StoredSeries | None = s
                if s.n_stale:
                    keep = ~stale_mask(v)
                    if not keep.all():
                        t, v, source = t[keep], v[keep], None
                if len(t):
                    lim = self.limit(s.labels, refs)
                    if lim is not refs:
                        t, v = _clip_series(t, v, lim, refs)
                        source = None
                    series.append(RangeSeries(s.labels, t, v, source))
            return series, refs, rng
        if kind == "SubqueryExpr":
            return self.subquery(node)
        raise EvalError(f"expected a range vector, got {kind}")

    def subquery(self, node: Any) -> tuple[list[RangeSeries], np.ndarray, int]:
        if self.lagged:
            raise EvalError("subquery over lagged rule outputs needs step-by-step evaluation")
        rng = node.range_ms
        step = node.step_ms or self.subquery_step_ms
        refs = self.ref_times(node)
        lo = int(refs.min()) - rng
        hi = int(refs.max())
        first = ((lo + self.epoch_ms) // step) * step - self.epoch_ms  # Unix-time aligned
        if first < lo:
            first += step
        if first > hi:
            return [], refs, rng
        count = (hi - first) // step + 1
        if count > MAX_SUBQUERY_STEPS:
            raise EvalError(
                f"subquery would evaluate {count} steps; gameday evaluates at most "
                f"{MAX_SUBQUERY_STEPS} at once (use a longer subquery step)"
            )
        sub_steps = np.arange(first, hi + 1, step, dtype=np.int64)
        val = self.child(sub_steps).eval(node.expr)
        if isinstance(val, np.ndarray):
            raise EvalError("subquery is only allowed on instant vector")
        series = [RangeSeries(r.labels, sub_steps[r.m], r.v[r.m]) for r in val]
        return series, refs, rng


_GRID_MIN = 256  # below this many samples a binary search is as cheap as the grid check


def grid_step(t: np.ndarray) -> int:
    """The spacing of ``t`` when its samples are exactly evenly spaced (a rule test's input
    series, a regular scrape), else 0."""
    n = len(t)
    if n < _GRID_MIN:
        return 0
    step = int(t[1]) - int(t[0])
    if step <= 0 or int(t[-1]) - int(t[0]) != step * (n - 1):
        return 0
    return step if bool((np.diff(t) == step).all()) else 0


def search(t: np.ndarray, keys: np.ndarray, side: str, step: int) -> np.ndarray:
    """``np.searchsorted(t, keys, side)``; on an even grid (``step`` from :func:`grid_step`)
    worked out arithmetically, in one pass instead of a binary search per key."""
    if not step:
        return np.searchsorted(t, keys, side=side)  # type: ignore[call-overload]
    rel = keys - int(t[0])
    idx = -((-rel) // step) if side == "left" else rel // step + 1
    return np.clip(idx, 0, len(t))


def windows(t: np.ndarray, refs: np.ndarray, rng: int) -> tuple[np.ndarray, np.ndarray]:
    """Index bounds [lo, hi) of the samples in ``[ref - rng, ref]`` for each step."""
    step = grid_step(t)
    lo = search(t, refs - rng, "left", step)
    hi = search(t, refs, "right", step)
    return lo, hi


def _clip_series(
    t: np.ndarray, v: np.ndarray, lim: np.ndarray, refs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Drop samples a lagged series would not have yet; exact only with one step gap."""
    if len(refs) == 1:
        keep = t <= lim[0]
        return t[keep], v[keep]
    raise EvalError("range selector over lagged rule outputs needs step-by-step evaluation")
