"""Generated people: Faker names from the session seed, stable ids, deterministic."""

from __future__ import annotations

import pytest

from gameday.oncall import generate_people, loads_oncall

POLICY_ON_P4 = """
generate_people: 4
schedules:
  - id: primary
    layers:
      - {users: [p1, p2, p3, p4], rotation_virtual_start: 2025-01-06, rotation_turn_length: 1w}
escalation_policies:
  - id: team
    rules: [{escalation_delay_in_minutes: 5, targets: [{type: schedule, id: primary}]}]
services: [{name: api, escalation_policy: team}]
"""


def test_same_seed_same_people():
    """The same seed invents the same people; another seed invents others."""
    assert generate_people(7, 6) == generate_people(7, 6)
    assert [p.name for p in generate_people(7, 6)] != [p.name for p in generate_people(8, 6)]


def test_people_are_distinct_with_stable_ids_and_emails():
    """Ids are p1..pN whatever the names; names are unique; emails follow the names."""
    people = generate_people(42, 30)
    assert [p.id for p in people] == [f"p{i}" for i in range(1, 31)]
    assert len({p.name for p in people}) == 30
    for p in people:
        first, last = p.name.lower().split(" ", 1)
        assert p.email.endswith("@example.com") and p.email.startswith(first[:1])


def test_loader_generates_people_from_the_seed_when_none_are_listed():
    """A file without people gets ``generate_people`` of them, named by the session seed."""
    one = loads_oncall(POLICY_ON_P4, seed=1)
    again = loads_oncall(POLICY_ON_P4, seed=1)
    other = loads_oncall(POLICY_ON_P4, seed=2)
    assert [p.id for p in one.people] == ["p1", "p2", "p3", "p4"]
    assert one.people == again.people
    assert one.people != other.people


def test_zero_people_is_refused():
    """Asking for nobody is a mistake."""
    with pytest.raises(ValueError, match="at least 1"):
        generate_people(1, 0)
