"""rate/increase over windows with counter resets: the vectorised reset correction equals
Prometheus' sequential loop bit for bit."""

from __future__ import annotations

import numpy as np

from gameday.promql.rangefuncs import _add_resets


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
