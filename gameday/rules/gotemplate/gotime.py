"""Methods of Go's ``time.Time`` that templates can call on ``toTime`` results.

Times from ``toTime`` are in UTC, so ``Format`` needs no time-zone database: the zone
prints as ``UTC``, numeric offsets as ``+0000`` and ``Z07:00`` forms as ``Z``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gameday.rules.gotemplate.funcs import Func
from gameday.rules.gotemplate.values import GoTime, civil_from_days

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_TZ = (  # numeric zone layouts, longest first, and what they print at UTC
    ("-07:00:00", "+00:00:00"), ("-070000", "+000000"), ("-07:00", "+00:00"),
    ("-0700", "+0000"), ("-07", "+00"), ("Z07:00:00", "Z"), ("Z070000", "Z"),
    ("Z07:00", "Z"), ("Z0700", "Z"), ("Z07", "Z"),
)  # fmt: skip


class _Parts:
    def __init__(self, t: GoTime) -> None:
        secs, self.nanos = divmod(t.unix_nanos, 1_000_000_000)
        days, rem = divmod(secs, 86400)
        self.year, self.month, self.day = civil_from_days(days)
        self.hour, self.minute, self.second = rem // 3600, rem // 60 % 60, rem % 60
        self.weekday = (days + 4) % 7
        self.yday = days - _days_before_year(self.year) + 1


def _days_before_year(year: int) -> int:
    """Days from 1970-01-01 to January 1st of ``year``."""
    y = year - 1
    return 365 * (y - 1969) + (y // 4 - 492) - (y // 100 - 19) + (y // 400 - 4)


def _std(layout: str, i: int, p: _Parts) -> tuple[str, int] | None:  # noqa: C901
    """The value of the layout element starting at ``layout[i]`` and its length, if any."""
    rest = layout[i:]
    c = rest[0]
    if c == "J" and rest.startswith("Jan"):
        return (_MONTHS[p.month - 1], 7) if rest.startswith("January") else (
            _MONTHS[p.month - 1][:3], 3)  # fmt: skip
    if c == "M":
        if rest.startswith("Monday"):
            return _DAYS[p.weekday], 6
        if rest.startswith("Mon"):
            return _DAYS[p.weekday][:3], 3
        if rest.startswith("MST"):
            return "UTC", 3
    if c == "0" and len(rest) > 1 and rest[1] in "123456":
        value = {"1": p.month, "2": p.day, "3": p.hour % 12 or 12, "4": p.minute, "5": p.second}
        return f"{value.get(rest[1], p.year % 100):02d}", 2
    if c == "1":
        return (f"{p.hour:02d}", 2) if rest.startswith("15") else (str(p.month), 1)
    if c == "2":
        return (f"{p.year:04d}", 4) if rest.startswith("2006") else (str(p.day), 1)
    if c == "_" and rest.startswith("_2") and not rest.startswith("_2006"):
        return f"{p.day:2d}", 2
    if c in "345":
        return str({"3": p.hour % 12 or 12, "4": p.minute, "5": p.second}[c]), 1
    if rest.startswith("PM"):
        return ("PM" if p.hour >= 12 else "AM"), 2
    if rest.startswith("pm"):
        return ("pm" if p.hour >= 12 else "am"), 2
    if c in "-Z":
        for pattern, text in _TZ:
            if rest.startswith(pattern):
                return text, len(pattern)
    if c in ".," and len(rest) > 1 and rest[1] in "09":
        j = 1
        while j < len(rest) and rest[j] == rest[1]:
            j += 1
        if not (j < len(rest) and rest[j].isdigit()):
            digits = f"{p.nanos:09d}"[: j - 1]
            if rest[1] == "9":
                digits = digits.rstrip("0")
                return (c + digits if digits else ""), j
            return c + digits, j
    return None


def format_time(t: GoTime, layout: str) -> str:
    """Go's ``time.Time.Format(layout)`` for a UTC time."""
    parts, out, i = _Parts(t), [], 0
    while i < len(layout):
        found = _std(layout, i, parts)
        if found is None:
            out.append(layout[i])
            i += 1
        else:
            out.append(found[0])
            i += found[1]
    return "".join(out)


def _m(fn: Callable[..., Any], *params: str) -> Func:
    return Func(lambda ctx, t, *a: fn(t, *a), params)


_METHODS: dict[str, Func] = {
    "Format": _m(format_time, "string"),
    "String": _m(GoTime.go_string),
    "UTC": _m(lambda t: GoTime(t.unix_nanos)),
    "Unix": _m(lambda t: t.unix_nanos // 1_000_000_000),
    "UnixMilli": _m(lambda t: t.unix_nanos // 1_000_000),
    "UnixMicro": _m(lambda t: t.unix_nanos // 1_000),
    "UnixNano": _m(lambda t: t.unix_nanos),
    "Year": _m(lambda t: _Parts(t).year),
    "YearDay": _m(lambda t: _Parts(t).yday),
    "Day": _m(lambda t: _Parts(t).day),
    "Hour": _m(lambda t: _Parts(t).hour),
    "Minute": _m(lambda t: _Parts(t).minute),
    "Second": _m(lambda t: _Parts(t).second),
    "Nanosecond": _m(lambda t: _Parts(t).nanos),
}


def time_method(t: GoTime, name: str) -> Func | None:
    """The method ``name`` bound to ``t`` (as a function of the template's arguments)."""
    method = _METHODS.get(name)
    if method is None:
        return None
    return Func(lambda ctx, *a: method.fn(ctx, t, *a), method.params)
