"""``gameday play`` and ``gameday resume`` on the command line, and the worker-error path."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gameday.cli.main import main
from gameday.cli.play import default_journal, resumed_journal
from gameday.tui.app import GamedayApp
from tests.tui.conftest import SIZE, AppFactory


def test_tui_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    """``gameday play --help`` lists the options and exits 0."""
    with pytest.raises(SystemExit) as done:
        main(["play", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for option in ("--seed", "--speed", "--journal", "--role"):
        assert option in out


def test_tui_cli_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown scenario is bad input: exit 2 and a message on stderr, no TUI."""
    with pytest.raises(SystemExit) as done:
        main(["play", "no-such-scenario"])
    assert done.value.code == 2
    assert "no-such-scenario" in capsys.readouterr().err


def test_tui_cli_journal_paths() -> None:
    """The default journal sits in the run's report folder; a resume writes beside it."""
    started = datetime(2026, 3, 10, 23, 0, 5, tzinfo=UTC)
    path = default_journal("db-pool-exhaustion", 7, started)
    assert path == Path("reports/db-pool-exhaustion-20260310T230005Z-seed7/journal.jsonl")
    assert resumed_journal(path).name == "journal.resumed.jsonl"


def test_tui_worker_error_pauses_and_reports(app_factory: AppFactory) -> None:
    """When the clock worker fails, the one error handler pauses and says what broke."""

    def broken(real_seconds: float) -> bool:
        raise RuntimeError("engine exploded")

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            app.driver.tick = broken  # type: ignore[method-assign]
            app.driver.paused = False
            for _ in range(500):
                await pilot.pause(0.02)
                if app.driver.paused:
                    break
            assert app.driver.paused
            lines = [str(line.text) for line in app.main.query_one("#output").lines]
            assert any("engine exploded" in line for line in lines)

    asyncio.run(scenario(app_factory()))
