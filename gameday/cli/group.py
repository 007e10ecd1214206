"""The ``gameday`` click group; its subcommands load lazily.

Each subcommand lives in its own module (``gameday.cli.<name>``) so that ``gameday
--help`` and the TUI start fast and a broken optional part never breaks the others.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from gameday import __version__

# command name -> "module:attribute"; the help line is shown without importing the module.
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("gameday.cli.scenarios:list_cmd", "List bundled and local scenarios."),
    "validate": (
        "gameday.cli.validate:validate_cmd",
        "Check scenario, rule, routing, on-call and runbook files.",
    ),
    "schema": ("gameday.cli.scenarios:schema_cmd", "Print the JSON Schema of scenario.yaml."),
    "play": ("gameday.cli.play:play_cmd", "Play a scenario as a tabletop exercise (TUI)."),
    "drill": (
        "gameday.cli.drill:drill_cmd",
        "Run a scenario headless with a bot or scripted responder.",
    ),
    "shadow": (
        "gameday.cli.shadow:shadow_cmd",
        "Trainee shadow practice: say what you would do next.",
    ),
    "replay": (
        "gameday.cli.replay:replay_cmd",
        "Re-run a session journal and check it reproduces.",
    ),
    "resume": ("gameday.cli.play:resume_cmd", "Resume a tabletop session from its journal."),
    "serve": ("gameday.cli.serve:serve_cmd", "Serve one tabletop session to several seats."),
    "join": ("gameday.cli.serve:join_cmd", "Open a seat on a served tabletop session (TUI)."),
    "report": (
        "gameday.cli.report:report_cmd",
        "Re-render a result.json as Markdown, HTML or JUnit.",
    ),
    "rules": (
        "gameday.cli.rules:rules_group",
        "Prometheus rule tools (unit tests in promtool's format).",
    ),
    "route": (
        "gameday.cli.route:route_cmd",
        "Show the receivers an alertmanager.yml routes a label set to.",
    ),
    "sweep": ("gameday.cli.sweep:sweep_cmd", "Monte Carlo sweep of many drills."),
    "oncall": ("gameday.cli.sweep:oncall_cmd", "Forecast a month of on-call load."),
    "backtest": (
        "gameday.cli.backtest:backtest_cmd",
        "Would these rules have fired, and who would have been paged? (recorded data)",
    ),
    "import": (
        "gameday.cli.importer:import_cmd",
        "A real incident's recorded window as a scenario, its timeline as a ghost.",
    ),
    "chaos": (
        "gameday.cli.chaos:chaos_group",
        "Inject a scenario's faults into a local kind cluster.",
    ),
    "progress": ("gameday.cli.shadow:progress_cmd", "A trainee's shadow-practice history."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    def _available(self, name: str) -> bool:
        """Whether the command's module is installed (checked without importing it)."""
        module = COMMANDS[name][0].split(":")[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not self._available(cmd_name):
            return None
        module_name, attr = COMMANDS[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module_name), attr, None)
        return command if isinstance(command, click.Command) else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from gameday.errors import did_you_mean

            hint = did_you_mean(name, self.list_commands(ctx))
            raise click.UsageError(f"no such command {name!r}" + (f"; {hint}" if hint else ""), ctx)
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gameday")
def cli() -> None:
    """Chaos game days and tabletop exercises for SRE and on-call teams.

    Replays incidents as alert streams through real Prometheus rules, Alertmanager
    routing and escalation policies; scores every responder action against runbooks
    and SLA targets. Exit codes: 0 ok, 1 targets missed, 2 bad input, 130 interrupted,
    143 terminated.
    """
