"""Resolve the ``files:`` section of a scenario to paths on disk.

Paths are relative to the scenario folder, or absolute: that is how a CI drill points a
scenario at a team's own rules, routing and runbooks elsewhere on disk. Rule and runbook
entries may be globs (``rules/*.yml``) or folders (every ``*.yml``/``*.yaml``, every
``*.md`` in it). A file named explicitly but missing is a problem at the key naming it; a
default (``alertmanager.yml``, ``oncall.yaml``, ``solution.yaml``) may simply be absent.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameday.errors import Problem
from gameday.scenario.model import Files
from gameday.yamldoc import YamlDoc

_GLOB_CHARS = set("*?[")
_SUFFIXES = {"rules": (".yml", ".yaml"), "runbooks": (".md", ".markdown")}


@dataclass(frozen=True)
class ScenarioFiles:
    """The files a scenario brings, as existing paths."""

    rule_files: list[Path] = field(default_factory=list)
    alertmanager_file: Path | None = None
    oncall_file: Path | None = None
    runbook_files: list[Path] = field(default_factory=list)
    solution_file: Path | None = None
    recorded_file: Path | None = None  # an imported incident's samples (recorded.metrics)
    timeline_file: Path | None = None  # and its ghost's timeline (recorded.timeline)


def _path(folder: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else folder / path


def _many(doc: YamlDoc, folder: Path, key: str, values: Any) -> tuple[list[Path], list[Problem]]:
    paths: list[Path] = []
    problems: list[Problem] = []
    for i, value in enumerate(values if isinstance(values, list) else []):
        if not isinstance(value, str) or not value.strip():
            continue  # the schema reports it
        loc = ("files", key, i)
        path = _path(folder, value)
        if _GLOB_CHARS & set(value):
            matches = sorted(Path(m) for m in glob.glob(str(path), recursive=True))
            matches = [m for m in matches if m.is_file()]
            if not matches:
                problems.append(doc.problem(loc, f"no file matches {value!r}", _relative(folder)))
            paths.extend(matches)
        elif path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in _SUFFIXES[key] and p.is_file())
            if not found:
                wanted = " or ".join(f"*{s}" for s in _SUFFIXES[key])
                problems.append(doc.problem(loc, f"folder {value!r} has no {wanted} files"))
            paths.extend(found)
        elif path.is_file():
            paths.append(path)
        elif path.exists():
            problems.append(doc.problem(loc, f"{value!r} is not a regular file"))
        else:
            problems.append(doc.problem(loc, f"file not found: {value!r}", _relative(folder)))
    unique = list(dict.fromkeys(paths))
    return unique, problems


def _one(
    doc: YamlDoc, folder: Path, key: str, section: dict[str, Any]
) -> tuple[Path | None, list[Problem]]:
    explicit = key in section
    value = section[key] if explicit else Files.model_fields[key].default
    if not isinstance(value, str) or not value.strip():
        return None, []  # null means "none"; other types are the schema's to report
    path = _path(folder, value)
    if path.is_file():
        return path, []
    if not explicit:
        return None, []
    loc = ("files", key)
    if path.is_dir():
        return None, [doc.problem(loc, f"{value!r} is a folder, expected a file")]
    if path.exists():
        return None, [doc.problem(loc, f"{value!r} is not a regular file")]
    return None, [doc.problem(loc, f"file not found: {value!r}", _relative(folder))]


def _relative(folder: Path) -> str:
    return f"paths are relative to the scenario folder {str(folder) or '.'}"


def resolve_files(doc: YamlDoc, folder: Path) -> tuple[ScenarioFiles, list[Problem]]:
    """Paths of the files a scenario names, and a problem for each that is missing."""
    data = doc.data if isinstance(doc.data, dict) else {}
    section = data.get("files", {})
    if not isinstance(section, dict):
        section = {}  # the schema reports it
    problems: list[Problem] = []
    rules, found = _many(doc, folder, "rules", section.get("rules"))
    problems += found
    runbooks, found = _many(doc, folder, "runbooks", section.get("runbooks"))
    problems += found
    singles: dict[str, Path | None] = {}
    for key in ("alertmanager", "oncall", "solution"):
        singles[key], found = _one(doc, folder, key, section)
        problems += found
    files = ScenarioFiles(
        rule_files=rules,
        alertmanager_file=singles["alertmanager"],
        oncall_file=singles["oncall"],
        runbook_files=runbooks,
        solution_file=singles["solution"],
    )
    return files, problems
