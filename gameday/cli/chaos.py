"""``gameday chaos``: a scenario's faults in a local kind cluster, dry run by default."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click

from gameday.cli.outputs import OutputPath
from gameday.errors import ExitStatus


class ChaosGroup(click.Group):
    """``gameday chaos SCENARIO ...`` runs; ``up``, ``down`` and ``rollback`` are subcommands."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "run", self.commands["run"], args
        return super().resolve_command(ctx, args)


def _check_responder(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an unknown responder before any cluster is touched."""
    from gameday.errors import UsageError
    from gameday.responders import check_responder

    if value is not None:
        try:
            check_responder(value)
        except UsageError as exc:
            raise click.BadParameter(str(exc), param=param) from None
    return value


@click.group("chaos", cls=ChaosGroup, invoke_without_command=False)
def chaos_group() -> None:
    """Inject a scenario's faults into a local kind cluster (dry run unless --apply).

    \b
    gameday chaos SCENARIO --context kind-NAME [--namespace NS] [--apply]
    gameday chaos rollback JOURNAL --context kind-NAME
    gameday chaos up [--name NAME] / gameday chaos down [--name NAME]
    """


@chaos_group.command("run")
@click.argument("scenario")
@click.option("--context", required=True, help="kubeconfig context; must be kind-*.")
@click.option("--namespace", help="Target namespace (default: the scenario's).")
@click.option("--apply", "do_apply", is_flag=True, help="Act. Without it nothing is touched.")
@click.option("--hold", default="5m", show_default=True, help="How long faults stay in place.")
@click.option(
    "--journal",
    type=OutputPath(),
    help="Chaos journal (default: reports/chaos-<UTC time>.jsonl).",
)
@click.option("--kubeconfig", type=click.Path(dir_okay=False), help="kubeconfig file.")
@click.option(
    "--responder",
    callback=_check_responder,
    help="While faults hold, a bot (expert | novice | idle | script:FILE) answers the live "
    "cluster's alerts and its commands reach the cluster; without it the hold only observes.",
)
@click.option(
    "--i-know-this-is-not-kind",
    "allow_any",
    is_flag=True,
    help="Allow a context not named kind-* (you must type its name to confirm).",
)
def run_cmd(
    scenario: str,
    context: str,
    namespace: str | None,
    do_apply: bool,
    hold: str,
    journal: Path | None,
    kubeconfig: str | None,
    responder: str | None,
    allow_any: bool,
) -> int:
    """Map SCENARIO's faults to API-only operations; print them (dry run) or apply them,
    hold, and roll back. Faults that cannot be mapped are reported before anything is
    touched."""
    from gameday.chaos.plan import plan_faults
    from gameday.chaos.safety import check_context
    from gameday.durations import parse_duration
    from gameday.errors import UsageError
    from gameday.scenario import load_scenario

    try:
        hold_s = parse_duration(hold)
    except ValueError as exc:
        raise UsageError(f"--hold: {exc}") from None
    check_context(context, allow_any, confirm=lambda prompt: click.prompt(prompt, default=""))
    loaded = load_scenario(scenario)
    plan = plan_faults(loaded.scenario, namespace)
    for fault_id, why in plan.unmapped:
        click.echo(f"cannot map fault {fault_id}: {why}", err=True)
    click.echo(
        f"{'APPLY' if do_apply else 'DRY RUN'}: {len(plan.operations)} operation(s) "
        f"in namespace {plan.namespace} of {context}"
    )
    for op in plan.operations:
        click.echo(f"- [{op.fault}] {op.describe()}\n    kubectl: {op.kubectl()}")
        click.echo("    inverse: captured from the live object before the change")
    if not do_apply:
        click.echo("nothing touched (dry run); add --apply to act")
        return ExitStatus.OK
    if not plan.operations:
        return ExitStatus.FAILED
    from gameday.chaos.clients import cluster_errors, connect
    from gameday.chaos.observe import cluster_samples, summary_line
    from gameday.chaos.runner import apply_plan

    clients = connect(context, kubeconfig)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = journal or Path("reports") / f"chaos-{stamp}.jsonl"

    def watch() -> None:
        if responder is not None:
            from gameday.chaos.live import play_live
            from gameday.runtime import prepare

            play_live(
                prepare(scenario), clients, plan.namespace, hold_s, click.echo, responder=responder
            )
            return
        end = time.monotonic() + hold_s
        while time.monotonic() < end:
            click.echo(f"observed: {summary_line(cluster_samples(clients, plan.namespace))}")
            time.sleep(min(15.0, max(0.0, end - time.monotonic())))

    with cluster_errors(context, clients.server):
        injected, not_injected = apply_plan(clients, plan, path, click.echo, hold=watch)
    click.echo(f"journal: {path}")
    click.echo(f"faults injected: {len(injected)}; fault not injected: {len(not_injected)}")
    return ExitStatus.OK if not not_injected else ExitStatus.FAILED


@chaos_group.command("rollback")
@click.argument("journal", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--context", required=True, help="kubeconfig context; must be the journal's.")
@click.option("--apply", "do_apply", is_flag=True, help="Act. Without it nothing is touched.")
@click.option("--kubeconfig", type=click.Path(dir_okay=False), help="kubeconfig file.")
def rollback_cmd(journal: Path, context: str, do_apply: bool, kubeconfig: str | None) -> int:
    """Undo every change a crashed chaos run left, from its JOURNAL (dry run unless --apply).

    The whole journal is checked before any connection: only changes gameday chaos makes,
    only their captured inverses, only the journal's namespace, never a system namespace,
    and the journal's context must be --context. With --apply each namespace must carry
    gameday.io/target=true on the cluster before anything in it is changed.
    """
    from gameday.chaos.rollback import apply_rollback, check_rollback_context, read_rollback
    from gameday.chaos.safety import check_context

    check_context(context, False, None)
    rollback = read_rollback(journal)
    check_rollback_context(rollback, context)
    click.echo(
        f"{'APPLY' if do_apply else 'DRY RUN'}: {len(rollback.undo)} change(s) to undo "
        f"in namespace {rollback.namespace} of {context}"
    )
    for undo in rollback.undo:
        label = f"[{undo.op.fault}] " if undo.op.fault else ""
        click.echo(f"- {label}{undo.inverse.describe()}")
        click.echo(f"    kubectl: {undo.inverse.kubectl()}")
    if not do_apply:
        click.echo("nothing touched (dry run); add --apply to act")
        return ExitStatus.OK
    from gameday.chaos.clients import cluster_errors, connect
    from gameday.chaos.runner import namespace_labels

    clients = connect(context, kubeconfig)
    with cluster_errors(context, clients.server):
        n = apply_rollback(rollback, clients, lambda ns: namespace_labels(clients, ns), click.echo)
    click.echo(f"rolled back {n} change(s)")
    return ExitStatus.OK


@chaos_group.command("up")
@click.option("--name", default="gameday", show_default=True)
def up_cmd(name: str) -> int:
    """Create a kind cluster with a sample workload in an opted-in namespace."""
    from gameday.chaos.kind import up

    click.echo(f"context {up(name)} is ready; namespace shop carries gameday.io/target=true")
    return ExitStatus.OK


@chaos_group.command("down")
@click.option("--name", default="gameday", show_default=True)
def down_cmd(name: str) -> int:
    """Delete the kind cluster."""
    from gameday.chaos.kind import down

    down(name)
    return ExitStatus.OK
