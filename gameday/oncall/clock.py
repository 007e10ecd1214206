"""Wall-clock helpers shared by schedules, support hours and ack delays.

Times of day are written ``"HH:MM"`` or ``"HH:MM:SS"``. YAML 1.1 reads an unquoted
``20:00`` as the base-60 number 1200 and ``20:00:00`` as 72000; :func:`parse_time_of_day`
undoes that, so users need not remember to quote.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from gameday.errors import did_you_mean

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_time_of_day(value: object) -> time:
    """Parse ``"08:00"``, ``"08:00:00"`` or YAML's base-60 reading of them.

    Raises:
        ValueError: when the value is not a time of day.
    """
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 sexagesimal: H:MM -> H*60+MM (< 1440), H:MM:SS -> H*3600+MM*60+SS.
        if 0 <= value < 24 * 60:
            return time(value // 60, value % 60)
        if 3600 <= value < 86400:
            return time(value // 3600, value // 60 % 60, value % 60)
        raise ValueError(f'not a time of day: {value!r} (write it in quotes, e.g. "08:00")')
    m = _TIME.match(str(value).strip())
    if not m:
        raise ValueError(f"not a time of day: {value!r} (use HH:MM or HH:MM:SS)")
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h == 24 and mi == 0 and s == 0:
        return time(0)
    if h > 23 or mi > 59 or s > 59:
        raise ValueError(f"not a time of day: {value!r} (hours 0-23, minutes 0-59)")
    return time(h, mi, s)


def seconds_of_day(t: time) -> int:
    """Seconds since local midnight."""
    return t.hour * 3600 + t.minute * 60 + t.second


def parse_day_of_week(value: object) -> int:
    """ISO day of week, 1 = Monday ... 7 = Sunday, from a number or a (short) day name.

    Raises:
        ValueError: when the value names no day.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 7:
            return value
        raise ValueError(f"day of week must be 1 (Monday) to 7 (Sunday), not {value}")
    text = str(value).strip().lower()
    for i, name in enumerate(DAY_NAMES, start=1):
        if len(text) >= 3 and name.startswith(text):
            return i
    hint = did_you_mean(text, DAY_NAMES)
    raise ValueError(f"not a day of week: {value!r}" + (f"; {hint}" if hint else ""))


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@functools.cache
def zone(name: str) -> tzinfo:
    """The IANA time zone called ``name``.

    Raises:
        ValueError: for an unknown zone, with a did-you-mean hint.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(name, _zone_names())
        raise ValueError(
            f"unknown time zone {name!r}" + (f"; {hint}" if hint else " (use an IANA name)")
        ) from None


def check_zone(name: str) -> str:
    """Validate a zone name and return it unchanged (for pydantic validators)."""
    zone(name)
    return name


def parse_datetime(value: object) -> datetime:
    """A datetime from YAML: an ISO string, a YAML timestamp or a bare date.

    The result is naive when the text had no offset; callers read it in the right zone.

    Raises:
        ValueError: when the value is not a date or a date and time.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(
            f"not a date and time: {value!r} (use ISO 8601, e.g. 2025-01-06T09:00:00)"
        ) from None


def local_wall(when: datetime, tz: tzinfo) -> datetime:
    """``when`` as a naive wall-clock datetime in ``tz`` (naive input is taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo("UTC"))
    return when.astimezone(tz).replace(tzinfo=None)


def wall_in(value: datetime, tz: tzinfo) -> datetime:
    """A configured instant as naive wall time in ``tz`` (naive values are already local)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(tz).replace(tzinfo=None)
