"""Typed commands are journaled before they run; a command that breaks shows its error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import gameday.session.session as session_module
from gameday.replay import read_recorded, rebuild
from gameday.session.journal import read_journal
from gameday.tui.app import GamedayApp
from gameday.tui.widgets.console import OutputLog
from tests.tui.conftest import JOURNAL, SIZE, AppFactory, type_command

BROKEN = "kubectl get pods -n shop --broken"


@pytest.fixture
def broken_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """One command hits a bug in the engine (any other runs as usual)."""
    real = session_module.execute

    def execute(session: Any, command: str, **kwargs: Any) -> Any:
        if command == BROKEN:
            raise KeyError("pod-template-hash")
        return real(session, command, **kwargs)

    monkeypatch.setattr(session_module, "execute", execute)


def test_tui_broken_command_is_journaled_and_shows_its_error(
    app_factory: AppFactory, broken_command: None
) -> None:
    """The typed text is in the journal before it runs, and its failure is the action's
    output on screen and in the journal; the tabletop carries on."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await type_command(pilot, app, BROKEN)
            await type_command(pilot, app, "kubectl get pods -n shop")
            log = app.main.query_one(OutputLog)
            text = "\n".join("".join(seg.text for seg in strip) for strip in log.lines)
            assert "gameday: internal error: KeyError: 'pod-template-hash'" in text
            assert "orders-" in text  # the next command ran

    app = app_factory()
    asyncio.run(scenario(app))
    kinds = [(e.kind, e.data.get("command")) for e in read_journal(JOURNAL)]
    typed = [k for k in kinds if k[0] in ("command.typed", "action")]
    assert typed == [
        ("command.typed", BROKEN),
        ("action", BROKEN),
        ("command.typed", "kubectl get pods -n shop"),
        ("action", "kubectl get pods -n shop"),
    ]
    failed = next(e for e in read_journal(JOURNAL) if e.kind == "action")
    assert failed.data["ok"] is False and "internal error" in failed.data["output"]


def test_replay_of_typed_commands_is_byte_identical(
    app_factory: AppFactory, broken_command: None, tmp_path: Any
) -> None:
    """A journal with typed commands (one broken) replays byte for byte, each command
    done once."""
    app = app_factory()
    with app.driver.locked() as session:
        session.advance_to(600)
    app.driver.perform("ack", "you", "ops")
    app.driver.perform(BROKEN, "you", "ops")
    app.driver.advance_to(700)
    app.driver.close("interrupted")
    again = rebuild(read_recorded(JOURNAL), journal=tmp_path / "again.jsonl")
    again.close("interrupted")
    assert (tmp_path / "again.jsonl").read_bytes() == JOURNAL.read_bytes()


def test_a_command_typed_before_a_crash_is_redone_on_resume(tmp_path: Any) -> None:
    """A journal cut after `command.typed` (the process died inside the command) resumes
    with that command done."""
    from gameday.runtime import prepare

    journal = tmp_path / "j.jsonl"
    session = prepare("db-pool-exhaustion").session(journal=journal)
    session.advance_to(600)
    session.perform("ack", actor="you", role="ops", typed=True)
    session.close("interrupted")
    lines = journal.read_text().splitlines()
    cut = next(i for i, line in enumerate(lines) if '"kind":"command.typed"' in line)
    (tmp_path / "cut.jsonl").write_text("\n".join(lines[: cut + 1]) + "\n")
    resumed = rebuild(read_recorded(tmp_path / "cut.jsonl"))
    assert [e.data["command"] for e in resumed.events if e.kind == "action"] == ["ack"]
