"""One backtest: load the recorded samples, evaluate the rules, route and page."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gameday.backtest.evaluate import (
    AlertEpisode,
    evaluate,
    needed_history_ms,
    series_filter,
)
from gameday.backtest.notify import run_pipeline
from gameday.engine.tsdb import TSDB, Labels
from gameday.rules.groupeval import GroupRunner
from gameday.rules.model import RuleGroup

# load(db, keep, from_ms, to_ms) -> (series, samples) stores what the rules need
Loader = Callable[[TSDB, Callable[[Labels], bool], int, int], tuple[int, int]]


@dataclass
class BacktestResult:
    """What the rules, Alertmanager and the pager did over ``[start_ms, end_ms]``."""

    start_ms: int
    end_ms: int
    groups: list[RuleGroup]
    episodes: list[AlertEpisode]
    notifications: list[dict[str, Any]] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, tuple[int, str]] = field(default_factory=dict)
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


def load_for(
    groups: list[RuleGroup], load: Loader, start_ms: int, end_ms: int
) -> tuple[TSDB, int, int]:
    """A TSDB holding the samples the rules read for evaluations in the window."""
    db = TSDB()
    series, samples = load(db, series_filter(groups), start_ms - needed_history_ms(groups), end_ms)
    return db, series, samples


def backtest(
    groups: list[RuleGroup],
    db: TSDB,
    start_ms: int,
    end_ms: int,
    alertmanager: Any | None = None,
    oncall: Any | None = None,
    ack_after_s: float | None = 240.0,
    external_labels: dict[str, str] | None = None,
    external_url: str = "",
    progress: Callable[[int], None] | None = None,
) -> BacktestResult:
    """Evaluate ``groups`` over ``db`` and, where given, route and page.

    ``db`` is written to (recording rules), so each run needs its own.
    """
    clock = time.perf_counter()
    opts = {"subquery_step_ms": 60_000}
    runners = [GroupRunner(g, db, external_labels, external_url, opts) for g in groups]
    ev = evaluate(groups, runners, start_ms, end_ms, progress=progress)
    result = BacktestResult(start_ms, end_ms, groups, ev.episodes, errors=ev.errors)
    result.evaluations = ev.steps
    result.seconds["rules"] = time.perf_counter() - clock
    if alertmanager is not None:
        clock = time.perf_counter()
        result.notifications, result.pages = run_pipeline(
            ev.episodes, alertmanager, oncall, start_ms, end_ms, ack_after_s
        )
        result.routed, result.paged = True, oncall is not None
        result.seconds["alertmanager"] = time.perf_counter() - clock
    return result
