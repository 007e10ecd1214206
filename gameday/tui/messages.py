"""Messages the clock worker posts to the app from its thread."""

from __future__ import annotations

from textual.message import Message


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
