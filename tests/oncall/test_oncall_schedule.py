"""Who is on call: rotations, handoffs, restrictions, layers, overrides, time zones.

Every expected answer below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oncall_support import FIXTURES

from gameday.oncall import OnCall, load_oncall, loads_oncall


@pytest.fixture(scope="module")
def checkout() -> OnCall:
    return load_oncall(FIXTURES / "checkout.yaml")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "who"),
    [
        # Virtual start Mon 2025-01-06 09:00 EST = 14:00 UTC; weekly turns alice, bob, carol.
        (utc(2025, 1, 6, 14, 0), "alice"),
        (utc(2025, 1, 13, 13, 59), "alice"),  # one minute before the first handoff
        (utc(2025, 1, 13, 14, 0), "bob"),  # the handoff minute
        (utc(2025, 1, 20, 14, 0), "carol"),
        (utc(2025, 1, 27, 14, 0), "alice"),  # the rotation wraps around
        (utc(2025, 1, 6, 13, 59), "carol"),  # before the virtual start: turn -1
        # US DST starts Sun 2025-03-09: the Monday handoff stays at 09:00 local = 13:00 UTC.
        # Nine weeks after Jan 6 -> turn 9 -> alice; turn 8 (8 % 3 = 2) -> carol.
        (utc(2025, 3, 10, 12, 59), "carol"),
        (utc(2025, 3, 10, 13, 0), "alice"),
    ],
)
def test_weekly_rotation_hands_off_at_the_right_minute(checkout, when, who):
    """A weekly layer hands off at its virtual start's local time, DST or not."""
    assert checkout.on_call("checkout-primary", when) == who


def test_override_beats_the_rotation_for_its_window(checkout):
    """Bob covers Wed 12:00-18:00 New York time (17:00-23:00 UTC); end is exclusive."""
    assert checkout.on_call("checkout-primary", utc(2025, 1, 8, 16, 59)) == "alice"
    assert checkout.on_call("checkout-primary", utc(2025, 1, 8, 17, 0)) == "bob"
    assert checkout.on_call("checkout-primary", utc(2025, 1, 8, 22, 59)) == "bob"
    assert checkout.on_call("checkout-primary", utc(2025, 1, 8, 23, 0)) == "alice"


@pytest.mark.parametrize(
    ("when", "who"),
    [
        # Europe: 08:00-18:00 Berlin = 07:00-17:00 UTC in January; daily turns from
        # Mon 08:00 Berlin, so Tue 2025-01-07 is turn 1 -> erin, Wed is turn 2 -> dave.
        (utc(2025, 1, 7, 7, 0), "erin"),
        (utc(2025, 1, 7, 10, 0), "erin"),
        (utc(2025, 1, 7, 16, 59), "erin"),
        (utc(2025, 1, 8, 7, 0), "dave"),
        # Outside Europe's window the restriction gap falls through to the Americas layer:
        # 12:00-02:00 New York = 17:00-07:00 UTC; its first week is alice's.
        (utc(2025, 1, 7, 17, 0), "alice"),
        (utc(2025, 1, 7, 6, 59), "alice"),
        (utc(2025, 1, 14, 3, 0), "bob"),  # Mon 13 22:00 EST: second week -> bob
    ],
)
def test_follow_the_sun_two_restricted_layers(checkout, when, who):
    """Europe's layer covers its day; outside it, the lower Americas layer answers."""
    assert checkout.on_call("follow-the-sun", when) == who


def test_follow_the_sun_has_a_gap_between_the_dst_changes(checkout):
    """US DST starts three weeks before EU DST: 06:00-07:00 UTC nobody is on call."""
    # 2025-03-11: New York is UTC-4 (Americas until 02:00 EDT = 06:00 UTC),
    # Berlin still UTC+1 (Europe from 08:00 CET = 07:00 UTC).
    assert checkout.on_call("follow-the-sun", utc(2025, 3, 11, 5, 59)) is not None
    assert checkout.on_call("follow-the-sun", utc(2025, 3, 11, 6, 30)) is None
    assert checkout.on_call("follow-the-sun", utc(2025, 3, 11, 7, 0)) is not None


@pytest.mark.parametrize(
    ("when", "who"),
    [
        (utc(2025, 1, 6, 8, 59), None),  # Monday before 09:00
        (utc(2025, 1, 6, 9, 0), "carol"),
        (utc(2025, 1, 10, 16, 59), "carol"),  # Mon 09:00 + 104h = Fri 17:00
        (utc(2025, 1, 10, 17, 0), None),
        (utc(2025, 1, 11, 12, 0), None),  # Saturday
    ],
)
def test_weekly_restriction_window(checkout, when, who):
    """A weekly window Monday 09:00 for 104 hours covers the working week only."""
    assert checkout.on_call("business-week", when) == who


@pytest.mark.parametrize(
    ("when", "who"),
    [
        # Handoff 10:15 moves the virtual start to Mon 10:15; 12h turns dave, erin.
        # Sat 2025-01-11 10:15 is 5 days = 10 turns later -> dave; 22:15 -> erin.
        (utc(2025, 1, 11, 7, 59), None),  # window opens Sat 08:00
        (utc(2025, 1, 11, 8, 0), "erin"),  # turn 9 (Fri 22:15 - Sat 10:15)
        (utc(2025, 1, 11, 10, 14), "erin"),
        (utc(2025, 1, 11, 10, 15), "dave"),
        (utc(2025, 1, 11, 22, 15), "erin"),
        (utc(2025, 1, 13, 7, 59), "erin"),  # Sun 22:15 - Mon 10:15 is turn 13 -> erin
        (utc(2025, 1, 13, 8, 0), None),  # Sat 08:00 + 48h: the window closes
    ],
)
def test_handoff_time_and_a_weekend_window_across_midnight(checkout, when, who):
    """``handoff`` sets the handoff clock time; a weekly window may span days."""
    assert checkout.on_call("weekend", when) == who


def test_naive_datetimes_are_utc(checkout):
    """A datetime without a zone is read as UTC."""
    assert checkout.on_call("checkout-primary", datetime(2025, 1, 13, 14, 0)) == "bob"


def test_first_layer_in_the_list_wins():
    """Two unrestricted layers: the upper one always answers."""
    oc = loads_oncall(
        """
people: [{id: a, name: A}, {id: b, name: B}]
schedules:
  - id: s
    layers:
      - {users: [a], rotation_virtual_start: 2025-01-01, rotation_turn_length: 1d}
      - {users: [b], rotation_virtual_start: 2025-01-01, rotation_turn_length: 1d}
"""
    )
    assert oc.on_call("s", utc(2025, 6, 1, 3, 0)) == "a"


def test_layer_start_and_end_bound_the_layer():
    """Before ``start`` and from ``end`` on, a layer has nobody."""
    oc = loads_oncall(
        """
people: [{id: a, name: A}]
schedules:
  - id: s
    layers:
      - users: [a]
        rotation_virtual_start: 2025-01-01
        rotation_turn_length: 1d
        start: 2025-02-01T00:00:00Z
        end: 2025-03-01T00:00:00Z
"""
    )
    assert oc.on_call("s", utc(2025, 1, 31, 23, 59)) is None
    assert oc.on_call("s", utc(2025, 2, 1, 0, 0)) == "a"
    assert oc.on_call("s", utc(2025, 3, 1, 0, 0)) is None


@pytest.mark.parametrize(
    ("when", "urgency"),
    [
        (utc(2025, 1, 7, 13, 0), "high"),  # Tue 08:00 EST: support hours start
        (utc(2025, 1, 7, 12, 59), "low"),
        (utc(2025, 1, 8, 0, 59), "high"),  # Tue 19:59 EST
        (utc(2025, 1, 8, 1, 0), "low"),  # Tue 20:00 EST
        (utc(2025, 1, 11, 17, 0), "low"),  # Saturday noon
    ],
)
def test_support_hours_decide_urgency(checkout, when, urgency):
    """use_support_hours: high 08-20 New York on weekdays, low otherwise."""
    assert checkout.urgency("checkout", when) == urgency


def test_rule_targets_resolve_schedules_at_the_time(checkout):
    """A schedule target is whoever is on call at that moment; a user target is the user."""
    assert checkout.targets("checkout", 0, utc(2025, 1, 13, 14, 0)) == ["bob"]
    assert checkout.targets("checkout", 1, utc(2025, 1, 7, 10, 0)) == ["erin"]
    assert checkout.targets("checkout", 2, utc(2025, 1, 7, 10, 0)) == ["manager"]


def test_unknown_schedule_is_a_key_error(checkout):
    """Asking about a schedule that does not exist fails loudly."""
    with pytest.raises(KeyError):
        checkout.on_call("nope", utc(2025, 1, 1))


@given(
    users=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4),
    turn_hours=st.integers(min_value=1, max_value=24 * 14),
    offset=st.integers(min_value=-(10**8), max_value=10**8),
)
def test_rotation_repeats_after_a_full_cycle(users, turn_hours, offset):
    """In a zone without DST, a layer is periodic in turn x number of users."""
    people = "".join(f"  - {{id: {u}, name: {u.upper()}}}\n" for u in "abcd")
    oc = loads_oncall(
        f"""
people:
{people}schedules:
  - id: s
    layers:
      - users: [{", ".join(users)}]
        rotation_virtual_start: 2025-01-06
        rotation_turn_length: {turn_hours}h
"""
    )
    when = utc(2025, 1, 6) + timedelta(seconds=offset)
    cycle = timedelta(hours=turn_hours * len(users))
    assert oc.on_call("s", when) in users
    assert oc.on_call("s", when + cycle) == oc.on_call("s", when)
