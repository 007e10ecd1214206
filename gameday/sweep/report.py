"""Sweep reports: a JSON document and one self-contained HTML page with histograms."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from gameday.sweep.runner import DrillFigures
from gameday.sweep.stats import FIGURES
from gameday.sweep.text import DURATIONS, SCORE_TAIL, figure, percent

UNITS = {"mttd": "s", "mtta": "s", "mitigate": "s", "score": "points", "pages": "pages"}
TITLES = {
    "mttd": "Time to detect",
    "mtta": "Time to acknowledge",
    "mitigate": "Time to mitigate",
    "score": "Score",
    "pages": "Pages per drill",
}


UNJUDGED = (
    "Scored without counterfactuals: a change that did nothing or harm costs no points "
    "here; gameday sweep --judge scores as a drill's debrief does"
)


def sweep_document(
    spec: Any,
    summary: dict[str, Any],
    results: Sequence[DrillFigures],
    comparison: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "schema": "gameday.sweep/1",
        "scenario": spec.scenario,
        "responder": spec.responder,
        "overrides": [list(o) for o in spec.overrides],
        "judged": spec.judge,
        "summary": summary,
        "comparison": comparison,
        "runs": [r.to_dict() for r in results],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { padding: 0.3rem 0.8rem; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.note { color: #555; font-size: 0.9rem; }
"""


def _table(summary: dict[str, Any]) -> str:
    head = "<tr><th>figure</th><th>median</th><th>p90</th><th>p99</th><th>drills</th></tr>"
    rows = "".join(
        f"<tr><td>{html.escape(TITLES[k])}</td>"
        + "".join(f"<td>{figure(k, summary[k][q])}</td>" for q in ("median", "p90", "p99"))
        + f"<td>{summary[k]['n']}</td></tr>"
        for k in FIGURES
    )
    return f"<table>{head}{rows}</table>"


def _shares(summary: dict[str, Any]) -> str:
    return (
        f"<p>Ack target missed in {percent(summary['p_ack_breach'])} of drills, mitigation "
        f"target in {percent(summary['p_mitigate_breach'])}; "
        f"{percent(summary['p_pass'])} passed.</p>"
    )


def _difference(comparison: dict[str, Any]) -> str:
    rows = []
    for k in FIGURES:
        d = comparison["difference_b_minus_a"][k]
        if d["mean"] is None:
            rows.append(
                f"<tr><td>{TITLES[k]}</td><td colspan='3'>not measured under both</td></tr>"
            )
            continue
        rows.append(
            f"<tr><td>{TITLES[k]}</td><td>{figure(k, d['mean'], signed=True)}</td>"
            f"<td>{figure(k, d['ci_low'], signed=True)} .. {figure(k, d['ci_high'], signed=True)}"
            f"</td><td>{d['n']}</td></tr>"
        )
    return (
        "<h2>B &minus; A, paired by seed</h2><table><tr><th>figure</th><th>mean</th>"
        f"<th>95% confidence interval</th><th>seeds</th></tr>{''.join(rows)}</table>"
    )


def render_html(document: dict[str, Any]) -> str:
    """One page: the summary table(s) and a histogram per figure (plotly, inlined).

    With a comparison, A's and B's tables, B - A with its interval, and both sweeps'
    histograms overlaid.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    comparison = document.get("comparison")
    sweeps = [("A", document["runs"])]
    if comparison and comparison.get("runs_b") is not None:
        sweeps.append(("B", comparison["runs_b"]))
    fig = make_subplots(
        rows=len(FIGURES),
        cols=1,
        subplot_titles=[f"{TITLES[k]} ({'min' if k in DURATIONS else UNITS[k]})" for k in FIGURES],
    )
    colours = {"A": "#4c72b0", "B": "#dd8452"}
    for i, key in enumerate(FIGURES, start=1):
        scale = 60.0 if key in DURATIONS else 1.0
        for name, runs in sweeps:
            values = [r[key] / scale for r in runs if r[key] is not None]
            fig.add_trace(
                go.Histogram(
                    x=values,
                    name=name,
                    legendgroup=name,
                    showlegend=len(sweeps) > 1 and i == 1,
                    marker_color=colours[name],
                    opacity=0.65 if len(sweeps) > 1 else 1.0,
                ),
                row=i,
                col=1,
            )
    fig.update_layout(height=240 * len(FIGURES), margin={"t": 40, "b": 20}, barmode="overlay")
    chart = fig.to_html(full_html=False, include_plotlyjs=True, div_id="sweep-histograms")
    summary = document["summary"]
    title = html.escape(f"Sweep of {document['scenario']} ({document['responder']})")
    parts = [f"<h1>{title}</h1>", f"<p>{summary['runs']} drills.</p>"]
    if comparison:
        parts += [
            f"<h2>A: {html.escape(str(comparison['a']))}</h2>",
            _table(summary),
            _shares(summary),
            f"<h2>B: {html.escape(str(comparison['b']))}</h2>",
            _table(comparison["summary_b"]),
            _shares(comparison["summary_b"]),
            _difference(comparison),
        ]
    else:
        parts += [_table(summary), _shares(summary)]
    parts.append(f"<p class='note'>{SCORE_TAIL}.</p>")
    if not document.get("judged", True):
        parts.append(f"<p class='note'>{UNJUDGED}.</p>")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f"{''.join(parts)}{chart}</body></html>\n"
    )
