"""Write an imported incident as a scenario folder, all or nothing.

Everything is written into a hidden temporary folder beside the target, which is renamed
to the target only when complete: a failure or Ctrl-C half-way leaves nothing behind,
and an existing folder (or file) of that name is never touched.

The folder holds ``scenario.yaml`` (with a ``recorded:`` section instead of a simulated
world), ``recorded.om`` (the window's samples), the team's rule files under ``rules/``,
``alertmanager.yml``, the on-call file, runbooks, the incident's timeline (the ghost)
and, when there is a timeline, ``solution.yaml``: the real team's moves as gameday
commands, so ``gameday drill FOLDER --responder expert`` replays what they did.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from gameday.errors import InputError, Problem, UsageError
from gameday.imported.timeline import GhostEntry

RECORDED_FILE = "recorded.om"
# Dimensions a recording cannot grade: nothing the team types changes recorded metrics,
# so mitigation, verified resolution and impact are the ghost comparison's to show.
UNGRADED = ("detection", "diagnosis", "mitigation", "resolution", "impact", "adherence")


@dataclass
class ImportPlan:
    """What goes into the folder."""

    folder: Path
    scenario_id: str
    title: str
    start: datetime
    length_s: float
    history_s: float
    scrape_interval_s: float
    source: str
    severity: str = "SEV2"
    root_cause: str = ""
    rule_files: Sequence[Path] = ()
    alertmanager: Path | None = None
    oncall: Path | None = None
    runbooks: Sequence[Path] = ()
    timeline: Path | None = None
    ghost: list[GhostEntry] = field(default_factory=list)
    series: int = 0
    samples: int = 0


def refuse_existing(folder: Path) -> None:
    """Refuse a target that exists (a folder, a file, even an empty folder)."""
    if folder.exists() or folder.is_symlink():
        raise UsageError(
            f"{folder}: already exists; gameday import never overwrites a folder "
            "(remove it or choose another --out)"
        )


def _fmt_s(seconds: float) -> str:
    from gameday.durations import format_duration

    return format_duration(seconds)


def _solution(ghost: list[GhostEntry]) -> dict[str, Any] | None:
    """The ghost's moves as gameday commands (timed from the start), or None."""
    actions = []
    for e in ghost:
        what = " ".join(e.what.split())
        if e.kind == "acknowledged":
            do = "ack"
        elif e.kind == "severity":
            sevs = ("SEV1", "SEV2", "SEV3", "SEV4")
            words = what.upper().replace(":", " ").split()
            sev = next((w for w in words if w in sevs), None)
            if sev is None:
                continue
            do = f"sev {sev}"
        elif e.kind == "status":
            words = what.split()
            if words and words[0].lower() == "status":
                words = words[1:]
            states = ("investigating", "identified", "monitoring", "resolved")
            state = words[0].lower() if words and words[0].lower() in states else "investigating"
            text = " ".join(words[1:] if words and words[0].lower() in states else words)
            do = f"status {state} {_quote(text or e.what)}"
        elif e.kind == "mitigated":
            do = f"status monitoring {_quote(what)}"
        elif e.kind == "resolved":
            do = "resolve"
        elif e.kind == "escalated":
            do = "escalate"
        else:
            continue
        role = "comms" if e.kind == "status" else "ic" if e.kind == "severity" else "ops"
        actions.append(
            {
                "at": _fmt_s(e.t) if e.t else "0s",
                "do": do,
                "role": role,
                "why": f"{e.who} at this time in the real incident: {what}",
            }
        )
    if not actions:
        return None
    return {"relative_to": "start", "actions": actions}


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def scenario_document(plan: ImportPlan, has_solution: bool) -> dict[str, Any]:
    """The ``scenario.yaml`` of an imported incident, as plain data."""
    recorded: dict[str, Any] = {
        "metrics": RECORDED_FILE,
        "history": _fmt_s(plan.history_s) if plan.history_s else "0s",
        "source": plan.source,
    }
    if plan.timeline is not None:
        recorded["timeline"] = "timeline" + plan.timeline.suffix.lower()
    start = plan.start.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {
        "id": plan.scenario_id,
        "title": plan.title,
        "summary": (
            f"A real incident, imported: {plan.series} recorded series from {start} for "
            f"{_fmt_s(plan.length_s)}, replayed as they were recorded"
            + ("; the real team's timeline plays as the ghost." if plan.timeline else ".")
        ),
        "tags": ["imported"],
        "duration": _fmt_s(plan.length_s),
        "start_time": start,
        "scrape_interval": _fmt_s(plan.scrape_interval_s),
        "recorded": recorded,
        "truth": {
            "root_cause": plan.root_cause
            or "Imported incident: write the root cause from the postmortem here.",
            "severity": plan.severity,
        },
        "targets": {"weights": {k: 0 for k in UNGRADED}},
        "files": {
            "rules": ["rules"] if plan.rule_files else [],
            "alertmanager": "alertmanager.yml" if plan.alertmanager else None,
            "oncall": "oncall" + plan.oncall.suffix.lower() if plan.oncall else None,
            "runbooks": ["runbooks"] if plan.runbooks else [],
            "solution": "solution.yaml" if has_solution else None,
        },
    }


def _copy_rules(files: Sequence[Path], into: Path) -> None:
    into.mkdir()
    used: set[str] = set()
    for i, path in enumerate(files):
        name = path.name if path.suffix in (".yml", ".yaml") else f"{path.name}.yml"
        if name in used:
            name = f"{i:02d}-{name}"
        used.add(name)
        shutil.copyfile(path, into / name)


def write_folder(plan: ImportPlan, db: Any) -> None:
    """Write the scenario folder for ``plan`` with the samples of ``db`` (absolute ms).

    Raises:
        UsageError: the target exists.
        InputError: the folder cannot be written (the reason from the OS).
    """
    from gameday.imported.recorded import write_openmetrics

    target = plan.folder
    refuse_existing(target)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        why = exc.strerror or exc
        raise InputError(Problem(str(target), message=f"cannot write: {why}")) from None
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        with open(tmp / RECORDED_FILE, "w", encoding="utf-8") as out:
            write_openmetrics(db.all_series(), out, db.types)
            out.flush()
            os.fsync(out.fileno())
        if plan.rule_files:
            _copy_rules(plan.rule_files, tmp / "rules")
        if plan.alertmanager:
            shutil.copyfile(plan.alertmanager, tmp / "alertmanager.yml")
        if plan.oncall:
            shutil.copyfile(plan.oncall, tmp / ("oncall" + plan.oncall.suffix.lower()))
        if plan.runbooks:
            (tmp / "runbooks").mkdir()
            for path in plan.runbooks:
                shutil.copyfile(path, tmp / "runbooks" / path.name)
        if plan.timeline is not None:
            shutil.copyfile(plan.timeline, tmp / ("timeline" + plan.timeline.suffix.lower()))
        solution = _solution(plan.ghost)
        if solution is not None:
            _dump(tmp / "solution.yaml", solution, "The real team's moves, from the timeline.")
        _dump(
            tmp / "scenario.yaml",
            scenario_document(plan, solution is not None),
            f"Imported by gameday import from {plan.source}.",
        )
        if target.exists() or target.is_symlink():  # appeared while we wrote
            refuse_existing(target)
        os.rename(tmp, target)
    except OSError as exc:
        raise InputError(
            Problem(str(target), message=f"cannot write: {exc.strerror or exc}")
        ) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _dump(path: Path, data: dict[str, Any], comment: str) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(f"# {comment}\n{text}", encoding="utf-8")
