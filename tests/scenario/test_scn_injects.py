"""Inject expectations in scenario.yaml and inject answers in solution.yaml, validated:
each mistake is refused at its ``path:line:col`` with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenario.edits import edit_line as _edit
from tests.scenario.edits import pool_folder

EXPECT = """        within: 10m
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """A writable copy of db-pool-exhaustion (its exec-eta inject expects an ETA)."""
    return pool_folder(tmp_path)


def test_bundled_expectations_validate(cli, scenario: Path) -> None:
    """The bundled inject expectations and the expert's answers are clean (the expert's
    solution, played by validate, answers every one)."""
    result = cli("validate", scenario)
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("new", "col", "key", "message"),
    [
        ("        within: 10m\n        matchin: x\n", 9, "matchin", "unknown key 'matchin' (did you mean 'matching'?)"),
        ("        within: 10 minutes\n", 9, "within", "not a duration: '10 minutes' (use e.g. 30s, 5m, 1h30m)"),
        ("        within: .nan\n", 9, "within", "duration must be a finite number of seconds: nan"),
        ("        within: 0s\n", 9, "within", "must be longer than 0s: the team needs some time to answer"),
        ("        within: 45d\n", 9, "within", "duration 45d is longer than a game day needs (at most 30d)"),
    ],
)  # fmt: skip
def test_bad_expectation_is_refused_at_its_line(
    cli, scenario: Path, new: str, col: int, key: str, message: str
) -> None:
    """Unknown keys, durations that are not durations, NaN, 0s, more than 30 days."""
    line = _edit(scenario / "scenario.yaml", EXPECT, new) + new.count("\n") - 1
    result = cli("validate", scenario)
    assert result.code == 2
    expected = f"{scenario}/scenario.yaml:{line}:{col}: injects[0].expect[0].{key}: {message}"
    assert expected in result.err_lines, result.err


def test_bad_pattern_and_action_are_refused_with_gos_message(cli, scenario: Path) -> None:
    """A pattern Go's regexp refuses, and an action that is no kind of answer."""
    line = _edit(scenario / "scenario.yaml", "      - action: status\n", "      - action: stat\n")
    _edit(scenario / "scenario.yaml", "        matching: '(?i)", "        matching: '((?i)")
    result = cli("validate", scenario)
    assert result.code == 2
    where = f"{scenario}/scenario.yaml"
    assert any(
        e.startswith(f"{where}:{line}:9: injects[0].expect[0].action: Input should be 'status'")
        for e in result.err_lines
    ), result.err
    assert any(
        e.startswith(f"{where}:{line + 1}:9: injects[0].expect[0].matching: error parsing regexp")
        for e in result.err_lines
    ), result.err


def test_inject_firing_after_the_end_is_refused(cli, scenario: Path) -> None:
    """An inject that would fire by itself after the scenario ended."""
    line = _edit(scenario / "scenario.yaml", "    at: 5m ", "    at: 61m ")
    result = cli("validate", scenario)
    assert result.code == 2
    assert (
        f"{scenario}/scenario.yaml:{line}:5: injects[0].at: inject fires at 1h1m, at or after "
        "the scenario's end (duration 1h) (fire it earlier or make 'duration' longer)"
    ) in result.err_lines, result.err


def test_answer_to_an_unknown_inject_is_refused(cli, scenario: Path) -> None:
    """A solution step answering an inject the scenario does not have, with a did-you-mean;
    the drill refuses it too (exit 2), not only validate."""
    line = _edit(
        scenario / "solution.yaml", "  - after_inject: exec-eta\n", "  - after_inject: exec-etaa\n"
    )
    expected = (
        f"{scenario}/solution.yaml:{line}:5: actions[9].after_inject: no inject 'exec-etaa' "
        "in the scenario (did you mean 'exec-eta'?)"
    )
    result = cli("validate", scenario)
    assert result.code == 2 and expected in result.err_lines, result.err
    result = cli("drill", scenario, "--out", scenario.parent / "reports", "-q")
    assert result.code == 2 and expected in result.err_lines, result.err


def test_expectation_the_expert_never_answers_is_refused(cli, scenario: Path) -> None:
    """validate plays the expert: an expectation its solution leaves unanswered (here a
    pattern the expert's update does not contain) is a problem at the expectation."""
    line = _edit(
        scenario / "scenario.yaml",
        "      - action: status\n        matching: '(?i)",
        "      - action: status\n        matching: 'refund(?i)",
    )
    result = cli("validate", scenario)
    assert result.code == 2
    assert any(
        e.startswith(
            f"{scenario}/scenario.yaml:{line}:9: injects[0].expect[0]: the expert's solution "
            "does not answer inject 'exec-eta' when played (seed 1): no status within 10m"
        )
        and "(add a step with 'after_inject: exec-eta' to the solution)" in e
        for e in result.err_lines
    ), result.err
