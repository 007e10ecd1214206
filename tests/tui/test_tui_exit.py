"""What ``gameday play`` prints when the team leaves: where the journal and reports are."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.cli.play import _run
from gameday.tui.lifecycle import Outcome
from tests.tui.conftest import JOURNAL, AppFactory


def test_tui_exit_names_the_journal_and_every_report(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """After the debrief, stderr lists the journal once and each report the debrief wrote."""
    app = app_factory()
    folder = JOURNAL.parent
    written = [
        ("journal", JOURNAL),
        ("postmortem", folder / "postmortem.md"),
        ("html", folder / "report.html"),
    ]

    def run() -> None:  # the debrief was reached: session closed, reports written
        app.driver.close("completed")
        app.outcome = Outcome(paths=written)

    app.run = run  # type: ignore[method-assign]
    assert _run(app) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"journal: {JOURNAL}",
        f"postmortem: {folder / 'postmortem.md'}",
        f"html: {folder / 'report.html'}",
    ]


def test_tui_exit_before_the_debrief_names_the_journal_only(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """Leaving before the end writes no reports, so only the journal is named."""
    app = app_factory()
    app.run = lambda: app.driver.close("quit")  # type: ignore[method-assign]
    assert _run(app) == 0
    assert capsys.readouterr().err.splitlines() == [f"journal: {Path(JOURNAL)}"]
