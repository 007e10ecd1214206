"""Load a scenario folder: parse, validate, check, and find every file it names.

:func:`load_scenario` takes a folder, a ``scenario.yaml`` or a scenario id and returns a
:class:`LoadedScenario`, or raises :class:`~gameday.errors.InputError` with every problem
found (schema, semantics, missing files, the solution), each at ``path:line:col``.
:func:`inspect_scenario` does the same work but hands back the problems instead, with the
files resolved as far as possible, so ``gameday validate`` can check those too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gameday.errors import InputError, Problem
from gameday.scenario import catalog
from gameday.scenario.checks import (
    check_after_inject,
    check_scenario,
    check_solution,
    entries,
    scenario_duration,
)
from gameday.scenario.files import ScenarioFiles, resolve_files
from gameday.scenario.model import Scenario, Solution
from gameday.yamldoc import YamlDoc, load_yaml, problems_from_validation

SCENARIO_FILE = catalog.SCENARIO_FILE


@dataclass(frozen=True)
class LoadedScenario:
    """A valid scenario with the paths of everything it brings."""

    scenario: Scenario
    folder: Path
    source: str
    rule_files: list[Path]
    alertmanager_file: Path | None
    oncall_file: Path | None
    runbook_files: list[Path]
    solution: Solution | None
    doc: YamlDoc = field(repr=False, compare=False)
    solution_file: Path | None = None
    recorded_file: Path | None = None
    timeline_file: Path | None = None
    ghost: list[Any] = field(default_factory=list)


@dataclass
class Inspection:
    """Everything learnt about one scenario folder, valid or not."""

    folder: Path
    source: str
    doc: YamlDoc | None = None
    scenario: Scenario | None = None
    files: ScenarioFiles = field(default_factory=ScenarioFiles)
    solution: Solution | None = None
    problems: list[Problem] = field(default_factory=list)
    ghost: list[Any] = field(default_factory=list)  # an imported incident's timeline

    def loaded(self) -> LoadedScenario:
        """The loaded scenario.

        Raises:
            InputError: with every problem found, sorted by file and line.
        """
        if self.problems or self.scenario is None or self.doc is None:
            raise InputError(sorted(self.problems, key=problem_order) or self._no_scenario())
        f = self.files
        return LoadedScenario(
            scenario=self.scenario,
            folder=self.folder,
            source=self.source,
            rule_files=list(f.rule_files),
            alertmanager_file=f.alertmanager_file,
            oncall_file=f.oncall_file,
            runbook_files=list(f.runbook_files),
            solution=self.solution,
            doc=self.doc,
            solution_file=f.solution_file,
            recorded_file=f.recorded_file,
            timeline_file=f.timeline_file,
            ghost=list(self.ghost),
        )

    def _no_scenario(self) -> list[Problem]:
        return [Problem(self.source, message="no scenario could be read")]


def problem_order(p: Problem) -> tuple[str, int, int, str]:
    """Sort key: file, line, column, message (unknown positions first)."""
    return (p.path, p.line or 0, p.col or 0, p.message)


def locate(ref: str | Path) -> tuple[Path, Path]:
    """``(folder, scenario.yaml)`` for a folder, a scenario file or a scenario id.

    Raises:
        InputError: ``ref`` is a path that does not exist or is not a scenario.
        UsageError: ``ref`` is an id no scenario has.
    """
    path = Path(ref).expanduser()
    text = str(ref)
    if path.is_dir():
        source = path / SCENARIO_FILE
        if not source.is_file():
            raise InputError(
                Problem(
                    text, message=f"no {SCENARIO_FILE} in this folder", hint="is it a scenario?"
                )
            )
        return path, source
    if path.is_file():
        return path.parent, path
    looks_like_path = any(sep in text for sep in ("/", "\\")) or path.suffix in (".yaml", ".yml")
    if looks_like_path or path.is_absolute():
        raise InputError(Problem(text, message="no such file or folder"))
    entry = catalog.find(text)
    return entry.folder, entry.source


def inspect_scenario(ref: str | Path) -> Inspection:
    """Parse, validate and check one scenario, collecting every problem.

    Raises:
        InputError: ``ref`` names no scenario file at all.
        UsageError: ``ref`` is an unknown scenario id.
    """
    folder, source = locate(ref)
    found = Inspection(folder=folder, source=str(source))
    try:
        doc = load_yaml(source)
    except InputError as exc:
        found.problems.extend(exc.problems)
        return found
    found.doc = doc
    if doc.data is None:
        found.problems.append(
            Problem(
                str(source),
                1,
                1,
                None,
                "the file is empty",
                "a scenario needs id, title, world and truth",
            )
        )
        return found
    if not isinstance(doc.data, dict):
        kind = type(doc.data).__name__
        found.problems.append(doc.problem((), f"expected a mapping of keys, found a {kind}"))
        return found
    try:
        found.scenario = Scenario.model_validate(doc.data)
    except ValidationError as exc:
        found.problems.extend(problems_from_validation(exc, doc, Scenario))
    found.problems.extend(check_scenario(doc))
    found.files, file_problems = resolve_files(doc, folder)
    found.problems.extend(file_problems)
    if found.scenario is not None and found.scenario.recorded is not None:
        from gameday.scenario.recorded import resolve_recorded

        found.files, found.ghost, recorded_problems = resolve_recorded(
            doc, folder, found.scenario, found.files
        )
        found.problems.extend(recorded_problems)
    if found.files.solution_file is not None:
        found.solution, solution_problems = load_solution(
            found.files.solution_file,
            scenario_duration(doc.data),
            [inject.get("id") for _i, inject in entries(doc.data, "injects")],
        )
        found.problems.extend(solution_problems)
    found.problems.sort(key=problem_order)
    return found


def load_solution(
    path: str | Path, end: float | None = None, injects: Sequence[Any] | None = None
) -> tuple[Solution | None, list[Problem]]:
    """Parse and validate a ``solution.yaml`` (or a responder script).

    Args:
        path: the file.
        end: the scenario's duration in seconds; actions at or after it are problems.
        injects: the scenario's inject ids; an ``after_inject`` naming another is a
            problem (None: not checked).

    Returns:
        The solution (None if it is invalid) and the problems found.
    """
    try:
        doc = load_yaml(path)
    except InputError as exc:
        return None, list(exc.problems)
    if not isinstance(doc.data, dict):
        what = "the file is empty" if doc.data is None else "expected a mapping with 'actions:'"
        return None, [Problem(str(path), 1, 1, None, what, "list the steps under 'actions:'")]
    problems = list(check_solution(doc, end))
    if injects is not None:
        problems += check_after_inject(doc, injects)
    try:
        solution = Solution.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems_from_validation(exc, doc, Solution) + problems
    return (solution if not problems else None), problems


def load_scenario(ref: str | Path) -> LoadedScenario:
    """Load a scenario by folder, ``scenario.yaml`` path or bundled/local id.

    Raises:
        InputError: with every problem found, each at ``path:line:col``.
        UsageError: ``ref`` is an unknown scenario id (with a did-you-mean).
    """
    return inspect_scenario(ref).loaded()
