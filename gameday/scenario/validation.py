"""``gameday validate``'s engine: recognise each path, check it, collect every problem.

A path may be a scenario folder (or the id of a bundled or local one), a
``scenario.yaml``, or a standalone file of another kind, recognised by name and content:
a Prometheus rule file (``groups:`` or ``kind: PrometheusRule``), an Alertmanager config
(``route:``/``receivers:``), an on-call file (``escalation_policies:``), a solution
(``actions:``) or a Markdown runbook (``.md``).
For a scenario, every file it names is checked too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gameday.errors import InputError, Problem, UsageError
from gameday.scenario import catalog
from gameday.scenario.checkers import CHECKERS, run_checker
from gameday.scenario.loader import Inspection, inspect_scenario, load_solution, problem_order
from gameday.yamldoc import load_yaml

KINDS = ("scenario", "solution", *CHECKERS)
_BY_NAME = {
    "scenario.yaml": "scenario",
    "scenario.yml": "scenario",
    "alertmanager.yml": "alertmanager",
    "alertmanager.yaml": "alertmanager",
    "oncall.yaml": "oncall",
    "oncall.yml": "oncall",
    "solution.yaml": "solution",
    "solution.yml": "solution",
}
_UNKNOWN_HINT = (
    "expected a scenario folder or scenario.yaml, a Prometheus rule file (groups:), an "
    "alertmanager.yml (route:, receivers:), an on-call file (escalation_policies:), a "
    "solution (actions:) or a Markdown runbook (.md)"
)


@dataclass
class Report:
    """What ``validate`` checked and found."""

    files: dict[Path, str] = field(default_factory=dict)  # path -> kind, in order checked
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    playable: list[Inspection] = field(default_factory=list)  # scenarios to play once clean

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def sorted_problems(self) -> list[Problem]:
        """Problems without duplicates, sorted by file, line and column."""
        return sorted(set(self.problems), key=problem_order)

    def sorted_warnings(self) -> list[Problem]:
        """Warnings without duplicates, sorted by file, line and column."""
        return sorted(set(self.warnings), key=problem_order)


def classify(path: Path) -> tuple[str | None, list[Problem]]:
    """The kind of file at ``path`` (see :data:`KINDS`), or None and why not."""
    if path.is_dir():
        return "scenario", []
    if not path.exists():
        return None, [Problem(str(path), message="no such file or folder")]
    if path.name.lower() in _BY_NAME:
        return _BY_NAME[path.name.lower()], []
    if path.suffix.lower() in (".md", ".markdown"):
        return "runbooks", []
    try:
        data = load_yaml(path).data
    except InputError as exc:
        return None, list(exc.problems)
    if isinstance(data, dict):
        if "groups" in data or data.get("kind") == "PrometheusRule":
            return "rules", []
        if "route" in data or "receivers" in data:
            return "alertmanager", []
        if "escalation_policies" in data:
            return "oncall", []
        if "world" in data or "truth" in data:
            return "scenario", []
        if "actions" in data:
            return "solution", []
        if "rule_files" in data and "tests" in data:
            hint = "this is a rule unit test file; run it with 'gameday rules test'"
            return None, [Problem(str(path), message="not a file validate checks", hint=hint)]
    return None, [
        Problem(str(path), message="cannot tell what kind of file this is", hint=_UNKNOWN_HINT)
    ]


def _looks_like_id(text: str) -> bool:
    return bool(text) and not any(c in text for c in "/\\.") and not text.startswith("~")


class _Queue:
    """Files waiting for their kind's checker, each once."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.pending: dict[str, list[Path]] = {kind: [] for kind in CHECKERS}
        self._seen: set[Path] = set()

    def add(self, kind: str, path: Path) -> bool:
        key = path.resolve()
        if key in self._seen:
            return False
        self._seen.add(key)
        self.report.files[path] = kind
        if kind in self.pending:
            self.pending[kind].append(path)
        return True


def _scenario(path: Path, queue: _Queue) -> None:
    report = queue.report
    try:
        found = inspect_scenario(path)
    except InputError as exc:
        report.problems.extend(exc.problems)
        return
    if not queue.add("scenario", Path(found.source)):
        return
    report.problems.extend(found.problems)
    _recorded(found, report)
    _crosscheck(found, report)
    f = found.files
    if f.solution_file is not None:
        queue.add("solution", f.solution_file)  # checked by inspect_scenario already
    for kind, paths in (
        ("rules", f.rule_files),
        ("alertmanager", [f.alertmanager_file]),
        ("oncall", [f.oncall_file]),
        ("runbooks", f.runbook_files),
    ):
        for p in paths:
            if p is not None:
                queue.add(kind, p)


def _recorded(found: Inspection, report: Report) -> None:
    """An imported incident's samples: the whole file is read, as a session reads it."""
    path = found.files.recorded_file
    if path is None or found.scenario is None:
        return
    from gameday.imported.recorded import load_recording

    report.files[path] = "recorded metrics"
    start_ms = found.scenario.start_ms
    try:
        recording = load_recording(path, start_ms)
    except InputError as exc:
        report.problems.extend(exc.problems)
        return
    if not any(len(s.t) and s.t[-1] >= 0 for s in recording.all_series()):
        report.problems.append(
            Problem(str(path), message="no sample at or after the scenario's start_time")
        )


def _crosscheck(found: Inspection, report: Report) -> None:
    """Checks across the scenario's files (people, commands) and its warnings."""
    from gameday.scenario.crosscheck import check_commands, check_people, scenario_warnings

    report.problems.extend(check_people(found))
    report.problems.extend(check_commands(found))
    report.warnings.extend(scenario_warnings(found))
    report.playable.append(found)


def validate_paths(paths: list[str | Path]) -> Report:
    """Check every path (and every file each scenario names); collect all problems."""
    report = Report()
    queue = _Queue(report)
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists() and _looks_like_id(str(raw)):
            try:
                path = catalog.find(str(raw)).folder
            except UsageError as exc:
                report.problems.append(Problem(str(raw), message=f"no such file or folder; {exc}"))
                continue
        kind, problems = classify(path)
        report.problems.extend(problems)
        if kind == "scenario":
            _scenario(path, queue)
        elif kind == "solution":
            if queue.add("solution", path):
                report.problems.extend(load_solution(path)[1])
        elif kind is not None:
            queue.add(kind, path)
        else:
            report.files.setdefault(path, "unknown")
    for kind, pending in queue.pending.items():
        problems, notes = run_checker(kind, pending)
        report.problems.extend(problems)
        report.notes.extend(notes)
    if not report.problems:  # only scenarios whose every file is sound are played
        from gameday.scenario.worldcheck import check_world

        for found in report.playable:
            report.problems.extend(check_world(found))
    return report
