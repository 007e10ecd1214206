"""load_scenario: folders, files and ids in; a LoadedScenario or every problem out."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gameday.errors import InputError, UsageError
from gameday.scenario import LoadedScenario, inspect_scenario, load_scenario
from tests.scenario.conftest import FIXTURES, VALID


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_loads_a_folder_with_every_file_it_names() -> None:
    """A folder gives the typed scenario and the paths of its files."""
    loaded = load_scenario(VALID)
    assert isinstance(loaded, LoadedScenario)
    assert loaded.scenario.id == "checkout-pool-leak"
    assert loaded.folder == VALID
    assert loaded.source == str(VALID / "scenario.yaml")
    assert loaded.rule_files == [VALID / "rules" / "checkout.rules.yml"]
    assert loaded.alertmanager_file == VALID / "alertmanager.yml"
    assert loaded.oncall_file is None
    assert loaded.runbook_files == [VALID / "runbooks" / "checkout-pool.md"]
    assert loaded.solution is not None and loaded.solution.actions[1].at == 900.0
    assert loaded.doc.where(("world", "services", 1, "name")) == (19, 7)


def test_loads_a_scenario_file_and_is_frozen() -> None:
    """A path to scenario.yaml works like its folder; the result cannot be changed."""
    loaded = load_scenario(VALID / "scenario.yaml")
    assert loaded.folder == VALID
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.folder = Path("/")  # type: ignore[misc]


def test_loads_by_id_from_every_root(roots) -> None:
    """Ids resolve in $GAMEDAY_SCENARIOS, ./scenarios and the bundled folder."""
    roots.add(roots.bundled, "bundled-one")
    roots.add(roots.extra, "extra-one")
    roots.add(roots.cwd / "scenarios", "local-one")
    for scenario_id in ("bundled-one", "extra-one", "local-one"):
        assert load_scenario(scenario_id).folder.name == scenario_id


def test_local_scenario_shadows_bundled(roots) -> None:
    """A team's own copy of an id wins over the bundled one."""
    roots.add(roots.bundled, "same")
    local = roots.add(roots.extra, "same")
    assert load_scenario("same").folder == local


def test_wheel_layout_is_searched(roots, monkeypatch) -> None:
    """Installed from a wheel, bundled scenarios live in gameday/_scenarios."""
    from gameday.scenario import catalog

    monkeypatch.undo()  # the real bundled_roots, but keep an isolated cwd and env
    monkeypatch.chdir(roots.cwd)
    monkeypatch.setenv(catalog.ENV_VAR, str(roots.extra))
    import gameday

    assert Path(gameday.__file__).resolve().parent / "_scenarios" in catalog.bundled_roots()


def test_unknown_id_suggests_the_closest(roots) -> None:
    """A misspelt id is a usage error with a did-you-mean."""
    roots.add(roots.bundled, "db-pool-exhaustion")
    with pytest.raises(UsageError, match=r"unknown scenario 'db-pool-exhaust'; did you mean"):
        load_scenario("db-pool-exhaust")


def test_unknown_id_with_no_scenarios_says_so(roots) -> None:
    """With nothing installed, the message says none were found."""
    with pytest.raises(UsageError, match="no scenarios found"):
        load_scenario("anything")


@pytest.mark.parametrize("ref", ["does/not/exist", "missing.yaml"])
def test_missing_path_is_input_error(ref: str, roots) -> None:
    """A path that does not exist is reported as such, not as an unknown id."""
    with pytest.raises(InputError, match="no such file or folder"):
        load_scenario(ref)


def test_folder_without_scenario_file(tmp_path: Path) -> None:
    """A folder without scenario.yaml is refused with a hint."""
    with pytest.raises(InputError, match="no scenario.yaml in this folder"):
        load_scenario(tmp_path)


def test_every_problem_is_collected(valid_copy: Path) -> None:
    """Schema and semantic problems in one file are all reported, sorted by line."""
    scenario = valid_copy / "scenario.yaml"
    _rewrite(scenario, "replicas: 3", "replicsa: 3")
    _rewrite(scenario, "calls: [checkout-api]", "calls: [checkout]")
    _rewrite(scenario, "    at: 10m", "    at: 2h")
    _rewrite(scenario, "severity: SEV2", "severity: SEV9")
    with pytest.raises(InputError) as info:
        load_scenario(valid_copy)
    keys = [p.key for p in info.value.problems]
    assert keys == [
        "world.services[0].replicsa",
        "world.services[0].calls[0]",
        "faults[0].at",
        "truth.severity",
    ]
    lines = [p.line for p in info.value.problems]
    assert lines == sorted(lines)


def test_inspection_resolves_files_even_when_invalid(valid_copy: Path) -> None:
    """validate still finds the rule files of a scenario whose schema is broken."""
    _rewrite(valid_copy / "scenario.yaml", "title:", "titel:")
    found = inspect_scenario(valid_copy)
    assert found.scenario is None
    assert [p.key for p in found.problems] == ["title", "titel"]
    assert found.files.rule_files == [valid_copy / "rules" / "checkout.rules.yml"]


def test_absolute_paths_point_at_a_teams_own_files(valid_copy: Path, tmp_path: Path) -> None:
    """files: may name rules, routing and runbooks anywhere on disk (CI drills)."""
    team = tmp_path / "team"
    (team / "rules").mkdir(parents=True)
    (team / "rules" / "a.yml").write_text("groups: []\n")
    (team / "rules" / "b.yaml").write_text("groups: []\n")
    (team / "am.yml").write_text("route: {receiver: x}\nreceivers: [{name: x}]\n")
    _rewrite(valid_copy / "scenario.yaml", "rules: [rules/*.yml]", f"rules: [{team}/rules]")
    _rewrite(
        valid_copy / "scenario.yaml",
        "alertmanager: alertmanager.yml",
        f"alertmanager: {team}/am.yml",
    )
    loaded = load_scenario(valid_copy)
    assert loaded.rule_files == [team / "rules" / "a.yml", team / "rules" / "b.yaml"]
    assert loaded.alertmanager_file == team / "am.yml"


def test_glob_that_matches_nothing(valid_copy: Path) -> None:
    """A glob with no match is a problem at the key naming it."""
    _rewrite(valid_copy / "scenario.yaml", "rules/*.yml", "alerts/*.yml")
    with pytest.raises(InputError) as info:
        load_scenario(valid_copy)
    (problem,) = info.value.problems
    assert (problem.key, problem.message) == ("files.rules[0]", "no file matches 'alerts/*.yml'")
    assert (problem.line, problem.col) == (46, 11)


def test_default_files_may_be_absent(valid_copy: Path) -> None:
    """Without a files: section, absent defaults mean 'none', not an error."""
    text = (valid_copy / "scenario.yaml").read_text()
    start = text.index("files:\n")
    end = text.index("\n", text.index("  solution:", start)) + 1  # files: is the last block
    (valid_copy / "scenario.yaml").write_text(text[:start] + text[end:])
    (valid_copy / "alertmanager.yml").unlink()
    loaded = load_scenario(valid_copy)
    assert loaded.alertmanager_file is None and loaded.rule_files == []
    assert loaded.solution is not None  # solution.yaml is there: the default finds it


def test_explicit_file_that_is_a_folder(valid_copy: Path) -> None:
    """A folder where one file is expected is named as such."""
    _rewrite(valid_copy / "scenario.yaml", "alertmanager: alertmanager.yml", "alertmanager: rules")
    with pytest.raises(InputError, match="'rules' is a folder, expected a file"):
        load_scenario(valid_copy)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("- just\n- a list\n", "expected a mapping of keys, found a list"),
    ],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, message: str) -> None:
    """An empty file or a list at the top is refused plainly."""
    (tmp_path / "scenario.yaml").write_text(text)
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path)
    assert [p.message for p in info.value.problems] == [message]


def test_broken_solution_is_located(valid_copy: Path) -> None:
    """solution.yaml is validated with the same machinery as scenario.yaml."""
    (valid_copy / "solution.yaml").write_text("actions:\n  - at: 1m\n    doo: ack\n")
    with pytest.raises(InputError) as info:
        load_scenario(valid_copy)
    assert [str(p) for p in info.value.problems] == [
        f"{valid_copy}/solution.yaml:2:5: actions[0].do: missing required key 'do'",
        f"{valid_copy}/solution.yaml:3:5: actions[0].doo: unknown key 'doo' (did you mean 'do'?)",
    ]


def test_cycle_of_three_is_named_once(valid_copy: Path) -> None:
    """A longer cycle is reported once, with every hop."""
    scenario = valid_copy / "scenario.yaml"
    _rewrite(scenario, "      version: v2.4.1\n", "      version: v2.4.1\n      calls: [auth]\n")
    _rewrite(
        scenario,
        "  databases:\n",
        "    - name: auth\n      calls: [web]\n  databases:\n",
    )
    with pytest.raises(InputError) as info:
        load_scenario(valid_copy)
    messages = [p.message for p in info.value.problems]
    assert messages == ["calls form a cycle: web -> checkout-api -> auth -> web"]


def test_fixture_dir_is_where_tests_expect() -> None:
    """The fixtures these tests rely on exist."""
    assert (FIXTURES / "valid" / "scenario.yaml").is_file()
