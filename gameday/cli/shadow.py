"""``gameday shadow`` and ``gameday progress``: trainee shadow practice and its history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gameday.errors import ExitStatus, UsageError


def make_shadow(scenario: str | None, seed: int, journal: Path | None, reverse: bool) -> Any:
    """The shadow session the options ask for (the TUI and the headless run share it)."""
    from gameday.shadow import ReverseShadow, ShadowSession

    if scenario is None and journal is None:
        raise UsageError("name a SCENARIO, or give --journal FILE to shadow a recorded session")
    cls = ReverseShadow if reverse else ShadowSession
    return cls(scenario, seed=seed, expert_actions=journal)


@click.command("shadow")
@click.argument("scenario", required=False)
@click.option(
    "--seed",
    type=int,
    help="Seeds names, pids, noise and delays. Default: a new seed each TUI session, 1 "
    "with --answers (a headless run repeats); a --journal's own seed wins.",
)
@click.option(
    "--journal",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Shadow a colleague's recorded journal: their actions are the expert's path.",
)
@click.option("--reverse", is_flag=True, help="You lead (your commands run); the expert watches.")
@click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Headless: answers, one per decision point (YAML list or lines; 'skip' for none).",
)
@click.option("--json", "as_json", is_flag=True, help="Headless: print the result as JSON.")
@click.option("--no-record", is_flag=True, help="Do not keep the result in the progress history.")
def shadow_cmd(
    scenario: str | None,
    seed: int | None,
    journal: Path | None,
    reverse: bool,
    answers: Path | None,
    as_json: bool,
    no_record: bool,
) -> int:
    """Shadow an expert through SCENARIO: at each decision point say what you would do
    next and see how it compares with the expert and the runbook.

    Without --answers a TUI asks you; with it the run is headless. Every result joins
    your progress history (see 'gameday progress')."""
    from gameday.shadow import history

    if as_json and answers is None:
        raise UsageError("--json needs --answers (the TUI shows its own result)")
    if seed is None:
        from gameday.cli.params import table_seed

        seed = table_seed(None) if answers is None else 1
    shadow = make_shadow(scenario, seed, journal, reverse)
    if answers is not None:
        from gameday.shadow.answers import load_answers, play_scripted

        scripted = load_answers(answers)
        result = play_scripted(shadow, scripted, echo=None if as_json else click.echo)
        if not no_record:
            history.record(result)
        if as_json:
            click.echo(json.dumps(result, indent=2, sort_keys=True))
        else:
            from gameday.shadow import result_lines

            click.echo("\n".join(result_lines(result)[2 * result["decision_points"] :]))
        return ExitStatus.OK
    from gameday.tui.shadow_screen import make_shadow_app

    app = make_shadow_app(shadow, record=not no_record)
    app.run()
    return int(app.return_code or 0)


@click.command("progress")
@click.option("--json", "as_json", is_flag=True, help="Print sessions and trend as JSON.")
@click.option(
    "--window",
    default=3,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Sessions in the moving average.",
)
def progress_cmd(as_json: bool, window: int) -> int:
    """Your shadow-practice sessions and the trend of your agreement with the expert,
    per scenario, with a moving average."""
    from gameday.shadow import history
    from gameday.shadow.commands import PHASES

    rows = history.sessions()
    trend = history.trend(rows, window)
    if as_json:
        data = {
            "database": str(history.database()),
            "sessions": rows,
            "trend": {
                k: {"sessions": v, "direction": history.direction(v)} for k, v in trend.items()
            },
        }
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return ExitStatus.OK
    if not rows:
        click.echo("no shadow sessions yet; try: gameday shadow db-pool-exhaustion")
        return ExitStatus.OK
    latest = {row["scenario"]: row for row in rows}
    for scenario, series in trend.items():
        click.echo(f"{scenario}: {len(series)} sessions, {history.direction(series)}")
        phases = latest[scenario].get("phases") or {}
        shown = ", ".join(f"{k} {phases[k]:.0f}%" for k in PHASES if phases.get(k) is not None)
        if shown:
            click.echo(f"  latest by phase: {shown}")
        for item in series:
            bar = "#" * int(round(item["agreement"] / 5))
            click.echo(
                f"  #{item['id']:<4} {item['finished_at']}  {item['mode']:<8} "
                f"{item['agreement']:5.1f}%  avg {item['moving_average']:5.1f}%  {bar}"
            )
    return ExitStatus.OK
