"""Alerts and notifications in simulation time (seconds since the simulation began).

:class:`Alert` is what Prometheus posts to ``/api/v2/alerts``; :class:`Notification` is
what one flush of an aggregation group delivers to a receiver's integrations. Helpers
reproduce Alertmanager's fingerprints, label-set printing and alert ordering so that
group keys and alert order match the real webhook payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gameday.alerting.receivers import Integration

_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_MASK = (1 << 64) - 1


@dataclass
class Alert:
    """One alert; ``ends_at=None`` means "until further notice" (resolve_timeout applies).

    In a :class:`Notification`, ``status`` is ``"firing"`` or ``"resolved"`` as notified,
    and ``ends_at`` is ``None`` for firing alerts (Alertmanager zeroes it).
    """

    labels: dict[str, str]
    annotations: dict[str, str] = field(default_factory=dict)
    starts_at: float | None = None
    ends_at: float | None = None
    generator_url: str = ""
    updated_at: float = 0.0
    timeout: bool = False
    status: str = "firing"

    @property
    def fingerprint(self) -> str:
        """Alertmanager's fingerprint of the label set, as 16 hex digits."""
        return fingerprint(self.labels)

    @property
    def name(self) -> str:
        """The ``alertname`` label."""
        return self.labels.get("alertname", "")

    def resolved_at(self, t: float) -> bool:
        """Whether the alert counts as resolved at sim time ``t``."""
        return self.ends_at is not None and self.ends_at <= t

    def copy(self, **changes: object) -> Alert:
        """A shallow copy with ``changes`` applied."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Notification:
    """One delivery of a group's alerts to (some of) a receiver's integrations."""

    t: float
    receiver: str
    integrations: list[Integration]
    group_key: str
    group_labels: dict[str, str]
    status: str
    alerts: list[Alert]

    def summary(self) -> str:
        """``receiver status [alertname/label-fingerprint ...]`` for logs and tests."""
        names = ",".join(f"{a.name}:{a.status}" for a in self.alerts)
        return f"{self.receiver} {self.status} [{names}]"


def fingerprint(labels: Mapping[str, str]) -> str:
    """FNV-1a 64 over sorted ``name 0xff value 0xff`` pairs, as prometheus/common does."""
    h = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode() + b"\xff":
                h = ((h ^ byte) * _FNV_PRIME) & _MASK
    return f"{h:016x}"


def label_key(labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """A hashable identity for a label set."""
    return tuple(sorted(labels.items()))


def go_quote(text: str) -> str:
    """Go's ``%q`` for label values (printable Unicode kept, controls escaped)."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif not ch.isprintable():
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out) + '"'


def format_labels(labels: Mapping[str, str]) -> str:
    """``{a="b", c="d"}`` as prometheus/common prints a LabelSet."""
    return "{" + ", ".join(sorted(f"{k}={go_quote(v)}" for k, v in labels.items())) + "}"


def labels_before(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    """``LabelSet.Before``: fewer labels first, then by sorted names and values."""
    if len(a) != len(b):
        return len(a) < len(b)
    for name in sorted([*a, *b]):
        if name not in a:
            return True
        if name not in b:
            return False
        if a[name] != b[name]:
            return a[name] < b[name]
    return False


def alert_before(a: Alert, b: Alert) -> bool:
    """``types.AlertSlice.Less``: by ``job``, then ``instance``, then the whole label set."""
    for key in ("job", "instance"):
        if key not in a.labels and key not in b.labels:
            continue
        if key not in a.labels:
            return False
        if key not in b.labels:
            return True
        if a.labels[key] != b.labels[key]:
            return a.labels[key] < b.labels[key]
    return labels_before(a.labels, b.labels)
