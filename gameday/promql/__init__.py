"""PromQL evaluation on ``promql-parser`` ASTs with Prometheus 2.42 semantics.

Entry points:

* :func:`evaluate_instant` - one expression at one time: a list of :class:`Sample`
  (instant vector), a float (scalar) or a str (string literal).
* :func:`evaluate_range` - one expression at many evenly spaced times, as rows.
* :class:`~gameday.promql.evaluator.Evaluator` - the engine behind both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gameday.promql.errors import EvalError, PromQLError, PromQLParseError, UnsupportedError
from gameday.promql.evaluator import Evaluator, Row, parse
from gameday.promql.values import Sample, Series
from gameday.tsdb import TSDB

__all__ = [
    "EvalError",
    "Evaluator",
    "PromQLError",
    "PromQLParseError",
    "Row",
    "Sample",
    "Series",
    "UnsupportedError",
    "evaluate_instant",
    "evaluate_range",
    "parse",
]


def evaluate_instant(
    expr: str, tsdb: TSDB, t_ms: int, **options: Any
) -> list[Sample] | float | str:
    """Evaluate ``expr`` at ``t_ms``.

    Returns:
        A list of :class:`Sample` (sorted by labels) for an instant vector, a float for
        a scalar, a str for a string literal.

    Raises:
        PromQLParseError: the expression does not parse.
        EvalError: evaluation failed (Prometheus' message).
        UnsupportedError: the expression uses something this evaluator does not do.
    """
    from gameday.promql.instant import InstantEvaluator

    val = InstantEvaluator(tsdb, t_ms, **options).eval(parse(expr))
    if isinstance(val, float | str):
        return val
    out = [Sample(dict(labels), value, t_ms) for labels, value in val]
    out.sort(key=lambda s: sorted(s.labels.items()))
    return out


def evaluate_range(
    expr: str, tsdb: TSDB, start_ms: int, end_ms: int, step_ms: int, **options: Any
) -> list[Series]:
    """Evaluate ``expr`` at ``start_ms, start_ms + step_ms, ... <= end_ms`` (a range query)."""
    steps = np.arange(start_ms, end_ms + 1, step_ms, dtype=np.int64)
    ev = Evaluator(tsdb, steps, **options)
    val = ev.eval(parse(expr))
    if isinstance(val, str):
        raise EvalError("a string cannot be evaluated over a range")
    if isinstance(val, np.ndarray):
        return [Series({}, [(int(t), float(v)) for t, v in zip(steps, val, strict=True)])]
    return [
        Series(
            dict(r.labels),
            [(int(t), float(v)) for t, v, m in zip(steps, r.v, r.m, strict=True) if m],
        )
        for r in val
    ]
