"""Resuming a dropped session: every action restored, the clock where it stopped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from gameday.cli.play import resume_cmd, resumed_journal
from gameday.errors import InputError
from gameday.runtime import prepare
from gameday.session.events import Event
from gameday.tui.app import GamedayApp
from gameday.tui.lifecycle import make_resume_app
from tests.tui.conftest import SIZE, AppFactory, type_command

COMMANDS = [
    "ack",
    "sev SEV1",
    "kubectl get pods -n shop -l app=orders",
    'status investigating "Checkout errors: investigating."',
]


def dropped_session(journal: Path) -> tuple[list[tuple[float, str]], float, str]:
    """Play a few actions, then drop the session without closing it (a crash).

    Returns the actions with their times, the time of the last journaled event (all a
    crash leaves of the clock) and the journal's text.
    """
    session = prepare("db-pool-exhaustion").session(seed=3, journal=journal)
    session.advance_to(420)
    done = []
    for command in COMMANDS:
        session.perform(command, actor="you", role="ops")
        done.append((session.now, command))
        session.advance(45)
    session.inject("exec-eta")
    session.take_hint()
    session.advance_to(777)
    session._journal._fh.close()  # type: ignore[union-attr]  # a crash: no session.end
    text = journal.read_text()
    last = Event.from_json(text.splitlines()[-1]).t
    return done, last, text


def test_tui_resume_restores_actions_and_clock(tmp_path: Path) -> None:
    """The resumed session re-did every action at its time and stands at the same clock."""
    journal = tmp_path / "journal.jsonl"
    done, now, old_text = dropped_session(journal)
    out = resumed_journal(journal)
    app = make_resume_app(journal, out, keymap={})

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            session = app.driver.session
            assert session.now == pytest.approx(now)
            actions = [(e.t, e.data["command"]) for e in session.events if e.kind == "action"]
            assert actions == done
            assert [e.kind for e in session.events if e.kind in ("inject", "hint")] == [
                "inject",
                "hint",
            ]
            assert session.incident.severity == "SEV1"
            assert app.driver.paused, "a resumed session waits for the team"

    asyncio.run(scenario(app))
    assert journal.read_text() == old_text, "the old journal is kept as it was"
    new_lines = out.read_text().splitlines()
    assert new_lines[: len(old_text.splitlines())] == old_text.splitlines()
    assert '"reason":"interrupted"' in new_lines[-1]


def test_tui_resume_after_ctrl_c_continues_at_the_same_clock(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """Quit with Ctrl-C at some sim time; resume stands at exactly that time."""
    app = app_factory()

    async def play(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            app.driver.advance_to(512.5)
            await type_command(pilot, app, "kubectl get pods -n shop")
            app.driver.advance_to(640.25)
            await pilot.press("ctrl+c")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()

    asyncio.run(play(app))
    journal = app.driver.session.journal_path
    assert journal is not None
    resumed = make_resume_app(journal, resumed_journal(journal), keymap={})

    async def check(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            session = app.driver.session
            assert session.now == pytest.approx(640.25)
            assert [(e.t, e.data["command"]) for e in session.events if e.kind == "action"] == [
                (512.5, "kubectl get pods -n shop")
            ]

    asyncio.run(check(resumed))


def test_tui_resume_refuses_a_finished_session(tmp_path: Path) -> None:
    """A completed session cannot be resumed; the CLI says so and exits 2."""
    journal = tmp_path / "journal.jsonl"
    session = prepare("db-pool-exhaustion").session(seed=1, journal=journal)
    session.advance_to(60)
    session.close("completed")
    with pytest.raises(InputError, match="already ended"):
        make_resume_app(journal, tmp_path / "out.jsonl", keymap={})
    result = CliRunner().invoke(
        resume_cmd, [str(tmp_path / "missing.jsonl")], standalone_mode=False
    )
    assert isinstance(result.exception, InputError)


def test_tui_running_clock_is_marked_so_a_crash_resumes_near_it(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """While time runs the journal gets a clock mark about once a real second: what a
    kill -9 leaves resumes within a second's worth of sim time of where the clock was."""
    from gameday.replay import read_recorded, rebuild
    from gameday.tui.app import MARK_EVERY

    app = app_factory(speed=60.0)
    crashed = tmp_path / "crashed.jsonl"

    async def play(app: GamedayApp) -> float:
        async with app.run_test(size=SIZE):
            await asyncio.sleep(2.5)
            with app.driver.locked() as session:  # the moment of the crash
                assert session.journal_path is not None
                crashed.write_text(session.journal_path.read_text())
                return session.now

    clock = asyncio.run(play(app))
    last = Event.from_json(crashed.read_text().splitlines()[-1])
    assert last.kind == "clock"
    # one mark's gap, one step; the journal keeps times to the millisecond (round half
    # even), so the mark may read up to 0.5 ms after the clock it marked
    assert -0.0005 <= clock - last.t <= 60.0 * MARK_EVERY + 15.0
    resumed = rebuild(read_recorded(crashed), journal=tmp_path / "resumed.jsonl")
    resumed.close("interrupted")
    assert resumed.now == last.t
