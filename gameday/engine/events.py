"""The event stream: everything that happens in a session, in order, with its sim time.

Every front end, the journal, scoring and reports read the same events. An event is a
sim time in seconds since the scenario started, a dotted ``kind`` and a JSON-able
``data`` mapping. Kinds in use (producers in brackets):

``session.start`` / ``session.end``                    [session]
``fault.start`` / ``fault.end``                        [world]   fault, type, service, description
``world.change``                                       [world]   service, what, before, after
``alert.pending`` / ``alert.firing`` / ``alert.resolved``  [rules] alertname, labels, annotations, value
``notification``                                       [alertmanager] receiver, integrations, status, group_key, alerts
``chat.message``                                       [session] channel, text, receiver
``page.triggered`` / ``page.notified`` / ``page.escalated`` / ``page.acknowledged`` / ``page.resolved``  [pager]
``action``                                             [session] actor, role, command, ok, output, effect
``incident.severity`` / ``incident.role`` / ``incident.status_update`` / ``incident.escalated`` / ``incident.resolved``  [session]
``silence.created`` / ``silence.expired``              [alertmanager]
``inject`` / ``hint``                                  [facilitator]
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
