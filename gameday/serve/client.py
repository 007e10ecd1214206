"""A seat: the connection to ``gameday serve`` and the session replica behind the TUI.

:class:`RemoteDriver` has the tabletop driver's API (:class:`~gameday.tui.driver.SimDriver`),
so the same app runs a seat: reads go to a local replica of the served session, which
re-does the inputs the server sends (what people did, how far the clock ran) and so
holds byte for byte the server's events; writes (a command, a pause, an inject) go to
the server as intents. The server alone performs them and writes the journal.
"""

from __future__ import annotations

import queue
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from gameday.errors import ExitStatus, GamedayError, UsageError
from gameday.serve.protocol import MAX_LINE, decode, encode
from gameday.session.events import Event

if TYPE_CHECKING:
    from gameday.runtime import Prepared
    from gameday.session.session import ActionOutcome, Session


class JoinError(GamedayError):
    """The server refused the seat, or could not be reached."""

    def __init__(self, message: str, exit_status: ExitStatus = ExitStatus.BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_status = exit_status


def parse_address(address: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6).

    Raises:
        UsageError: not HOST:PORT with a port in 1-65535.
    """
    host, sep, port = address.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"{address!r} is not HOST:PORT (as `gameday serve` printed it)")
    return host, int(port)


class SeatConnection:
    """A line-oriented TCP connection with a reader thread feeding a queue."""

    def __init__(self, host: str, port: int, token: str, role: str, name: str) -> None:
        try:
            self.sock = socket.create_connection((host, port), timeout=10)
        except OSError as exc:
            raise JoinError(
                f"cannot reach a gameday server at {host}:{port}: {exc.strerror or exc}",
                ExitStatus.FAILED,
            ) from None
        self.reader = self.sock.makefile("rb")
        self.lock = threading.Lock()
        self.send({"hello": {"token": token, "role": role, "name": name}})
        first = self._read()
        if first is None or "refused" in first:
            why = first.get("refused") if first else "the connection closed"
            self.reader.close()
            self.sock.close()
            raise JoinError(
                f"join: the server at {host}:{port} refused the seat: {why}"
                + (" (use the token `gameday serve` printed)" if why == "wrong token" else "")
            )
        self.welcome: dict[str, Any] = first["welcome"]
        self.sock.settimeout(None)
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._pump, name="seat-reader", daemon=True).start()

    def _read(self) -> dict[str, Any] | None:
        line = self.reader.readline(MAX_LINE)
        return decode(line) if line else None

    def _pump(self) -> None:
        try:
            while (message := self._read()) is not None:
                self.inbox.put(message)
        except (OSError, ValueError):
            pass  # a reset or a torn line is the server going away, reported just below
        self.inbox.put(None)  # the server went away: the seat says so and offers a rejoin

    def send(self, message: dict[str, Any]) -> None:
        """Send one message (from any thread); a dropped connection is not an error here:
        the reader reports it."""
        with self.lock, suppress(OSError):
            self.sock.sendall(encode(message))

    def close(self) -> None:
        """Hang up (the reader thread then ends)."""
        with suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.reader.close()
        self.sock.close()


class RemoteDriver:
    """The tabletop driver's API over a served session (see the module docstring)."""

    remote = True

    def __init__(self, connection: SeatConnection, prepared: Prepared) -> None:
        self.connection = connection
        welcome = connection.welcome
        self.role, self.name = str(welcome["role"]), str(welcome["name"])
        self.session: Session = prepared.session(seed=int(welcome["seed"]), journal=None)
        self.lock = threading.RLock()
        self.held = False  # a seat's dialogs never stop the shared clock
        self._paused = bool(welcome["clock"]["paused"])
        self._speed = float(welcome["clock"]["speed"])
        self.lost = False  # the server went away
        self.ended: dict[str, Any] | None = None
        self.notes: list[str] = []
        self._typed: Event | None = None
        for line in welcome["inputs"]:
            self._apply(Event.from_json(line))
        self._advance(float(welcome["clock"]["now"]))

    @contextmanager
    def locked(self) -> Iterator[Session]:
        with self.lock:
            yield self.session

    @property
    def finished(self) -> bool:
        return self.ended is not None or self.session.finished

    @property
    def paused(self) -> bool:
        return self._paused

    @paused.setter
    def paused(self, value: bool) -> None:
        self.connection.send({"pause": bool(value)})

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        self.connection.send({"speed": float(value)})

    def tick(self, real_seconds: float) -> bool:
        """Take what the server sent since the last tick; True if the replica moved."""
        moved = False
        while True:
            try:
                message = self.connection.inbox.get_nowait()
            except queue.Empty:
                return moved
            moved = self.take(message) or moved

    def take(self, message: dict[str, Any] | None) -> bool:
        """Apply one server message to the replica; True if it changed anything."""
        with self.lock:
            if message is None:
                self.lost = True
                return True
            if "input" in message:
                self._apply(Event.from_json(message["input"]))
            elif "clock" in message:
                clock = message["clock"]
                self._paused, self._speed = bool(clock["paused"]), float(clock["speed"])
                self._advance(float(clock["now"]))
            elif "note" in message:
                self.notes.append(str(message["note"]))
            elif "ended" in message:
                self.ended = message["ended"]
                self.session.close(str(self.ended.get("reason", "completed")))
            return True

    def _advance(self, t: float) -> None:
        if t > self.session.now:
            self.session.advance_to(t)

    def _apply(self, event: Event) -> None:
        from gameday.replay import _same_command, apply_input

        if self._typed is not None and event.kind == "action" and _same_command(self._typed, event):
            self._typed = None
            return  # the typed command was re-done when its `command.typed` came
        self._advance(event.t)
        apply_input(self.session, event)
        self._typed = event if event.kind == "command.typed" else None

    def mark_clock(self) -> None:
        """The server marks the clock in its journal; a seat has none."""

    def request_jump(self) -> None:
        self.connection.send({"jump": True})

    def advance_to(self, t: float) -> None:
        """Seats do not move the shared clock."""

    def perform(self, command: str, actor: str, role: str) -> ActionOutcome:
        """Send the command; its action comes back to every seat from the server."""
        from gameday.session.session import ActionOutcome

        self.connection.send({"perform": command})
        return ActionOutcome(True, "", "sent")

    def inject(self, inject_id: str) -> dict[str, Any]:
        self.connection.send({"inject": inject_id})
        return {"id": inject_id}

    def take_hint(self) -> dict[str, Any] | None:
        self.connection.send({"hint": True})
        return None

    def end(self) -> None:
        """Ask the server to end the session (the facilitator's seat)."""
        self.connection.send({"end": True})

    def close(self, reason: str) -> None:
        """Leave the session (it goes on without this seat)."""
        self.connection.close()
