"""An imported incident's dashboard card: a sparkline per recorded metric family.

An imported incident has no simulated services to draw; the card draws what was recorded
instead (see :mod:`gameday.session.recorded_panels`): per row a line with its name, what
the figure is (``rate``, ``max`` or ``targets``) and its latest value, then a sparkline of
the last scrapes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.geometry import Size

from gameday.session.recorded_panels import MAX, RATE, UP, RecordedPanels, RecordedRow
from gameday.tui.widgets.sparkline import SparkCard, bars

LABELS = {RATE: "rate", MAX: "max", UP: "targets"}


def fmt_figure(row: RecordedRow) -> str:
    """The latest figure: a rate per second for a counter, targets up out of those
    reporting for ``up``, a ratio as a percentage, else the value as Go's %g."""
    v = row.current
    if math.isnan(v):
        return "-"
    if row.kind == RATE:
        return f"{v:,.2f}/s" if abs(v) < 100 else f"{v:,.0f}/s"
    if row.kind == UP:
        return f"{v:.0f}/{row.series} up"
    if row.name.endswith("_ratio") or "ratio" in row.name.rsplit(":", 1)[-1]:
        return f"{v:.2%}"  # Prometheus' naming: a ratio is 0-1 (foo_ratio, level:foo:ratio_rate5m)
    return f"{v:.6g}"


def is_bad(row: RecordedRow) -> bool:
    """Whether the latest figure is shown as bad: a target of ``up`` is down."""
    return row.kind == UP and not math.isnan(row.current) and row.current < row.series


class RecordedCard(SparkCard):
    """The recorded families: for each, a title line and a sparkline line."""

    def __init__(self, panels: RecordedPanels, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.panels = panels
        self.rows: list[RecordedRow] = []

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """A heading, two lines per family and a line for families left out."""
        return 1 + 2 * len(self.panels.families) + (1 if self.panels.left_out else 0)

    def show(self, rows: Sequence[RecordedRow]) -> None:
        """Draw ``rows`` (one per family, in the panels' order)."""
        self.rows = list(rows)
        self.refresh()

    def render(self) -> Text:
        """The card as lines of styled text."""
        style = self.get_component_rich_style
        name_style, bar_style = style("card--name"), style("card--bar")
        width = max(0, self.size.width)
        text = Text(no_wrap=True, overflow="crop")
        text.append("recorded", style("card--title"))
        for row in self.rows:
            label = f"{row.name} {LABELS[row.kind]}"
            shown = fmt_figure(row)
            text.append("\n")
            room = max(0, width - len(shown))
            if len(label) > room - 1:  # cut, and say so
                label = label[: max(0, room - 2)] + "…"
            text.append(label.ljust(room), name_style)
            text.append(shown, style("card--bad") if is_bad(row) else "")
            data = [0.0 if math.isnan(v) else v for v in row.values]
            ceiling = float(row.series) if row.kind == UP else 0.0  # all up: a full bar
            text.append("\n")
            text.append(bars(data, width, 0.0, ceiling), bar_style)
        if self.panels.left_out:
            text.append("\n")
            text.append(f"… {self.panels.left_out} more families not shown", name_style)
        return text
