"""Prometheus-style durations: ``30s``, ``5m``, ``1h30m``, ``1d``, ``250ms``."""

from __future__ import annotations

import re

_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
    "y": 31536000.0,
}
_ORDER = ["y", "w", "d", "h", "m", "s", "ms"]
_PART = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")


def parse_duration(text: str | int | float) -> float:
    """Parse a duration into seconds.

    Accepts Prometheus notation (units in decreasing order, each at most once) and, for
    convenience in YAML, a bare non-negative number of seconds.

    Raises:
        ValueError: with a message that says what is wrong.
    """
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, int | float):
        if text != text or text in (float("inf"), float("-inf")):
            raise ValueError(f"duration must be a finite number of seconds: {text}")
        if text < 0:
            raise ValueError(f"duration must not be negative: {text}")
        return float(text)
    s = str(text).strip()
    if not s:
        raise ValueError("empty duration")
    if s.startswith("-"):
        raise ValueError(f"duration must not be negative: {s!r}")
    if s == "0":
        return 0.0
    pos, total, last = 0, 0.0, -1
    for m in _PART.finditer(s):
        if m.start() != pos:
            break
        idx = _ORDER.index(m.group(2))
        if idx <= last:
            raise ValueError(f"units out of order or repeated in duration {s!r}")
        last = idx
        total += int(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(s):
        raise ValueError(f"not a duration: {s!r} (use e.g. 30s, 5m, 1h30m)")
    return total


def format_duration(seconds: float) -> str:
    """Format seconds the way Prometheus prints durations (``1h30m``, ``0s``)."""
    if seconds == 0:
        return "0s"
    ms = int(round(seconds * 1000))
    out = []
    for unit in _ORDER:
        size = int(_UNITS[unit] * 1000)
        if unit in ("y", "w"):
            continue
        n, ms = divmod(ms, size)
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)


_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0,
             "h": 3600.0}  # fmt: skip
_GO_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")
_GO_MAX = (2**63 - 1) / 1e9  # time.Duration is an int64 of nanoseconds


def parse_go_duration(text: str) -> float:
    """Go's ``time.ParseDuration`` (``1h30m``, ``-5m``, ``250ms``; no ``d``), in seconds.

    Raises:
        ValueError: with Go's message, e.g. ``time: invalid duration "abc"``.
    """
    quoted = '"' + text + '"'
    s, sign = text, 1.0
    if s[:1] in "+-" and s:
        sign, s = (-1.0 if s[0] == "-" else 1.0), s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise ValueError(f"time: invalid duration {quoted}")
    total, pos = 0.0, 0
    while pos < len(s):
        m = _GO_PART.match(s, pos)
        assert m is not None  # the pattern matches the empty string
        number, unit = m.group(1), m.group(2)
        if number in ("", "."):
            raise ValueError(f"time: invalid duration {quoted}")
        if not unit:
            raise ValueError(f"time: missing unit in duration {quoted}")
        if unit not in _GO_UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration {quoted}')
        total += float(number) * _GO_UNITS[unit]
        if total > _GO_MAX:
            raise ValueError(f"time: invalid duration {quoted}")
        pos = m.end()
    return sign * total
