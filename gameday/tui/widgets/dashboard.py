"""The dashboard: per service, sparklines of rate, 5xx ratio, p99, pool use and pods."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size

from gameday.session.recorded_panels import RecordedPanels
from gameday.session.session import Sample
from gameday.tui.widgets.recorded_card import RecordedCard
from gameday.tui.widgets.sparkline import SparkCard, bars

WINDOW = 60  # scrapes shown: 15 minutes at a 15 s scrape interval
MIN_REDRAW = 0.5  # real seconds between dashboard redraws while the clock runs


def fmt_rate(v: float) -> str:
    return f"{v:,.1f}/s"


def fmt_ratio(v: float) -> str:
    return f"{v:.2%}"


def fmt_latency(v: float) -> str:
    return f"{v * 1000:,.0f}ms" if v < 1 else f"{v:,.2f}s"


# (id, label, value from a sample, shown value, bad when)
METRICS: list[
    tuple[str, str, Callable[[Sample], float], Callable[[Sample], str], Callable[[Sample], bool]]
] = [
    ("rps", "req", lambda s: s.rps, lambda s: fmt_rate(s.rps), lambda s: False),
    (
        "err",
        "5xx",
        lambda s: s.error_ratio,
        lambda s: fmt_ratio(s.error_ratio),
        lambda s: s.error_ratio >= 0.01,
    ),
    ("p99", "p99", lambda s: s.p99, lambda s: fmt_latency(s.p99), lambda s: s.p99 >= 1.0),
    (
        "pool",
        "pool",
        lambda s: s.pool_in_use,
        lambda s: f"{s.pool_in_use:.0f}/{s.pool_size}" if s.pool_size else "-",
        lambda s: bool(s.pool_size) and s.pool_in_use >= 0.9 * s.pool_size,
    ),
    (
        "pods",
        "pods",
        lambda s: float(s.ready),
        lambda s: f"{s.ready}/{s.replicas} ready",
        lambda s: s.ready < s.replicas,
    ),
]


# metric id -> (floor, smallest top): 5xx on a 0-5% scale at least, p99 on 0-1 s at least
SCALES = {
    "err": (0.0, 0.05),
    "p99": (0.0, 1.0),
    "rps": (0.0, 0.0),
    "pool": (0.0, 0.0),
    "pods": (0.0, 0.0),
}
NAME_WIDTH = 5  # metric name column
VALUE_WIDTH = 14  # latest value column, right-aligned


class ServiceCard(SparkCard):
    """One service: a title and one line per metric (name, sparkline, latest value).

    One widget draws the whole card: a widget per name, sparkline and value made the
    dashboard a hundred widgets, and redrawing or laying them out cost the UI thread
    more than everything else at 60x.
    """

    def __init__(self, service: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service
        self.window: list[Sample] = []

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """A title line and one line per metric."""
        return 1 + len(METRICS)

    def show(self, samples: Sequence[Sample]) -> None:
        """Draw the last :data:`WINDOW` samples."""
        window = list(samples[-WINDOW:])
        if window:
            self.window = window
            self.refresh()

    def readouts(self) -> dict[str, tuple[str, bool]]:
        """Metric id -> (shown value, bad) for the latest sample."""
        if not self.window:
            return {key: ("-", False) for key, *_ in METRICS}
        last = self.window[-1]
        return {key: (shown(last), bad(last)) for key, _l, _v, shown, bad in METRICS}

    def render(self) -> Text:
        """The card as lines of styled text."""
        style = self.get_component_rich_style
        name_style, bar_style = style("card--name"), style("card--bar")
        bad_style = style("card--bad")
        width = self.size.width
        spark_width = max(0, width - NAME_WIDTH - VALUE_WIDTH)
        values = self.readouts()
        last = self.window[-1] if self.window else None
        text = Text(no_wrap=True, overflow="crop")
        text.append(self.service, style("card--title"))
        for key, label, value, _shown, _bad in METRICS:
            floor, ceiling = SCALES.get(key, (0.0, 0.0))
            if last is not None and key == "pool":
                ceiling = float(last.pool_size)
            elif last is not None and key == "pods":
                ceiling = float(last.replicas)
            line = bars([value(s) for s in self.window], spark_width, floor, ceiling)
            shown, is_bad = values[key]
            text.append("\n")
            text.append(label.ljust(NAME_WIDTH)[:NAME_WIDTH], name_style)
            text.append(line.ljust(spark_width), bar_style)
            text.append(shown.rjust(VALUE_WIDTH)[-VALUE_WIDTH:], bad_style if is_bad else "")
        return text


class Dashboard(VerticalScroll):
    """A card per service, in the scenario's order; for an imported incident, one card of
    what was recorded (``recorded``), drawn at the session's time."""

    def __init__(
        self, services: Sequence[str], recorded: RecordedPanels | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.services = list(services)
        self.cards = {name: ServiceCard(name, id=f"card-{name}") for name in self.services}
        self.recorded = RecordedCard(recorded, id="card-recorded") if recorded else None
        self._seen: dict[str, int] = {}
        self._drawn_at = 0.0
        self._recorded_at: float | None = None

    def compose(self) -> ComposeResult:
        """One card per service, and the recorded card of an imported incident."""
        yield from self.cards.values()
        if self.recorded is not None:
            yield self.recorded

    def refresh_from(
        self, history: dict[str, list[Sample]], force: bool = False, now: float = 0.0
    ) -> None:
        """Redraw the cards whose history grew (the recorded card: when ``now`` moved), at
        most every :data:`MIN_REDRAW` seconds (real time) unless ``force``: at 60x a scrape
        lands four times a second."""
        t = time.monotonic()
        if not force and t - self._drawn_at < MIN_REDRAW:
            return
        self._drawn_at = t
        for name in self.services:
            samples = history.get(name, [])
            if self._seen.get(name) != len(samples):
                self._seen[name] = len(samples)
                self.cards[name].show(samples)
        if self.recorded is not None and self._recorded_at != now:
            self._recorded_at = now
            self.recorded.show(self.recorded.panels.rows(now, WINDOW))
