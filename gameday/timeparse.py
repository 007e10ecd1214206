"""Times on the command line and in reports: RFC 3339, Unix seconds, ``now-30d``."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from gameday.durations import parse_duration

_RELATIVE = re.compile(r"^now(?:\s*([+-])\s*(\S+))?$")


def parse_time(text: str, now: float | None = None) -> int:
    """Milliseconds since the epoch for ``text``.

    Accepts RFC 3339 (``2026-11-01T00:00:00Z``, with an offset, or a bare date taken as
    midnight UTC), Unix seconds (``1793491200`` or ``1793491200.5``) and ``now``,
    ``now-30d``, ``now+1h`` (Prometheus durations).

    Raises:
        ValueError: saying what is wrong and what would be right.
    """
    raw = text.strip()
    rel = _RELATIVE.match(raw)
    if rel:
        base = time.time() if now is None else now
        sign, dur = rel.groups()
        shift = 0.0
        if dur:
            shift = parse_duration(dur) * (1 if sign == "+" else -1)
        return int(round((base + shift) * 1000))
    try:
        return int(round(float(raw) * 1000))
    except ValueError:
        pass  # not a Unix timestamp: try RFC 3339 next, which reports the error
    try:
        parsed = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            f"not a time: {text!r} (use RFC 3339 like 2026-11-01T00:00:00Z, "
            "Unix seconds, or now-30d)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(round(parsed.timestamp() * 1000))


def rfc3339(ms: int | None) -> str | None:
    """``2026-11-01T00:00:00Z`` (milliseconds only when there are some), or None."""
    if ms is None:
        return None
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    if ms % 1000:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
