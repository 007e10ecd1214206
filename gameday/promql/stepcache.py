"""Work that the expressions of one batch share when they run over the same steps.

A rule test or a backtest span evaluates every rule over one array of steps. Many of its
range selectors read series sampled at the same times (every input series of a rule
test lies on one grid) over the same ranges, and many read the same series over several
ranges (a multi-window burn-rate alert reads each counter over four). What depends only
on the sample times, the steps and the range — the window bounds and the time part of
``rate()`` (:class:`~gameday.promql.rangefuncs.RateFrame`) — is worked out once per
(times, reference times, range), and a series' counter resets once per series.

A cache belongs to one array of steps and one store, and lives as long as the batch:
the stored series it was built from only grow, and what it holds about a series is tied
to the number of samples the series had.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gameday.promql import rangefuncs as rf
from gameday.tsdb import StoredSeries

_MIN_STEPS = 64  # below this, working a frame out again costs less than finding it


class StepCache:
    """Shared window work for the expressions evaluated over ``steps``."""

    def __init__(self, steps: np.ndarray) -> None:
        self.steps = steps
        self._refs: dict[tuple[Any, ...], np.ndarray] = {}
        self._frames: dict[tuple[Any, ...], rf.RateFrame] = {}
        self._resets: dict[tuple[int, int], rf.ResetIndex] = {}
        self._times: dict[tuple[int, int], tuple[Any, ...]] = {}
        self._held: list[Any] = []  # keeps every object whose id() is part of a key alive

    def refs(self, key: tuple[Any, ...], make: Any) -> np.ndarray:
        """The reference times for ``key`` (offset and ``@``), made once by ``make()``."""
        got = self._refs.get(key)
        if got is None:
            got = self._refs[key] = make()
        return got

    def _times_key(self, source: StoredSeries, t: np.ndarray) -> tuple[Any, ...]:
        """Equal for two series exactly when their sample times are equal, as far as it can
        tell cheaply: a grid's start, step and length, else the series itself."""
        from gameday.promql.evaluator import grid_step

        skey = (id(source), len(t))
        got = self._times.get(skey)
        if got is None:
            step = grid_step(t)
            got = ("grid", int(t[0]), step, len(t)) if step else ("series", *skey)
            self._times[skey] = got
            self._held.append(source)
        return got

    def frame(
        self, source: StoredSeries | None, t: np.ndarray, refs: np.ndarray, rng: int
    ) -> rf.RateFrame:
        """The windows of ``t`` over ``[ref - rng, ref]`` and the time part of ``rate()``."""
        from gameday.promql.evaluator import windows

        if source is None or len(refs) < _MIN_STEPS:
            return rf.RateFrame(t, *windows(t, refs, rng), refs, rng)
        key = (self._times_key(source, t), id(refs), rng)
        got = self._frames.get(key)
        if got is None:
            got = self._frames[key] = rf.RateFrame(t, *windows(t, refs, rng), refs, rng)
            self._held.append(refs)
        return got

    def resets(self, source: StoredSeries | None, v: np.ndarray) -> rf.ResetIndex:
        """Where the counter ``v`` (all of ``source``'s samples) resets."""
        if source is None:
            return rf.ResetIndex(v)
        key = (id(source), len(v))
        got = self._resets.get(key)
        if got is None:
            got = self._resets[key] = rf.ResetIndex(v)
            self._held.append(source)
        return got
