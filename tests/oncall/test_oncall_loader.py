"""Loading on-call files: a good file loads; each broken file names its mistake and place."""

from __future__ import annotations

from pathlib import Path

import pytest
from oncall_support import FIXTURES

from gameday.errors import InputError
from gameday.oncall import check_oncall, load_oncall, loads_oncall

BROKEN = FIXTURES / "broken"

#: One broken file per mistake -> what `validate` must say about it (line:col: key: message).
EXPECTED = {
    "unknown_person": "10:17: schedules[0].layers[0].users[0]: unknown person 'alcie'"
    " (did you mean 'alice'?)",
    "unknown_schedule": "20:13: escalation_policies[0].rules[0].targets[0].id: unknown schedule"
    " 'primry' (did you mean 'primary'?)",
    "unknown_user_target": "24:13: escalation_policies[0].rules[1].targets[0].id: unknown person"
    " 'bobby' (did you mean 'bob'?)",
    "unknown_policy": "27:5: services[0].escalation_policy: unknown escalation policy 'chekout'"
    " (did you mean 'checkout'?)",
    "negative_delay": "21:9: escalation_policies[0].rules[1].escalation_delay_in_minutes:"
    " escalation delay must not be negative, got -5",
    "zero_rotation": "12:9: schedules[0].layers[0].rotation_turn_length: rotation_turn_length"
    " must be more than zero",
    "bad_duration": "12:9: schedules[0].layers[0].rotation_turn_length: not a duration: 'one week'",
    "negative_loops": "15:5: escalation_policies[0].num_loops: num_loops must not be negative",
    "duplicate_person": "5:5: people[1].id: duplicate id 'alice' (first used on line 3)",
    "unknown_key": "21:9: escalation_policies[0].rules[1].escalation_delay_minutes: unknown key"
    " 'escalation_delay_minutes' (did you mean 'escalation_delay_in_minutes'?)",
    "bad_timezone": "1:1: timezone: unknown time zone 'Europe/Berln'; did you mean"
    " 'Europe/Berlin'?",
    "bad_handoff": "13:9: schedules[0].layers[0].handoff: not a time of day: '25:00'",
    "support_hours_missing": "26:5: services[0]: urgency use_support_hours needs a"
    " support_hours block",
    "bad_urgency": "29:5: services[0].urgency: Input should be 'high', 'low' or"
    " 'use_support_hours'",
    "duplicate_integration_key": "32:24: services[1].integration_keys[0]: integration key"
    " 'checkout-key' already belongs to service 'checkout'",
    "weekly_without_day": "14:13: schedules[0].layers[0].restrictions[0]: a weekly restriction"
    " needs start_day_of_week",
    "bad_target_type": "23:13: escalation_policies[0].rules[1].targets[0].type: Input should be"
    " 'user' or 'schedule'",
    "empty_users": "10:9: schedules[0].layers[0].users: a layer needs at least one user",
    "not_a_mapping": "1:1: an on-call file must be a mapping of keys",
    "yaml_syntax": "4:1: YAML syntax error",
}


def test_every_broken_fixture_has_an_expectation():
    """No broken file goes untested."""
    names = {p.stem for p in BROKEN.glob("*.yaml")} - {"three_mistakes"}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_is_reported_at_its_place(name):
    """The problem names file, line, column, dotted key and what is wrong."""
    path = BROKEN / f"{name}.yaml"
    problems = [str(p) for p in check_oncall(path)]
    expected = f"{path}:{EXPECTED[name]}"
    assert any(p.startswith(expected) for p in problems), problems
    with pytest.raises(InputError):
        load_oncall(path)


def test_all_problems_are_reported_together():
    """Schema and reference mistakes in one file come back in one report, in file order."""
    problems = check_oncall(BROKEN / "three_mistakes.yaml")
    assert [(p.line, p.key) for p in problems] == [
        (10, "schedules[0].layers[0].users[1]"),
        (15, "escalation_policies[0].num_loops"),
        (27, "services[0].escalation_policy"),
    ]


def test_good_files_load():
    """The fixtures the other tests use are valid."""
    assert check_oncall(FIXTURES / "base.yaml") == []
    oc = load_oncall(FIXTURES / "checkout.yaml")
    assert oc.policies_by_id["checkout"].num_loops == 2
    assert oc.services_by_name["checkout"].support_hours.start_time.hour == 8  # YAML 08:00
    assert oc.people_by_id["manager"].profile.ack_factor == 1.5


def test_missing_file_is_a_located_problem(tmp_path: Path):
    """A path that does not exist is an input error, not a traceback."""
    problems = check_oncall(tmp_path / "oncall.yaml")
    assert [p.message for p in problems] == ["file not found"]


def test_unquoted_times_of_day_are_understood():
    """YAML reads 20:00 as 1200 and 20:00:00 as 72000; both still mean 20:00."""
    oc = loads_oncall(
        """
escalation_policies: [{id: p, rules: [{escalation_delay_in_minutes: 5,
                        targets: [{type: user, id: p1}]}]}]
services:
  - name: s
    escalation_policy: p
    urgency: use_support_hours
    support_hours: {start_time: 9:30, end_time: 20:00:00, days_of_week: [mon, tue]}
"""
    )
    hours = oc.services_by_name["s"].support_hours
    assert (str(hours.start_time), str(hours.end_time)) == ("09:30:00", "20:00:00")
    assert hours.days_of_week == [1, 2]


def test_empty_file_generates_default_people():
    """An empty on-call file is valid: five generated people and nothing else."""
    oc = loads_oncall("")
    assert [p.id for p in oc.people] == ["p1", "p2", "p3", "p4", "p5"]


def test_generate_people_with_listed_people_is_flagged():
    """generate_people does nothing next to a people list, so it is reported."""
    with pytest.raises(InputError, match="generate_people is ignored"):
        loads_oncall("people: [{id: a, name: A}]\ngenerate_people: 3\n")
