"""``gameday rules test FILE...``: promtool's rule unit tests, promtool's report format."""

from __future__ import annotations

import click


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
    from gameday.cli.rules_test import run_rule_tests

    return run_rule_tests(files)
