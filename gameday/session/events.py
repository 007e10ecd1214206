"""The event stream: everything that happens in a session, in order, with its sim time.

Every front end, the journal, scoring and reports read the same events. An event is a
sim time in seconds since the scenario started, a dotted ``kind`` and a JSON-able
``data`` mapping. Kinds in use, by producer:

- world: ``fault.start``, ``fault.end`` (fault, type, service, description | reason),
  ``world.change`` (service, what, before, after, value)
- rules: ``alert.pending``, ``alert.firing``, ``alert.resolved``
  (alertname, labels, annotations, value)
- alertmanager: ``notification`` (receiver, integrations, status, group_key, alerts),
  ``silence.created``, ``silence.expired``
- pager: ``page.triggered``, ``page.notified``, ``page.escalated``,
  ``page.acknowledged``, ``page.resolved``, ``page.unrouted``
- session: ``session.start``, ``session.end``, ``chat.message``, ``clock``,
  ``command.typed`` (actor, role, command: journaled before a typed command runs),
  ``clock.pause`` (paused; a resume also ``for``: real seconds the pause lasted),
  ``action`` (actor, role, command, ok, kind, effect, output),
  ``incident.severity``, ``incident.role``, ``incident.status_update``,
  ``incident.escalated``, ``incident.resolved``
- facilitator: ``inject``, ``hint``
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """One thing that happened at sim time ``t`` (seconds since the scenario start)."""

    t: float
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0

    def to_json(self) -> str:
        """One journal line: compact, keys sorted, so equal runs give equal bytes."""
        return json.dumps(
            {"seq": self.seq, "t": round(self.t, 3), "kind": self.kind, "data": self.data},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, line: str) -> Event:
        obj = json.loads(line)
        return cls(t=float(obj["t"]), kind=obj["kind"], data=obj.get("data", {}), seq=obj["seq"])
