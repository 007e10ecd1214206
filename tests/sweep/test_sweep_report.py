"""The sweep's HTML page: formatted tables, both sweeps under --compare, escaped names."""

from __future__ import annotations

from types import SimpleNamespace

from gameday.sweep import summarise
from gameday.sweep.report import render_html, sweep_document
from gameday.sweep.stats import FIGURES, paired_difference
from tests.sweep.test_sweep_text import runs


def test_single_sweep_page() -> None:
    """One table with durations as durations, the breach shares, the histograms."""
    spec = SimpleNamespace(
        scenario="db-pool-exhaustion", responder="mix", overrides=(), judge=False
    )
    page = render_html(sweep_document(spec, summarise(runs()), runs()))
    assert "<td>Time to acknowledge</td><td>2m</td><td>8m34s</td><td>10m03s</td>" in page
    assert "Ack target missed in 50.0% of drills" in page
    assert 'id="sweep-histograms"' in page and "Time to acknowledge (min)" in page
    assert "B &minus; A" not in page


def test_compare_page_shows_both_and_the_difference() -> None:
    """--compare: A's and B's tables under their file names (escaped), then B - A."""
    a, b = runs(), runs(offset=30.0)
    spec = SimpleNamespace(
        scenario="db-pool-exhaustion", responder="mix", overrides=(), judge=False
    )
    comparison = {
        "a": "a.yml",
        "b": "<b>.yml",
        "summary_b": summarise(b),
        "runs_b": [r.to_dict() for r in b],
        "difference_b_minus_a": {k: paired_difference(a, b, k) for k in FIGURES},
    }
    page = render_html(sweep_document(spec, summarise(a), a, comparison))
    assert "<h2>A: a.yml</h2>" in page and "<h2>B: &lt;b&gt;.yml</h2>" in page
    assert "<td>Time to acknowledge</td><td>+30s</td><td>+30s .. +30s</td><td>3</td>" in page
    assert page.count('"legendgroup":"B"') == len(FIGURES)
