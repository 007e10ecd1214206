"""``gameday serve``: one session, many seats (asyncio streams, JSON lines).

The server owns the session, its clock and its journal: it is the only writer. Seats
send intents (a command, a pause, an inject); the server performs them with the seat's
role and name, and sends every input to every seat at once, so each seat's replica
follows within a tick (0.1 s). A seat that drops can join again and is sent everything
so far; the session goes on without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gameday.errors import GamedayError
from gameday.replay import INPUT_KINDS
from gameday.serve.protocol import MAX_LINE, RESPONDER_ROLES, SEAT_ROLES, decode, encode
from gameday.session.events import Event
from gameday.session.session import Session
from gameday.tui.driver import SimDriver

RESPONDERS_TYPE = "commands come from ic, ops, comms or scribe seats"
TICK = 0.1  # real seconds between clock steps, as in the tabletop
MARK_EVERY = 1.0  # real seconds between clock marks in the journal


@dataclass(eq=False)
class Seat:
    """A connected seat."""

    role: str
    name: str
    writer: asyncio.StreamWriter
    queue: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)


class SessionServer:
    """Serves one session to seats that present ``token``.

    Args:
        session: the session (new, or rebuilt from a journal).
        source: what seats load to build their replica (the scenario's folder or id).
        token: the shared secret every seat must present.
        speed: sim seconds per real second (0: paused at 10x).
        finish: called once when the session ends, returns the report paths written.
    """

    def __init__(
        self,
        session: Session,
        source: str,
        token: str,
        speed: float = 10.0,
        finish: Callable[[Session, str], list[tuple[str, str]]] | None = None,
    ) -> None:
        self.driver = SimDriver(session, speed)
        self.source = source
        self.token = token
        self.finish = finish
        self.seats: set[Seat] = set()
        self.ended: dict[str, Any] | None = None
        session.subscribe(self._on_event)

    @property
    def session(self) -> Session:
        return self.driver.session

    # -- the clock --------------------------------------------------------------------

    async def run_clock(self) -> None:
        """Advance the session in real time until it ends; tell every seat the clock."""
        last = marked = time.monotonic()
        while self.ended is None:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            moved = self.driver.tick(now - last)
            last = now
            if moved and now - marked >= MARK_EVERY:
                self.driver.mark_clock()
                marked = now
            self._broadcast({"clock": self.clock()})
            if self.session.finished:
                self.end("completed")

    def clock(self) -> dict[str, Any]:
        """The clock as seats show it (``events`` lets a replica check it kept up)."""
        return {
            "now": self.session.now,
            "paused": self.driver.paused,
            "speed": self.driver.speed,
            "events": len(self.session.events),
        }

    def end(self, reason: str) -> None:
        """Close the session, write the reports, tell every seat."""
        if self.ended is not None:
            return
        self.driver.close(reason)
        paths = self.finish(self.session, reason) if self.finish else []
        self.ended = {"reason": reason, "paths": [list(p) for p in paths]}
        self._broadcast({"clock": self.clock()})
        self._broadcast({"ended": self.ended})

    # -- seats ------------------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One seat's connection: check its hello, send the session so far, then serve."""
        seat: Seat | None = None
        try:
            hello = decode(await reader.readline()).get("hello") or {}
            token, role = str(hello.get("token", "")), str(hello.get("role", ""))
            if not hmac.compare_digest(token.encode(), self.token.encode()):
                writer.write(encode({"refused": "wrong token"}))
                return
            if role not in SEAT_ROLES:
                writer.write(encode({"refused": f"unknown role {role!r}"}))
                return
            seat = Seat(role, str(hello.get("name") or role), writer)
            inputs = [e.to_json() for e in self.session.events if e.kind in INPUT_KINDS]
            welcome = {
                "source": self.source,
                "seed": self.session.seed,
                "role": seat.role,
                "name": seat.name,
                "inputs": inputs,
                "clock": self.clock(),
            }
            writer.write(encode({"welcome": welcome}))
            if self.ended is not None:
                writer.write(encode({"ended": self.ended}))
            self.seats.add(seat)
            sender = asyncio.create_task(self._send(seat))
            try:
                while line := await reader.readline():
                    self._intent(seat, decode(line))
            finally:
                sender.cancel()
        except (ValueError, ConnectionError, asyncio.IncompleteReadError):
            pass  # a seat that speaks nonsense or drops is let go; it may join again
        finally:
            if seat is not None:
                self.seats.discard(seat)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            writer.close()

    async def _send(self, seat: Seat) -> None:
        while True:
            data = await seat.queue.get()
            seat.writer.write(data)
            await seat.writer.drain()

    def _intent(self, seat: Seat, message: dict[str, Any]) -> None:
        """Do what a seat asks, if its role may."""
        facilitator = seat.role == "facilitator"
        if self.ended is not None:
            return self._note(seat, "the session has ended")
        if "perform" in message:
            if seat.role not in RESPONDER_ROLES:
                return self._note(seat, f"a {seat.role} seat watches; {RESPONDERS_TYPE}")
            try:
                self.session.perform(str(message["perform"]), seat.name, seat.role, typed=True)
            except GamedayError as exc:
                self._note(seat, str(exc))
            if self.session.finished:
                self.end("completed")
            return None
        if not facilitator:
            return self._note(seat, "the facilitator runs the clock, injects and hints")
        if "pause" in message:
            self.driver.paused = bool(message["pause"])
            if self.driver.paused:
                self.driver.mark_clock()
        elif "speed" in message:
            self.driver.speed, self.driver.paused = float(message["speed"]), False
        elif "jump" in message:
            self.driver.request_jump()
        elif "inject" in message:
            try:
                self.session.inject(str(message["inject"]))
            except GamedayError as exc:
                self._note(seat, str(exc))
        elif "hint" in message:
            if self.session.take_hint() is None:
                self._note(seat, "no hints left")
        elif "end" in message:
            self.end("ended")
        self._broadcast({"clock": self.clock()})
        return None

    def _note(self, seat: Seat, text: str) -> None:
        seat.queue.put_nowait(encode({"note": text}))

    def _on_event(self, event: Event) -> None:
        if event.kind in INPUT_KINDS:
            self._broadcast({"input": event.to_json()})

    def _broadcast(self, message: dict[str, Any]) -> None:
        data = encode(message)
        for seat in list(self.seats):
            seat.queue.put_nowait(data)

    async def serve(self, host: str, port: int, ready: Callable[[int], None]) -> None:
        """Listen on ``host:port`` (0: any free port), call ``ready(port)``, run to the end."""
        server = await asyncio.start_server(self.handle, host, port, limit=MAX_LINE)
        async with server:
            ready(server.sockets[0].getsockname()[1])
            await self.run_clock()
            await asyncio.sleep(0.5)  # let the seats read the end
