"""Clock controls, roles, the facilitator menu, the command line and the key map."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from gameday.errors import InputError
from gameday.tui.app import GamedayApp, binding_ids
from gameday.tui.keys import keys_path, load_keymap
from gameday.tui.screens.dialogs import ConfirmQuit, FacilitatorMenu, HelpScreen
from gameday.tui.widgets.console import CommandLine, CommandSuggester
from gameday.views import FACILITATOR
from tests.tui.conftest import SIZE, AppFactory, type_command


def events_of(app: GamedayApp, kind: str) -> list[dict[str, object]]:
    return [e.data for e in app.driver.session.events if e.kind == kind]


def test_tui_clock_keys(app_factory: AppFactory) -> None:
    """F2 pauses and resumes, F3-F5 set 1x/10x/60x, F6 jumps to the next event."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            assert app.driver.paused
            await pilot.press("f5")
            assert (app.driver.speed, app.driver.paused) == (60.0, False)
            await pilot.press("f3")
            assert app.driver.speed == 1.0
            await pilot.press("f2")
            assert app.driver.paused
            before = app.driver.session.now
            kinds = ("alert.", "page.", "notification", "fault.")

            def jumped() -> bool:
                # the jump runs in the clock worker: wait until it reached the next alert,
                # page or fault (other events of that scrape may follow it)
                return any(
                    e.t > before and e.kind.startswith(kinds) for e in app.driver.session.events
                )

            await pilot.press("f6")
            for _ in range(1000):
                await pilot.pause(0.02)
                if jumped():
                    break
            assert jumped()
            await pilot.pause(0.1)
            assert app.driver.paused, "a jump does not start the clock"

    asyncio.run(scenario(app_factory()))


def test_tui_clock_runs_at_speed(app_factory: AppFactory) -> None:
    """At 60x the worker advances about a minute of sim time per real second, and never
    runs ahead of 60x the real time since it started.

    The worker advances by 60x the real time since its last tick, so a tick that follows
    a stall (a loaded machine) makes up real time from before any window a test opens:
    the rate inside a window may exceed 60, the total since the start may not.
    """

    async def scenario(app: GamedayApp) -> None:
        started = time.monotonic()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.2)
            sim0, real0 = app.driver.session.now, time.monotonic()
            await pilot.pause(1.0)
            sim1, real1 = app.driver.session.now, time.monotonic()
            assert (sim1 - sim0) / (real1 - real0) >= 30
            assert sim1 <= 60.0 * (real1 - started)
            assert app.main.query_one("ClockBar").now > 0

    asyncio.run(scenario(app_factory(speed=60.0)))


def test_tui_command_history_and_completion(app_factory: AppFactory) -> None:
    """Commands are performed with the current role; up/down recall them; Tab completes."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await type_command(pilot, app, "kubectl get pods -n shop")
            await type_command(pilot, app, "alerts")
            actions = events_of(app, "action")
            assert [a["command"] for a in actions] == ["kubectl get pods -n shop", "alerts"]
            assert {a["role"] for a in actions} == {"ops"}
            line = app.main.query_one("#command", CommandLine)
            await pilot.press("up")
            assert line.value == "alerts"
            await pilot.press("up")
            assert line.value == "kubectl get pods -n shop"
            await pilot.press("down", "down")
            assert line.value == ""
            await pilot.press(*"kubectl rollout und")
            await pilot.pause(0.1)
            await pilot.press("tab")
            assert line.value.startswith("kubectl rollout undo")

    asyncio.run(scenario(app_factory()))


def test_tui_suggester_extends_what_was_typed() -> None:
    """The suggester offers the first whole-line completion that extends the input."""
    suggester = CommandSuggester(lambda partial: ["kubectl get pods", "kubectl get nodes"])
    assert asyncio.run(suggester.get_suggestion("kubectl get p")) == "kubectl get pods"
    assert asyncio.run(suggester.get_suggestion("")) is None


def test_tui_role_picker_changes_the_role(app_factory: AppFactory) -> None:
    """F9 opens the role picker; the chosen role is recorded with later actions."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f9")
            await pilot.pause()
            await pilot.press("down", "enter")  # ops -> comms
            await pilot.pause()
            assert app.role == "comms"
            await type_command(pilot, app, "alerts")
            assert events_of(app, "action")[-1]["role"] == "comms"

    asyncio.run(scenario(app_factory()))


def test_tui_injects_are_the_facilitators(app_factory: AppFactory) -> None:
    """In the players' view F8 lists no inject and fires none (their titles give surprises
    away); the palette offers none either."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f8")
            await pilot.pause()
            assert not isinstance(app.screen, FacilitatorMenu)
            await pilot.press("enter")
            await pilot.pause()
            assert events_of(app, "inject") == []

    asyncio.run(scenario(app_factory()))


def test_tui_hint_and_inject(app_factory: AppFactory) -> None:
    """F7 takes the next hint (journaled with its cost); in the facilitator's view F8
    fires an inject."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f7")
            await pilot.pause()
            assert isinstance(app.screen, FacilitatorMenu)
            await pilot.press("enter")
            await pilot.pause()
            assert events_of(app, "hint") == [
                {"index": 1, "question": app.driver.session.scenario.hints[0].question, "cost": 5.0}
            ]
            await pilot.press("f8")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert [d["id"] for d in events_of(app, "inject")] == ["exec-eta"]

    asyncio.run(scenario(app_factory(view=FACILITATOR)))


def test_tui_help_lists_bindings_and_commands(app_factory: AppFactory) -> None:
    """F1 shows every binding with its id and every command."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            ids = {row[2] for row in app.screen.keys}
            assert {"pause", "next-event", "hints", "ack", "quit"} <= ids
            assert any(usage.startswith("psql") for usage, _ in app.screen.commands)
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)

    asyncio.run(scenario(app_factory()))


def test_tui_ctrl_c_confirms_then_saves(app_factory: AppFactory) -> None:
    """Ctrl-C asks first; 'n' keeps playing; 'y' closes the session as interrupted (130)."""
    app = app_factory()

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+c")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmQuit)
            await pilot.press("n")
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmQuit)
            await pilot.press("ctrl+c")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()

    asyncio.run(scenario())
    assert app.return_code == 130
    journal = app.driver.session.journal_path
    assert journal is not None
    assert '"reason":"interrupted"' in journal.read_text().splitlines()[-1]


def test_tui_keymap_remaps_a_binding(app_factory: AppFactory, tmp_path: Path) -> None:
    """keys.toml maps binding ids to keys; the app honours it."""
    path = keys_path()
    path.parent.mkdir(parents=True)
    path.write_text('[keys]\npause = "ctrl+t"\n')
    assert load_keymap(known=binding_ids()) == {"pause": "ctrl+t"}

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f5")
            await pilot.press("ctrl+t")
            assert app.driver.paused

    asyncio.run(scenario(app_factory(keymap=None)))


def test_tui_keymap_refuses_unknown_binding(tmp_path: Path) -> None:
    """A misspelt binding id is an input error with a suggestion."""
    path = tmp_path / "keys.toml"
    path.write_text('[keys]\npaus = "p"\n')
    with pytest.raises(InputError) as err:
        load_keymap(path, known=binding_ids())
    assert "did you mean 'pause'?" in str(err.value)
    path.write_text("[keys\n")
    with pytest.raises(InputError, match="cannot read key map"):
        load_keymap(path)


def test_tui_palette_offers_injects_and_runbook_commands(app_factory: AppFactory) -> None:
    """In the facilitator's view Ctrl-P finds the scenario's injects (fired on Enter) and
    runbook commands."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"inject: exec-eta")
            for _ in range(200):
                await pilot.pause(0.05)
                if events_of(app, "inject"):
                    break
                await pilot.press("enter")
            assert [d["id"] for d in events_of(app, "inject")] == ["exec-eta"]
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"run: kubectl logs")
            line = app.main.query_one("#command", CommandLine)
            for _ in range(200):
                await pilot.pause(0.05)
                if line.value:
                    break
                await pilot.press("enter")
            assert line.value == "kubectl logs deployment/orders -n shop --tail=50"

    asyncio.run(scenario(app_factory(view=FACILITATOR)))
