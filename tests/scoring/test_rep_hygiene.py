"""The debrief packages import no UI, no Kubernetes and no CLI, and the writer copes with
a journal that already sits in its folder."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from types import SimpleNamespace

import scoring_synth as synth

from gameday.reports import build_result, write_reports
from gameday.scoring import MetricsSummary, score


def test_debrief_packages_import_no_ui_kubernetes_or_cli():
    """Importing runbooks, scoring and reports pulls in none of textual, kubernetes, click."""
    code = (
        "import sys, gameday.runbooks, gameday.scoring, gameday.reports\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'kubernetes', 'click', 'plotly') or m.startswith(('gameday.cli', "
        "'gameday.tui')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_metrics_from_session_samples():
    """A summary built from per-scrape samples totals rate x interval."""
    samples = [
        SimpleNamespace(
            t=t,
            rps=100.0,
            error_ratio=0.5 if t >= 30 else 0.0,
            p99=0.2,
            pool_in_use=5,
            pool_size=10,
        )
        for t in (0.0, 15.0, 30.0, 45.0)
    ]
    m = MetricsSummary.from_samples("checkout", samples, 15.0)
    assert (m.total_requests, m.failed_requests) == (6000.0, 1500.0)
    assert m.points[2].pool_size == 10.0
    given = MetricsSummary.from_samples("checkout", samples, 15.0, 6100.0, 1490.0)
    assert (given.total_requests, given.failed_requests) == (6100.0, 1490.0)


def test_journal_already_in_the_report_folder(tmp_path):
    """A session that journals straight into the report folder is not copied onto itself."""
    events, scn, m = synth.expert(), synth.scenario(), synth.metrics(1080, 800)
    result = build_result(
        events, scn, score(events, scn, synth.runbooks(), m), m, seed=7, responder="expert"
    )
    folder = tmp_path / "orders-pool-20260101T000000Z-seed7"
    folder.mkdir()
    journal = folder / "journal.jsonl"
    journal.write_text("".join(e.to_json() + "\n" for e in events))
    paths = write_reports(result, tmp_path, lambda: datetime(2026, 1, 1, tzinfo=UTC), journal)
    assert paths.journal == journal and journal.read_text().count("\n") == len(events)
