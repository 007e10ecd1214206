"""One served session, several seats: in one process (pilot) and as real processes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gameday.tools  # noqa: F401  # (a seat warms it up before the first command)
from gameday.runtime import prepare
from gameday.serve.client import JoinError, RemoteDriver, SeatConnection
from gameday.serve.server import SessionServer
from gameday.tui.app import GamedayApp
from gameday.tui.widgets.console import OutputLog
from gameday.views import FACILITATOR, PLAYERS

TOKEN = "s3cret-token"


class Served:
    """A SessionServer running in a thread on a free port of 127.0.0.1."""

    def __init__(self, journal: Path) -> None:
        self.prepared = prepare("db-pool-exhaustion")
        session = self.prepared.session(seed=1, journal=journal)
        self.server = SessionServer(session, "db-pool-exhaustion", TOKEN, speed=0.0)
        self.port = 0
        self.seats: list[RemoteDriver] = []
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self._ready.wait(10)

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            await self.server.serve("127.0.0.1", 0, self._on_ready)

        asyncio.run(main())

    def _on_ready(self, port: int) -> None:
        self.port = port
        self._ready.set()

    def seat(self, role: str, name: str) -> RemoteDriver:
        connection = SeatConnection("127.0.0.1", self.port, TOKEN, role, name)
        self.seats.append(RemoteDriver(connection, self.prepared))
        return self.seats[-1]

    def stop(self) -> None:
        for seat in self.seats:
            seat.close("done")
        self.loop.call_soon_threadsafe(self.server.end, "interrupted")
        self.thread.join(10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    served = Served(tmp_path / "journal.jsonl")
    yield served
    served.stop()


def wait_for(driver: RemoteDriver, found: Any, limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while not found():
        assert time.monotonic() < deadline, "never came"
        driver.tick(0.0)
        time.sleep(0.02)


def notes(session: Any) -> list[tuple[str, str, str]]:
    return [
        (e.data["actor"], e.data["role"], e.data["command"])
        for e in session.events
        if e.kind == "action"
    ]


def test_two_seats_in_one_process_see_each_other(served: Served) -> None:
    """A headless seat's note appears in a TUI seat's timeline pushed as it happens, and the
    TUI seat's note reaches the other seat; both are journaled with seat role and name."""
    other = served.seat("comms", "cleo")
    tui = served.seat("ops", "ana")
    app = GamedayApp(served.prepared, tui.session, keymap={}, actor="ana", view=PLAYERS, seat=tui)

    async def scenario() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            started = time.monotonic()
            other.perform("note from the comms seat", "cleo", "comms")
            log = app.main.query_one(OutputLog)
            for _ in range(500):
                await pilot.pause(0.02)
                text = " ".join("".join(s.text for s in strip) for strip in log.lines)
                if "cleo (comms): note from the comms seat" in text:
                    break
            assert "cleo (comms): note from the comms seat" in text
            # Delivery is pushed, not polled: it takes ~0.1 s on an idle machine. The bound
            # is loose so a loaded CI machine does not fail it; a lost push would never come.
            assert time.monotonic() - started < 10.0
            app.run_command("note from the ops seat")
            wait_for(
                other, lambda: ("ana", "ops", "note from the ops seat") in notes(other.session)
            )

    asyncio.run(scenario())
    server_session = served.server.session
    assert notes(server_session) == [
        ("cleo", "comms", "note from the comms seat"),
        ("ana", "ops", "note from the ops seat"),
    ]
    # every seat's replica holds the server's events byte for byte
    assert [e.to_json() for e in other.session.events] == [
        e.to_json() for e in server_session.events[: len(other.session.events)]
    ]


def test_only_the_facilitator_runs_the_clock_and_injects(served: Served) -> None:
    """A player's pause and inject are turned down with a note; the facilitator's act,
    and the facilitator's seat sees the fault the players' view hides."""
    player = served.seat("ops", "ana")
    facilitator = served.seat("facilitator", "fay")
    player.paused = False
    player.inject("exec-eta")
    wait_for(player, lambda: len(player.notes) >= 2)
    assert "facilitator" in player.notes[0]
    facilitator.speed = 60
    wait_for(player, lambda: player.session.now > 400)  # the clock runs for every seat
    facilitator.inject("exec-eta")
    wait_for(player, lambda: any(e.kind == "inject" for e in player.session.events))
    facilitator.paused = True
    wait_for(facilitator, lambda: any(e.kind == "fault.start" for e in facilitator.session.events))
    assert any(e.kind == "fault.start" for e in FACILITATOR.filter(facilitator.session.events))
    assert not any(e.kind.startswith("fault.") for e in PLAYERS.filter(player.session.events))


def test_wrong_token_is_refused(served: Served) -> None:
    """A wrong token gets a clear refusal (exit 2 from the CLI)."""
    with pytest.raises(JoinError, match="wrong token") as caught:
        SeatConnection("127.0.0.1", served.port, "guess", "ops", "eve")
    assert caught.value.exit_status == 2


def test_a_dropped_seat_rejoins(served: Served) -> None:
    """A seat that drops and joins again is sent the session so far."""
    first = served.seat("ops", "ana")
    first.perform("note before the drop", "ana", "ops")
    wait_for(first, lambda: len(notes(first.session)) == 1)
    first.close("dropped")
    again = served.seat("ops", "ana")
    assert notes(again.session) == [("ana", "ops", "note before the drop")]


def gameday(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen(
        [sys.executable, "-m", "gameday", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,
    )


def test_serve_and_two_join_processes(tmp_path: Path) -> None:
    """`gameday serve` prints the join line; one `gameday join --script` seat's note is in
    another `gameday join --json` seat's timeline and in the server's journal; a wrong
    token exits 2 with a clear message."""
    server = gameday("serve", "--port", "0", "--speed", "10", cwd=tmp_path)
    try:
        assert server.stdout is not None
        line = server.stdout.readline().split()
        assert line[:2] == ["gameday", "join"] and line[3] == "--token", line
        address, token = line[2], line[4]
        assert address.startswith("127.0.0.1:")
        watcher = gameday(
            "join",
            address,
            "--token",
            token,
            "--role",
            "ic",
            "--name",
            "bo",
            "--json",
            "--linger",
            "8",
            cwd=tmp_path,
        )
        time.sleep(3)
        (tmp_path / "a.txt").write_text("note hello from ana\n")
        writer = gameday(
            "join",
            address,
            "--token",
            token,
            "--role",
            "ops",
            "--name",
            "ana",
            "--script",
            "a.txt",
            cwd=tmp_path,
        )
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert "ana (ops): note hello from ana" in out
        out, err = watcher.communicate(timeout=60)
        assert watcher.returncode == 0, err
        events = [json.loads(x) for x in out.splitlines()]
        assert {"actor": "ana", "role": "ops", "command": "note hello from ana"}.items() <= next(
            e["data"] for e in events if e["kind"] == "action"
        ).items()
        assert not any(e["kind"].startswith("fault.") for e in events)  # an ic seat: players' view
        bad = gameday("join", address, "--token", "nope", "--script", "a.txt", cwd=tmp_path)
        _, err = bad.communicate(timeout=60)
        assert bad.returncode == 2
        assert "refused the seat: wrong token" in err
    finally:
        server.terminate()
        server.communicate(timeout=10)  # closes its pipes
    journal = next(tmp_path.glob("reports/*/journal.jsonl"))
    assert '"command":"note hello from ana"' in journal.read_text()
