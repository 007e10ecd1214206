"""Functions over range vectors (``rate``, ``*_over_time``, ``deriv``, ...), per window.

Windows of every step are found with one ``searchsorted``; ``rate``/``increase``/``delta``
are computed for all steps at once with numpy, windows with counter resets included
(one vectorised pass per reset, in Prometheus' order), so results match it bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from gameday.promql.aggregate import quantile


def kahan_inc(inc: float, s: float, c: float) -> tuple[float, float]:
    t = s + inc
    if abs(s) >= abs(inc):
        c += (s - t) + inc
    else:
        c += (inc - t) + s
    return t, c


def extrapolated_rate(
    t: np.ndarray,
    v: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    refs: np.ndarray,
    rng: int,
    is_counter: bool,
    is_rate: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Prometheus 2.42 ``extrapolatedRate`` for every window; returns (values, present)."""
    cnt = hi - lo
    ok = cnt >= 2
    val = np.zeros(len(lo), dtype=np.float64)
    if not ok.any():
        return val, ok
    lo_s = np.where(ok, lo, 0)
    hi_s = np.where(ok, hi - 1, 0)
    ft, lt = t[lo_s], t[hi_s]
    fv, lv = v[lo_s], v[hi_s]
    with np.errstate(all="ignore"):
        result = lv - fv
        if is_counter and len(v) > 1:
            result = _add_resets(v, lo_s, hi_s, ok, result)
        range_start = refs - rng
        dur_start = (ft - range_start).astype(np.float64) / 1000
        dur_end = (refs - lt).astype(np.float64) / 1000
        sampled = (lt - ft).astype(np.float64) / 1000
        avg = sampled / (cnt - 1).astype(np.float64)
        if is_counter:
            to_zero = sampled * (fv / result)
            use = (result > 0) & (fv >= 0) & (to_zero < dur_start)
            dur_start = np.where(use, to_zero, dur_start)
        threshold = avg * 1.1
        interval = sampled.copy()
        interval = interval + np.where(dur_start < threshold, dur_start, avg / 2)
        interval = interval + np.where(dur_end < threshold, dur_end, avg / 2)
        factor = interval / sampled
        if is_rate:
            factor = factor / (rng // 1000 + (rng % 1000) * 1e6 / 1e9)
        val = result * factor
    return np.where(ok, val, 0.0), ok


def _add_resets(
    v: np.ndarray, lo: np.ndarray, hi: np.ndarray, ok: np.ndarray, result: np.ndarray
) -> np.ndarray:
    """Add, for each window ``[lo, hi]``, the value before every counter reset in it.

    Prometheus walks each window adding the previous value at every drop; the sums are
    made in the same order here, a pass per reset: pass k adds the k-th reset of every
    window that has at least k. Each pass is one vectorised step over the windows still
    concerned, so a month of windows costs what its resets cost, and the floats are
    those of the sequential loop, bit for bit (a prefix sum over the whole series would
    round differently).
    """
    drops = np.nonzero(v[1:] < v[:-1])[0] + 1  # positions whose value fell
    if not len(drops):
        return result
    first = np.searchsorted(drops, lo, side="right")  # resets strictly after lo ...
    count = np.where(ok, np.searchsorted(drops, hi, side="right") - first, 0)  # ... up to hi
    out = result.copy()
    idx = np.nonzero(count)[0]
    k = 0
    while len(idx):
        out[idx] = out[idx] + v[drops[first[idx] + k] - 1]
        k += 1
        idx = idx[count[idx] > k]
    return out


def instant_value(
    t: np.ndarray, v: np.ndarray, lo: np.ndarray, hi: np.ndarray, is_rate: bool
) -> tuple[np.ndarray, np.ndarray]:
    ok = (hi - lo) >= 2
    last = np.where(ok, hi - 1, 0)
    prev = np.where(ok, hi - 2, 0)
    lv, pv = v[last], v[prev]
    dt = t[last] - t[prev]
    ok &= dt != 0
    with np.errstate(all="ignore"):
        if is_rate:
            res = np.where(lv < pv, lv, lv - pv)
            res = res / (dt.astype(np.float64) / 1000)
        else:
            res = lv - pv
    return np.where(ok, res, 0.0), ok


def _avg(vals: np.ndarray) -> float:
    mean = c = count = 0.0
    for x in vals.tolist():
        count += 1
        if math.isinf(mean):
            if math.isinf(x) and (mean > 0) == (x > 0):
                continue
            if not math.isinf(x) and not math.isnan(x):
                continue
        mean, c = kahan_inc(x / count - mean / count, mean, c)
    return mean if math.isinf(mean) else mean + c


def _sum(vals: np.ndarray) -> float:
    s = c = 0.0
    for x in vals.tolist():
        s, c = kahan_inc(x, s, c)
    return s if math.isinf(s) else s + c


def _max(vals: np.ndarray) -> float:
    xs = vals.tolist()
    m = xs[0]
    for x in xs:
        if x > m or math.isnan(m):
            m = x
    return m


def _min(vals: np.ndarray) -> float:
    xs = vals.tolist()
    m = xs[0]
    for x in xs:
        if x < m or math.isnan(m):
            m = x
    return m


def _var(vals: np.ndarray) -> float:
    count = mean = cm = aux = ca = 0.0
    for x in vals.tolist():
        count += 1
        delta = x - (mean + cm)
        mean, cm = kahan_inc(delta / count, mean, cm)
        aux, ca = kahan_inc(delta * (x - (mean + cm)), aux, ca)
    return (aux + ca) / count


def _changes(vals: np.ndarray) -> float:
    xs = vals.tolist()
    n, prev = 0, xs[0]
    for x in xs[1:]:
        if x != prev and not (math.isnan(x) and math.isnan(prev)):
            n += 1
        prev = x
    return float(n)


def _resets(vals: np.ndarray) -> float:
    xs = vals.tolist()
    n, prev = 0, xs[0]
    for x in xs[1:]:
        if x < prev:
            n += 1
        prev = x
    return float(n)


def linear_regression(ts: np.ndarray, vals: np.ndarray, intercept_t: int) -> tuple[float, float]:
    n = sx = cx = sy = cy = sxy = cxy = sx2 = cx2 = 0.0
    xs = vals.tolist()
    init = xs[0]
    const = True
    for i, (tt, y) in enumerate(zip(ts.tolist(), xs, strict=True)):
        if const and i > 0 and y != init:
            const = False
        n += 1.0
        x = float(tt - intercept_t) / 1e3
        sx, cx = kahan_inc(x, sx, cx)
        sy, cy = kahan_inc(y, sy, cy)
        sxy, cxy = kahan_inc(x * y, sxy, cxy)
        sx2, cx2 = kahan_inc(x * x, sx2, cx2)
    if const:
        if math.isinf(init):
            return math.nan, math.nan
        return 0.0, init
    sx, sy, sxy, sx2 = sx + cx, sy + cy, sxy + cxy, sx2 + cx2
    cov = sxy - sx * sy / n
    var = sx2 - sx * sx / n
    try:
        slope = cov / var
    except ZeroDivisionError:
        slope = math.copysign(math.inf, cov) if cov else math.nan
    return slope, sy / n - slope * sx / n


def holt_winters(vals: np.ndarray, sf: float, tf: float) -> float | None:
    xs = vals.tolist()
    if len(xs) < 2:
        return None
    s0, s1 = 0.0, xs[0]
    b = xs[1] - xs[0]
    for i in range(1, len(xs)):
        x = sf * xs[i]
        b = _trend(i - 1, tf, s0, s1, b)
        y = (1 - sf) * (s1 + b)
        s0, s1 = s1, x + y
    return s1


def _trend(i: int, tf: float, s0: float, s1: float, b: float) -> float:
    if i == 0:
        return b
    return tf * (s1 - s0) + (1 - tf) * b


WindowFn = Callable[[np.ndarray], float]
OVER_TIME: dict[str, WindowFn] = {
    "avg_over_time": _avg,
    "sum_over_time": _sum,
    "max_over_time": _max,
    "min_over_time": _min,
    "count_over_time": lambda a: float(len(a)),
    "last_over_time": lambda a: float(a[-1]),
    "present_over_time": lambda a: 1.0,
    "stdvar_over_time": _var,
    "stddev_over_time": lambda a: math.sqrt(_var(a)),
    "changes": _changes,
    "resets": _resets,
}


def per_window(
    fn: Callable[[int, int, int], float | None], lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``fn(step, lo, hi)`` to each non-empty window."""
    n = len(lo)
    val = np.zeros(n, dtype=np.float64)
    ok = np.zeros(n, dtype=bool)
    for i in np.nonzero(hi > lo)[0]:
        r = fn(int(i), int(lo[i]), int(hi[i]))
        if r is not None:
            val[i] = r
            ok[i] = True
    return val, ok


def quantile_over(vals: np.ndarray, q: float) -> float:
    return quantile(q, vals.tolist())
