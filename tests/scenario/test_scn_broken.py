"""One broken fixture per mistake: ``gameday validate`` names it at path:line:col, exit 2."""

from __future__ import annotations

import pytest

from tests.scenario.conftest import FIXTURES

# fixture folder -> (file, expected line after "path:")
CASES = {
    "yaml-syntax": ("scenario.yaml", "12:11: YAML syntax error: expected ',' or ']', but got ':'"),
    "wrong-type": (
        "scenario.yaml",
        "10:7: world.services[0].replicas: Input should be a valid integer, "
        "unable to parse string as an integer",
    ),
    "unknown-key": (
        "scenario.yaml",
        "10:7: world.services[0].replicsa: unknown key 'replicsa' (did you mean 'replicas'?)",
    ),
    "missing-required": ("scenario.yaml", "2:1: truth: missing required key 'truth'"),
    "unknown-call-service": (
        "scenario.yaml",
        "11:15: world.services[0].calls[0]: unknown service 'apii' (did you mean 'api'?)",
    ),
    "unknown-fault-service": (
        "scenario.yaml",
        "23:5: faults[0].service: unknown service 'ap1' (did you mean 'api'?)",
    ),
    "unknown-entry-service": (
        "scenario.yaml",
        "6:1: entry_service: unknown service 'www' (known services: api, web)",
    ),
    "unknown-database": (
        "scenario.yaml",
        "13:7: world.services[1].database: unknown database 'order' (did you mean 'orders'?)",
    ),
    "calls-cycle": (
        "scenario.yaml",
        "13:15: world.services[1].calls[0]: calls form a cycle: web -> api -> web "
        "(a service must not call itself, directly or through others)",
    ),
    "fault-after-end": (
        "scenario.yaml",
        "22:5: faults[0].at: fault starts at 1h, at or after the scenario's end (duration 1h) "
        "(start it earlier or make 'duration' longer)",
    ),
    "duplicate-service": (
        "scenario.yaml",
        "16:7: world.services[2].name: duplicate service name 'web' (first defined on line 9)",
    ),
    "duplicate-database": (
        "scenario.yaml",
        "19:7: world.databases[1].name: duplicate database name 'orders' "
        "(first defined on line 17)",
    ),
    "duplicate-fault": (
        "scenario.yaml",
        "24:5: faults[1].id: duplicate fault id 'leak' (first defined on line 20)",
    ),
    "unknown-mitigation-fault": (
        "scenario.yaml",
        "27:5: mitigations[0].fault: unknown fault 'leek' (did you mean 'leak'?)",
    ),
    "pool-without-database": (
        "scenario.yaml",
        "12:7: world.services[0].pool: service 'web' has a pool but no database "
        "(add 'database: <name>' or remove 'pool')",
    ),
    "database-without-pool": (
        "scenario.yaml",
        "13:7: world.services[1].database: service 'api' uses a database but has no pool "
        "(add a connection pool, e.g. 'pool: {size: 10}')",
    ),
    "negative-duration": (
        "scenario.yaml",
        "22:5: faults[0].at: duration must not be negative: '-5m'",
    ),
    "naive-start-time": (
        "scenario.yaml",
        "5:1: start_time: start_time must be timezone-aware "
        "(add an offset, e.g. 2026-03-10T14:00:00+00:00 or ...Z)",
    ),
    "solution-after-end": (
        "solution.yaml",
        "4:5: actions[1].at: action at 2h comes at or after the scenario's end (duration 1h) "
        "(the sim stops at 'duration'; move the action earlier)",
    ),
    "missing-file": (
        "scenario.yaml",
        "27:11: files.rules[0]: file not found: 'rules/missing.yml' "
        "(paths are relative to the scenario folder {folder})",
    ),
}


def test_every_fixture_folder_has_a_case() -> None:
    """Each broken fixture on disk is exercised by a case here, and vice versa."""
    on_disk = {p.name for p in FIXTURES.iterdir() if p.is_dir()} - {"valid"}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_fixture_is_reported_exactly(name: str, cli, no_checkers) -> None:
    """validate prints the one located problem, a summary, and exits 2."""
    folder = FIXTURES / name
    file, expected = CASES[name]
    result = cli("validate", folder)
    assert result.code == 2
    warnings = [line for line in result.err_lines if ": warning: " in line]
    if name == "unknown-mitigation-fault":  # the deprecated key is still read, and warned of
        assert len(warnings) == 1 and "mitigations: deprecated and ignored" in warnings[0]
    else:
        assert warnings == []
    assert [line for line in result.err_lines if line not in warnings] == [
        f"{folder / file}:{expected.replace('{folder}', str(folder))}",
        "1 problem in 1 file",
    ]
    assert result.out == ""


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_fixture_refuses_to_load(name: str) -> None:
    """load_scenario raises InputError carrying the same problem."""
    from gameday.errors import InputError
    from gameday.scenario import load_scenario

    with pytest.raises(InputError) as info:
        load_scenario(FIXTURES / name)
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    assert problem.path.endswith(CASES[name][0])
    assert problem.line is not None and problem.col is not None
