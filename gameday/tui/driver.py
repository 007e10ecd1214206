"""The sim clock: one lock around the session, speed and pause, advanced in small steps.

The Session is not thread-safe. The app's clock worker calls :meth:`SimDriver.tick`
from its thread; actions typed in the UI call :meth:`SimDriver.perform` from the main
thread; both go through the same lock, so an action always lands between two steps,
exactly as a replay performs it. The worker reports back with the messages below.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from textual.message import Message

from gameday.errors import GamedayError

if TYPE_CHECKING:  # the engine is imported by whoever built the session
    from gameday.session.session import ActionOutcome, Session

SPEEDS = (1.0, 10.0, 60.0)
MAX_STEP = 15.0  # never advance more sim seconds than one scrape in a single step


class SimDriver:
    """Owns the session lock and the clock settings.

    Args:
        session: the session to drive.
        speed: sim seconds per real second (0 starts paused at 10x).
    """

    def __init__(self, session: Session, speed: float = 10.0) -> None:
        self.session = session
        self.lock = threading.RLock()
        self._paused = False
        self._paused_at = 0.0
        self.paused = speed <= 0
        self.held = False  # a modal screen is open: time stands still, the pause is kept
        self.speed = speed if speed > 0 else 10.0
        self._jump = threading.Event()

    @property
    def paused(self) -> bool:
        """Whether the clock is paused; each change is journaled as ``clock.pause``
        (a resume with how many real seconds the pause lasted), for the debrief."""
        return self._paused

    @paused.setter
    def paused(self, value: bool) -> None:
        with self.lock:
            if value == self._paused:
                return
            self._paused = value
            now = time.monotonic()
            if value:
                self._paused_at = now
                self.session.emit("clock.pause", {"paused": True})
            else:
                lasted = round(now - self._paused_at, 1)
                self.session.emit("clock.pause", {"paused": False, "for": lasted})

    @contextmanager
    def locked(self) -> Iterator[Session]:
        """The session, held under the lock for the duration of the block."""
        with self.lock:
            yield self.session

    @property
    def finished(self) -> bool:
        with self.lock:
            return self.session.finished

    def tick(self, real_seconds: float) -> bool:
        """Advance by ``speed`` times ``real_seconds`` (or jump); True if time moved.

        The lock is taken for one step at a time (at most :data:`MAX_STEP` sim seconds,
        one scrape), so the UI thread waits for at most one step, never a whole tick.
        """
        with self.lock:
            before = self.session.now
            if self._jump.is_set() and not self.held:
                self._jump.clear()
                self.session.advance_to_next_event()
                return self.session.now != before
            target = before + self.speed * real_seconds
        while True:
            with self.lock:
                session = self.session
                if self.paused or self.held or session.finished or session.now >= target:
                    return session.now != before
                session.advance_to(min(target, session.now + MAX_STEP))
            time.sleep(0)  # let a waiting UI thread take the lock between steps

    def mark_clock(self) -> None:
        """Journal where the clock is, so a resume after a crash starts from here."""
        with self.lock:
            self.session.mark_clock()

    def request_jump(self) -> None:
        """Ask the clock worker to run to the next alert, page, notification or fault."""
        self._jump.set()

    def advance_to(self, t: float) -> None:
        """Run the session to sim time ``t`` now, on the caller's thread."""
        with self.lock:
            self.session.advance_to(t)

    def perform(self, command: str, actor: str, role: str) -> ActionOutcome:
        """Perform a typed command now (journaled before it runs); a refused command
        becomes a failed outcome."""
        with self.lock:
            try:
                return self.session.perform(command, actor=actor, role=role, typed=True)
            except GamedayError as exc:
                from gameday.session.session import ActionOutcome

                return ActionOutcome(False, str(exc), "error")

    def inject(self, inject_id: str) -> dict[str, Any]:
        """Trigger a facilitator inject now."""
        with self.lock:
            return self.session.inject(inject_id)

    def take_hint(self) -> dict[str, Any] | None:
        """Take the next rung of the hint ladder."""
        with self.lock:
            return self.session.take_hint()

    def close(self, reason: str) -> None:
        """Close the session (idempotent)."""
        with self.lock:
            self.session.close(reason)


class Tick(Message):
    """The sim clock moved (or the session changed); widgets should catch up.

    Ticks are high-rate and carry no data of their own: widgets read the session, so a
    newer tick may replace an older one still waiting in the queue.
    """

    def __init__(self, now: float) -> None:
        super().__init__()
        self.now = now

    def can_replace(self, message: Message) -> bool:
        """A newer tick supersedes any older tick."""
        return isinstance(message, Tick)


class SessionFinished(Message):
    """The session reached its end time."""

    def __init__(self, now: float) -> None:
        super().__init__()
        self.now = now
