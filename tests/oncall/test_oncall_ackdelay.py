"""Bot ack delays: realistic by time of day and urgency, seeded and deterministic."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime

import pytest

from gameday.oncall import Profile, ack_delay, loads_oncall, state_at

TUE_3PM = datetime(2025, 1, 7, 15, 0)
TUE_9PM = datetime(2025, 1, 7, 21, 0)
WED_3AM = datetime(2025, 1, 8, 3, 0)
SAT_3PM = datetime(2025, 1, 11, 15, 0)


def draws(local_time: datetime, urgency: str = "high", profile=None, n: int = 400) -> list[float]:
    rng = random.Random(1234)
    return [ack_delay(rng, local_time, urgency, profile) for _ in range(n)]


def test_same_seed_same_delay():
    """Two generators with the same seed give the same delays."""
    a = [ack_delay(random.Random(9), WED_3AM, "high", None) for _ in range(3)]
    b = [ack_delay(random.Random(9), WED_3AM, "high", None) for _ in range(3)]
    assert a == b


def test_states_by_local_time():
    """Weekday afternoon: working; evening and weekend: off; 3 a.m.: asleep."""
    assert state_at(TUE_3PM) == "working"
    assert state_at(TUE_9PM) == "off"
    assert state_at(SAT_3PM) == "off"
    assert state_at(WED_3AM) == "asleep"


def test_working_hours_ack_in_one_to_three_minutes():
    """At 3 p.m. the middle 90% of acks fall between one and three minutes or so."""
    d = sorted(draws(TUE_3PM))
    assert d[20] > 50 and d[-20] < 200
    assert 80 < statistics.median(d) < 120


def test_asleep_takes_four_to_twelve_minutes_to_wake():
    """At 3 a.m. the middle 90% fall between four and twelve minutes."""
    d = sorted(draws(WED_3AM))
    assert d[20] > 4 * 60 and d[-20] < 12 * 60


def test_three_am_is_slower_than_evening_is_slower_than_afternoon():
    """Median ack: 3 p.m. < 9 p.m. < 3 a.m."""
    medians = [statistics.median(draws(t)) for t in (TUE_3PM, TUE_9PM, WED_3AM)]
    assert medians == sorted(medians)


def test_low_urgency_is_much_slower():
    """A push notification is answered far later than a phone call."""
    assert statistics.median(draws(TUE_3PM, "low")) > 5 * statistics.median(draws(TUE_3PM))


def test_low_urgency_at_night_waits_for_morning():
    """Nobody wakes for low urgency: a 3 a.m. push is seen after 07:00."""
    assert min(draws(WED_3AM, "low")) >= 4 * 3600


def test_profile_moves_sleep_and_scales_delays():
    """A night-shift bot is awake at 3 a.m.; ack_factor 2 doubles the delay."""
    night_shift = Profile(sleep_start="10:00", sleep_end="18:00", work_days=[])
    assert state_at(WED_3AM, night_shift) == "off"
    slow = Profile(ack_factor=2.0)
    fast = [ack_delay(random.Random(5), TUE_3PM, "high", None)]
    doubled = [ack_delay(random.Random(5), TUE_3PM, "high", slow)]
    assert doubled[0] == pytest.approx(2 * fast[0])


def test_unknown_urgency_is_refused():
    """Only high and low exist."""
    with pytest.raises(ValueError, match="urgency"):
        ack_delay(random.Random(1), TUE_3PM, "urgent", None)


def test_local_time_puts_a_page_on_the_responders_clock():
    """A page at 14:00 UTC reaches a Berlin engineer at 15:00, working; a Tokyo one asleep."""
    oc = loads_oncall(
        "people:\n"
        "  - {id: de, name: D, timezone: Europe/Berlin}\n"
        "  - {id: jp, name: J, timezone: Asia/Tokyo}\n"
    )
    when = datetime(2025, 1, 7, 14, 0, tzinfo=UTC)
    assert oc.local_time("de", when) == datetime(2025, 1, 7, 15, 0)
    assert state_at(oc.local_time("de", when)) == "working"
    assert state_at(oc.local_time("jp", when)) == "asleep"  # 23:00 in Tokyo
