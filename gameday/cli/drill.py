"""``gameday drill``: run a scenario headless with a bot or scripted responder."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gameday.cli.outputs import OutputPath, refuse_same_outputs
from gameday.cli.params import FiniteFloat
from gameday.errors import ExitStatus


@click.command("drill")
@click.argument("scenario")
@click.option(
    "--responder", default="expert", show_default=True, help="expert | novice | idle | script:FILE"
)
@click.option(
    "--seed", default=1, show_default=True, type=int, help="Seeds names, noise and delays."
)
@click.option(
    "--out",
    "out_dir",
    type=OutputPath("folder"),
    default=Path("reports"),
    show_default=True,
    help="Reports go to a new folder under this one.",
)
@click.option("--junit", type=OutputPath("file"), help="Also write JUnit XML here.")
@click.option(
    "--json",
    "json_path",
    type=OutputPath("file"),
    help="Also write result.json here.",
)
@click.option(
    "--min-score",
    type=FiniteFloat(0, 100),
    default=None,
    help="Pass mark (default: the scenario's).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdict line.")
def drill_cmd(
    scenario: str,
    responder: str,
    seed: int,
    out_dir: Path,
    junit: Path | None,
    json_path: Path | None,
    min_score: float | None,
    quiet: bool,
) -> int:
    """Run SCENARIO headless: a bot or scripted responder plays it through the scenario's
    rules, routing, escalation policy and runbooks; prints the timeline and the scorecard
    and writes reports. Exit 0 when the drill passes, 1 when it misses its targets.

    The printed timeline is the facilitator's (and CI's) view: it shows the faults and
    each action's graded effect, so it is not for players in the middle of an exercise."""
    from gameday.drill import run_drill

    refuse_same_outputs({"--junit": junit, "--json": json_path})
    result = run_drill(
        scenario,
        responder=responder,
        seed=seed,
        out_dir=out_dir,
        junit=junit,
        json_path=json_path,
        min_score=min_score,
        echo=None if quiet else click.echo,
    )
    click.echo(result.verdict_line)
    sys.stdout.flush()
    return ExitStatus.OK if result.passed else ExitStatus.FAILED
