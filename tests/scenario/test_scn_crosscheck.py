"""gameday validate across a scenario's files: typed fault params, people, commands, alerts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenario.edits import edit_line as _edit
from tests.scenario.edits import pool_folder


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """A writable copy of a bundled scenario."""
    return pool_folder(tmp_path)


def test_bundled_scenario_is_clean(cli, scenario: Path) -> None:
    """The copy itself validates with no problem."""
    result = cli("validate", scenario)
    assert result.code == 0, result.err


def test_misspelt_fault_parameter_is_refused_with_did_you_mean(cli, scenario: Path) -> None:
    """`connectons: 25` is an error at its line and column, naming the right key."""
    line = _edit(scenario / "scenario.yaml", "      connections: 25", "      connectons: 25")
    result = cli("validate", scenario)
    assert result.code == 2
    assert (
        f"{scenario / 'scenario.yaml'}:{line}:7: faults[0].params.connectons: unknown "
        "parameter 'connectons' of a blocking_query fault (did you mean 'connections'?)"
    ) in result.err_lines


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[0, 2]", "faults[0].params.connections: Input should be a valid integer"),
        ("'lots'", "faults[0].params.connections: Input should be a valid integer"),
    ],
)
def test_fault_parameter_types_are_checked(cli, scenario: Path, value: str, message: str) -> None:
    """A parameter of the wrong type is refused at its key."""
    _edit(scenario / "scenario.yaml", "      connections: 25", f"      connections: {value}")
    result = cli("validate", scenario)
    assert result.code == 2
    assert any(message in line for line in result.err_lines), result.err


def test_rate_ranges_must_be_ordered_and_in_bounds(cli, scenario: Path) -> None:
    """A `[low, high]` rate with low above high, or out of its bounds, is refused."""
    text = (scenario / "scenario.yaml").read_text()
    text = text.replace("type: blocking_query", "type: slow_query").replace(
        "      table: orders\n      connections: 25\n", "      factor: [9, 3]\n"
    )
    text = text.replace("      user: reporting\n      application: nightly-archiver\n", "")
    (scenario / "scenario.yaml").write_text(text)
    result = cli("validate", scenario)
    assert any("range [9, 3] has low above high" in line for line in result.err_lines)
    (scenario / "scenario.yaml").write_text(text.replace("[9, 3]", "[0.5, 3]"))
    result = cli("validate", scenario)
    assert any(
        "faults[0].params.factor: must be between 1 and 1000, not 0.5" in line
        for line in result.err_lines
    ), result.err


def test_unknown_person_in_solution_is_refused(cli, scenario: Path) -> None:
    """`assign ic NOBODY` in the solution is an error at the step, with the people listed."""
    line = _edit(scenario / "solution.yaml", "do: assign ic amara", "do: assign ic NOBODY")
    result = cli("validate", scenario)
    assert result.code == 2
    expected = f"{scenario / 'solution.yaml'}:{line}:"
    found = [x for x in result.err_lines if x.startswith(expected)]
    assert found and "unknown person 'NOBODY'" in found[0], result.err
    assert "people: amara, jonas, lucas, mei, priya" in found[0]


def test_misspelt_person_gets_did_you_mean(cli, scenario: Path) -> None:
    """A near miss names the person meant."""
    _edit(scenario / "solution.yaml", "do: assign ic amara", "do: assign ic amaro")
    result = cli("validate", scenario)
    assert any("did you mean 'amara'?" in line for line in result.err_lines), result.err


def test_unknown_person_in_inject_is_refused(cli, scenario: Path) -> None:
    """An inject's person must be a person or a schedule of the on-call file."""
    line = _edit(scenario / "scenario.yaml", "person: shop-secondary", "person: secondry")
    result = cli("validate", scenario)
    assert result.code == 2
    assert any(
        x.startswith(f"{scenario / 'scenario.yaml'}:{line}:")
        and "injects[1].person: unknown person 'secondry'" in x
        for x in result.err_lines
    ), result.err


def test_solution_command_the_simulation_cannot_run_is_refused(cli, scenario: Path) -> None:
    """A step the session's parser does not know is an error at the step."""
    line = _edit(
        scenario / "solution.yaml",
        "do: kubectl logs deployment/orders -n shop --tail=50",
        "do: kubectl frobnicate pods -n shop",
    )
    result = cli("validate", scenario)
    assert result.code == 2
    assert any(
        x.startswith(f"{scenario / 'solution.yaml'}:{line}:")
        and "the simulation cannot run 'kubectl frobnicate pods -n shop'" in x
        for x in result.err_lines
    ), result.err


def test_runbook_command_the_simulation_cannot_run_is_refused(cli, scenario: Path) -> None:
    """A runbook command the simulation does not know is an error at its line."""
    book = scenario / "runbooks" / "db-pool-exhaustion.md"
    text = book.read_text()
    first = text.index("kubectl get pods")
    book.write_text(text[:first] + "kubectl frobnicate pods" + text[first + 16 :])
    line = text[:first].count("\n") + 1
    result = cli("validate", scenario)
    assert result.code == 2
    assert any(
        x.startswith(f"{book}:{line}") and "does not know the command" in x
        for x in result.err_lines
    ), result.err


def test_alert_without_severity_and_foreign_runbook_warn(cli, scenario: Path) -> None:
    """Alert design problems are warnings: printed, exit 0."""
    rules = scenario / "rules" / "orders.rules.yml"
    text = rules.read_text()
    assert "severity: critical" in text
    rules.write_text(text.replace("severity: critical", "team: shop", 1))
    result = cli("validate", scenario)
    assert result.code == 0, result.err
    assert any(": warning: " in x and "has no severity label" in x for x in result.err_lines)
    text = rules.read_text()
    url_line = next(x for x in text.splitlines() if "runbook_url" in x)
    rules.write_text(
        text.replace(url_line, "          runbook_url: https://wiki.example/runbooks/nowhere")
    )
    result = cli("validate", scenario)
    assert result.code == 0, result.err
    assert any(
        "links a runbook the scenario does not bring: https://wiki.example/runbooks/nowhere" in x
        for x in result.err_lines
    ), result.err


def test_red_herring_that_mitigates_is_refused(cli, scenario: Path) -> None:
    """A 'red herring' that is really the fix is refused at its line, with the figures."""
    fix = (
        '    - command: psql -h orders-db -U postgres -d orders -c "SELECT '
        "pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'reporting'\"\n"
    )
    line = _edit(
        scenario / "scenario.yaml", "    - command: kubectl rollout undo deployment/orders\n", fix
    )
    result = cli("validate", scenario)
    assert result.code == 2
    [problem] = [x for x in result.err_lines if "red_herrings" in x]
    assert problem.startswith(f"{scenario / 'scenario.yaml'}:{line}:7: truth.red_herrings[2]: ")
    assert "mitigates the incident in the world: from it to the end" in problem
    assert "a command that fixes the fault is no red herring" in problem


def test_solution_step_the_world_refuses_is_refused(cli, scenario: Path) -> None:
    """A step that parses but fails when played (a deployment that does not exist)."""
    line = _edit(
        scenario / "solution.yaml",
        "do: kubectl logs deployment/orders -n shop --tail=50",
        "do: kubectl rollout restart deployment/ordres -n shop",
    )
    result = cli("validate", scenario)
    assert result.code == 2
    [problem] = [x for x in result.err_lines if "refused this step" in x]
    assert problem.startswith(f"{scenario / 'solution.yaml'}:{line}:")
    assert 'deployments.apps "ordres" not found' in problem


def test_deprecated_mitigations_key_warns(cli, scenario: Path) -> None:
    """The old mitigations: key still loads, does nothing, and validate says so."""
    text = (scenario / "scenario.yaml").read_text()
    (scenario / "scenario.yaml").write_text(
        text + "mitigations:\n  - fault: lock-holder\n    command: kubectl rollout undo\n"
    )
    result = cli("validate", scenario)
    assert result.code == 0, result.err
    assert any(": warning: mitigations: deprecated and ignored" in x for x in result.err_lines)
