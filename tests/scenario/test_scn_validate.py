"""gameday validate: scenario folders and standalone files, every problem, one summary."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from gameday.errors import InputError, Problem
from gameday.scenario import checkers
from gameday.scenario.validation import classify, validate_paths
from tests.scenario.conftest import FIXTURES, VALID


def test_valid_folder_is_ok(cli, no_checkers) -> None:
    """A valid scenario and the five files it brings: exit 0, summary on stderr."""
    result = cli("validate", VALID)
    assert (result.code, result.out, result.err_lines) == (0, "", ["ok: 5 files"])


def test_verbose_lists_files_and_skipped_checkers(cli, no_checkers) -> None:
    """--verbose says what was checked and which checkers were absent."""
    result = cli("validate", "--verbose", VALID)
    assert f"checked {VALID / 'rules' / 'checkout.rules.yml'} (rules)" in result.err_lines
    assert any(line.startswith("note: rules checks skipped") for line in result.err_lines)


def test_several_paths_sorted_and_counted(cli, no_checkers) -> None:
    """Problems of several scenarios come sorted by file and line, with one summary."""
    result = cli("validate", FIXTURES / "unknown-key", FIXTURES / "calls-cycle", VALID)
    assert result.code == 2
    assert result.err_lines[0].startswith(str(FIXTURES / "calls-cycle"))
    assert result.err_lines[1].startswith(str(FIXTURES / "unknown-key"))
    assert result.err_lines[-1] == "2 problems in 2 files"


def test_json_output(cli, no_checkers) -> None:
    """--json prints the problems on stdout for scripts; exit status unchanged."""
    result = cli("validate", "--json", FIXTURES / "unknown-key")
    assert result.code == 2
    payload = json.loads(result.out)
    assert payload["ok"] is False
    (problem,) = payload["problems"]
    assert problem == {
        "path": str(FIXTURES / "unknown-key" / "scenario.yaml"),
        "line": 10,
        "col": 7,
        "key": "world.services[0].replicsa",
        "message": "unknown key 'replicsa'",
        "hint": "did you mean 'replicas'?",
    }


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("x.yml", "groups: []\n", "rules"),
        ("x.yaml", "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n", "rules"),
        ("routing.yml", "route: {receiver: a}\n", "alertmanager"),
        ("alertmanager.yml", "{}\n", "alertmanager"),
        ("team.yaml", "escalation_policies: []\n", "oncall"),
        ("steps.yaml", "actions: []\n", "solution"),
        ("notes.md", "# Runbook\n", "runbooks"),
        ("other.yaml", "world: {}\n", "scenario"),
    ],
)
def test_standalone_files_are_recognised(tmp_path: Path, name: str, text: str, kind: str) -> None:
    """A standalone file's kind comes from its name or its content."""
    path = tmp_path / name
    path.write_text(text)
    assert classify(path) == (kind, [])


def test_unknown_kind_and_missing_path(cli, tmp_path: Path) -> None:
    """A file of no known kind and a path that does not exist are both problems."""
    (tmp_path / "x.yaml").write_text("hello: world\n")
    result = cli("validate", tmp_path / "x.yaml", tmp_path / "nope")
    assert result.code == 2
    assert result.err_lines[0].startswith(f"{tmp_path}/nope: no such file or folder")
    assert result.err_lines[1].startswith(f"{tmp_path}/x.yaml: cannot tell what kind of file")


def test_standalone_broken_solution(cli, tmp_path: Path) -> None:
    """A solution file alone is checked against the solution schema."""
    (tmp_path / "solution.yaml").write_text("actions:\n  - at: -1m\n    do: ack\n")
    result = cli("validate", tmp_path / "solution.yaml")
    assert result.err_lines == [
        f"{tmp_path}/solution.yaml:2:5: actions[0].at: duration must not be negative: '-1m'",
        "1 problem in 1 file",
    ]


def _fake_rules(monkeypatch: pytest.MonkeyPatch, check) -> list:
    calls: list = []

    def check_rule_files(paths):
        calls.append(paths)
        return check(paths)

    module = types.ModuleType("gameday.rules")
    module.check_rule_files = check_rule_files  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gameday.rules", module)
    return calls


def test_registry_calls_an_available_checker(cli, monkeypatch) -> None:
    """Once gameday.rules has check_rule_files, validate runs it on the rule files."""
    rule_file = VALID / "rules" / "checkout.rules.yml"
    calls = _fake_rules(monkeypatch, lambda paths: [Problem(str(paths[0]), 3, 9, "expr", "bad")])
    result = cli("validate", VALID)
    assert calls == [[rule_file]]
    assert f"{rule_file}:3:9: expr: bad" in result.err_lines
    assert result.code == 2


def test_checker_input_error_and_crash_become_problems(monkeypatch) -> None:
    """A checker's InputError is collected; a checker's crash is reported, not hidden."""
    _fake_rules(monkeypatch, lambda paths: (_ for _ in ()).throw(InputError("nope")))
    assert [p.message for p in validate_paths([VALID]).problems] == ["nope"]
    _fake_rules(monkeypatch, lambda paths: 1 / 0)
    (problem,) = validate_paths([VALID]).problems
    assert problem.message.startswith("internal error in gameday.rules.check_rule_files")


def test_missing_checker_module_is_a_note() -> None:
    """A checker package that does not exist yet is skipped with a note."""
    absent = checkers.Checker("rules", "gameday.no_such_package", "check", many=True)
    function, note = checkers.load_checker(absent)
    assert function is None and "gameday.no_such_package is not available" in str(note)


def test_same_file_twice_is_checked_once(cli, no_checkers) -> None:
    """A folder and its own scenario.yaml given together count once."""
    result = cli("validate", VALID, VALID / "scenario.yaml", VALID / "alertmanager.yml")
    assert result.err_lines == ["ok: 5 files"]


def test_console_script_end_to_end() -> None:
    """The real entry point prints the located problem and exits 2, no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "gameday", "validate", str(FIXTURES / "yaml-syntax")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "scenario.yaml:12:11: YAML syntax error" in proc.stderr


def test_scenario_id_is_accepted(cli, roots, no_checkers) -> None:
    """A bundled or local scenario id works like its folder; a typo gets a suggestion."""
    roots.add(roots.bundled, "checkout")
    assert cli("validate", "checkout").err_lines == ["ok: 5 files"]
    result = cli("validate", "checkuot")
    assert result.code == 2
    assert result.err_lines[0] == (
        "checkuot: no such file or folder; unknown scenario 'checkuot'; did you mean 'checkout'?"
    )
