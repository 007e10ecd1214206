"""``gameday import``: a real incident's recorded window as a scenario folder."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from gameday.cli.outputs import OutputPath
from gameday.cli.promsource import (
    Progress,
    parse_duration_option,
    parse_time_option,
    prometheus_options,
    prometheus_source,
)
from gameday.errors import ExitStatus, UsageError

MAX_WINDOW_S = 86400.0  # a scenario runs at most 24h of sim time
MIN_WINDOW_S = 60.0
MAX_HISTORY_S = 7 * 86400.0


@click.command("import")
@click.option(
    "--out",
    "out",
    required=True,
    type=OutputPath("folder"),
    metavar="FOLDER",
    help="The scenario folder to create (refused if it exists).",
)
@click.option(
    "--openmetrics",
    metavar="FILE",
    help="Recorded samples in OpenMetrics text (read line by line; only the window is kept).",
)
@click.option(
    "--prometheus",
    metavar="URL",
    help="Read raw samples from this Prometheus server's HTTP API, --chunk at a time.",
)
@click.option(
    "--from",
    "from_",
    required=True,
    metavar="TIME",
    help="The incident window's start: RFC 3339, Unix seconds or now-2h.",
)
@click.option("--to", "to", required=True, metavar="TIME", help="The window's end, like --from.")
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    required=True,
    metavar="FILE",
    help="The team's Prometheus rule file; repeatable.",
)
@click.option("--alertmanager", "am_file", metavar="FILE", help="The team's alertmanager.yml.")
@click.option(
    "--oncall",
    "oncall_file",
    metavar="FILE",
    help="The team's on-call file (needs --alertmanager).",
)
@click.option(
    "--runbook",
    "runbooks",
    multiple=True,
    metavar="FILE",
    help="A Markdown runbook to bring along; repeatable.",
)
@click.option(
    "--timeline",
    "timeline",
    metavar="FILE",
    help="The incident's timeline (CSV or JSON of time, who, what[, kind]): "
    "it plays as the ghost the debrief compares the team with.",
)
@click.option(
    "--match",
    "match",
    multiple=True,
    metavar="SELECTOR",
    help="Also keep the series this selector selects, for the responders' "
    "queries (up is always kept); repeatable.",
)
@click.option(
    "--history",
    default="auto",
    show_default=True,
    metavar="DURATION|auto",
    help="Recorded time kept before --from, for the rules' ranges (auto: the "
    "longest range a rule reads, at least 5m).",
)
@click.option(
    "--id", "scenario_id", metavar="ID", help="The scenario's id (default: from the folder's name)."
)
@click.option("--title", metavar="TEXT", help="The scenario's title.")
@click.option(
    "--severity",
    type=click.Choice(["SEV1", "SEV2", "SEV3", "SEV4"]),
    help="The incident's real severity (default: the timeline's first declared, else SEV2).",
)
@click.option("--root-cause", metavar="TEXT", help="The root cause, for the debrief.")
@click.option(
    "--chunk",
    default="2h",
    show_default=True,
    metavar="DURATION",
    help="--prometheus: fetch this much time per request.",
)
@prometheus_options
def import_cmd(**opts: Any) -> int:
    """Turn a real incident into a scenario folder that replays what was recorded.

    The window's samples (of every series the rules select, plus --match) and the
    history the rules need before it go into recorded.om; the team's rules,
    alertmanager.yml, on-call file, runbooks and timeline are copied beside it. Play it
    with 'gameday play FOLDER', drill it with 'gameday drill FOLDER'. Exit 0 when the
    folder was written, 2 on bad input (a malformed file or timeline row, an empty
    window, an existing folder, an unreachable Prometheus)."""
    return _run(opts)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "imported-incident"


def _window(opts: dict[str, Any]) -> tuple[int, int]:
    from gameday.durations import format_duration
    from gameday.timeparse import rfc3339

    start = parse_time_option(opts["from_"], "--from")
    end = parse_time_option(opts["to"], "--to")
    assert start is not None and end is not None
    if start >= end:
        raise UsageError(f"--from {rfc3339(start)} is not before --to {rfc3339(end)}")
    length = (end - start) / 1000
    if not MIN_WINDOW_S <= length <= MAX_WINDOW_S:
        raise UsageError(
            f"the window from {rfc3339(start)} to {rfc3339(end)} is {format_duration(length)}; "
            "an imported incident is played as a scenario, which runs from 1m to 24h"
        )
    return start, end


def _check_files(opts: dict[str, Any]) -> tuple[list[Any], Any]:
    """Parse every file the folder will hold (all problems at once); the rule groups."""
    from gameday.errors import InputError

    problems = []
    groups: list[Any] = []
    try:
        from gameday.rules import load_rule_files

        groups = list(load_rule_files(list(opts["rule_files"])))
    except InputError as exc:
        problems += exc.problems
    am = None
    if opts["am_file"]:
        from gameday.alerting import load_alertmanager_config

        try:
            am = load_alertmanager_config(opts["am_file"])
        except InputError as exc:
            problems += exc.problems
    if opts["oncall_file"]:
        from gameday.oncall import load_oncall

        try:
            load_oncall(opts["oncall_file"])
        except InputError as exc:
            problems += exc.problems
    for path in opts["runbooks"]:
        from gameday.runbooks import parse_runbook

        try:
            parse_runbook(path)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return groups, am


def _run(opts: dict[str, Any]) -> int:
    from datetime import UTC, datetime

    from gameday.backtest.evaluate import needed_history_ms
    from gameday.imported import folder as writer
    from gameday.imported import window as win
    from gameday.imported.timeline import load_timeline

    if bool(opts["openmetrics"]) == bool(opts["prometheus"]):
        raise UsageError("give exactly one of --openmetrics FILE and --prometheus URL")
    if opts["oncall_file"] and not opts["am_file"]:
        raise UsageError("--oncall needs --alertmanager (pages follow its notifications)")
    out = Path(opts["out"]).expanduser()
    writer.refuse_existing(out)
    start_ms, end_ms = _window(opts)
    start = datetime.fromtimestamp(start_ms / 1000, tz=UTC)
    length_s = (end_ms - start_ms) / 1000
    groups, _ = _check_files(opts)
    ghost = load_timeline(opts["timeline"], start, length_s) if opts["timeline"] else []
    extra = win.match_selectors([*win.ALWAYS, *opts["match"]])
    if opts["history"].strip().lower() == "auto":
        history_ms = needed_history_ms(groups)
    else:
        history_ms = int((parse_duration_option(opts["history"], "--history") or 0) * 1000)
    if history_ms > MAX_HISTORY_S * 1000:
        raise UsageError(
            f"--history: {history_ms // 1000}s is more than 7d; a rule reading further back "
            "than a week needs --history set by hand (at most 7d)"
        )
    window = win.Window(start_ms, end_ms, history_ms)
    keep = win.series_keep(groups, extra)
    show = opts["progress"] if opts["progress"] is not None else sys.stderr.isatty()
    if opts["openmetrics"]:
        where = str(opts["openmetrics"])
        db = win.read_openmetrics(where, window, keep)
        source = f"OpenMetrics file {Path(where).name}"
    else:
        bar: list[Progress] = []

        def progress(done_ms: int, total_ms: int) -> None:
            if not bar:
                bar.append(Progress(total_ms, "fetching"))
            bar[0].to(done_ms)

        prom = prometheus_source(opts, progress if show else None)
        where = prom.url
        db = win.read_prometheus(prom, window, keep, groups, extra)
        types, why = prom.metric_types()  # never fails: without them, names decide
        db.types.update(types)
        if why:
            click.echo(f"note: {why}; families are told apart by their names", err=True)
        source = f"Prometheus {prom.url}"
    series, samples = win.check_recorded(db, window, where)
    plan = writer.ImportPlan(
        folder=out,
        scenario_id=opts["scenario_id"] or _slug(out.name),
        title=opts["title"] or f"Imported incident of {start.strftime('%Y-%m-%d %H:%M')} UTC",
        start=start,
        length_s=length_s,
        history_s=history_ms / 1000,
        scrape_interval_s=win.typical_interval_s(db),
        source=source,
        severity=opts["severity"] or _declared(ghost),
        root_cause=opts["root_cause"] or "",
        rule_files=[Path(p) for p in opts["rule_files"]],
        alertmanager=Path(opts["am_file"]) if opts["am_file"] else None,
        oncall=Path(opts["oncall_file"]) if opts["oncall_file"] else None,
        runbooks=[Path(p) for p in opts["runbooks"]],
        timeline=Path(opts["timeline"]) if opts["timeline"] else None,
        ghost=ghost,
        series=series,
        samples=samples,
    )
    _check_id(plan.scenario_id)
    writer.write_folder(plan, db)
    click.echo(
        f"imported {series} series, {samples} samples into {out}"
        + (f" with a ghost of {len(ghost)} timeline rows" if ghost else "")
    )
    click.echo(f"play it: gameday play {out}")
    return ExitStatus.OK


def _declared(ghost: list[Any]) -> str:
    """The first severity the real team declared (a ``severity`` row naming SEV1-4)."""
    for entry in ghost:
        if entry.kind == "severity":
            for word in entry.what.upper().replace(":", " ").split():
                if word in ("SEV1", "SEV2", "SEV3", "SEV4"):
                    return word
    return "SEV2"


def _check_id(scenario_id: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", scenario_id):
        raise UsageError(
            f"--id {scenario_id!r}: lower-case letters, digits and '-', starting with a "
            "letter or digit"
        )
