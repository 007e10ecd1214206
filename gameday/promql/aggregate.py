"""Aggregation operators (sum, avg, min, max, count, group, stddev, stdvar, topk, bottomk,
quantile, count_values) with ``by``/``without``, accumulated in Prometheus' order."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gameday.promql.errors import EvalError, UnsupportedError
from gameday.promql.evaluator import Evaluator, Row, merge_rows
from gameday.promql.labels import LABEL_NAME_RE, NAME, format_float_f

_SIMPLE = {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"}


def quantile(q: float, values: list[float]) -> float:
    """Prometheus' ``quantile`` over a list of floats."""
    if not values or math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    vs = sorted(values, key=_sort_key)
    n = float(len(vs))
    rank = q * (n - 1)
    lower = max(0.0, math.floor(rank))
    upper = min(n - 1, lower + 1)
    weight = rank - math.floor(rank)
    return vs[int(lower)] * (1 - weight) + vs[int(upper)] * weight


def _sort_key(v: float) -> tuple[int, float]:
    # vectorByValueHeap: NaN sorts first.
    return (0, 0.0) if math.isnan(v) else (1, v)


def _group_key(labels: tuple, grouping: list[str], without: bool) -> tuple:
    if without:
        drop = set(grouping) | {NAME}
        return tuple(kv for kv in labels if kv[0] not in drop)
    keep = set(grouping)
    return tuple(kv for kv in labels if kv[0] in keep)


def aggregate(ev: Evaluator, node: Any) -> list[Row]:
    op = node.op
    grouping: list[str] = node.grouping
    without = node.without
    param: Any = None
    if node.param is not None:
        param = ev.eval(node.param)
    rows = ev.eval_vector(node.expr)
    n = ev.n
    if op == "count_values":
        if not isinstance(param, str):
            raise EvalError("count_values needs a string parameter")
        return _count_values(ev, rows, param, grouping, without)
    groups: dict[tuple, list[Row]] = {}
    for r in rows:
        groups.setdefault(_group_key(r.labels, grouping, without), []).append(r)
    if op in _SIMPLE:
        out = [_simple(op, key, members, n) for key, members in groups.items()]
        return merge_rows([r for r in out if r.m.any()], n)
    if op in ("topk", "bottomk"):
        return _topk(op, groups, param, n)
    if op == "quantile":
        return _quantile(groups, param, n)
    raise UnsupportedError(f"unsupported aggregation {op!r}")


_ONE_MEMBER = {"sum", "avg", "min", "max"}  # of one series: its value where present, else 0


def _simple(op: str, key: tuple, members: list[Row], n: int) -> Row:
    if len(members) == 1 and op in _ONE_MEMBER:  # what the loop below gives, in two steps
        (r,) = members
        return Row(_out_labels(r.labels, key), np.where(r.m, r.v, 0.0), r.m.copy())
    have = np.zeros(n, dtype=bool)
    value = np.zeros(n, dtype=np.float64)
    mean = np.zeros(n, dtype=np.float64)
    count = np.zeros(n, dtype=np.float64)
    with np.errstate(all="ignore"):
        for r in members:
            m, v = r.m, r.v
            first = m & ~have
            later = m & have
            if first.any():
                count = np.where(first, 1.0, count)
                mean = np.where(first, v, mean)
                init = {"stddev": 0.0, "stdvar": 0.0, "group": 1.0}.get(op)
                value = np.where(first, v if init is None else init, value)
            if later.any():
                if op == "sum":
                    value = np.where(later, value + v, value)
                elif op == "avg":
                    count = np.where(later, count + 1, count)
                    mean_inf = np.isinf(mean)
                    v_inf = np.isinf(v)
                    skip = mean_inf & ((v_inf & ((mean > 0) == (v > 0))) | (~v_inf & ~np.isnan(v)))
                    upd = mean + (v / count - mean / count)
                    mean = np.where(later & ~skip, upd, mean)
                elif op == "max":
                    take = (value < v) | np.isnan(value)
                    value = np.where(later & take, v, value)
                elif op == "min":
                    take = (value > v) | np.isnan(value)
                    value = np.where(later & take, v, value)
                elif op == "count":
                    count = np.where(later, count + 1, count)
                elif op in ("stddev", "stdvar"):
                    count = np.where(later, count + 1, count)
                    delta = v - mean
                    new_mean = mean + delta / count
                    value = np.where(later, value + delta * (v - new_mean), value)
                    mean = np.where(later, new_mean, mean)
            have |= m
        if op == "avg":
            value = mean
        elif op == "count":
            value = count
        elif op == "stdvar":
            value = value / count
        elif op == "stddev":
            value = np.sqrt(value / count)
    labels = key if not members else _out_labels(members[0].labels, key)
    return Row(labels, value, have)


def _out_labels(sample_labels: tuple, key: tuple) -> tuple:
    return key


def _topk(op: str, groups: dict[tuple, list[Row]], param: Any, n: int) -> list[Row]:
    if not isinstance(param, np.ndarray):
        raise EvalError(f"{op} needs a scalar parameter")
    out_masks: dict[int, np.ndarray] = {}
    all_rows: list[Row] = []
    for members in groups.values():
        for r in members:
            out_masks[id(r)] = np.zeros(n, dtype=bool)
            all_rows.append(r)
    for step in range(n):
        kf = float(param[step])
        if math.isnan(kf) or abs(kf) >= 9.2e18:
            raise EvalError(f"Scalar value {kf} overflows int64", step)
        k = int(kf)
        if k < 1:
            continue
        for members in groups.values():
            present = [r for r in members if r.m[step]]
            if not present:
                continue

            def key(r: Row, step: int = step) -> tuple[int, float]:
                v = float(r.v[step])
                if math.isnan(v):
                    return (1, 0.0)
                return (0, -v if op == "topk" else v)

            for r in sorted(present, key=key)[:k]:
                out_masks[id(r)][step] = True
    return [Row(r.labels, r.v, out_masks[id(r)]) for r in all_rows if out_masks[id(r)].any()]


def _quantile(groups: dict[tuple, list[Row]], param: Any, n: int) -> list[Row]:
    if not isinstance(param, np.ndarray):
        raise EvalError("quantile needs a scalar parameter")
    out = []
    for key, members in groups.items():
        value = np.zeros(n, dtype=np.float64)
        have = np.zeros(n, dtype=bool)
        for step in range(n):
            vals = [float(r.v[step]) for r in members if r.m[step]]
            if vals:
                have[step] = True
                value[step] = quantile(float(param[step]), vals)
        out.append(Row(key, value, have))
    return [r for r in out if r.m.any()]


def _count_values(
    ev: Evaluator, rows: list[Row], label: str, grouping: list[str], without: bool
) -> list[Row]:
    if not LABEL_NAME_RE.match(label):
        raise EvalError(f"invalid label name {label!r}")
    n = ev.n
    counts: dict[tuple, np.ndarray] = {}
    eff_grouping = list(grouping) if without else sorted(set(grouping) | {label})
    for r in rows:
        for step in np.nonzero(r.m)[0]:
            sval = format_float_f(float(r.v[step]))
            d = dict(r.labels)
            d[label] = sval
            key = _group_key(tuple(sorted(d.items())), eff_grouping, without)
            arr = counts.get(key)
            if arr is None:
                arr = counts[key] = np.zeros(n, dtype=np.float64)
            arr[step] += 1
    return [Row(k, c, c > 0) for k, c in counts.items()]
