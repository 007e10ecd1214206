"""Sparklines on a fixed scale, for the dashboard's cards."""

from __future__ import annotations

from collections.abc import Sequence

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
