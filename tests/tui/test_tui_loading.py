"""The loading shell: shown before the engine is imported, replaced by the tabletop."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gameday.errors import GamedayError
from gameday.tui.app import GamedayApp
from gameday.tui.screens.loading import LoadingScreen
from gameday.tui.screens.main import MainScreen
from tests.tui.conftest import SIZE, AppFactory


async def until(pilot: object, found: object, limit: int = 600) -> None:
    """Let the app run until ``found()`` (20 ms at a time, at most ``limit`` times)."""
    for _ in range(limit):
        if found():  # type: ignore[operator]
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError("never happened")


def tabletop_ready(app: GamedayApp) -> bool:
    """The tabletop is the screen shown and has found its panes (mounted, not mounting)."""
    return isinstance(app.screen, MainScreen) and app.screen.ready


def test_tui_loading_shell_then_tabletop(app_factory: AppFactory) -> None:
    """A lazy app opens on the shell naming the scenario, then swaps the tabletop in."""
    app = app_factory(lazy=True)
    assert not app.loaded
    seen: list[str] = []

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            seen.append(type(app.screen).__name__)
            if isinstance(app.screen, LoadingScreen):
                bar = str(app.screen.query_one("#loading-bar").render())
                assert "db-pool-exhaustion" in bar
            await until(pilot, lambda: tabletop_ready(app))
            assert app.loaded
            assert app.driver.session.scenario.id == "db-pool-exhaustion"
            assert app.driver.paused  # speed 0 from the factory: paused once loaded
            await pilot.press("f2")  # the tabletop's keys work once it is there
            assert not app.driver.paused

    asyncio.run(scenario(app))
    assert seen == ["LoadingScreen"]


def test_tui_loading_error_ends_the_app(tmp_path: Path) -> None:
    """A scenario that fails to load ends the app and hands the error back."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "scenario.yaml").write_text("id: broken\ntitle: [unclosed\n")
    from gameday.tui.app import make_app

    app = make_app(str(broken), keymap={}, speed=0.0, lazy=True)

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.load_error is not None)

    asyncio.run(scenario(app))
    assert isinstance(app.load_error, GamedayError)
    assert app.return_code == 2
    assert not app.loaded


def test_tui_ctrl_c_while_loading_leaves(app_factory: AppFactory) -> None:
    """Ctrl-C on the shell leaves at once with 130; a load landing later is ignored."""
    app = app_factory(lazy=True)
    release = threading.Event()

    def slow_loader() -> tuple[object, object]:
        release.wait(10)
        raise RuntimeError("landed after the team left")

    app.loader = slow_loader  # type: ignore[assignment]

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            assert isinstance(app.screen, LoadingScreen)
            await pilot.press("ctrl+c")
            release.set()
            await pilot.pause()

    asyncio.run(scenario(app))
    assert app.return_code == 130
    assert app.load_error is None
    assert not app.loaded


def test_tui_play_imports_no_engine_before_the_app_runs() -> None:
    """What ``gameday play`` imports before the first frame holds no engine module."""
    code = (
        "import sys, gameday.cli.main, gameday.cli.play, gameday.tui.app,"
        " gameday.tui.screens.loading, gameday.tui.lifecycle;"
        "print(sorted(m for m in sys.modules if m.startswith(('gameday.tsdb', 'gameday.world', 'gameday.tools',"
        " 'gameday.session', 'gameday.runtime', 'gameday.scenario', 'gameday.rules', 'gameday.promql'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("ref", ["db-pool-exhaustion"])
def test_tui_play_quick_check_finds_bundled_scenarios(ref: str) -> None:
    """The quick scenario check agrees with the catalog on bundled ids and on typos."""
    from gameday.cli.play import looks_like_scenario

    assert looks_like_scenario(ref)
    assert not looks_like_scenario(ref + "-typo")


def test_tui_lazy_resume_reaches_the_recorded_clock(tmp_path: Path) -> None:
    """``gameday resume`` opens on the shell, then stands where the journal stopped."""
    from gameday.cli.play import resumed_journal
    from gameday.tui.lifecycle import make_resume_app
    from tests.tui.test_tui_resume import dropped_session

    journal = tmp_path / "journal.jsonl"
    _done, now, _text = dropped_session(journal)
    app = make_resume_app(journal, resumed_journal(journal), keymap={}, lazy=True)
    assert not app.loaded

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: tabletop_ready(app))
            assert app.driver.session.now == pytest.approx(now)
            assert app.driver.paused

    asyncio.run(scenario(app))


def test_tui_lazy_resume_of_an_ended_session_is_bad_input(tmp_path: Path) -> None:
    """An ended session found behind the shell ends the app with the reader's error."""
    from gameday.runtime import prepare
    from gameday.tui.lifecycle import make_resume_app

    journal = tmp_path / "journal.jsonl"
    session = prepare("db-pool-exhaustion").session(seed=1, journal=journal)
    session.advance_to(60)
    session.close("completed")
    app = make_resume_app(journal, tmp_path / "out.jsonl", keymap={}, lazy=True)

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.load_error is not None)

    asyncio.run(scenario(app))
    assert "already ended" in str(app.load_error)
    assert app.return_code == 2


def test_tui_tabletop_mount_without_panes_is_not_an_error() -> None:
    """Leaving while the tabletop mounts (its panes already gone) is quiet, not a crash."""
    screen = MainScreen()
    screen.on_mount()
    assert not screen.ready
    screen.catch_up()  # nothing to show, nothing raised
