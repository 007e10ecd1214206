"""Windows on an evenly spaced series are found arithmetically: the same indices as
``np.searchsorted`` for every key, on both sides, and an uneven series is not taken for
a grid."""

from __future__ import annotations

import numpy as np

from gameday.promql.evaluator import grid_step, search, windows


def test_grid_search_equals_searchsorted() -> None:
    """Random grids (any start, step, length) and keys before, inside, on and after them."""
    gen = np.random.default_rng(7)
    for _ in range(2000):
        n = int(gen.integers(256, 3000))
        step = int(gen.integers(1, 100_000))
        t0 = int(gen.integers(-(10**12), 10**12))
        t = t0 + np.arange(n, dtype=np.int64) * step
        assert grid_step(t) == step
        keys = np.sort(gen.integers(t0 - 3 * step * n, t0 + 3 * step * n, size=400))
        keys[::5] = np.sort(t[gen.integers(0, n, size=len(keys[::5]))])  # exact hits
        keys = np.sort(keys).astype(np.int64)
        for side in ("left", "right"):
            assert np.array_equal(search(t, keys, side, step), np.searchsorted(t, keys, side))
        rng = int(gen.integers(1, 50 * step))
        lo, hi = windows(t, keys, rng)
        assert np.array_equal(lo, np.searchsorted(t, keys - rng, "left"))
        assert np.array_equal(hi, np.searchsorted(t, keys, "right"))


def test_uneven_or_short_series_use_the_binary_search() -> None:
    t = np.arange(1000, dtype=np.int64) * 15_000
    bumped = t.copy()
    bumped[500] += 1  # one late scrape
    swapped = t.copy()
    swapped[[10, 11]] = swapped[[11, 10]] + np.array([1, -1])  # ends still line up
    assert grid_step(bumped) == 0
    assert grid_step(swapped) == 0
    assert grid_step(t[:100]) == 0  # too short to be worth checking
    assert grid_step(np.zeros(300, dtype=np.int64)) == 0
