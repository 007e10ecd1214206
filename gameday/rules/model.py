"""Rule groups as loaded from files: recording and alerting rules with their positions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_DURATION_RE = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_MAX_NS = 2**63 - 1  # Go's time.Duration counts nanoseconds in an int64
_UNIT_MS = (31_536_000_000, 604_800_000, 86_400_000, 3_600_000, 60_000, 1000, 1)


def parse_go_duration(text: str) -> int:
    """Prometheus' ``model.ParseDuration`` in milliseconds (``1h30m``, ``0``, ``90s``).

    Raises:
        ValueError: ``not a valid duration string: "..."`` as Prometheus says it, or
            ``duration out of range`` past Go's ``time.Duration`` (about 292 years).
    """
    s = str(text)
    if s == "0":
        return 0
    m = _DURATION_RE.match(s)
    if not s or m is None or not any(m.groups()):
        raise ValueError(f"not a valid duration string: {s!r}".replace("'", '"'))
    parts = [int(g) * u for g, u in zip(m.groups(), _UNIT_MS, strict=True) if g]
    if any(p * 1_000_000 > _MAX_NS for p in parts) or sum(parts) * 1_000_000 > _MAX_NS:
        raise ValueError("duration out of range")
    return sum(parts)


def format_go_duration(ms: int) -> str:
    """Prometheus' ``model.Duration.String()``: ``1d3h``, ``5m``, ``0s``, ``2w``, ``13d``.

    Years and weeks are written only when they divide the duration exactly, as
    prometheus/common does ("it is often easier to read 90d than 12w6d").
    """
    if ms == 0:
        return "0s"
    out = []
    for unit, size in zip(("y", "w", "d", "h", "m", "s", "ms"), _UNIT_MS, strict=True):
        if unit in ("y", "w") and ms % size:
            continue
        if ms >= size:
            q, ms = divmod(ms, size)
            out.append(f"{q}{unit}")
    return "".join(out)


@dataclass
class Rule:
    """One recording (``record``) or alerting (``alert``) rule.

    Attributes:
        name: the record or alert name.
        expr: the PromQL text.
        kind: ``"record"`` or ``"alert"``.
        for_ms: how long an alert stays pending before firing.
        keep_firing_for_ms: how long a firing alert stays firing after its condition clears.
        labels, annotations: as written (templates unexpanded).
        line: 1-based line of the rule in its file.
    """

    name: str
    expr: str
    kind: str
    for_ms: int = 0
    keep_firing_for_ms: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    line: int | None = None
    node: Any = None  # parsed expression

    @property
    def is_alert(self) -> bool:
        return self.kind == "alert"

    def record_labels(self, labels: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """The labels a recording rule writes for one result: the rule's name as
        ``__name__``, then its own labels (an empty value removes the label), sorted."""
        d = dict(labels)
        d["__name__"] = self.name
        for k, v in self.labels.items():
            if v:
                d[k] = v
            else:
                d.pop(k, None)
        return tuple(sorted(d.items()))


@dataclass
class RuleGroup:
    """A named group of rules evaluated in order every ``interval_s`` seconds."""

    name: str
    rules: list[Rule]
    interval_s: float | None = None
    limit: int = 0
    file: str = ""

    def effective_interval_s(self, default_s: float) -> float:
        return self.interval_s if self.interval_s else default_s
