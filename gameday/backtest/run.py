"""Backtests: load the recorded samples, evaluate the rules, route and page.

Data comes either all at once (an OpenMetrics file is parsed once) or a span at a time
(a Prometheus server): then each span's raw samples are fetched, every run's TSDB keeps
only the history its rules read before the span (raw and recorded series alike), the
span is evaluated, and the next one is fetched, so memory holds a span plus the longest
range the rules read, not the window. Several runs (``--compare``'s A and B) advance in
lockstep over the same fetched data.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gameday.backtest.evaluate import (
    CHUNK_MS,
    AlertEpisode,
    RuleRun,
    needed_history_ms,
    series_filter,
)
from gameday.backtest.notify import run_pipeline
from gameday.rules.groupeval import GroupRunner
from gameday.rules.model import RuleGroup
from gameday.tsdb import TSDB, Labels

# load(db, keep, from_ms, to_ms) -> (series, samples) stores the recorded samples in range
Loader = Callable[[TSDB, Callable[[Labels], bool], int, int], tuple[int, int]]


@dataclass
class Side:
    """One configuration to backtest: rule groups, and optionally routing and on-call."""

    groups: list[RuleGroup]
    alertmanager: Any | None = None
    oncall: Any | None = None


@dataclass
class BacktestResult:
    """What the rules, Alertmanager and the pager did over ``[start_ms, end_ms]``."""

    start_ms: int
    end_ms: int
    groups: list[RuleGroup]
    episodes: list[AlertEpisode]
    errors: dict[str, tuple[int, str]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)
    series: int = 0
    samples: int = 0
    evaluations: int = 0
    routed: bool = False
    paged: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def with_intervals(groups: list[RuleGroup], default_interval_s: float) -> list[RuleGroup]:
    """Copies of ``groups`` whose interval is set (the global default where omitted)."""
    out = []
    for g in groups:
        g2 = copy.copy(g)
        g2.interval_s = g.effective_interval_s(default_interval_s)
        out.append(g2)
    return out


def carry(db: TSDB, since_ms: int, into: TSDB | None = None) -> TSDB:
    """A TSDB with the samples of ``db`` at or after ``since_ms`` (added to ``into``)."""
    out = into if into is not None else TSDB()
    for s in db.all_series():
        t = s.t
        i = int(np.searchsorted(t, since_ms, side="left"))
        if i < len(t):
            out.extend(s.labels, t[i:], s.v[i:])
    return out


def _extent(db: TSDB) -> tuple[int, int]:
    """The first and last sample time in ``db`` (0, 0 when empty)."""
    firsts = [int(s.t[0]) for s in db.all_series() if len(s.t)]
    lasts = [int(s.t[-1]) for s in db.all_series() if len(s.t)]
    return (min(firsts), max(lasts)) if firsts else (0, 0)


def run_backtests(
    sides: list[Side],
    load: Loader,
    start_ms: int | None,
    end_ms: int | None,
    fetch_chunk_ms: int | None = None,
    ack_after_s: float | None = 240.0,
    subquery_step_ms: int = 60_000,
    external_labels: dict[str, str] | None = None,
    external_url: str = "",
    progress: Callable[[int, int], None] | None = None,
    window: Callable[[int, int], tuple[int, int]] | None = None,
    stagger: bool = False,
) -> list[BacktestResult]:
    """Backtest each side over the same recorded data; one result per side.

    Args:
        load: stores the recorded samples of a time range the rules need.
        start_ms, end_ms: the window; None (only when loading at once) takes the data's
            first or last sample, and ``window(first, last)`` says the window to use
            (it may refuse it by raising).
        fetch_chunk_ms: None loads the whole window at once; otherwise the data is
            loaded and evaluated this much time at a time.
        progress: hears (milliseconds of the window done, milliseconds in all).
        stagger: evaluate each group at the offset a Prometheus server gives it.
    """
    clock = time.perf_counter()
    every = [g for side in sides for g in side.groups]
    keep = series_filter(every)
    history = needed_history_ms(every)
    opts = {"subquery_step_ms": subquery_step_ms}
    runs = []
    for side in sides:
        db = TSDB()
        runners = [GroupRunner(g, db, external_labels, external_url, opts) for g in side.groups]
        runs.append(RuleRun(side.groups, runners, stagger))
    seen: set[Labels] = set()
    samples = 0
    if fetch_chunk_ms is None:
        base = TSDB()
        lo = start_ms - history if start_ms is not None else -(2**62)
        _, samples = load(base, keep, lo, end_ms if end_ms is not None else 2**62)
        seen = {s.labels for s in base.all_series()}
        if start_ms is None or end_ms is None:
            first, last = _extent(base)
            start_ms = first if start_ms is None else start_ms
            end_ms = last if end_ms is None else end_ms
            if window is not None:
                start_ms, end_ms = window(start_ms, end_ms)
        for i, run in enumerate(runs):
            run.use(base if i == 0 else carry(base, start_ms - history))
        span = CHUNK_MS
    else:
        span = fetch_chunk_ms
    assert start_ms is not None and end_ms is not None, "a window is needed to fetch by span"
    loaded_to = start_ms - history - 1
    c0 = start_ms
    while c0 <= end_ms:
        c1 = min(end_ms, c0 + span - 1)
        if fetch_chunk_ms is not None:
            scratch = TSDB()
            samples += load(scratch, keep, loaded_to + 1, c1)[1]
            loaded_to = c1
            seen.update(s.labels for s in scratch.all_series())
            for run in runs:
                fresh = carry(run.runners[0].db, c0 - history) if run.runners else TSDB()
                run.use(carry(scratch, -(2**62), into=fresh))
        for run in runs:
            run.advance(c0, c1)
        if progress is not None:
            progress(c1 - start_ms, end_ms - start_ms)
        c0 = c1 + 1
    rules_s = time.perf_counter() - clock
    results = []
    for side, run in zip(sides, runs, strict=True):
        result = BacktestResult(
            start_ms, end_ms, side.groups, run.ev.episodes, errors=run.ev.errors
        )
        result.evaluations = run.ev.steps
        result.series, result.samples = len(seen), samples
        result.seconds["rules"] = rules_s
        if side.alertmanager is not None:
            clock = time.perf_counter()
            result.notifications, result.pages = run_pipeline(
                run.ev.episodes, side.alertmanager, side.oncall, start_ms, end_ms, ack_after_s
            )
            result.routed, result.paged = True, side.oncall is not None
            result.seconds["alertmanager"] = time.perf_counter() - clock
        results.append(result)
    return results
