"""Alertmanager time intervals (``time_intervals`` / ``mute_time_intervals``).

Parsing and :meth:`TimeInterval.contains` follow ``timeinterval/timeinterval.go`` of
Alertmanager 0.25: times are ``[start, end)`` in minutes of the day, weekday, month,
day-of-month (negative counts from the month's end) and year ranges are inclusive, and a
``location`` converts the instant to that zone first (UTC otherwise).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_TIME = re.compile(r"^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)")

Range = tuple[int, int]


@dataclass(frozen=True)
class TimeInterval:
    """One entry of a named interval; a ``None`` field places no constraint."""

    times: tuple[Range, ...] | None = None
    weekdays: tuple[Range, ...] | None = None
    days_of_month: tuple[Range, ...] | None = None
    months: tuple[Range, ...] | None = None
    years: tuple[Range, ...] | None = None
    location: str | None = None

    def contains(self, when: datetime) -> bool:
        """Whether the instant ``when`` (timezone-aware; naive means UTC) is inside."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        when = when.astimezone(ZoneInfo(self.location) if self.location else UTC)
        minute = when.hour * 60 + when.minute
        if self.times is not None and not any(s <= minute < e for s, e in self.times):
            return False
        if self.days_of_month is not None:
            ndays = calendar.monthrange(when.year, when.month)[1]
            if not any(_day_in(when.day, r, ndays) for r in self.days_of_month):
                return False
        if self.months is not None and not any(b <= when.month <= e for b, e in self.months):
            return False
        weekday = (when.weekday() + 1) % 7  # Go: Sunday == 0
        if self.weekdays is not None and not any(b <= weekday <= e for b, e in self.weekdays):
            return False
        return self.years is None or any(b <= when.year <= e for b, e in self.years)


def _day_in(day: int, rng: Range, ndays: int) -> bool:
    begin = ndays + rng[0] + 1 if rng[0] < 0 else rng[0]
    end = ndays + rng[1] + 1 if rng[1] < 0 else rng[1]
    if begin > ndays:
        return False
    begin = max(-ndays, min(begin, ndays))
    end = max(-ndays, min(end, ndays))
    return begin <= day <= end


def _member(text: str, kind: str) -> int:
    if kind == "weekdays":
        if text not in _DAYS:
            raise ValueError(f"{text} is not a valid weekday")
        return _DAYS.index(text)
    if kind == "months" and text in _MONTHS:
        return _MONTHS.index(text) + 1
    try:
        return int(text)
    except ValueError:
        if kind == "months":
            raise ValueError(f"{text} is not a valid month") from None
        raise ValueError(f'strconv.Atoi: parsing "{text}": invalid syntax') from None


def parse_range(text: str, kind: str) -> Range:
    """Parse ``monday:friday``, ``1:15``, ``-3:-1``, ``2024`` for the given field.

    Raises:
        ValueError: with Alertmanager's wording.
    """
    low = text.lower()
    parts = low.split(":") if ":" in low else [low, low]
    if len(parts) != 2:
        raise ValueError(f"couldn't parse range {low}, invalid format")
    begin, end = _member(parts[0], kind), _member(parts[1], kind)
    if kind == "weekdays":
        if begin > end:
            raise ValueError("start day cannot be before end day")
        if not (0 <= begin <= 6 and 0 <= end <= 6):
            raise ValueError(f"{text} is not a valid day of the week: out of range")
    elif kind == "days_of_month":
        for n in (begin, end):
            if n == 0 or n < -31 or n > 31:
                raise ValueError(f"{n} is not a valid day of the month: out of range")
        if begin < 0 and end > 0:
            raise ValueError("end day must be negative if start day is negative")
        if (28 + begin if begin < 0 else begin) > (28 + end if end < 0 else end):
            raise ValueError(f"end day {end} is always before start day {begin}")
    elif kind == "months" and begin > end:
        raise ValueError(f"end month {_name(end)} is before start month {_name(begin)}")
    elif kind == "years" and begin > end:
        raise ValueError(f"end year {end} is before start year {begin}")
    return (begin, end)


def _name(month: int) -> str:
    return _MONTHS[month - 1] if 1 <= month <= 12 else ""


def parse_time(text: str) -> int:
    """Minutes since midnight of ``HH:MM`` (``24:00`` allowed).

    Raises:
        ValueError: for any other spelling.
    """
    if not _TIME.search(text):
        raise ValueError(f"couldn't parse timestamp {text}, invalid format")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def parse_interval(data: dict[str, Any]) -> tuple[TimeInterval, list[tuple[tuple[Any, ...], str]]]:
    """Build a :class:`TimeInterval` from checked data; errors come back with their sub-path."""
    errors: list[tuple[tuple[Any, ...], str]] = []
    fields: dict[str, Any] = {}
    for kind in ("weekdays", "days_of_month", "months", "years"):
        if kind in data and data[kind]:
            ranges = []
            for i, text in enumerate(data[kind]):
                if text is None:  # Go's zero value, never validated
                    ranges.append((0, 0))
                    continue
                try:
                    ranges.append(parse_range(text, kind))
                except ValueError as exc:
                    errors.append(((kind, i), str(exc)))
            fields[kind] = tuple(ranges)
    if data.get("times"):
        times = []
        for i, tr in enumerate(data["times"]):
            if tr is None:  # Go's zero value: an empty range that never matches
                times.append((0, 0))
                continue
            start, end = tr.get("start_time", ""), tr.get("end_time", "")
            try:
                if not start or not end:
                    raise ValueError("both start and end times must be provided")
                s, e = parse_time(start), parse_time(end)
                if s >= e:
                    raise ValueError("start time cannot be equal or greater than end time")
                times.append((s, e))
            except ValueError as exc:
                errors.append((("times", i), str(exc)))
        fields["times"] = tuple(times)
    location = data.get("location")
    if location:
        try:
            ZoneInfo(location)
            fields["location"] = location
        except (ZoneInfoNotFoundError, ValueError):
            errors.append((("location",), f"unknown time zone {location}"))
    return TimeInterval(**fields), errors


def in_intervals(
    when: datetime, intervals: dict[str, list[TimeInterval]], names: list[str]
) -> bool:
    """True when ``when`` is inside any entry of any of the named intervals."""
    return any(ti.contains(when) for name in names for ti in intervals.get(name, []))
