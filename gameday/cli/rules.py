"""``gameday rules test FILE...``: promtool's rule unit tests, promtool's report format."""

from __future__ import annotations

import sys

import click

from gameday.errors import ExitStatus


@click.group("rules")
def rules_group() -> None:
    """Prometheus rule tools."""


@rules_group.command("test")
@click.argument("files", nargs=-1, required=True)
def test_cmd(files: tuple[str, ...]) -> int:
    """Run rule unit-test FILES (promtool's format). Exit 0 all pass, 1 a test failed,
    2 a file could not be read or a test goes past gameday's limits (at most 1,000,000
    evaluation steps and 5,000,000 input samples per test group, 10,000,000 steps per
    subquery evaluation)."""
    from gameday.cli.heap import keep_freed_memory
    from gameday.rules.unittest import run_test_file

    keep_freed_memory()
    failed = False
    bad_input = False
    for path in files:
        click.echo(f"Unit Testing:  {path}")
        result = run_test_file(path)
        for w in result.warnings:
            click.echo(w, err=True)
        if result.passed:
            click.echo("  SUCCESS")
        else:
            click.echo("  FAILED:", err=True)
            for e in result.errors:
                click.echo(e, err=True)
                click.echo("")
            failed = True
            bad_input = bad_input or result.bad_input
        click.echo("")
    sys.stdout.flush()
    if bad_input:
        return ExitStatus.BAD_INPUT
    return ExitStatus.FAILED if failed else ExitStatus.OK
