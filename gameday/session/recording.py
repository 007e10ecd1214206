"""Recorded series replayed into a session's store as sim time passes.

An imported incident has no simulated world: its metrics are the samples a real
Prometheus stored. The session's clock hands each scrape tick to :class:`Replay`, which
appends every recorded sample at or before that time (with its recorded timestamp, so
rules read exactly what the real server read, not samples re-timed to the tick). The
history before the start (negative sim time) is appended at the first tick.

The recording itself (a :class:`~gameday.tsdb.TSDB` in sim milliseconds) is
shared by every session of a scenario and never changed; each session keeps its own
positions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gameday.tsdb import TSDB


class Replay:
    """One session's walk through a recording."""

    def __init__(self, recording: TSDB) -> None:
        self._series = [s for s in recording.all_series() if len(s.t)]
        self._pos = [0] * len(self._series)
        self.labels = [s.labels for s in self._series]

    def append_until(self, tsdb: TSDB, now_ms: int) -> int:
        """Append to ``tsdb`` every recorded sample at or before ``now_ms``; how many."""
        added = 0
        for i, s in enumerate(self._series):
            t = s.t
            start = self._pos[i]
            if start >= len(t) or int(t[start]) > now_ms:
                continue
            end = int(np.searchsorted(t, now_ms, side="right"))
            tsdb.extend(s.labels, t[start:end], s.v[start:end])
            self._pos[i] = end
            added += end - start
        return added

    def latest(self, now_ms: int) -> list[tuple[Any, float, float]]:
        """Each series' last recorded sample at or before ``now_ms``: (labels, t_ms, value)."""
        out = []
        for s in self._series:
            k = int(np.searchsorted(s.t, now_ms, side="right"))
            if k:
                out.append((s.labels, float(s.t[k - 1]), float(s.v[k - 1])))
        return out
