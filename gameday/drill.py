"""A headless drill: one session, one responder, played to the end, scored and reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gameday.atomic import copy_atomic, refuse_same_file
from gameday.debrief import evidence_lines, finish, metrics_summary, scorecard_table
from gameday.responders import check_responder, load_script, make_responder
from gameday.runtime import prepare
from gameday.scenario.loader import LoadedScenario
from gameday.timeline import format_event


@dataclass
class DrillResult:
    """The outcome of one drill."""

    scenario: str
    seed: int
    responder: str
    passed: bool
    score: float | None
    report_dir: Path | None
    journal: Path | None
    scorecard: Any = None

    @property
    def verdict_line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        score = f" score {self.score:.1f}" if self.score is not None else ""
        where = f"; reports in {self.report_dir}" if self.report_dir else ""
        return (
            f"{verdict} {self.scenario} seed {self.seed} responder {self.responder}{score}{where}"
        )


def report_dir_for(out_dir: Path, scenario: str, seed: int, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return out_dir / f"{scenario}-{stamp}-seed{seed}"


def run_drill(
    ref: str,
    responder: str = "expert",
    seed: int = 1,
    out_dir: Path | None = Path("reports"),
    junit: Path | None = None,
    json_path: Path | None = None,
    min_score: float | None = None,
    echo: Callable[[str], Any] | None = None,
    now: datetime | None = None,
) -> DrillResult:
    """Play ``ref`` with ``responder`` and write its reports under ``out_dir``."""
    check_responder(responder)
    prepared = prepare(ref)
    scenario = prepared.loaded.scenario
    inputs = scenario_inputs(prepared.loaded)
    for option, output in (("--junit", junit), ("--json", json_path)):
        if output is not None:
            refuse_same_file(output, inputs, option)
    if responder.startswith("script:"):  # a bad script is refused before a report folder exists
        load_script(Path(responder.split(":", 1)[1]), scenario)
    report_dir = report_dir_for(out_dir, scenario.id, seed, now) if out_dir is not None else None
    journal = report_dir / "journal.jsonl" if report_dir is not None else None
    session = prepared.session(seed=seed, journal=journal, responder=responder)
    try:
        bot = make_responder(responder, session, prepared.loaded.solution)
    except BaseException:
        session.close("error")  # the journal is closed, not left open, on a bad responder
        raise
    if echo is not None:

        def show(event: Any) -> None:
            line = format_event(event)
            if line is not None:
                echo(line)

        session.subscribe(show)
    bot.attach(session)
    session.run_to_end()
    if report_dir is None or out_dir is None:
        from gameday.counterfactual import judge
        from gameday.scoring import score

        runbooks = list(prepared.setup.runbooks)
        card = score(session.events, scenario, runbooks, metrics_summary(session), judge(session))
        passed = card.passed if min_score is None else card.score >= min_score
        return DrillResult(scenario.id, seed, bot.name, passed, card.score, None, None, card)
    stamp = report_dir_time(report_dir)
    card, paths = finish(
        session, list(prepared.setup.runbooks), out_dir, clock=lambda: stamp, min_score=min_score
    )
    passed = card.passed
    for target, source in ((junit, paths.junit), (json_path, paths.result)):
        if target is not None:
            copy_atomic(source, target)
    if echo is not None:
        from rich.console import Console

        console = Console(width=120, highlight=False)
        with console.capture() as cap:
            console.print(scorecard_table(card))
        echo(cap.get().rstrip())
        for line in evidence_lines(card):
            echo(line)
    return DrillResult(scenario.id, seed, bot.name, passed, card.score, paths.folder, journal, card)


def scenario_inputs(loaded: LoadedScenario) -> list[Path]:
    """Every file a scenario brings: its folder's and those it names elsewhere."""
    named = [
        *loaded.rule_files,
        *loaded.runbook_files,
        loaded.alertmanager_file,
        loaded.oncall_file,
        loaded.solution_file,
        loaded.recorded_file,
        loaded.timeline_file,
    ]
    inside = [p for p in loaded.folder.rglob("*") if p.is_file()]
    return [*inside, *(p for p in named if p is not None)]


def report_dir_time(report_dir: Path) -> datetime:
    """The UTC time a report folder's name carries."""
    stamp = report_dir.name.rsplit("-seed", 1)[0].rsplit("-", 1)[1]
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
