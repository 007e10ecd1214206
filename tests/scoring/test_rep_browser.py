"""report.html in a real browser: headless Chromium renders a drill's page offline, and the
plotly chart draws its SVG with every trace and marker line; the verdict and score show."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from gameday.reports.html import figure

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


def _dump_dom(page: Path) -> str:
    """The DOM after plotly has run, from headless Chromium with no network."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--window-size=1400,2400",
                "--virtual-time-budget=5000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_drill_report_renders_its_chart_in_chromium(tmp_path):
    """A drill's report.html, opened offline, draws all traces and marker lines."""
    gameday = Path(sys.executable).with_name("gameday")
    proc = subprocess.run(
        [
            str(gameday),
            "drill",
            "db-pool-exhaustion",
            "--responder",
            "expert",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (page,) = tmp_path.glob("*/report.html")
    result = json.loads((page.parent / "result.json").read_text())
    fig = figure(result)
    assert len(fig.data) >= 9  # 6 metric lines plus fault, alert, page and action markers

    dom = _dump_dom(page)

    # plotly ran: its SVG canvases, one <g class="trace scatter"> per trace, the marker lines
    assert 'class="main-svg"' in dom
    assert len(re.findall(r'class="trace scatter\b', dom)) == len(fig.data)
    assert '<g class="shapelayer">' in dom
    assert len(re.findall(r'<path data-index="\d+"', dom)) == len(fig.layout.shapes) > 0
    for name in ("alerts", "pages", "actions", "req/s", "5xx %", "p99 ms", "in use"):
        assert f">{name}</text>" in dom, name
    assert "minutes since start" in dom

    # the verdict and the score, at the top and in the scorecard's total row
    score = f"{result['score']:.1f} / 100"
    verdict = re.search(r'<span class="verdict (pass|fail)">\s*([^<]*?)\s*</span>', dom)
    assert verdict is not None
    assert verdict.group(1) == ("pass" if result["passed"] else "fail")
    assert verdict.group(2) == f"{score} — {'passed' if result['passed'] else 'failed'}"
    assert re.search(rf'<tr class="total [a-z]+">.*?{re.escape(score)}</td></tr>', dom, re.S)
    assert "<h2>Scorecard</h2>" in dom and "<h2>Timeline</h2>" in dom
