"""Sweep reports: a JSON document and one self-contained HTML page with histograms."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from gameday.sweep.runner import DrillFigures
from gameday.sweep.stats import FIGURES

UNITS = {"mttd": "s", "mtta": "s", "mitigate": "s", "score": "points", "pages": "pages"}
TITLES = {
    "mttd": "Time to detect",
    "mtta": "Time to acknowledge",
    "mitigate": "Time to mitigate",
    "score": "Score",
    "pages": "Pages per drill",
}


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
        "summary": summary,
        "comparison": comparison,
        "runs": [r.to_dict() for r in results],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def render_html(document: dict[str, Any]) -> str:
    """One page: the summary table and a histogram per figure (plotly, inlined)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from gameday.sweep.text import SCORE_TAIL, figure, percent

    runs = document["runs"]
    fig = make_subplots(
        rows=len(FIGURES), cols=1, subplot_titles=[f"{TITLES[k]} ({UNITS[k]})" for k in FIGURES]
    )
    for i, key in enumerate(FIGURES, start=1):
        values = [r[key] for r in runs if r[key] is not None]
        fig.add_trace(go.Histogram(x=values, name=TITLES[key], showlegend=False), row=i, col=1)
    fig.update_layout(height=260 * len(FIGURES), margin={"t": 40, "b": 20})
    chart = fig.to_html(full_html=False, include_plotlyjs=True, div_id="sweep-histograms")
    summary = document["summary"]
    rows = "".join(
        f"<tr><td>{html.escape(TITLES[k])}</td>"
        + "".join(f"<td>{figure(k, summary[k][q])}</td>" for q in ("median", "p90", "p99"))
        + f"<td>{summary[k]['n']}</td></tr>"
        for k in FIGURES
    )
    probs = (
        f"<p>Runs: {summary['runs']}. Ack target missed in {percent(summary['p_ack_breach'])} "
        f"of drills, mitigation target in {percent(summary['p_mitigate_breach'])}; "
        f"{percent(summary['p_pass'])} passed. {SCORE_TAIL}.</p>"
    )
    title = html.escape(f"Sweep of {document['scenario']} ({document['responder']})")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body><h1>{title}</h1>{probs}"
        "<table border='1' cellpadding='4'><tr><th>figure</th><th>median</th><th>p90</th>"
        f"<th>p99</th><th>n</th></tr>{rows}</table>{chart}</body></html>\n"
    )
