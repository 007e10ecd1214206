"""How a tabletop used its pause: how often, how long, and what was done meanwhile.

A paused clock lets a team think and type with no sim time passing. That is a teaching
aid, not a free lunch: the debrief says how long the clock stood still and how many
actions were taken while it did, beside the score (not deducted from it). The facilitator
decides whether pausing is allowed at all (``gameday play --no-pause``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gameday.scoring.evidence import fmt_dur
from gameday.session.events import Event


@dataclass(frozen=True)
class PauseSummary:
    """Pauses of one session."""

    pauses: int
    seconds: float  # real seconds, over the pauses that were resumed
    actions: int  # actions taken while the clock was paused
    open: bool = False  # still paused when the events end (its length is not known)

    def sentence(self) -> str:
        """``Clock paused 2 times for 3m10s (real time); 4 actions taken while paused.``"""
        if not self.pauses:
            return "The clock was never paused."
        times = "once" if self.pauses == 1 else f"{self.pauses} times"
        acts = "1 action" if self.actions == 1 else f"{self.actions} actions"
        length = f" for {fmt_dur(self.seconds)} of real time" if self.seconds else ""
        still = " (still paused at the end)" if self.open else ""
        return f"Clock paused {times}{length}{still}; {acts} taken while paused."


def pause_summary(events: Iterable[Event]) -> PauseSummary:
    """Count the pauses (``clock.pause`` events) and the actions taken during them.

    A pause at the very start (a session opened paused, before anyone acted) counts
    like any other.
    """
    pauses = actions = 0
    seconds = 0.0
    paused = False
    for event in events:
        if event.kind == "clock.pause":
            now = bool(event.data.get("paused"))
            if now and not paused:
                pauses += 1
            elif paused and not now:
                seconds += float(event.data.get("for") or 0.0)
            paused = now
        elif event.kind == "action" and paused:
            actions += 1
    return PauseSummary(pauses, seconds, actions, open=paused)
