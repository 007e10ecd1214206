"""``gameday backtest``: would these rules have fired, and who would have been paged?"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from gameday.cli.promsource import Progress, prometheus_options, prometheus_source
from gameday.cli.promsource import parse_duration_option as _duration
from gameday.cli.promsource import parse_time_option as _time
from gameday.errors import ExitStatus, InputError, Problem, UsageError

DEFAULT_MAX_RANGE = "92d"


@click.command("backtest")
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    required=True,
    metavar="FILE",
    help="Prometheus rule file (plain groups or a PrometheusRule); repeatable.",
)
@click.option(
    "--openmetrics",
    "openmetrics",
    metavar="FILE",
    help="Recorded samples in OpenMetrics text, as promtool tsdb "
    "create-blocks-from openmetrics reads them.",
)
@click.option(
    "--prometheus",
    "prometheus",
    metavar="URL",
    help="Read raw samples from this Prometheus server's HTTP API.",
)
@click.option(
    "--from",
    "from_",
    metavar="TIME",
    help="Start: RFC 3339, Unix seconds or now-30d (default: the first sample of --openmetrics).",
)
@click.option(
    "--to",
    "to",
    metavar="TIME",
    help="End, like --from (default: the last sample of --openmetrics).",
)
@click.option(
    "--alertmanager",
    "am_file",
    metavar="FILE",
    help="alertmanager.yml: route, group, inhibit and time the alerts.",
)
@click.option(
    "--oncall",
    "oncall_file",
    metavar="FILE",
    help="On-call file: page people (needs --alertmanager).",
)
@click.option(
    "--compare",
    "compare",
    multiple=True,
    metavar="FILE",
    help="B's rule files, alertmanager.yml or on-call file (each replaces A's "
    "of its kind); runs B beside A on the same data. Repeatable.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print alerts, notifications and pages as JSON (times RFC 3339 UTC).",
)
@click.option(
    "--evaluation-interval",
    default="1m",
    show_default=True,
    metavar="DURATION",
    help="Interval of groups that set none (Prometheus' global evaluation_interval).",
)
@click.option(
    "--ack-after",
    default="4m",
    show_default=True,
    metavar="DURATION|never",
    help="Who is paged acknowledges this long after (never: every page escalates).",
)
@click.option(
    "--flapping",
    "flap_threshold",
    default=3,
    show_default=True,
    type=int,
    help="An alert that fired and resolved more than this many times is flapping.",
)
@click.option(
    "--stagger",
    is_flag=True,
    help="Evaluate each group where a Prometheus server would in its interval (an offset "
    "hashed from the group's name and rule file path: give --rules the path the server "
    "loads, e.g. /etc/prometheus/rules/x.yml). Default: on multiples of the interval.",
)
@click.option(
    "--max-range",
    default=DEFAULT_MAX_RANGE,
    show_default=True,
    metavar="DURATION",
    help="Refuse windows longer than this.",
)
@click.option(
    "--chunk",
    default="1d",
    show_default=True,
    metavar="DURATION",
    help="--prometheus: fetch and evaluate this much time at a time (memory holds one span "
    "and the rules' longest range, not the window).",
)
@prometheus_options
def backtest_cmd(**opts: Any) -> int:
    """Evaluate rule groups over recorded metrics as Prometheus would have, then route,
    group, inhibit and time the alerts like Alertmanager and page like the on-call file.

    Prints each alert's pending, firing and resolved times, notifications per receiver,
    pages per person, night pages, the busiest shift, flapping alerts and the alerting
    rules that never fired. Exit 0 when the backtest ran, 2 on bad input (a malformed
    file, --from after --to, a window over --max-range, an unreachable or refusing
    Prometheus)."""
    return _run(opts)


def _window(opts: dict[str, Any]) -> tuple[int | None, int | None]:
    start, end = _time(opts["from_"], "--from"), _time(opts["to"], "--to")
    if opts["prometheus"] and (start is None or end is None):
        raise UsageError("--prometheus needs --from and --to")
    if start is not None and end is not None:
        _check_window(start, end, opts)
    return start, end


def _check_window(start: int, end: int, opts: dict[str, Any]) -> None:
    from gameday.durations import format_duration
    from gameday.timeparse import rfc3339

    if start >= end:
        raise UsageError(f"--from {rfc3339(start)} is not before --to {rfc3339(end)}")
    limit = _duration(opts["max_range"], "--max-range")
    assert limit is not None
    if end - start > limit * 1000:
        raise UsageError(
            f"the window from {rfc3339(start)} to {rfc3339(end)} is "
            f"{format_duration((end - start) / 1000)}, longer than --max-range "
            f"{format_duration(limit)} (raise --max-range to allow it)"
        )


def _run(opts: dict[str, Any]) -> int:
    from gameday.alerting.config import load_alertmanager_config
    from gameday.backtest import summary
    from gameday.backtest.run import Side, run_backtests, with_intervals
    from gameday.oncall.loader import load_oncall
    from gameday.rules.loader import load_rule_files

    if bool(opts["openmetrics"]) == bool(opts["prometheus"]):
        raise UsageError("give exactly one of --openmetrics FILE and --prometheus URL")
    if opts["oncall_file"] and not opts["am_file"]:
        raise UsageError("--oncall needs --alertmanager (pages follow its notifications)")
    interval = _duration(opts["evaluation_interval"], "--evaluation-interval")
    ack_after = _duration(opts["ack_after"], "--ack-after", allow_never=True)
    if not interval:
        raise UsageError("--evaluation-interval: must be more than 0")
    start, end = _window(opts)
    a_groups = with_intervals(load_rule_files(list(opts["rule_files"])), interval)
    am = load_alertmanager_config(opts["am_file"]) if opts["am_file"] else None
    oncall = load_oncall(opts["oncall_file"]) if opts["oncall_file"] else None
    b = None
    if opts["compare"]:
        kinds: dict[str, list[str]] = {}
        from gameday.cli.sweep import _override  # sweep --compare's reading of the same files

        for path in opts["compare"]:
            kinds.setdefault(_override(path)[0], []).append(path)
        b_groups = (
            with_intervals(load_rule_files(kinds["rules"]), interval)
            if "rules" in kinds
            else a_groups
        )
        b_am = (
            load_alertmanager_config(kinds["alertmanager"][-1]) if "alertmanager" in kinds else am
        )
        b_oncall = load_oncall(kinds["oncall"][-1]) if "oncall" in kinds else oncall
        if b_oncall is not None and b_am is None:
            raise UsageError("--compare with an on-call file needs --alertmanager")
        b = (b_groups, b_am, b_oncall)
    sides = [Side(a_groups, am, oncall)] + ([Side(*b)] if b is not None else [])
    show = opts["progress"]
    if show is None:
        show = sys.stderr.isatty()
    loader, fetch_chunk = _loader(opts, [g for side in sides for g in side.groups])
    label = "fetching and evaluating" if fetch_chunk else "evaluating"
    bar: list[Progress] = []

    def progress(done_ms: int, total_ms: int) -> None:
        if not bar:
            bar.append(Progress(total_ms, label))
        bar[0].to(done_ms)

    def window(first: int, last: int) -> tuple[int, int]:
        if last <= first:
            raise InputError(
                Problem(opts["openmetrics"], message="no samples the rules read, or only one time")
            )
        _check_window(first, last, opts)
        return first, last

    results = run_backtests(
        sides,
        loader,
        start,
        end,
        fetch_chunk_ms=fetch_chunk,
        ack_after_s=ack_after,
        subquery_step_ms=int(interval * 1000),
        progress=progress if show else None,
        window=window,
        stagger=opts["stagger"],
    )
    result = results[0]
    result_b = results[1] if len(results) > 1 else None
    zone = str(oncall.timezone) if oncall is not None else "UTC"
    if result_b is not None:
        from gameday.backtest import compare

        if opts["as_json"]:
            click.echo(json.dumps(compare.to_json_pair(result, result_b), indent=2))
        else:
            for line in compare.render(result, result_b):
                click.echo(line)
        return ExitStatus.OK
    if opts["as_json"]:
        click.echo(json.dumps(summary.to_json(result), indent=2))
    else:
        for line in summary.render(result, zone, opts["flap_threshold"]):
            click.echo(line)
    return ExitStatus.OK


def _loader(opts: dict[str, Any], groups: list[Any]) -> tuple[Any, int | None]:
    """The function that stores recorded samples (from a file or a Prometheus server)
    and the span to fetch at a time (None: the whole window at once)."""
    if opts["openmetrics"]:
        from gameday.openmetrics import load_openmetrics

        path = opts["openmetrics"]

        def load_file(db: Any, keep: Any, lo: int, hi: int) -> tuple[int, int]:
            return load_openmetrics(path, db, keep, lo, hi)

        return load_file, None
    from gameday.backtest.evaluate import selectors

    source = prometheus_source(opts)
    wanted = selectors(groups)

    def load_api(db: Any, keep: Any, lo: int, hi: int) -> tuple[int, int]:
        return source.load(db, keep, lo, hi, wanted)

    return load_api, source.chunk_ms
