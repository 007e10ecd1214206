"""Who may see what: the players' view, the facilitator's view and the debrief.

One session publishes one event stream. A view is a filter on that stream, not a second
way of drawing it: every pane, timeline and seat reads ``view.filter(events)`` and draws
what passes, the same way for everyone.

- The **players** see what responders would see: alerts, notifications, pages, chat,
  dashboards, the output of their commands and their own incident record. The hidden
  truth stays hidden: no ``fault.*`` event (nor when the world stopped carrying a
  fault), no fault injected by the facilitator, no move of an imported incident's real
  responders (the ghost). They confirm recovery from the metrics, as on a real call.
- The **facilitator** sees everything as it happens: faults, effects, injects, hints.
- The **debrief** shows everything to everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the TUI before the engine is (the first frame stays quick)
    from gameday.session.events import Event

TRUTH_PREFIX = "fault."
"""Kinds only the facilitator and the debrief see: the fault timeline (``fault.start``,
``fault.end`` and whatever else the world says about its faults)."""

GHOST = "ghost"
"""The real responders' recorded moves in an imported incident: the facilitator sees them
as they come (the real fix would give the game away); the debrief compares them."""

GRADED_KEYS = ("effect",)
"""Action data only the facilitator and the debrief see (journals written before the
world decided fixes graded each action; what an action did is now the debrief's
counterfactual)."""


@dataclass(frozen=True)
class View:
    """A named filter on the event stream.

    Attributes:
        name: ``players``, ``facilitator`` or ``debrief``.
        truth: whether the fault timeline, graded effects and injected faults pass.
    """

    name: str
    truth: bool

    def show(self, event: Event) -> Event | None:
        """``event`` as this view may show it (redacted where it must be), or None."""
        if self.truth:
            return event
        if event.kind.startswith(TRUTH_PREFIX) or event.kind == GHOST:
            return None
        if event.kind == "inject" and event.data.get("kind") == "fault":
            return None  # a second fault the facilitator set off: players meet its symptoms
        if event.kind == "action" and any(key in event.data for key in GRADED_KEYS):
            data = {k: v for k, v in event.data.items() if k not in GRADED_KEYS}
            return replace(event, data=data)
        return event

    def filter(self, events: Iterable[Event]) -> list[Event]:
        """The events this view may show, in order, redacted where they must be."""
        return [shown for event in events if (shown := self.show(event)) is not None]


PLAYERS = View("players", truth=False)
FACILITATOR = View("facilitator", truth=True)
DEBRIEF = View("debrief", truth=True)
VIEWS = {view.name: view for view in (PLAYERS, FACILITATOR, DEBRIEF)}


def view_for_role(role: str) -> View:
    """The facilitator seat sees the facilitator's view; every other seat the players'."""
    return FACILITATOR if role == "facilitator" else PLAYERS
