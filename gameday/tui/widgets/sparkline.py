"""Sparklines on a fixed scale, and the card widget the dashboard draws them in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.widget import Widget

BARS = "▁▂▃▄▅▆▇█"


def bars(data: Sequence[float], width: int, floor: float = 0.0, ceiling: float = 0.0) -> str:
    """A sparkline on a fixed scale from ``floor`` to at least ``ceiling``: one bar per
    column, each the maximum of its share of the data.

    Textual's sparkline stretches the data between its own minimum and maximum, which
    draws a steady 0.04% error ratio as a wall of full bars; a dashboard needs zero at
    the bottom and a meaningful top.
    """
    if not data or width <= 0:
        return ""
    top = max(ceiling, max(data), floor + 1e-12)
    step = len(data) / width if len(data) > width else 1.0
    cells = []
    for i in range(min(width, len(data))):
        chunk = data[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)]
        ratio = (max(chunk) - floor) / (top - floor)
        cells.append(BARS[min(len(BARS) - 1, max(0, round(ratio * (len(BARS) - 1))))])
    return "".join(cells)


class SparkCard(Widget):
    """A dashboard card: a title, metric names, sparklines and figures out of bounds.

    Textual's type selectors match a widget's base classes too, so the styles below
    apply to every card (:class:`~gameday.tui.widgets.dashboard.ServiceCard` and
    :class:`~gameday.tui.widgets.recorded_card.RecordedCard`).
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"card--title", "card--name", "card--bar", "card--bad"}

    DEFAULT_CSS = """
    SparkCard { height: auto; margin-bottom: 1; }
    SparkCard > .card--title { text-style: bold; color: $accent; }
    SparkCard > .card--name { color: $text-muted; }
    SparkCard > .card--bar { color: $primary; }
    SparkCard > .card--bad { color: $error; text-style: bold; }
    """
