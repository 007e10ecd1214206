"""Time intervals parse and match as Alertmanager 0.25's timeinterval package."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gameday.alerting.timeintervals import TimeInterval, parse_interval, parse_range, parse_time


def interval(**data) -> TimeInterval:
    """Parse one interval entry, failing the test on any error."""
    ti, errors = parse_interval(data)
    assert errors == []
    return ti


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("monday:friday", "weekdays", (1, 5)),
        ("Sunday", "weekdays", (0, 0)),
        ("1:15", "days_of_month", (1, 15)),
        ("-3:-1", "days_of_month", (-3, -1)),
        ("january:march", "months", (1, 3)),
        ("12", "months", (12, 12)),
        ("2020:2030", "years", (2020, 2030)),
    ],
)
def test_parse_range(text: str, kind: str, expected: tuple[int, int]) -> None:
    """Names, numbers and negative days of month, case-insensitive."""
    assert parse_range(text, kind) == expected


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("saturday:sunday", "weekdays", "start day cannot be before end day"),
        ("funday", "weekdays", "not a valid weekday"),
        ("0", "days_of_month", "not a valid day of the month"),
        ("-1:5", "days_of_month", "end day must be negative"),
        ("march:january", "months", "end month january is before start month march"),
        ("2030:2020", "years", "end year 2020 is before start year 2030"),
        ("1:2:3", "years", "invalid format"),
    ],
)
def test_parse_range_errors(text: str, kind: str, message: str) -> None:
    """Alertmanager's wording for impossible ranges."""
    with pytest.raises(ValueError, match=message):
        parse_range(text, kind)


def test_times() -> None:
    """HH:MM with 24:00 allowed; start must be before end."""
    assert parse_time("00:00") == 0 and parse_time("24:00") == 1440
    for bad in ("7:00", "24:01", "12:60"):
        with pytest.raises(ValueError):
            parse_time(bad)
    _, errors = parse_interval({"times": [{"start_time": "17:00", "end_time": "09:00"}]})
    assert errors == [(("times", 0), "start time cannot be equal or greater than end time")]


def test_contains_checks_every_field() -> None:
    """Office hours on weekdays: end exclusive, weekends out."""
    office = interval(
        times=[{"start_time": "09:00", "end_time": "17:00"}], weekdays=["monday:friday"]
    )
    assert office.contains(datetime(2024, 6, 3, 9, 0, tzinfo=UTC))  # Monday
    assert not office.contains(datetime(2024, 6, 3, 17, 0, tzinfo=UTC))
    assert not office.contains(datetime(2024, 6, 1, 12, 0, tzinfo=UTC))  # Saturday


def test_negative_days_count_from_the_end_of_the_month() -> None:
    """-1 is the last day, whatever the month's length."""
    last = interval(days_of_month=["-1"])
    assert last.contains(datetime(2024, 2, 29, tzinfo=UTC))
    assert last.contains(datetime(2023, 2, 28, tzinfo=UTC))
    assert not last.contains(datetime(2024, 4, 29, tzinfo=UTC))


def test_location_converts_before_matching() -> None:
    """With a location, the wall clock of that zone decides."""
    berlin_morning = interval(
        times=[{"start_time": "08:00", "end_time": "09:00"}], location="Europe/Berlin"
    )
    assert berlin_morning.contains(datetime(2024, 6, 3, 6, 30, tzinfo=UTC))  # 08:30 CEST
    assert not berlin_morning.contains(datetime(2024, 6, 3, 8, 30, tzinfo=UTC))


def test_empty_interval_always_matches() -> None:
    """An entry with no fields places no constraint."""
    assert interval().contains(datetime(2000, 1, 1, tzinfo=UTC))
