"""Replay and resume: rebuild a session from its journal.

A journal's ``session.start`` names the scenario and seed; its ``action``, ``inject`` and
``hint`` events are what people did, its ``clock`` marks how far a front end let time
run. Replaying them at their sim times on a fresh session with the same seed reproduces
every other event, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gameday.errors import InputError, Problem
from gameday.runtime import prepare
from gameday.session.events import Event
from gameday.session.journal import read_journal
from gameday.session.session import Session

INPUT_KINDS = ("command.typed", "action", "inject", "hint", "clock", "clock.pause")


@dataclass
class Recorded:
    """What a journal says: where it came from, what people did, how far the clock ran."""

    source: str
    seed: int
    responder: str
    events: list[Event]

    @property
    def inputs(self) -> list[Event]:
        return [e for e in self.events if e.kind in INPUT_KINDS]

    @property
    def ended(self) -> bool:
        """Whether the session was closed (its journal ends with ``session.end``)."""
        return bool(self.events) and self.events[-1].kind == "session.end"

    @property
    def last_time(self) -> float:
        return self.events[-1].t if self.events else 0.0


def read_recorded(path: str | Path) -> Recorded:
    """Parse a journal; the first event must be ``session.start``."""
    events = list(read_journal(path))
    if not events or events[0].kind != "session.start":
        raise InputError(Problem(str(path), 1, 1, None, "not a gameday journal (no session.start)"))
    start = events[0].data
    return Recorded(
        source=str(start.get("source") or start["scenario"]),
        seed=int(start["seed"]),
        responder=str(start.get("responder", "tabletop")),
        events=events,
    )


def rebuild(
    recorded: Recorded, journal: str | Path | None = None, until: float | None = None
) -> Session:
    """A new session that has re-done every recorded input up to ``until`` (default: all)."""
    prepared = prepare(recorded.source)
    session = prepared.session(seed=recorded.seed, journal=journal, responder=recorded.responder)
    typed: Event | None = None  # a typed command re-done: its action comes with it
    for event in recorded.inputs:
        if until is not None and event.t > until:
            break
        if typed is not None and event.kind == "action" and _same_command(typed, event):
            typed = None
            continue
        session.advance_to(event.t)
        apply_input(session, event)
        typed = event if event.kind == "command.typed" else None
    session.advance_to(recorded.last_time if until is None else until)
    if until is None and not recorded.ended:
        # A crashed journal's last events may fall at exactly its last time (a scrape's
        # world change): run what is due at that instant too, as the recorded session
        # did. A closed journal stopped before that instant (``session.end`` came first),
        # so its replay must not run it either.
        while session.env.peek() == session.now:
            session.env.step()
    return session


def apply_input(session: Session, event: Event) -> None:
    """Re-do one recorded input on ``session``."""
    d = event.data
    if event.kind in ("action", "command.typed"):
        session.perform(
            str(d["command"]),
            actor=str(d.get("actor", "you")),
            role=str(d.get("role", "ops")),
            typed=event.kind == "command.typed",
        )
    elif event.kind == "inject" and not d.get("auto"):  # a timed one fires by itself
        session.inject(str(d["id"]))
    elif event.kind == "hint":
        session.take_hint()
    elif event.kind == "clock":
        session.mark_clock()
    elif event.kind == "clock.pause":
        session.emit("clock.pause", dict(d))


def _same_command(typed: Event, action: Event) -> bool:
    """Whether ``action`` is what the typed command ``typed`` became."""
    keys = ("command", "actor", "role")
    return all(typed.data.get(k) == action.data.get(k) for k in keys)
