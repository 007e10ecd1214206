"""The files of an imported incident's ``recorded:`` section: the samples and the ghost.

Paths are relative to the scenario folder, like ``files:``. The timeline is parsed here
(every bad row at ``timeline.csv:line:col``), so a scenario whose ghost cannot be read
does not load; the samples file is parsed when a session needs it (and by ``gameday
validate``), as it may be large.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from gameday.errors import InputError, Problem
from gameday.scenario.files import ScenarioFiles
from gameday.yamldoc import YamlDoc


def _path(folder: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else folder / path


def _file(doc: YamlDoc, folder: Path, key: str, value: str) -> tuple[Path | None, list[Problem]]:
    path = _path(folder, value)
    if path.is_file():
        return path, []
    loc = ("recorded", key)
    if path.exists():
        return None, [doc.problem(loc, f"{value!r} is not a regular file")]
    return None, [
        doc.problem(loc, f"file not found: {value!r}", "paths are relative to the scenario folder")
    ]


def resolve_recorded(
    doc: YamlDoc, folder: Path, scenario: Any, files: ScenarioFiles
) -> tuple[ScenarioFiles, list[Any], list[Problem]]:
    """``files`` with the recorded samples and timeline, the ghost's entries, problems."""
    rec = scenario.recorded
    problems: list[Problem] = []
    metrics, found = _file(doc, folder, "metrics", rec.metrics)
    problems += found
    timeline = None
    ghost: list[Any] = []
    if rec.timeline:
        timeline, found = _file(doc, folder, "timeline", rec.timeline)
        problems += found
        if timeline is not None:
            from gameday.imported.timeline import load_timeline

            try:
                ghost = load_timeline(timeline, scenario.start_time, scenario.duration)
            except InputError as exc:
                problems += exc.problems
    return replace(files, recorded_file=metrics, timeline_file=timeline), ghost, problems
