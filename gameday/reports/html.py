"""``report.html``: one self-contained page with the scorecard, the timeline and charts.

The charts are plotly figures of the entry service's request rate, 5xx ratio, p99
latency and pool usage, with vertical markers where alerts fired, pages went out and
responders acted. plotly.js is embedded inline so the file opens offline; the figure's
div id is fixed so that the same result renders to the same bytes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup, escape

from gameday.reports.exercise import inject_rows
from gameday.reports.postmortem import summary_text
from gameday.scoring.evidence import fmt_t
from gameday.textsafe import visible_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

_TEMPLATES = Path(__file__).parent / "templates"
_MARKERS = {  # category -> (colour, dash, which timeline kinds)
    "fault": ("#6a3d9a", "longdash", ("fault.start", "fault.end")),
    "alert": ("#d62728", "dot", ("alert.firing",)),
    "page": ("#ff7f0e", "dash", ("page.notified", "page.escalated", "page.acknowledged")),
    "action": ("#2ca02c", "solid", ("action",)),
}


_BACKTICKED = re.compile(r"`([^`]+)`")


def _code_spans(text: object) -> Markup:
    """Escape ``text`` and show its `backticked` commands as <code>."""
    return Markup(_BACKTICKED.sub(r"<code>\1</code>", str(escape(str(text)))))


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["code"] = _code_spans
    env.filters["sim_time"] = fmt_t
    return env


def figure(result: dict[str, Any]) -> go.Figure:
    """The metrics figure with event markers (x axis: minutes since the start)."""
    import plotly.graph_objects as go  # plotly is slow to import; only the HTML needs it
    from plotly.subplots import make_subplots

    points = list(result["metrics"]["points"])
    # The sample at t=0 precedes the first scrape (every value 0); plotting it draws a
    # ramp from zero (req/s, pool size) that never happened.
    while len(points) > 1 and not any(v for k, v in points[0].items() if k != "t"):
        points.pop(0)
    slo = result["metrics"].get("slo", result["scenario"].get("slo", 0.999))
    x = [round(p["t"] / 60.0, 4) for p in points]
    fig = make_subplots(
        rows=4,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.075,
        subplot_titles=(
            "Requests per second",
            "5xx ratio (%)",
            "p99 latency (ms)",
            "Pool connections",
        ),
    )
    fig.add_trace(
        go.Scatter(x=x, y=[p["rps"] for p in points], name="req/s", mode="lines"), row=1, col=1
    )
    fig.add_trace(
        go.Scatter(
            x=x, y=[round(100 * p["error_ratio"], 4) for p in points], name="5xx %", mode="lines"
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[round(100 * (1 - slo), 4)] * len(x),
            name="SLO budget",
            mode="lines",
            line={"dash": "dash", "color": "#7f7f7f"},
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=x, y=[round(1000 * p["p99"], 2) for p in points], name="p99 ms", mode="lines"),
        row=3,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=x, y=[p["pool_in_use"] for p in points], name="in use", mode="lines"),
        row=4,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[p["pool_size"] for p in points],
            name="pool size",
            mode="lines",
            line={"dash": "dash"},
        ),
        row=4,
        col=1,
    )
    top = max((p["rps"] for p in points), default=1.0) * 1.25
    shapes = []
    for row, (category, (colour, dash, kinds)) in enumerate(_MARKERS.items()):
        marks = [e for e in result["timeline"] if e["kind"] in kinds]
        if not marks:
            continue
        xs = [round(e["t"] / 60.0, 4) for e in marks]
        shapes += [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x0,
                "x1": x0,
                "y0": 0,
                "y1": 1,
                "opacity": 0.5,
                "line": {"color": colour, "width": 1, "dash": dash},
            }
            for x0 in xs
        ]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[round(top * (1 - 0.05 * row), 4)] * len(marks),  # a row per category
                mode="markers",
                name=f"{category}s" if category != "fault" else "fault start/end",
                marker={"color": colour, "size": 9},
                text=[f"{e['at']} {e['text']}" for e in marks],
                hoverinfo="text",
            ),
            row=1,
            col=1,
        )
    fig.update_xaxes(title_text="minutes since start", row=4, col=1)
    fig.update_xaxes(showticklabels=True, rangemode="tozero")  # each panel: minutes from 0
    fig.update_yaxes(rangemode="tozero")  # real units from zero, no exaggerated wiggles
    fig.update_layout(
        shapes=shapes,  # the vertical marker lines through all four panels
        height=1000,
        margin={"l": 60, "r": 20, "t": 40, "b": 40},
        hovermode="closest",
        legend={"orientation": "h", "y": -0.08},
    )
    return fig


def render_html(result: dict[str, Any], *, include_plotlyjs: bool = True) -> str:
    """The report page. ``include_plotlyjs=False`` leaves plotly.js out (for tests).

    Control characters in any text are shown escaped, in the page and in its chart data.
    """
    result = visible_data(result)
    from plotly.offline import get_plotlyjs

    chart = figure(result).to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id="gameday-metrics",
        config={"displaylogo": False},
    )
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            result=result,
            summary=summary_text(result),
            inject_rows=inject_rows(result["scorecard"]),
            chart=chart,
            plotlyjs=get_plotlyjs() if include_plotlyjs else "",
        )
    )
