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


class RateFrame:
    """The part of Prometheus' ``extrapolatedRate`` that depends on sample times alone.

    Series scraped at the same times (every input series of a rule test, the targets of
    one scrape) read the same windows: their first and last sample times, the gaps to
    the window's edges and the extrapolation factor are the same for all of them, so a
    frame is worked out once per (times, steps, range) and each series adds only what
    its values decide. The arithmetic is Prometheus', operation for operation.

    A frame keeps only what every series needs; the average sample gap and what follows
    from it at a window's start are worked out again for the few windows whose counter
    may reach zero (a month of steps makes each array a fifth of a megabyte).
    """

    __slots__ = (
        "n",
        "most",
        "ok",
        "any_ok",
        "all_ok",
        "lo_s",
        "hi_s",
        "sampled",
        "dur_start",
        "end_part",
        "divisor",
        "bad",
        "zero_below",
        "_factors",
    )

    def __init__(
        self, t: np.ndarray, lo: np.ndarray, hi: np.ndarray, refs: np.ndarray, rng: int
    ) -> None:
        self.n = len(lo)
        cnt = hi - lo
        self.most = int(cnt.max()) if len(cnt) else 0  # samples in the fullest window
        self.ok = ok = cnt >= 2
        self.any_ok = bool(ok.any())
        self.all_ok = bool(ok.all())
        self.lo_s = lo_s = lo if self.all_ok else np.where(ok, lo, 0)
        self.hi_s = hi_s = hi - 1 if self.all_ok else np.where(ok, hi - 1, 0)
        self.divisor = rng // 1000 + (rng % 1000) * 1e6 / 1e9
        self.bad = np.flatnonzero(~ok)  # windows with fewer than two samples
        self._factors: dict[bool, np.ndarray] = {}
        self.zero_below = np.full(len(lo), math.inf)
        if not self.any_ok:
            return
        ft, lt = t[lo_s], t[hi_s]
        with np.errstate(all="ignore"):
            self.dur_start = (ft - (refs - rng)).astype(np.float64) / 1000
            dur_end = (refs - lt).astype(np.float64) / 1000
            self.sampled = sampled = (lt - ft).astype(np.float64) / 1000
            threshold, half = self.gaps()
            self.end_part = np.where(dur_end < threshold, dur_end, half)
            # A window's counter is extrapolated to zero only where first / increase <
            # dur_start / sampled; at or above this bound (that ratio, with room for
            # rounding) it is not, whatever the values. Windows that begin before the
            # data have large ratios, so each window keeps its own.
            self.zero_below = self.dur_start / sampled * (1 + 1e-9)
            if not self.all_ok:
                self.zero_below[self.bad] = -math.inf

    def gaps(self, at: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """1.1 and 0.5 times the average sample gap (s) of every window (of those ``at``):
        Prometheus extrapolates to an edge nearer than the first, else by the second."""
        sampled, lo_s, hi_s = self.sampled, self.lo_s, self.hi_s
        if at is not None:
            sampled, lo_s, hi_s = sampled[at], lo_s[at], hi_s[at]
        with np.errstate(all="ignore"):
            avg = sampled / (hi_s - lo_s).astype(np.float64)  # samples - 1 gaps
            return avg * 1.1, avg / 2

    def start_part(self, gaps: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """How far each window is extrapolated back to its start (s); ``gaps`` is
        :meth:`gaps` of every window when the caller has it already."""
        threshold, half = gaps if gaps is not None else self.gaps()
        return np.where(self.dur_start < threshold, self.dur_start, half)

    def factor(self, is_rate: bool) -> np.ndarray:
        """The extrapolation factor where no counter is extrapolated to zero."""
        f = self._factors.get(is_rate)
        if f is None:
            with np.errstate(all="ignore"):
                f = ((self.sampled + self.start_part()) + self.end_part) / self.sampled
                if is_rate:
                    f = f / self.divisor
            self._factors[is_rate] = f
        return f


def extrapolated_rate(
    t: np.ndarray,
    v: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    refs: np.ndarray,
    rng: int,
    is_counter: bool,
    is_rate: bool,
    frame: RateFrame | None = None,
    resets: ResetIndex | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Prometheus 2.42 ``extrapolatedRate`` for every window; returns (values, present).

    ``frame`` (for these ``t``, ``lo``, ``hi``, ``refs`` and ``rng``) and ``resets`` (for
    ``v``) may be passed in when other series or windows share them.
    """
    f = frame if frame is not None else RateFrame(t, lo, hi, refs, rng)
    return rate_in_frame(f, v, is_counter, is_rate, resets)


def rate_in_frame(
    f: RateFrame, v: np.ndarray, is_counter: bool, is_rate: bool, resets: ResetIndex | None
) -> tuple[np.ndarray, np.ndarray]:
    """``extrapolatedRate`` of the values ``v`` sampled at the frame's times."""
    if not f.any_ok:
        return np.zeros(f.n, dtype=np.float64), f.ok.copy()
    fv, lv = v[f.lo_s], v[f.hi_s]
    with np.errstate(all="ignore"):
        result = lv - fv
        if is_counter and len(v) > 1:
            result = _add_resets(v, f.lo_s, f.hi_s, f.ok, result, resets)
        factor = f.factor(is_rate)
        if is_counter:
            share = fv / result
            # only these windows can extrapolate to zero (a NaN share never does)
            maybe = np.flatnonzero(share < f.zero_below)
            if len(maybe):
                factor = _zero_extrapolated(f, factor, fv, result, share, maybe, is_rate)
        val = result * factor
    if not f.all_ok:
        val[f.bad] = 0.0
    return val, f.ok.copy()


def _zero_extrapolated(
    f: RateFrame,
    factor: np.ndarray,
    fv: np.ndarray,
    result: np.ndarray,
    share: np.ndarray,
    maybe: np.ndarray,
    is_rate: bool,
) -> np.ndarray:
    """``factor`` where the counter would reach zero inside the window before its first
    sample: the extrapolation at the start stops there (Prometheus' ``durationToZero``).
    Worked out on the windows in ``maybe`` only, or on all when most are among them."""
    if 4 * len(maybe) > len(factor):
        to_zero = f.sampled * share
        use = (result > 0) & (fv >= 0) & (to_zero < f.dur_start)
        if not use.any():
            return factor
        threshold, half = gaps = f.gaps()
        near = np.where(to_zero < threshold, to_zero, half)
        start = np.where(use, near, f.start_part(gaps))
        out = ((f.sampled + start) + f.end_part) / f.sampled
        return out / f.divisor if is_rate else out
    sampled = f.sampled[maybe]
    to_zero = sampled * share[maybe]
    use = (result[maybe] > 0) & (fv[maybe] >= 0) & (to_zero < f.dur_start[maybe])
    if not use.any():
        return factor
    at, to_zero, sampled = maybe[use], to_zero[use], sampled[use]
    threshold, half = f.gaps(at)
    near = np.where(to_zero < threshold, to_zero, half)
    changed = ((sampled + near) + f.end_part[at]) / sampled
    out = factor.copy()
    out[at] = changed / f.divisor if is_rate else changed
    return out


class ResetIndex:
    """Where a series' counter resets: the value before each reset, in order, and for
    every sample position how many resets happened at or before it.

    ``sums`` (the running total of ``before``, from 0) is kept when every sum the reset
    correction can make is an exact integer: all samples whole numbers, none negative or
    ``-0``, and the samples' largest value plus all of ``before`` under 2**53. Floating
    addition of such numbers never rounds, so any order of adding gives the bits of
    Prometheus' loop and a window's resets add up as one difference of running totals.
    Most counters count events (requests, errors, restarts) and qualify.
    """

    __slots__ = ("before", "upto", "sums")

    def __init__(self, v: np.ndarray) -> None:
        fell = v[1:] < v[:-1]  # position i + 1 fell below position i
        self.before = v[:-1][fell]
        self.upto = np.empty(len(v), dtype=np.int64)
        self.upto[:1] = 0
        np.cumsum(fell, out=self.upto[1:])
        self.sums: np.ndarray | None = None
        if len(self.before) and _whole_and_small(v, self.before):
            self.sums = np.empty(len(self.before) + 1, dtype=np.float64)
            self.sums[0] = 0.0
            np.cumsum(self.before, out=self.sums[1:])


_EXACT = 2.0**53  # every integer up to this is a float64, so sums under it do not round


def _whole_and_small(v: np.ndarray, before: np.ndarray) -> bool:
    """True if ``v`` holds only whole numbers >= +0 whose sums with ``before`` stay exact."""
    with np.errstate(invalid="ignore"):
        if not (v >= 0).all() or np.signbit(v).any():  # NaN, negatives and -0 fail here
            return False
        top = float(v.max())
        if not top + float(before.sum()) < _EXACT:
            return False
        return bool((np.floor(v) == v).all())


def _add_resets(
    v: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    ok: np.ndarray,
    result: np.ndarray,
    index: ResetIndex | None = None,
) -> np.ndarray:
    """Add, for each window ``[lo, hi]``, the value before every counter reset in it.

    Prometheus walks each window adding the previous value at every drop; the sums are
    made in the same order here, a pass per reset: pass k adds the k-th reset of every
    window that has at least k. Each pass is one vectorised step over the windows still
    concerned (a masked pass over all of them when most are), so a month of windows
    costs what its resets cost, and the floats are those of the sequential loop, bit for
    bit (a prefix sum over the whole series would round differently, except where the
    index found the sums exact: then it is one difference of running totals).
    """
    ri = index if index is not None else ResetIndex(v)
    if not len(ri.before):
        return result
    first = ri.upto[lo]  # resets at or before lo are not in the window ...
    if ri.sums is not None:  # exact sums: one difference per window (0.0 where none)
        return result + np.where(ok, ri.sums[ri.upto[hi]] - ri.sums[first], 0.0)
    count = np.where(ok, ri.upto[hi] - first, 0)  # ... those up to hi are
    out = result.copy()
    # windows with more than k resets, for every k: dense passes need no index of them
    more_than = len(count) - np.cumsum(np.bincount(count))
    pos = first.copy()
    k = 0
    while k < len(more_than) and 4 * more_than[k] > len(out):  # most windows: masked passes
        add = ri.before.take(pos, mode="clip")
        if more_than[k] == len(out):
            out += add
        else:
            np.add(out, add, out=out, where=count > k)
        pos += 1
        k += 1
    active = np.flatnonzero(count > k)
    while len(active):  # the few windows left, by index
        out[active] = out[active] + ri.before[first[active] + k]
        k += 1
        active = active[count[active] > k]
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
