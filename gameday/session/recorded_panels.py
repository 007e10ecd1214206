"""The figures an imported incident's dashboard draws: what was recorded, family by family.

An imported incident has no simulated services, so the per-service figures of
:attr:`Session.history <gameday.session.session.Session.history>` stay empty. What it
does have is the recording, and the team's recording rules evaluated on it.
:class:`RecordedPanels` picks up to :data:`MAX_ROWS` rows: the recording rules' outputs
(in the rule files' order: the figures the team built its alerts and dashboards on, read
from the session's own store), then the recorded families the rules select, then the
other recorded families (each group by name), and gives, at any sim time, one line of
figures per row over the last scrapes:

* a recording rule's output as the maximum over its series (the worst service);
* ``up`` as how many of its targets are up (the sum), out of how many report;
* a counter as ``sum(irate(x[R]))`` with R four scrape intervals (``1m`` at 15 s): per
  series the increase between its last two samples per second, a drop being a counter
  reset (the increase is then the new value), summed over the family;
* anything else as the maximum over the family's series.

What is a counter: what the recording declares (its ``# TYPE`` lines, kept from the
source: a counter's total, a histogram's or summary's count and sum), so a gauge named
``..._total`` is a gauge and a counter without the suffix is a counter; where nothing is
declared (or ``unknown``), the name: ``_total``, ``_count`` or ``_sum``, as OpenMetrics
names them.

A series' value at a scrape time is its last recorded sample at or before it, within
Prometheus' 5 minute lookback, and not a staleness marker. Nothing after ``now`` is read,
so the dashboard never shows the future. Histogram buckets (``_bucket``, as declared,
else by name) and ``_created`` timestamps are left out: the ``_count`` family stands for
a histogram.

The engine gives figures; the TUI draws them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gameday.metrictypes import GAUGEHISTOGRAM, HISTOGRAM, UNKNOWN, counts_up, family_of
from gameday.tsdb import TSDB, Matcher, StoredSeries, stale_mask

MAX_ROWS = 8
LOOKBACK_MS = 300_000  # Prometheus' default query.lookback-delta
COUNTER_SUFFIXES = ("_total", "_count", "_sum")
LEFT_OUT_SUFFIXES = ("_bucket", "_created")


RATE, MAX, UP = "rate", "max", "up"  # what a row's figures are


@dataclass(frozen=True)
class RecordedRow:
    """One family's figures over the window, oldest first (NaN: nothing recorded then)."""

    name: str
    kind: str  # RATE: summed per-second rate; MAX: max over series; UP: targets up
    series: int  # how many series report at the latest scrape time
    values: tuple[float, ...]

    @property
    def current(self) -> float:
        """The figure at the latest scrape time (NaN when nothing was recorded)."""
        return self.values[-1] if self.values else math.nan


def is_counter(name: str, types: Mapping[str, str] | None = None) -> bool:
    """Whether a family's samples only go up: as ``types`` declares (see
    :func:`gameday.metrictypes.counts_up`), else by its name (OpenMetrics' suffixes)."""
    declared = counts_up(name, types) if types else None
    return name.endswith(COUNTER_SUFFIXES) if declared is None else declared


def is_left_out(name: str, types: Mapping[str, str] | None = None) -> bool:
    """Whether a family is not drawn: a ``_created`` timestamp (whatever its type: the
    0.0.4 format declares a counter's ``foo_created`` a gauge of its own), and a
    histogram's buckets, as ``types`` declares, else by name."""
    if name.endswith("_created"):
        return True
    found = family_of(name, types) if types else None
    if found is None or found[1] == UNKNOWN:
        return name.endswith(LEFT_OUT_SUFFIXES)
    return found[2] == "_bucket" and found[1] in (HISTOGRAM, GAUGEHISTOGRAM)


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

    def __init__(
        self,
        recording: TSDB,
        rule_groups: Sequence[Any],
        step_s: float,
        computed: TSDB | None = None,
    ) -> None:
        """``computed``: the session's store, where the recording is replayed and the
        recording rules write (read at :meth:`rows`, under the session's lock); without
        it, the recording itself and no rule outputs."""
        by_name: dict[str, list[StoredSeries]] = {}
        for s in recording.all_series():
            name = dict(s.labels).get("__name__", "")
            if name and len(s.t) and not is_left_out(name, recording.types):
                by_name.setdefault(name, []).append(s)
        rules = [rule for group in rule_groups for rule in group.rules]
        self._computed = computed
        records = [] if computed is None else [r.name for r in rules if r.kind == "record"]
        self.records = [n for i, n in enumerate(records) if n not in records[:i] + list(by_name)]
        chosen = selected_by(by_name, [str(rule.expr) for rule in rules])
        order = self.records + sorted(chosen) + sorted(set(by_name) - chosen)
        self.families = order[:MAX_ROWS]
        self.left_out = len(order) - len(self.families)
        self._series = {name: by_name[name] for name in self.families if name in by_name}
        self._counters = {name for name in self._series if is_counter(name, recording.types)}
        self.step_ms = max(1, int(round(step_s * 1000)))

    def rows(self, now_s: float, window: int) -> list[RecordedRow]:
        """Each family's figures at the ``window`` scrape times ending at ``now_s``."""
        now_ms = int(round(now_s * 1000))
        # one scrape time more than the window: a counter's first rate needs the one before
        steps = now_ms - self.step_ms * np.arange(window, -1, -1, dtype=np.int64)
        out = []
        for name in self.families:
            series = self._stored(name)
            if name in self._counters:
                kind, (values, reporting) = RATE, _rates(series, steps, now_ms)
            else:
                kind = UP if name == "up" and name in self._series else MAX
                stacked = _stack(series, steps, now_ms)
                values = _sums(stacked) if kind == UP else _maxima(stacked)
                reporting = int((~np.isnan(stacked[:, -1])).sum()) if len(stacked) else 0
            out.append(RecordedRow(name, kind, reporting, tuple(values.tolist())))
        return out

    def _stored(self, name: str) -> list[StoredSeries]:
        """The family's series: from the session's store when given (exactly what the
        session has replayed and its rules have written), else from the recording."""
        if self._computed is None:
            return self._series.get(name, [])
        return self._computed.select([Matcher("__name__", "=", name)])


def _window(s: StoredSeries, since_ms: int, now_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """The series' samples from ``since_ms`` to ``now_ms``, both included (views)."""
    t = s.t
    lo = int(np.searchsorted(t, since_ms, side="left"))
    hi = int(np.searchsorted(t, now_ms, side="right"))
    return t[lo:hi], s.v[lo:hi]


def _at(s: StoredSeries, steps: np.ndarray, now_ms: int) -> np.ndarray:
    """The series' value at each step (NaN where none is in the lookback or it is stale)."""
    t, v = _window(s, int(steps[0]) - LOOKBACK_MS, now_ms)
    k = np.searchsorted(t, steps, side="right") - 1
    out = np.full(len(steps), np.nan)
    ok = k >= 0
    idx = k[ok]
    fresh = steps[ok] - t[idx] <= LOOKBACK_MS
    vals = np.where(fresh & ~stale_mask(v[idx]), v[idx], np.nan)
    out[ok] = vals
    return out


def _stack(series: Sequence[StoredSeries], steps: np.ndarray, now_ms: int) -> np.ndarray:
    """Each series' values at each step but the first, a row per series."""
    if not series:
        return np.empty((0, len(steps) - 1))
    return np.vstack([_at(s, steps, now_ms)[1:] for s in series])


def _maxima(stacked: np.ndarray) -> np.ndarray:
    """The maximum over the series present at each step (NaN: none)."""
    present = ~np.isnan(stacked)
    best = np.max(np.where(present, stacked, -np.inf), axis=0, initial=-np.inf)
    return np.where(present.any(axis=0), best, np.nan)


def _sums(stacked: np.ndarray) -> np.ndarray:
    """The sum over the series present at each step (NaN: none)."""
    present = ~np.isnan(stacked)
    total = np.sum(np.where(present, stacked, 0.0), axis=0)
    return np.where(present.any(axis=0), total, np.nan)


def _rates(
    series: Sequence[StoredSeries], steps: np.ndarray, now_ms: int
) -> tuple[np.ndarray, int]:
    """``sum(irate(x[R]))`` at each step but the first, R four steps: each series' last two
    samples in the range, their increase (a drop is a reset: the new value) per second;
    and how many series have a fresh value at ``now_ms``."""
    span = 4 * int(steps[1] - steps[0])
    at = steps[1:]
    total = np.zeros(len(at))
    present = np.zeros(len(at), dtype=bool)
    reporting = 0
    for s in series:
        t, v = _window(s, min(int(at[0]) - span, now_ms - LOOKBACK_MS), now_ms)
        if len(t) and now_ms - int(t[-1]) <= LOOKBACK_MS and not stale_mask(v[-1:])[0]:
            reporting += 1
        keep = ~stale_mask(v)  # a range selection leaves staleness markers out
        t, v = t[keep], v[keep]
        k = np.searchsorted(t, at, side="right") - 1
        ok = (k >= 1) & (at - t[np.maximum(k - 1, 0)] <= span) if len(t) else k >= 1
        if not ok.any():
            continue
        last, prev = k[ok], k[ok] - 1
        delta = np.where(v[last] >= v[prev], v[last] - v[prev], v[last])
        total[ok] += delta / ((t[last] - t[prev]) / 1000.0)
        present |= ok
    return np.where(present, total, np.nan), reporting
