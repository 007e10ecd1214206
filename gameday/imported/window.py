"""Read the recorded window of an incident: the backtest's readers, a chunk at a time.

The window is the incident's ``[from, to]`` plus the history the rules read before it (a
``rate(x[1h])`` at the first evaluation needs the hour before). Which series: every one
a rule selects (minus the rules' own outputs, computed afresh when the incident is
played) and every one a ``--match`` selector selects (for the responders' queries).

- An OpenMetrics file is streamed line by line (:func:`~gameday.openmetrics.
  load_openmetrics`): only samples inside the window are kept, so a month-long file
  costs the time to read it, not the memory to hold it.
- A Prometheus server is read ``chunk`` at a time through its HTTP API
  (:class:`~gameday.backtest.prometheus_api.PrometheusSource`).

Memory holds the window's samples (at most a day plus its history), never the source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gameday.errors import InputError, Problem
from gameday.tsdb import TSDB, Labels, Matcher

ALWAYS = ('{__name__="up"}',)  # scrape health: what a responder checks first


@dataclass(frozen=True)
class Window:
    """What to read: ``[start_ms - history_ms, end_ms]`` of the series ``keep`` keeps."""

    start_ms: int
    end_ms: int
    history_ms: int

    @property
    def first_ms(self) -> int:
        return self.start_ms - self.history_ms


def match_selectors(texts: Sequence[str], option: str = "--match") -> list[list[Matcher]]:
    """The label matchers of each series selector (``up``, ``{job="api"}``...).

    Raises:
        InputError: a text that is not a bare series selector.
    """
    from gameday.promql.errors import PromQLError
    from gameday.promql.evaluator import parse, selector_matchers

    out = []
    for text in texts:
        try:
            node = parse(text)
        except PromQLError as exc:
            raise InputError(Problem(option, message=f"{text!r}: {exc}")) from None
        if getattr(node, "kind", "") != "VectorSelector":
            raise InputError(
                Problem(
                    option,
                    message=f"{text!r} is not a series selector",
                    hint='like http_requests_total{service="orders"} or {job="api"}',
                )
            )
        out.append(selector_matchers(node))
    return out


def series_keep(groups: Sequence[Any], extra: list[list[Matcher]]) -> Callable[[Labels], bool]:
    """Keep what the rules select (but not their own outputs) or an ``extra`` selects."""
    from gameday.backtest.evaluate import series_filter

    by_rules = series_filter(list(groups))

    def matches(labels: Labels) -> bool:
        d = dict(labels)
        return any(all(m.matches(d.get(m.name, "")) for m in ms) for ms in extra)

    produced = {r.name for g in groups for r in g.rules if not r.is_alert}
    produced |= {"ALERTS", "ALERTS_FOR_STATE"}

    def keep(labels: Labels) -> bool:
        if by_rules(labels):
            return True
        name = dict(labels).get("__name__", "")
        return name not in produced and matches(labels)

    return keep


def read_openmetrics(path: str, window: Window, keep: Callable[[Labels], bool]) -> TSDB:
    """The window's samples of the kept series in an OpenMetrics file (streamed)."""
    from gameday.openmetrics import load_openmetrics

    db = TSDB()
    load_openmetrics(path, db, keep, window.first_ms, window.end_ms)
    return db


def read_prometheus(
    source: Any,
    window: Window,
    keep: Callable[[Labels], bool],
    groups: Sequence[Any],
    extra: list[list[Matcher]],
) -> TSDB:
    """The window's raw samples from a Prometheus server, ``source.chunk_ms`` at a time."""
    from gameday.backtest.evaluate import selectors

    db = TSDB()
    wanted = selectors(list(groups)) + extra
    source.load(db, keep, window.first_ms, window.end_ms, wanted)
    return db


def check_recorded(db: TSDB, window: Window, where: str) -> tuple[int, int]:
    """(series, samples) in ``db``; an InputError when the window holds nothing to play.

    A window with no sample at or after its start cannot be replayed: the rules would see
    nothing happen.
    """
    series = [s for s in db.all_series() if len(s.t)]
    samples = sum(len(s.t) for s in series)
    inside = sum(int((s.t >= window.start_ms).sum()) for s in series)
    if not series or not inside:
        from gameday.timeparse import rfc3339

        raise InputError(
            Problem(
                where,
                message=f"no samples between {rfc3339(window.start_ms)} and "
                f"{rfc3339(window.end_ms)} of any series the rules or --match select",
                hint="check --from/--to (UTC) and that the rules' metric names are recorded",
            )
        )
    return len(series), samples


def typical_interval_s(db: TSDB) -> float:
    """The median spacing of samples (the scrape interval), whole seconds in [1, 3600]."""
    import numpy as np

    gaps = [np.diff(s.t) for s in db.all_series() if len(s.t) > 1]
    if not gaps:
        return 15.0
    median = float(np.median(np.concatenate(gaps))) / 1000.0
    return float(min(3600, max(1, round(median))))
