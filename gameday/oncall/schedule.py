"""Who is on call: layers, rotations, handoffs, restrictions and overrides.

PagerDuty semantics, computed in local wall-clock time so that a weekly handoff at 09:00
stays at 09:00 across daylight-saving changes:

* A layer's users take turns of ``rotation_turn_length``, counted from
  ``rotation_virtual_start`` (backwards too, when the virtual start is in the future).
  ``handoff`` moves the time of day of every handoff.
* Restrictions mask a layer without moving its handoffs: outside every window the layer
  has nobody, and the schedule falls through to the next layer.
* The first layer in the list that has someone wins; an override beats every layer.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from gameday.oncall.clock import local_wall, seconds_of_day, wall_in, zone

if TYPE_CHECKING:
    from gameday.oncall.model import Layer, Restriction, Schedule, SupportHours

DAY = 86400
WEEK = 7 * DAY


def on_call(schedule: Schedule, when: datetime, default_tz: str = "UTC") -> str | None:
    """Id of the person on call for ``schedule`` at ``when``, or None when nobody is.

    Args:
        schedule: the schedule to read.
        when: the instant; a naive datetime is taken as UTC.
        default_tz: the on-call file's zone, used when the schedule names none.
    """
    tz_name = schedule.timezone or default_tz
    tz = zone(tz_name)
    wall = local_wall(when, tz)
    for override in schedule.overrides:
        if wall_in(override.start, tz) <= wall < wall_in(override.end, tz):
            return override.user
    for layer in schedule.layers:
        layer_tz = zone(layer.timezone) if layer.timezone else tz
        who = layer_user(layer, when, layer_tz)
        if who is not None:
            return who
    return None


def layer_user(layer: Layer, when: datetime, tz: tzinfo) -> str | None:
    """The user a single layer has on call at ``when`` (None outside its restrictions)."""
    wall = local_wall(when, tz)
    if layer.start is not None and wall < wall_in(layer.start, tz):
        return None
    if layer.end is not None and wall >= wall_in(layer.end, tz):
        return None
    if layer.restrictions and not any(in_restriction(r, wall) for r in layer.restrictions):
        return None
    elapsed = (wall - rotation_start(layer, tz)).total_seconds()
    turn = int(elapsed // layer.rotation_turn_length)
    return layer.users[turn % len(layer.users)]


def rotation_start(layer: Layer, tz: tzinfo) -> datetime:
    """The virtual start as local wall time, moved to the handoff time of day if given."""
    start = wall_in(layer.rotation_virtual_start, tz)
    if layer.handoff is not None:
        h = layer.handoff
        start = start.replace(hour=h.hour, minute=h.minute, second=h.second, microsecond=0)
    return start


def next_handoff(layer: Layer, when: datetime, tz: tzinfo) -> datetime:
    """Wall time of the first handoff of ``layer`` strictly after ``when``."""
    start = rotation_start(layer, tz)
    elapsed = (local_wall(when, tz) - start).total_seconds()
    turns = int(elapsed // layer.rotation_turn_length) + 1
    return start + timedelta(seconds=turns * layer.rotation_turn_length)


def in_restriction(restriction: Restriction, wall: datetime) -> bool:
    """True when naive local ``wall`` time falls inside the restriction window."""
    t = seconds_of_day(wall.time())
    start = seconds_of_day(restriction.start_time_of_day)
    if not restriction.weekly:
        return (t - start) % DAY < restriction.duration
    day = restriction.start_day_of_week or 1
    t_week = (wall.isoweekday() - 1) * DAY + t
    start_week = (day - 1) * DAY + start
    return (t_week - start_week) % WEEK < restriction.duration


def in_support_hours(hours: SupportHours, when: datetime, default_tz: str = "UTC") -> bool:
    """True when ``when`` falls in the service's support hours.

    An end time at or before the start time means the window runs past midnight; it
    belongs to the day it starts on.
    """
    wall = local_wall(when, zone(hours.timezone or default_tz))
    t = seconds_of_day(wall.time())
    start, end = seconds_of_day(hours.start_time), seconds_of_day(hours.end_time)
    today = wall.isoweekday()
    yesterday = 7 if today == 1 else today - 1
    if start < end:
        return today in hours.days_of_week and start <= t < end
    return (today in hours.days_of_week and t >= start) or (
        yesterday in hours.days_of_week and t < end
    )
