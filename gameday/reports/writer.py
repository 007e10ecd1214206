"""Writing a run's reports into ``<out>/<scenario>-<UTC time>-seed<N>/``.

The folder holds ``postmortem.md``, ``result.json``, ``junit.xml``, ``report.html`` and,
when the caller passes one, a copy of the session journal (``journal.jsonl``). The clock
is a parameter: it is read once, names the folder and is the only wall time written
into the reports, so tests (and replays) get identical bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gameday.atomic import copy_atomic, same_file, write_atomic
from gameday.errors import InputError, Problem
from gameday.reports.html import render_html
from gameday.reports.junit import render_junit
from gameday.reports.postmortem import render_markdown
from gameday.reports.result_json import build_result, dumps_result
from gameday.runbooks import Runbook
from gameday.scenario.model import Scenario
from gameday.scoring import MetricsSummary, Scorecard, score
from gameday.session.events import Event

Clock = Callable[[], datetime]

RENDERERS: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "md": ("postmortem.md", render_markdown),
    "junit": ("junit.xml", render_junit),
    "html": ("report.html", render_html),
}


@dataclass(frozen=True)
class ReportPaths:
    """Where each report of a run was written."""

    folder: Path
    postmortem: Path
    result: Path
    junit: Path
    html: Path
    journal: Path | None = None


def _utc(clock: Clock) -> datetime:
    now = clock()
    if now.tzinfo is None:
        raise ValueError("the report clock must return a timezone-aware datetime")
    return now.astimezone(UTC).replace(microsecond=0)


def report_folder(result: dict[str, Any], now: datetime) -> str:
    """``<scenario>-<YYYYmmddTHHMMSSZ>-seed<N>``."""
    return f"{result['scenario']['id']}-{now.strftime('%Y%m%dT%H%M%SZ')}-seed{result['seed']}"


def write_reports(
    result: dict[str, Any],
    out_dir: str | Path,
    clock: Clock,
    journal: str | Path | None = None,
) -> ReportPaths:
    """Write every report of ``result`` into a new folder under ``out_dir``.

    Raises:
        InputError: the folder cannot be created or written, or the journal is missing.
    """
    now = _utc(clock)
    stamped = dict(result, generated_at=now.isoformat().replace("+00:00", "Z"))
    folder = Path(out_dir) / report_folder(stamped, now)
    texts = {"result.json": dumps_result(stamped)}
    texts.update({name: render(stamped) for name, render in RENDERERS.values()})
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            write_atomic(folder / name, text)
        copied = None
        if journal is not None:
            copied = folder / "journal.jsonl"
            if not same_file(copied, journal):
                copy_atomic(journal, copied)
    except OSError as exc:
        raise InputError(
            Problem(
                str(exc.filename or folder), message=f"cannot write reports: {exc.strerror or exc}"
            )
        ) from exc
    return ReportPaths(
        folder,
        folder / "postmortem.md",
        folder / "result.json",
        folder / "junit.xml",
        folder / "report.html",
        copied,
    )


def debrief(
    events: list[Event],
    scenario: Scenario,
    runbooks: list[Runbook],
    metrics: MetricsSummary,
    *,
    seed: int,
    responder: str,
    out_dir: str | Path,
    clock: Clock,
    journal: str | Path | None = None,
    verdicts: Sequence[Any] | None = None,
    ghost: Sequence[Any] = (),
) -> tuple[Scorecard, ReportPaths]:
    """Score a run and write all of its reports; the one call a session needs.

    ``verdicts`` say what each change did (:func:`gameday.counterfactual.judge`);
    ``ghost`` is an imported incident's recorded timeline, compared with the team's.
    """
    card = score(events, scenario, runbooks, metrics, verdicts)
    result = build_result(
        events, scenario, card, metrics, seed=seed, responder=responder, ghost=ghost
    )
    return card, write_reports(result, out_dir, clock, journal)
