"""Fixtures for the tabletop TUI: one app factory, a fixed clock, no user key map."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gameday.tui.app import GamedayApp, make_app
from gameday.tui.widgets.console import CommandLine

SIZE = (120, 40)
STARTED = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
JOURNAL = Path("reports/db-pool-exhaustion-20260310T230000Z-seed1/journal.jsonl")

AppFactory = Callable[..., GamedayApp]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in a scratch folder with an empty config dir, so paths are relative and fixed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def app_factory() -> AppFactory:
    """``make_app`` with a paused clock, a relative journal and a fixed start time."""

    def factory(**kwargs: Any) -> GamedayApp:
        options: dict[str, Any] = {
            "journal": JOURNAL,
            "speed": 0.0,
            "keymap": {},
            "started": STARTED,
        }
        options.update(kwargs)
        return make_app(**options)

    return factory


def run_until(app: GamedayApp, found: Callable[[], bool], limit: float = 1800.0) -> None:
    """Advance the session a scrape at a time until ``found()`` (or fail at ``limit``)."""
    with app.driver.locked() as session:
        while not found():
            assert session.now < limit, "never happened"
            session.advance(session.scenario.scrape_interval)
    app.main.catch_up()


async def type_command(pilot: Any, app: GamedayApp, command: str) -> None:
    """Put ``command`` on the command line and press Enter."""
    line = app.main.query_one("#command", CommandLine)
    line.focus()
    line.value = command
    await pilot.press("enter")
    await pilot.pause()


def paged(app: GamedayApp) -> bool:
    """True once the pager has opened an incident."""
    pager = app.driver.session.pager
    return pager is not None and bool(pager.incidents)
