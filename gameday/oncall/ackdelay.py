"""How long a bot responder takes to acknowledge a page.

Delays are log-normal (a long right tail, as real ack times have) around medians that
depend on what the responder is doing at their local time:

============  ==========================  ===============================================
state         high urgency (phone call)   low urgency (push notification, no wake-up)
============  ==========================  ===============================================
working       median 1m40s, ~1-3 min      median 15 min
off (awake)   median 4 min, ~2-8 min      median 45 min
asleep        median 7 min, ~4-12 min     seen after waking: until ``sleep_end`` + ~30 min
============  ==========================  ===============================================

Every draw comes from the ``random.Random`` passed in, so a seeded session gets the same
delays every run. ``Profile.ack_factor`` scales every delay (2.0 = twice as slow).
"""

from __future__ import annotations

import math
import random
from datetime import datetime, time
from typing import Literal

from gameday.oncall.clock import seconds_of_day
from gameday.oncall.model import Profile

State = Literal["working", "off", "asleep"]

#: (median seconds, sigma of the underlying normal) per (urgency, state).
MEDIANS: dict[tuple[str, State], tuple[float, float]] = {
    ("high", "working"): (100.0, 0.35),
    ("high", "off"): (240.0, 0.45),
    ("high", "asleep"): (420.0, 0.28),
    ("low", "working"): (900.0, 0.50),
    ("low", "off"): (2700.0, 0.60),
    ("low", "asleep"): (1800.0, 0.50),  # added to the time left asleep
}
MIN_DELAY = 15.0
MAX_DELAY = 24 * 3600.0
DEFAULT_PROFILE = Profile()


def _within(t: time, start: time, end: time) -> bool:
    s, e, x = seconds_of_day(start), seconds_of_day(end), seconds_of_day(t)
    if s <= e:
        return s <= x < e
    return x >= s or x < e


def state_at(local_time: datetime, profile: Profile | None = None) -> State:
    """Whether the responder is working, off but awake, or asleep at their local time."""
    p = profile or DEFAULT_PROFILE
    t = local_time.time()
    if _within(t, p.sleep_start, p.sleep_end):
        return "asleep"
    if local_time.isoweekday() in p.work_days and _within(t, p.work_start, p.work_end):
        return "working"
    return "off"


def seconds_until_awake(local_time: datetime, profile: Profile | None = None) -> float:
    """Seconds from ``local_time`` to the end of the sleep window (0 when awake)."""
    p = profile or DEFAULT_PROFILE
    if state_at(local_time, p) != "asleep":
        return 0.0
    now = seconds_of_day(local_time.time())
    return float((seconds_of_day(p.sleep_end) - now) % 86400)


def ack_delay(
    rng: random.Random, local_time: datetime, urgency: str, profile: Profile | None = None
) -> float:
    """Seconds a responder takes to acknowledge a page that reaches them at ``local_time``.

    Args:
        rng: the session's seeded random source (one draw is taken from it).
        local_time: wall-clock time where the responder is.
        urgency: ``"high"`` (phone call, wakes people) or ``"low"`` (push only).
        profile: sleep and working hours and ``ack_factor``; defaults to a 09-18 weekday
            worker who sleeps 23-07.

    Raises:
        ValueError: for an urgency other than high or low.
    """
    if urgency not in ("high", "low"):
        raise ValueError(f"urgency must be 'high' or 'low', not {urgency!r}")
    p = profile or DEFAULT_PROFILE
    state = state_at(local_time, p)
    median, sigma = MEDIANS[(urgency, state)]
    delay = rng.lognormvariate(math.log(median), sigma)
    if urgency == "low" and state == "asleep":
        delay += seconds_until_awake(local_time, p)
    return min(MAX_DELAY, max(MIN_DELAY, delay * p.ack_factor))
