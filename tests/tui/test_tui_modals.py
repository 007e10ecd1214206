"""The clock under modal screens, `end`, the command line's manners and every way out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gameday.cli.play import resumed_journal
from gameday.tui.app import GamedayApp
from gameday.tui.screens.debrief import DebriefScreen
from gameday.tui.screens.dialogs import ConfirmEnd, ConfirmQuit, HelpScreen, RolePicker
from gameday.tui.screens.main import strip_leader
from gameday.tui.screens.output import OutputScreen
from gameday.tui.widgets.alerts import AlertStream
from gameday.tui.widgets.console import CommandLine, OutputLog
from tests.tui.conftest import SIZE, AppFactory, type_command


def commands(app: GamedayApp) -> list[str]:
    return [str(e.data["command"]) for e in app.driver.session.events if e.kind == "action"]


@pytest.mark.parametrize(
    ("key", "screen"),
    [
        ("f1", HelpScreen),
        ("f9", RolePicker),
        ("f12", ConfirmEnd),
        ("ctrl+c", ConfirmQuit),
        ("f11", OutputScreen),
    ],
)
def test_tui_clock_stands_still_under_modal_screens(
    app_factory: AppFactory, key: str, screen: type
) -> None:
    """At 60x, a modal screen held open for a real second costs no sim time; the clock
    runs again when it closes, and the pause setting is kept."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.3)
            await pilot.press(key)
            await pilot.pause(0.2)
            assert isinstance(app.screen, screen)
            assert app.driver.held and not app.driver.paused
            frozen = app.driver.session.now
            await pilot.pause(1.0)
            assert app.driver.session.now == frozen
            await pilot.press("escape")
            await pilot.pause(0.5)
            assert not app.driver.held
            assert app.driver.session.now > frozen

    asyncio.run(scenario(app_factory(speed=60.0)))


def test_tui_end_asks_then_debriefs(app_factory: AppFactory) -> None:
    """`end` (with a stray leading colon) asks; n keeps playing, y ends with the debrief."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await type_command(pilot, app, ":end")
            assert isinstance(app.screen, ConfirmEnd)
            await pilot.press("n")
            await pilot.pause()
            assert app.outcome is None and not app.driver.finished
            await pilot.press("f12")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmEnd)
            await pilot.press("y")
            for _ in range(100):
                await pilot.pause(0.05)
                if isinstance(app.screen, DebriefScreen):
                    break
            assert isinstance(app.screen, DebriefScreen)
            last = app.driver.session.events[-1]
            assert (last.kind, last.data["reason"]) == ("session.end", "ended")
            assert "end" not in commands(app), "end is the tabletop's, not a responder action"

    asyncio.run(scenario(app_factory()))


def test_tui_leading_colon_or_slash_is_dropped() -> None:
    """What the focus keys leave on the line is not part of the command."""
    assert strip_leader(":kubectl get pods") == "kubectl get pods"
    assert strip_leader(" / note hello") == "note hello"
    assert strip_leader("::ack") == "ack"
    assert strip_leader("note a/b: c") == "note a/b: c"


def test_tui_typed_slash_command_runs_without_the_slash(app_factory: AppFactory) -> None:
    """`/note ...` typed on the line is journaled as `note ...`."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await type_command(pilot, app, "/note checking the pool")
            assert commands(app) == ["note checking the pool"]

    asyncio.run(scenario(app_factory()))


def test_tui_bare_hotkeys_wait_for_the_line_to_be_left_alone(app_factory: AppFactory) -> None:
    """Esc then letters typed fast go onto the command line, not to hotkeys (no ack, no
    jump, no unpause); after half a second away from the line the same keys act."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            line = app.main.query_one("#command", CommandLine)
            app.main.hotkey_quiet = 60.0  # a slow test machine types slower than a person
            await pilot.press(*"no")
            await pilot.press("escape")
            await pilot.press("t", "e", "space", "a")
            await pilot.pause()
            assert line.has_focus and line.value == "note a"
            await pilot.press("escape", "n", "space", "a")  # next-event, pause, ack keys
            await pilot.pause()
            assert line.has_focus and line.value == "note an a"
            assert app.driver.paused and commands(app) == []
            assert not app.driver._jump.is_set()
            await pilot.press("escape")
            app.main.touched_line -= 61.0  # the line was left alone long enough
            await pilot.press("space")
            assert not app.driver.paused, "space acts once the line was left alone"
            await pilot.press("f2")
            assert app.driver.paused, "F-keys always act"

    asyncio.run(scenario(app_factory()))


def test_tui_tab_completes_like_a_shell(app_factory: AppFactory) -> None:
    """One candidate: completed with a space after it. Several: completed to what they
    share and listed in the log."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            line = app.main.query_one("#command", CommandLine)
            await pilot.press(*"kub")
            await pilot.press("tab")
            assert line.value == "kubectl "
            await pilot.press(*"logs ord", "tab")
            await pilot.pause()
            pods = [p.name for p in app.driver.session.world.pods("orders")]
            assert len(pods) > 1
            shared = pods[0].rsplit("-", 1)[0] + "-"  # orders-<replicaset hash>-
            assert line.value == f"kubectl logs {shared}"
            log = app.main.query_one(OutputLog)
            listed = "".join(seg.text for seg in log.lines[-1])
            assert all(pod in listed for pod in pods), listed

    asyncio.run(scenario(app_factory()))


def test_tui_palette_quit_confirms_and_exits_130(app_factory: AppFactory) -> None:
    """The palette's Quit asks like Ctrl-C does, and leaving that way is an interruption."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await app.action_quit()
            await pilot.pause()
            assert isinstance(app.screen, ConfirmQuit)
            await pilot.press("y")
            await pilot.pause()

    app = app_factory()
    asyncio.run(scenario(app))
    assert app.return_code == 130
    assert app.driver.session.events[-1].data == {"reason": "interrupted"}


def test_tui_firing_alerts_sort_first(app_factory: AppFactory) -> None:
    """An alert that fires after others resolved is listed above them."""
    from gameday.session.events import Event

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            stream = app.main.query_one(AlertStream)
            alert = {"labels": {"severity": "warning"}, "annotations": {}}
            stream.feed(
                [
                    Event(1, "alert.firing", {"alertname": "Old", **alert}),
                    Event(2, "alert.resolved", {"alertname": "Old", **alert}),
                    Event(3, "alert.pending", {"alertname": "Soon", **alert}),
                    Event(4, "alert.firing", {"alertname": "Now", **alert}),
                ]
            )
            await pilot.pause()
            names = [str(stream.get_row_at(i)[2]) for i in range(stream.row_count)]
            assert names[:3] == ["Now", "Soon", "Old"]

    asyncio.run(scenario(app_factory()))


def test_tui_full_output_view_holds_every_line(app_factory: AppFactory) -> None:
    """F11 shows the whole of a long answer that the log pane shows a few lines of."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await type_command(
                pilot,
                app,
                'psql -h orders-db -U postgres -d orders -c "SELECT pid, state FROM pg_stat_activity"',
            )
            output = str(app.driver.session.events[-1].data.get("output", ""))
            assert output.count("\n") > 8
            await pilot.press("escape")
            await pilot.pause(0.6)
            await pilot.press("o")
            await pilot.pause()
            assert isinstance(app.screen, OutputScreen)
            log = app.screen.query_one(OutputLog)
            text = "\n".join("".join(seg.text for seg in strip) for strip in log.lines)
            for row in output.splitlines():
                assert row.strip() in text

    asyncio.run(scenario(app_factory()))


def test_resumed_journal_is_named_once(tmp_path: Path) -> None:
    """Resuming a resumed journal does not chain `.resumed.resumed`."""
    journal = tmp_path / "journal.jsonl"
    first = resumed_journal(journal)
    assert first.name == "journal.resumed.jsonl"
    first.write_text("x")
    assert resumed_journal(first).name == "journal.resumed-2.jsonl"
    (tmp_path / "journal.resumed-2.jsonl").write_text("x")
    assert resumed_journal(first).name == "journal.resumed-3.jsonl"


def test_tui_two_commands_typed_in_one_burst_stay_two(app_factory: AppFactory) -> None:
    """Two commands sent in one burst (a paste, tmux send-keys) run as two commands."""

    async def scenario(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(*"note one", "enter", *"note two", "enter")
            await pilot.pause()
            assert commands(app) == ["note one", "note two"]

    asyncio.run(scenario(app_factory()))
