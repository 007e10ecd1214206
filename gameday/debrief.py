"""The end of a run: metrics summary, scorecard, reports, and the scorecard as a table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from gameday.scoring import MetricPoint, MetricsSummary, Scorecard
from gameday.session.session import Session
from gameday.textsafe import visible


def metrics_summary(session: Session) -> MetricsSummary:
    """The entry service's figures per scrape, with the pool of the service at fault."""
    scenario = session.scenario
    if not scenario.world.services:  # an imported incident: no simulated service to sum up
        return MetricsSummary(scrape_interval=scenario.scrape_interval)
    entry = scenario.entry_service or scenario.world.services[0].name
    pooled = [f.service for f in scenario.faults if session.world.services[f.service].pool]
    pooled += [n for n, s in session.world.services.items() if s.pool]
    pool_service = pooled[0] if pooled else None
    pool_history = session.history[pool_service] if pool_service else []
    points = []
    for i, sample in enumerate(session.history[entry]):
        pool = pool_history[i] if i < len(pool_history) else None
        points.append(
            MetricPoint(
                t=sample.t,
                rps=round(sample.rps, 3),
                error_ratio=round(sample.error_ratio, 6),
                p99=round(sample.p99, 4),
                pool_in_use=round(pool.pool_in_use, 2) if pool else 0.0,
                pool_size=float(pool.pool_size) if pool else 0.0,
            )
        )
    c = session.world.counters[entry]
    failed = c.err_500 + c.err_503
    return MetricsSummary(
        service=entry,
        points=tuple(points),
        total_requests=round(c.ok + failed, 1),
        failed_requests=round(failed, 1),
        scrape_interval=scenario.scrape_interval,
    )


def finish(
    session: Session,
    runbooks: list[Any],
    out_dir: Path,
    clock: Callable[[], datetime],
    min_score: float | None = None,
) -> tuple[Scorecard, Any]:
    """Score a closed session and write its reports beside its journal.

    ``min_score`` replaces the scenario's pass mark, in the verdict and in every report.
    """
    from dataclasses import replace

    from gameday.counterfactual import judge
    from gameday.reports.result_json import build_result
    from gameday.reports.writer import write_reports
    from gameday.scoring import score

    metrics = metrics_summary(session)
    card = score(session.events, session.scenario, list(runbooks), metrics, judge(session))
    if min_score is not None:
        card = replace(card, pass_score=min_score, passed=card.score >= min_score)
    result = build_result(
        session.events,
        session.scenario,
        card,
        metrics,
        seed=session.seed,
        responder=session.responder,
        ghost=session.setup.ghost,
    )
    return card, write_reports(result, out_dir, clock, session.journal_path)


def scorecard_table(card: Scorecard) -> Any:
    """A rich Table of the scorecard, one row per dimension."""
    from rich.table import Table

    title = visible(f"Scorecard: {card.scenario} ({card.severity})")
    table = Table(title=title, show_lines=False)
    table.add_column("dimension")
    table.add_column("points", justify="right")
    table.add_column("target")
    table.add_column("what happened")
    for d in card.dimensions:
        mark = "" if d.passed else " ✗"
        points = f"{d.points:.1f}/{d.max_points:.0f}{mark}"
        table.add_row(visible(d.title), points, visible(d.target), visible(d.happened))
    if card.hint_penalty:
        table.add_row("hints", f"-{card.hint_penalty:.1f}", "", f"{len(card.hints)} hint(s) taken")
    table.add_row("total", f"{card.score:.1f}/100", f"pass ≥ {card.pass_score:.0f}", "")
    return table


def evidence_lines(card: Scorecard) -> list[str]:
    """Every sentence of evidence, by dimension."""
    lines = []
    for d in card.dimensions:
        for sentence in d.evidence:
            lines.append(visible(f"- {d.title}: {sentence}"))
    return lines
