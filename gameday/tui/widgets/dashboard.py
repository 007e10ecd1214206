"""The dashboard: per service, sparklines of rate, 5xx ratio, p99, pool use and pods."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label, Sparkline

from gameday.engine.session import Sample

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


BARS = "▁▂▃▄▅▆▇█"


class ScaledSparkline(Sparkline):
    """A sparkline on a fixed scale from ``floor`` to at least ``ceiling``.

    Textual's sparkline stretches the data between its own minimum and maximum, which
    draws a steady 0.04% error ratio as a wall of full bars; a dashboard needs zero at
    the bottom and a meaningful top.
    """

    def __init__(self, floor: float = 0.0, ceiling: float = 0.0, **kwargs: Any) -> None:
        super().__init__([], **kwargs)
        self.floor = floor
        self.ceiling = ceiling

    def render(self) -> Text:
        """Bars, one per column, each the maximum of its share of the data."""
        data = list(self.data or [])
        width = self.size.width
        if not data or width <= 0:
            return Text("")
        top = max(self.ceiling, max(data), self.floor + 1e-12)
        step = len(data) / width if len(data) > width else 1.0
        cells = []
        for i in range(min(width, len(data))):
            chunk = data[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)]
            ratio = (max(chunk) - self.floor) / (top - self.floor)
            cells.append(BARS[min(len(BARS) - 1, max(0, round(ratio * (len(BARS) - 1))))])
        _, base = self.background_colors
        color = base + self.get_component_styles("sparkline--max-color").color
        return Text("".join(cells), style=Style(color=color.rich_color))


class Readout(Widget):
    """A metric's latest value; a change redraws it without a relayout."""

    DEFAULT_CSS = """
    Readout { width: 14; height: 1; text-align: right; }
    Readout.bad { color: $error; text-style: bold; }
    """

    text: reactive[str] = reactive("-")

    def render(self) -> str:
        """The value as text."""
        return self.text


# metric id -> (floor, smallest top): 5xx on a 0-5% scale at least, p99 on 0-1 s at least
SCALES = {
    "err": (0.0, 0.05),
    "p99": (0.0, 1.0),
    "rps": (0.0, 0.0),
    "pool": (0.0, 0.0),
    "pods": (0.0, 0.0),
}


class ServiceCard(Vertical):
    """One service: a title and one sparkline row per metric."""

    DEFAULT_CSS = """
    ServiceCard { height: auto; margin-bottom: 1; }
    ServiceCard .card-title { text-style: bold; color: $accent; }
    ServiceCard Horizontal { height: 1; }
    ServiceCard .metric-name { width: 5; color: $text-muted; }
    ServiceCard Sparkline { width: 1fr; }
    """

    def __init__(self, service: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service
        self.rows: dict[str, tuple[ScaledSparkline, Readout]] = {}

    def compose(self) -> ComposeResult:
        """A title and the metric rows."""
        yield Label(self.service, classes="card-title")
        for key, label, *_ in METRICS:
            spark = ScaledSparkline(*SCALES.get(key, (0.0, 0.0)), id=f"{key}-spark")
            readout = Readout(id=f"{key}-value")
            self.rows[key] = (spark, readout)
            with Horizontal():
                yield Label(label, classes="metric-name")
                yield spark
                yield readout

    def show(self, samples: Sequence[Sample]) -> None:
        """Draw the last :data:`WINDOW` samples."""
        window = list(samples[-WINDOW:])
        if not window:
            return
        last = window[-1]
        for key, _label, value, shown, bad in METRICS:
            spark, readout = self.rows[key]
            if key == "pool":
                spark.ceiling = float(last.pool_size)
            elif key == "pods":
                spark.ceiling = float(last.replicas)
            spark.data = [value(s) for s in window]
            readout.text = shown(last)
            readout.set_class(bad(last), "bad")


class Dashboard(VerticalScroll):
    """A card per service, in the scenario's order."""

    def __init__(self, services: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = list(services)
        self.cards = {name: ServiceCard(name, id=f"card-{name}") for name in self.services}
        self._seen: dict[str, int] = {}
        self._drawn_at = 0.0

    def compose(self) -> ComposeResult:
        """One card per service."""
        yield from self.cards.values()

    def refresh_from(self, history: dict[str, list[Sample]], force: bool = False) -> None:
        """Redraw the cards whose history grew, at most every :data:`MIN_REDRAW` seconds
        (real time) unless ``force``: at 60x a scrape lands four times a second."""
        now = time.monotonic()
        if not force and now - self._drawn_at < MIN_REDRAW:
            return
        self._drawn_at = now
        for name in self.services:
            samples = history.get(name, [])
            if self._seen.get(name) != len(samples):
                self._seen[name] = len(samples)
                self.cards[name].show(samples)
