"""rate/increase over windows with counter resets: the vectorised reset correction equals
Prometheus' sequential loop bit for bit, and many windows at once equal one at a time."""

from __future__ import annotations

import struct

import numpy as np

from gameday.promql.instant import rate_window
from gameday.promql.rangefuncs import RateFrame, ResetIndex, _add_resets, extrapolated_rate


def _prometheus_loop(vs: list[float]) -> float:
    """The counter part of Prometheus 2.42 ``extrapolatedRate`` for one window."""
    result = vs[-1] - vs[0]
    last = 0.0
    for x in vs:
        if x < last:
            result += last
        last = x
    return result


def test_reset_sums_match_the_sequential_loop() -> None:
    """Random counters (no resets, a few, most samples resetting, NaNs, huge and tiny
    values), random windows: every window's sum equals the loop's exactly."""
    gen = np.random.default_rng(11)
    checked = 0
    for _ in range(300):
        n = int(gen.integers(2, 300))
        v = np.cumsum(gen.random(n) * gen.choice([1.0, 1e-3, 1e9]))
        v = np.where(gen.random(n) < gen.choice([0.0, 0.05, 0.5, 0.95]), gen.random(n) * 5, v)
        if gen.random() < 0.2:
            v[gen.integers(0, n)] = np.nan
        lo = gen.integers(0, n - 1, 50)
        hi = np.minimum(n - 1, lo + gen.integers(1, 120, 50))
        ok = gen.random(50) < 0.9
        with np.errstate(invalid="ignore"):
            got = _add_resets(v, lo, hi, ok, v[hi] - v[lo])
        for i in range(50):
            if not ok[i]:
                continue
            expect = _prometheus_loop([float(x) for x in v[lo[i] : hi[i] + 1]])
            assert got[i] == expect or (np.isnan(got[i]) and np.isnan(expect)), (v, lo[i], hi[i])
            checked += 1
    assert checked > 10_000


def test_whole_number_counters_take_running_totals_and_keep_the_loop_bits() -> None:
    """Counters of whole numbers (requests, errors) add a window's resets as one
    difference of running totals; the bits equal the loop's, up to the largest counters
    where sums stop being exact (2**53), which take the pass-per-reset way instead."""
    gen = np.random.default_rng(23)
    exact = inexact = 0
    for _ in range(300):
        n = int(gen.integers(2, 300))
        top = float(gen.choice([100.0, 1e6, 2.0**50, 2.0**52, 2.0**53 - 1]))
        v = np.floor(gen.random(n) * top)
        v = np.where(gen.random(n) < 0.3, np.sort(v), v)  # runs that climb, then drops
        if gen.random() < 0.1:
            v[gen.integers(0, n)] = gen.choice([np.nan, -1.0, -0.0, 0.5, np.inf])
        index = ResetIndex(v)
        exact += index.sums is not None
        inexact += index.sums is None and len(index.before) > 0
        lo = gen.integers(0, n - 1, 50)
        hi = np.minimum(n - 1, lo + gen.integers(1, 120, 50))
        ok = gen.random(50) < 0.9
        with np.errstate(invalid="ignore"):
            got = _add_resets(v, lo, hi, ok, v[hi] - v[lo], index)
        for i in np.flatnonzero(ok).tolist():
            expect = _prometheus_loop([float(x) for x in v[lo[i] : hi[i] + 1]])
            assert struct.pack("<d", got[i]) == struct.pack("<d", expect) or (
                np.isnan(got[i]) and np.isnan(expect)
            ), (v, lo[i], hi[i])
    assert exact > 80 and inexact > 30


def test_running_totals_only_where_every_sum_is_exact() -> None:
    """The running totals are kept for whole, non-negative counters whose sums stay under
    2**53, and for nothing else (fractions, -0, negatives, NaN, infinities, sums that
    would round)."""
    assert ResetIndex(np.array([0.0, 5.0, 2.0, 9.0, 1.0])).sums is not None
    for bad in (
        [0.0, 5.5, 2.0],
        [-0.0, 5.0, 2.0],
        [3.0, -1.0, 2.0],
        [3.0, np.nan, 2.0],
        [3.0, np.inf, 2.0],
        [2.0**52, 2.0**52, 1.0],  # 2**52 + 2**52 + 1 passes 2**53
    ):
        assert ResetIndex(np.array(bad)).sums is None, bad
    assert ResetIndex(np.array([2.0**51, 1.0, 2.0**51])).sums is not None


def test_many_windows_at_once_equal_each_window_alone() -> None:
    """rate/increase/delta over every step at once (frames, reset passes, the shortcut
    that skips extrapolating to zero) give the bits of the one-window computation, on
    counters that start near zero (some windows extrapolate to zero, others not), restart,
    and are scraped evenly or not."""
    gen = np.random.default_rng(5)
    for _ in range(60):
        n = int(gen.integers(20, 400))
        step = int(gen.integers(1_000, 30_000))
        t = np.arange(n, dtype=np.int64) * step
        if gen.random() < 0.5:
            t = np.cumsum(gen.integers(1_000, 30_000, n)).astype(np.int64)
        v = np.cumsum(gen.random(n) * gen.choice([1.0, 50.0])) + gen.choice([0.0, 0.0, 1e3])
        for i in np.flatnonzero(gen.random(n) < gen.choice([0.0, 0.01, 0.2])):
            v[i:] -= v[i] - gen.random()
        refs = np.sort(gen.integers(int(t[0]) - 60_000, int(t[-1]) + 60_000, 200)).astype(np.int64)
        rng = int(gen.integers(step, 40 * step))
        lo = np.searchsorted(t, refs - rng, "left")
        hi = np.searchsorted(t, refs, "right")
        frame = RateFrame(t, lo, hi, refs, rng)
        for counter, is_rate in ((True, True), (True, False), (False, False)):
            got, ok = extrapolated_rate(t, v, lo, hi, refs, rng, counter, is_rate, frame)
            for i, ref in enumerate(refs.tolist()):
                a, b = lo[i], hi[i]
                want = rate_window(t[a:b], v[a:b], ref, rng, counter, is_rate)
                assert ok[i] == (want is not None)
                if want is not None:
                    assert struct.pack("<d", got[i]) == struct.pack("<d", want), (i, counter)
