"""Options and helpers shared by the commands that read recorded metrics (``backtest``,
``import``): times, durations, a Prometheus server's credentials and TLS, progress."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from gameday.errors import UsageError


def parse_time_option(value: str | None, option: str) -> int | None:
    """Milliseconds since the epoch for an RFC 3339, Unix or ``now-30d`` option value."""
    from gameday.timeparse import parse_time

    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def parse_duration_option(value: str, option: str, allow_never: bool = False) -> float | None:
    """Seconds for a Prometheus duration option (None for ``never`` when allowed)."""
    from gameday.durations import parse_duration

    if allow_never and value.strip().lower() == "never":
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


class Progress:
    """Progress over a span of milliseconds on stderr: click's bar on a terminal, a
    line per tenth elsewhere (a CI log asked for --progress)."""

    def __init__(self, total_ms: int, label: str) -> None:
        self.total = max(1, total_ms)
        self.label = label
        self.pos = 0
        self.tenth = 0
        self.bar: Any = None
        if sys.stderr.isatty():
            self.bar = click.progressbar(
                length=self.total, label=label, file=sys.stderr, show_eta=True
            )

    def to(self, done_ms: int) -> None:
        """The work is ``done_ms`` of ``total_ms`` along."""
        step = max(0, min(self.total, done_ms) - self.pos)
        self.pos += step
        if self.bar is not None:
            self.bar.update(step)
            if self.pos >= self.total:
                self.bar.render_finish()
            return
        tenth = self.pos * 10 // self.total
        if tenth > self.tenth:
            self.tenth = tenth
            click.echo(f"{self.label} {tenth * 10}%", err=True)


def prometheus_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --user, --password, --bearer-token, --ca-file, --insecure-skip-verify and
    --timeout (the ways to reach a Prometheus server) and --progress to ``command``."""
    options = [
        click.option(
            "--user",
            "user",
            envvar="GAMEDAY_PROMETHEUS_USER",
            metavar="NAME",
            help="--prometheus: basic-auth user (or $GAMEDAY_PROMETHEUS_USER).",
        ),
        click.option(
            "--password",
            "password",
            envvar="GAMEDAY_PROMETHEUS_PASSWORD",
            metavar="SECRET",
            help="--prometheus: basic-auth password (or $GAMEDAY_PROMETHEUS_PASSWORD).",
        ),
        click.option(
            "--bearer-token",
            "token",
            envvar="GAMEDAY_PROMETHEUS_TOKEN",
            metavar="TOKEN",
            help="--prometheus: bearer token (or $GAMEDAY_PROMETHEUS_TOKEN).",
        ),
        click.option(
            "--ca-file", metavar="FILE", help="--prometheus: CA bundle to verify TLS with."
        ),
        click.option(
            "--insecure-skip-verify",
            is_flag=True,
            help="--prometheus: do not verify the server's TLS certificate.",
        ),
        click.option(
            "--timeout",
            "timeout",
            default="30s",
            show_default=True,
            metavar="DURATION",
            help="--prometheus: per-request timeout.",
        ),
        click.option(
            "--progress/--no-progress",
            default=None,
            help="Progress bar on stderr (default: when stderr is a terminal).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def prometheus_source(
    opts: dict[str, Any], progress: Callable[[int, int], None] | None = None
) -> Any:
    """A :class:`~gameday.backtest.prometheus_api.PrometheusSource` from the options."""
    from gameday.backtest.prometheus_api import PrometheusSource

    return PrometheusSource(
        opts["prometheus"],
        user=opts["user"],
        password=opts["password"],
        token=opts["token"],
        ca_file=opts["ca_file"],
        verify=not opts["insecure_skip_verify"],
        timeout_s=parse_duration_option(opts["timeout"], "--timeout") or 30.0,
        chunk_ms=int((parse_duration_option(opts["chunk"], "--chunk") or 86400.0) * 1000),
        progress=progress,
    )
