"""``gameday sweep``: many drills of one scenario, and the distribution of what happened."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Any

import click

from gameday.cli.outputs import OutputPath
from gameday.cli.params import FiniteFloat
from gameday.errors import ExitStatus, UsageError
from gameday.files import read_text


def _override(path: str) -> tuple[str, str]:
    """Which scenario file a --compare file replaces, judged by its content."""
    import yaml

    from gameday.yamldoc import guarded_load

    try:
        data = guarded_load(read_text(path))
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"--compare {path}: {exc}") from None
    if isinstance(data, dict) and "route" in data:
        return ("alertmanager", path)
    if isinstance(data, dict) and ("groups" in data or data.get("kind") == "PrometheusRule"):
        return ("rules", path)
    if isinstance(data, dict) and "escalation_policies" in data:
        return ("oncall", path)
    raise UsageError(f"--compare {path}: not an alertmanager.yml, rule file or on-call file")


@click.command("sweep")
@click.argument("scenario")
@click.option("--runs", default=100, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--responder", default="expert", show_default=True, help="expert | novice | mix")
@click.option(
    "--seed",
    "first_seed",
    default=1,
    show_default=True,
    help="First seed; runs use seed..seed+runs-1.",
)
@click.option(
    "--vary",
    "vary_text",
    default="seed",
    show_default=True,
    metavar="DIM,...",
    help="What differs between runs: seed (names, noise, delays), start (the minute of "
    "the week it happens: traffic curve, who is on call), fault-time, load.",
)
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--workers", type=int, help="Processes (local) or Dask workers (default: cores).")
@click.option("--scheduler", help="Dask scheduler address (default: a LocalCluster).")
@click.option(
    "--compare",
    nargs=2,
    metavar="A B",
    help="Run the sweep under two files (alertmanager.yml, rules or on-call) and compare.",
)
@click.option(
    "--out",
    type=OutputPath("folder"),
    default=Path("reports"),
    show_default=True,
)
@click.option(
    "--judge",
    is_flag=True,
    help="Judge each drill's changes by counterfactual, as a drill's debrief does (its "
    "no-effect and harmful deductions); slower. Without it a change that did nothing "
    "costs no points.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def sweep_cmd(
    scenario: str,
    runs: int,
    responder: str,
    first_seed: int,
    vary_text: str,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    compare: tuple[str, str] | None,
    out: Path,
    judge: bool,
    as_json: bool,
) -> int:
    """Run SCENARIO RUNS times with different seeds and report the distributions of
    detection, acknowledgement and mitigation times, scores and pages."""
    from rich.progress import Progress, TaskID

    from gameday.interrupts import sigterm_raises
    from gameday.sweep import SweepSpec, run_sweep, summarise
    from gameday.sweep.report import UNJUDGED, dumps, render_html, sweep_document
    from gameday.sweep.runner import scenario_of
    from gameday.sweep.stats import FIGURES, paired_difference
    from gameday.sweep.text import summary_lines
    from gameday.sweep.vary import parse_vary, refuse_for_recording

    vary = parse_vary(vary_text)
    if vary != ("seed",):
        refuse_for_recording(scenario_of(scenario), vary)
    if responder not in ("expert", "novice", "mix"):
        raise UsageError(f"--responder {responder!r}: choose expert, novice or mix")
    seeds = tuple(range(first_seed, first_seed + runs))
    specs = [SweepSpec(scenario, seeds, responder, vary=vary, judge=judge)]
    if compare:
        specs = [
            SweepSpec(scenario, seeds, responder, (_override(p),), vary=vary, judge=judge)
            for p in compare
        ]
    outcomes = []
    start = time.perf_counter()
    with Progress(transient=True, disable=as_json) as progress:
        for spec in specs:
            task = progress.add_task(
                f"{scenario} {','.join(o[1] for o in spec.overrides) or ''}", total=runs
            )

            def advance(n: int, task: TaskID = task) -> None:
                progress.advance(task, n)

            with sigterm_raises():
                outcomes.append(run_sweep(spec, backend, workers, scheduler, progress=advance))
    elapsed = time.perf_counter() - start
    summary = summarise(outcomes[0])
    comparison: dict[str, Any] | None = None
    if compare:
        comparison = {
            "a": compare[0],
            "b": compare[1],
            "summary_b": summarise(outcomes[1]),
            "runs_b": [r.to_dict() for r in outcomes[1]],
            "difference_b_minus_a": {
                k: paired_difference(outcomes[0], outcomes[1], k) for k in FIGURES
            },
        }
    document = sweep_document(specs[0], summary, outcomes[0], comparison)
    document["elapsed_seconds"] = round(elapsed, 2)
    document["backend"] = backend
    document["vary"] = list(vary)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"sweep-{scenario.replace('/', '_')}-{responder}-{runs}"
    Path(f"{stem}.json").write_text(dumps(document), encoding="utf-8")
    Path(f"{stem}.html").write_text(render_html(document), encoding="utf-8")
    if as_json:
        shown = {k: document[k] for k in ("summary", "comparison")}
        if comparison:  # the summary, not every drill
            shown["comparison"] = {k: v for k, v in comparison.items() if k != "runs_b"}
        click.echo(dumps(shown))
        return ExitStatus.OK
    click.echo(
        f"{runs} drills of {scenario} ({responder}; varying {', '.join(vary)}) "
        f"on {backend} in {elapsed:.1f} s"
    )
    for line in summary_lines(summary, comparison):
        click.echo(line)
    if not judge:
        note = f"({UNJUDGED[0].lower()}{UNJUDGED[1:]})"
        for line in textwrap.wrap(note, 86):  # about as wide as the table
            click.echo(f"  {line}")
    click.echo(f"reports: {stem}.json, {stem}.html")
    return ExitStatus.OK


MAX_EPISODES = 20_000  # alert episodes a forecast plays: about a minute of CPU


@click.command("oncall")
@click.argument("scenario")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366))
@click.option(
    "--services",
    default=None,
    type=click.IntRange(1, 500),
    help="How many services share the rotation (default: the scenario's).",
)
@click.option(
    "--incidents-per-week",
    default=0.5,
    show_default=True,
    type=FiniteFloat(0, 100),
    help="Real incidents per service per week.",
)
@click.option(
    "--noise-per-day",
    default=1.0,
    show_default=True,
    type=FiniteFloat(0, 1000),
    help="Non-actionable alerts per service per day.",
)
@click.option(
    "--flapping",
    default=0.2,
    show_default=True,
    type=FiniteFloat(0, 1),
    help="Share of noise alerts that flap.",
)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def oncall_cmd(
    scenario: str,
    days: int,
    services: int | None,
    incidents_per_week: float,
    noise_per_day: float,
    flapping: float,
    seed: int,
    as_json: bool,
) -> int:
    """Forecast DAYS of on-call for SCENARIO's rules, routing and schedules: pages per
    week per person, pages at night, the actionable ratio, flapping and duplicate alerts,
    against the targets (fewer than 5 actionable pages a week, at most 2 per shift, over
    80% actionable).

    Incidents and noise are episodes in which an alerting rule's condition holds; the
    rules' own for/keep_firing_for decide whether and when each fires."""
    import json

    from gameday.forecast import forecast, generate_episodes
    from gameday.interrupts import sigterm_raises
    from gameday.runtime import prepare

    prepared = prepare(scenario)
    setup = prepared.setup
    if setup.alertmanager is None or setup.oncall is None:
        raise UsageError(
            f"{scenario}: a forecast needs the scenario's alertmanager.yml and on-call file"
        )
    rules = [
        {"alertname": r.name, "severity": r.labels.get("severity", "")}
        for g in setup.rule_groups
        for r in g.rules
        if r.is_alert
    ]
    if not rules:
        raise UsageError(f"{scenario}: no alerting rules to forecast")
    names = [s.name for s in prepared.loaded.scenario.world.services]
    count = services or len(names)
    names = (names + [f"service-{i}" for i in range(len(names) + 1, count + 1)])[:count]
    expected = count * days * (incidents_per_week / 7 + noise_per_day)
    if expected > MAX_EPISODES:
        raise UsageError(
            f"{days} days x {count} services x ({incidents_per_week:g} incidents a week + "
            f"{noise_per_day:g} noise alerts a day) is about {expected:,.0f} alert episodes; "
            f"a forecast plays at most {MAX_EPISODES:,} (lower --days, --services, "
            "--incidents-per-week or --noise-per-day)"
        )
    start = time.perf_counter()
    with sigterm_raises():  # a CI cancel: exit 143, as Ctrl-C exits 130
        episodes = generate_episodes(
            rules, names, days, seed, incidents_per_week, noise_per_day, flapping
        )
        result = forecast(
            setup.alertmanager,
            setup.oncall,
            setup.rule_groups,
            episodes,
            days,
            prepared.loaded.scenario.start_time,
            seed,
            external_labels=setup.external_labels,
        )
    figures = dict(
        result.figures,
        services=len(names),
        elapsed_seconds=round(time.perf_counter() - start, 2),
    )
    if as_json:
        click.echo(json.dumps(figures, indent=2, sort_keys=True))
        return ExitStatus.OK
    click.echo(
        f"{days} days, {len(names)} services: {len(episodes)} alert episodes, "
        f"{figures['alerts_fired']} alerts fired, {figures['pages']} pages "
        f"({figures['elapsed_seconds']} s)"
    )
    click.echo(f"  {'':12}  {'pages/week':>10}  {'actionable/week':>15}  {'at night':>8}")
    over = []
    for person, n in figures["pages_per_week_per_person"].items():
        act = figures["actionable_pages_per_week_per_person"].get(person, 0)
        if act >= 5:
            over.append(person)
        click.echo(
            f"  {person:12}  {n:10.2f}  {act:15.2f}  "
            f"{figures['night_pages'].get(person, 0):>8}{'  over target' if person in over else ''}"
        )
    ratio, shift = figures["actionable_ratio"], figures["max_pages_per_shift"]
    verdict = {True: "met", False: "missed"}
    click.echo("  targets (DESIGN.md):")
    click.echo(
        "    fewer than 5 actionable pages a week per person: "
        + (f"missed by {', '.join(over)}" if over else "met")
    )
    click.echo(
        f"    at most 2 pages per 12 h shift: the busiest had {shift}, {verdict[shift <= 2]}"
    )
    ratio_text = "-" if ratio is None else f"{ratio * 100:.1f}%"
    met = ratio is not None and ratio > 0.8
    click.echo(f"    over 80% of pages actionable: {ratio_text}, {verdict[met]}")
    refires = ", ".join(f"{k} x{v}" for k, v in figures["flapping_refires"].items()) or "none"
    click.echo(
        f"  duplicate pages (a service already had an open incident) "
        f"{figures['duplicate_pages']}; alerts re-firing within an hour: {refires}"
    )
    return ExitStatus.OK
