"""Shared data for on-call tests: the small team file and a sim clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

#: Sim time 0 is Tuesday 2025-01-07 14:00 UTC: inside 09-17 weekday support hours.
TUESDAY_2PM = datetime(2025, 1, 7, 14, 0, tzinfo=UTC)

TEAM = """
timezone: UTC
people:
  - {id: alice, name: Alice Adams}
  - {id: bob, name: Bob Brown}
  - {id: mgr, name: Morgan Manager}
schedules:
  - id: primary
    layers:
      - {users: [alice], rotation_virtual_start: 2025-01-06, rotation_turn_length: 1w}
  - id: secondary
    layers:
      - {users: [bob], rotation_virtual_start: 2025-01-06, rotation_turn_length: 1w}
  - id: nights-only
    layers:
      - users: [bob]
        rotation_virtual_start: 2025-01-06
        rotation_turn_length: 1d
        restrictions: [{type: daily, start_time_of_day: "22:00", duration: 8h}]
escalation_policies:
  - id: checkout
    num_loops: 1
    rules:
      - escalation_delay_in_minutes: 10
        targets: [{type: schedule, id: primary}]
      - escalation_delay_in_minutes: 15
        targets: [{type: schedule, id: secondary}]
      - escalation_delay_in_minutes: 5
        targets: [{type: user, id: mgr}]
  - id: once
    rules:
      - escalation_delay_in_minutes: 5
        targets: [{type: user, id: alice}]
      - escalation_delay_in_minutes: 5
        targets: [{type: user, id: bob}]
  - id: gap-first
    rules:
      - escalation_delay_in_minutes: 5
        targets: [{type: schedule, id: nights-only}]
      - escalation_delay_in_minutes: 5
        targets: [{type: user, id: mgr}]
services:
  - name: checkout
    escalation_policy: checkout
    integration_keys: [pd-routing-checkout, team-checkout-pager]
  - name: batch
    escalation_policy: once
  - name: nightly
    escalation_policy: gap-first
  - name: reports
    escalation_policy: checkout
    integration_keys: [opsgenie-reports]
    urgency: use_support_hours
    support_hours:
      timezone: UTC
      days_of_week: [monday, tuesday, wednesday, thursday, friday]
      start_time: "09:00"
      end_time: "17:00"
"""


def clock_from(start: datetime) -> Callable[[float], datetime]:
    """Sim seconds -> wall clock, starting at ``start``."""
    return lambda t: start + timedelta(seconds=t)
