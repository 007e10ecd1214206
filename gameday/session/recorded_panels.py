"""The figures an imported incident's dashboard draws: what was recorded, family by family.

An imported incident has no simulated services, so the per-service figures of
:attr:`Session.history <gameday.session.session.Session.history>` stay empty. What it
does have is the recording. :class:`RecordedPanels` picks up to :data:`MAX_ROWS` metric
families (those the team's rules select first, then the others, each group by name) and
gives, at any sim time, one line of figures per family over the last scrapes:

* a counter (a name ending in ``_total``, ``_count`` or ``_sum``, as OpenMetrics names
  them) as the per-second increase between consecutive scrape times, summed over the
  family's series; a drop is a counter reset, so the increase is the new value, as
  Prometheus' ``rate`` corrects it;
* anything else as the maximum over the family's series.

A series' value at a scrape time is its last recorded sample at or before it, within
Prometheus' 5 minute lookback, and not a staleness marker. Nothing after ``now`` is read,
so the dashboard never shows the future. Histogram buckets (``_bucket``) and
``_created`` series are left out: the ``_count`` family stands for a histogram.

The engine gives figures; the TUI draws them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gameday.tsdb import TSDB, StoredSeries, stale_mask

MAX_ROWS = 8
LOOKBACK_MS = 300_000  # Prometheus' default query.lookback-delta
COUNTER_SUFFIXES = ("_total", "_count", "_sum")
LEFT_OUT_SUFFIXES = ("_bucket", "_created")


@dataclass(frozen=True)
class RecordedRow:
    """One family's figures over the window, oldest first (NaN: nothing recorded then)."""

    name: str
    counter: bool  # values are a summed per-second rate; otherwise the max over series
    series: int  # how many recorded series the family has
    values: tuple[float, ...]

    @property
    def current(self) -> float:
        """The figure at the latest scrape time (NaN when nothing was recorded)."""
        return self.values[-1] if self.values else math.nan


def is_counter(name: str) -> bool:
    """Whether a family reads as a counter by its name (OpenMetrics' suffixes)."""
    return name.endswith(COUNTER_SUFFIXES)


def selected_by(names: Iterable[str], exprs: Sequence[str]) -> set[str]:
    """The names that appear as a metric name in any of ``exprs``."""
    found = set()
    for name in names:
        token = re.compile(rf"(?<![\w:]){re.escape(name)}(?![\w:])")
        if any(token.search(expr) for expr in exprs):
            found.add(name)
    return found


class RecordedPanels:
    """The families an imported incident's dashboard shows, and their figures at a time."""

    def __init__(self, recording: TSDB, rule_groups: Sequence[Any], step_s: float) -> None:
        by_name: dict[str, list[StoredSeries]] = {}
        for s in recording.all_series():
            name = dict(s.labels).get("__name__", "")
            if name and len(s.t) and not name.endswith(LEFT_OUT_SUFFIXES):
                by_name.setdefault(name, []).append(s)
        exprs = [str(rule.expr) for group in rule_groups for rule in group.rules]
        chosen = selected_by(by_name, exprs)
        order = sorted(chosen) + sorted(set(by_name) - chosen)
        self.families = order[:MAX_ROWS]
        self.left_out = len(order) - len(self.families)
        self._series = {name: by_name[name] for name in self.families}
        self.step_ms = max(1, int(round(step_s * 1000)))

    def rows(self, now_s: float, window: int) -> list[RecordedRow]:
        """Each family's figures at the ``window`` scrape times ending at ``now_s``."""
        now_ms = int(round(now_s * 1000))
        # one scrape time more than the window: a counter's first rate needs the one before
        steps = now_ms - self.step_ms * np.arange(window, -1, -1, dtype=np.int64)
        out = []
        for name in self.families:
            series = self._series[name]
            counter = is_counter(name)
            values = _rates(series, steps, now_ms) if counter else _maxima(series, steps, now_ms)
            out.append(RecordedRow(name, counter, len(series), tuple(values.tolist())))
        return out


def _at(s: StoredSeries, steps: np.ndarray, now_ms: int) -> np.ndarray:
    """The series' value at each step (NaN where none is in the lookback or it is stale)."""
    t, v = s.t, s.v
    end = int(np.searchsorted(t, now_ms, side="right"))
    t, v = t[:end], v[:end]
    k = np.searchsorted(t, steps, side="right") - 1
    out = np.full(len(steps), np.nan)
    ok = k >= 0
    idx = k[ok]
    fresh = steps[ok] - t[idx] <= LOOKBACK_MS
    vals = np.where(fresh & ~stale_mask(v[idx]), v[idx], np.nan)
    out[ok] = vals
    return out


def _maxima(series: Sequence[StoredSeries], steps: np.ndarray, now_ms: int) -> np.ndarray:
    """The maximum over the series at each step but the first."""
    stacked = np.vstack([_at(s, steps, now_ms)[1:] for s in series])
    present = ~np.isnan(stacked)
    best = np.max(np.where(present, stacked, -np.inf), axis=0)
    return np.where(present.any(axis=0), best, np.nan)


def _rates(series: Sequence[StoredSeries], steps: np.ndarray, now_ms: int) -> np.ndarray:
    """The summed per-second increase between consecutive steps (resets corrected)."""
    seconds = float(steps[1] - steps[0]) / 1000.0 if len(steps) > 1 else 1.0
    total = np.zeros(len(steps) - 1)
    present = np.zeros(len(steps) - 1, dtype=bool)
    for s in series:
        at = _at(s, steps, now_ms)
        before, after = at[:-1], at[1:]
        both = ~np.isnan(before) & ~np.isnan(after)
        delta = np.where(after >= before, after - before, after)  # a drop: a reset
        total += np.where(both, delta, 0.0)
        present |= both
    return np.where(present, total / seconds, np.nan)
