"""Silences, as Alertmanager's ``silence`` package keeps them, in simulation time.

A silence is *active* from ``starts_at`` (inclusive) until ``ends_at`` (exclusive),
*pending* before and *expired* after. Expiring an active silence ends it now; expiring a
pending one makes it start and end now. Active silences mute every alert whose labels
match all their matchers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from gameday.alerting.matchers import Matcher, matches_all, parse_matchers

MatcherSpec = str | Mapping[str, str] | Iterable[str | Matcher]


@dataclass
class Silence:
    """One silence; times are sim seconds."""

    id: str
    matchers: list[Matcher]
    starts_at: float
    ends_at: float
    created_by: str = ""
    comment: str = ""

    def state(self, t: float) -> str:
        """``"pending"``, ``"active"`` or ``"expired"`` at sim time ``t``."""
        if self.starts_at > t:
            return "pending"
        return "active" if self.ends_at > t else "expired"


def to_matchers(spec: MatcherSpec) -> list[Matcher]:
    """Matchers from a string (``'a="b",c=~"d"'``), a label mapping, or a list of either."""
    if isinstance(spec, str):
        return parse_matchers(spec)
    if isinstance(spec, Mapping):
        return [Matcher.make(k, "=", v) for k, v in spec.items()]
    out: list[Matcher] = []
    for item in spec:
        out.extend([item] if isinstance(item, Matcher) else parse_matchers(item))
    return out


class Silences:
    """The silence store of one Alertmanager."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._by_id: dict[str, Silence] = {}

    def add(
        self,
        matchers: MatcherSpec,
        starts_at: float,
        ends_at: float,
        created_by: str = "",
        comment: str = "",
    ) -> str:
        """Create a silence and return its id.

        Raises:
            ValueError: for no matchers, an end before the start, or an end in the past.
        """
        ms = to_matchers(matchers)
        if not ms:
            raise ValueError("at least one matcher required")
        if ends_at < starts_at:
            raise ValueError("end time must not be before start time")
        if ends_at < self._now():
            raise ValueError("end time can't be in the past")
        sid = str(uuid.UUID(int=len(self._by_id) + 1))
        self._by_id[sid] = Silence(sid, ms, starts_at, ends_at, created_by, comment)
        return sid

    def expire(self, sid: str) -> None:
        """End a silence now.

        Raises:
            KeyError: for an unknown id.
            ValueError: when it has already expired.
        """
        s = self._by_id[sid]
        now = self._now()
        state = s.state(now)
        if state == "expired":
            raise ValueError("silence already expired")
        if state == "pending":
            s.starts_at = now
        s.ends_at = now

    def get(self, sid: str) -> Silence:
        """The silence with id ``sid``."""
        return self._by_id[sid]

    def active(self, t: float | None = None) -> list[Silence]:
        """Silences active at ``t`` (default: now)."""
        t = self._now() if t is None else t
        return [s for s in self._by_id.values() if s.state(t) == "active"]

    def mutes(self, labels: Mapping[str, str], t: float | None = None) -> bool:
        """Whether an active silence matches ``labels``."""
        return any(matches_all(s.matchers, labels) for s in self.active(t))
