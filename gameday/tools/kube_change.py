"""kubectl verbs that change the cluster: ``scale``, ``delete pod``, ``set image``; and
``exec``, which only reaches ``psql``. ``rollout`` lives in
:mod:`~gameday.tools.kube_rollout`.

Each changes a spec through the cluster's API (never pods or status: the controllers do
that), honours ``--dry-run=client|server`` by changing nothing, and returns kubectl's
answer; none judges what the change does to the incident (the world decides, the
debrief tells by counterfactual).
"""

from __future__ import annotations

from typing import Any

from kubernetes.client import models as k

from gameday.tools import kube_objects as ko
from gameday.tools.effects import Outcome
from gameday.tools.kube_flags import deployment_arg, dry_run, suffix
from gameday.tools.kube_rollout import rollout
from gameday.tools.kubectl import namespace, resource
from gameday.tools.parse import ActionError, Flags
from gameday.world.cluster import objects as o

__all__ = ["delete", "exec_", "rollout", "scale", "set_", "set_image"]


def scale(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl scale deployment/NAME --replicas=N [--current-replicas=M]``."""
    name, _ = deployment_arg(ctx, words, flags, "scale")
    raw = flags.get("replicas")
    if raw is None or not raw.lstrip("-").isdigit() or int(raw) < 0:
        if raw is not None and not raw.lstrip("-").isdigit():
            raise ActionError(f'error: invalid argument "{raw}" for "--replicas" flag')
        raise ActionError(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than "
            "or equal to 0"
        )
    replicas, world = int(raw), ctx.world
    before = world.cluster.deployments[name].spec.replicas or 0
    current = flags.get("current-replicas")
    if current not in (None, "-1") and str(before) != current:
        raise ActionError(f"error: Expected replicas to be {current}, was {before}")
    mode = dry_run(flags)

    def change(dep: k.V1Deployment) -> None:
        dep.spec.replicas = replicas

    world.cluster.update_deployment(name, change, dry_run=bool(mode), now=ctx.now)
    out = f"deployment.apps/{name} scaled{suffix(mode)}"
    if mode:
        return Outcome(True, out, "kubectl.scale")
    return Outcome(True, out, "kubectl.scale", changed=replicas != before)


def delete(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl delete pod NAME...`` (or ``-l SELECTOR`` / ``--all``)."""
    if not words:
        raise ActionError("error: You must provide one or more resources by argument or filename.")
    kind_word, _, slash_name = words[0].partition("/")
    if resource(kind_word) != "pods":
        return Outcome(
            False,
            f"deleting {resource(kind_word)} is not simulated (and rarely "
            "what a runbook wants); delete pods or roll back instead",
            "kubectl.delete",
        )
    names = ([slash_name] if slash_name else []) + words[1:]
    ns = namespace(ctx, flags)
    if names:
        targets = [ko.find_pod(ctx, n, ns) for n in names]
    elif flags.has("selector") or flags.has("all"):
        targets = [
            p
            for p in ko.pods(ctx)
            if ns == ctx.world.namespace
            and ko.matches(ko.pod_labels(ctx, p), flags.get("selector"))
        ]
        if not targets:
            return Outcome(True, f"No resources found in {ns} namespace.", "kubectl.delete.pod")
    else:
        raise ActionError("error: resource(s) were provided, but no name was specified")
    mode = dry_run(flags)
    force = flags.has("force") and flags.get("grace-period") == "0"
    warning = (
        "Warning: Immediate deletion does not wait for confirmation that the running "
        "resource has been terminated. The resource may continue to run on the cluster "
        "indefinitely.\n"
        if force
        else ""
    )
    verb = "force deleted" if force else "deleted"
    text = warning + "\n".join(f'pod "{p.name}" {verb}{suffix(mode)}' for p in targets)
    if mode:
        return Outcome(True, text, "kubectl.delete.pod")
    cluster = ctx.world.cluster
    for pod in targets:
        cluster.delete(pod.name, ctx.now, force=force)
    return Outcome(True, text, "kubectl.delete.pod", changed=True)


def set_(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl set image|env|resources deployment/NAME ...``."""
    from gameday.tools.kube_patch import set_env, set_resources

    sub = words[0] if words else ""
    if sub == "env":
        return set_env(ctx, words[1:], flags)
    if sub == "resources":
        return set_resources(ctx, words[1:], flags)
    if sub != "image":
        raise ActionError(
            "error: simulated: kubectl set image|env|resources"
            if sub
            else 'error: Usage: "kubectl set SUBCOMMAND"'
        )
    return set_image(ctx, words, flags)


def set_image(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl set image deployment/NAME CONTAINER=IMAGE:TAG``."""
    name, rest = deployment_arg(ctx, words[1:], flags, "set image")
    dep = ctx.world.cluster.deployments[name]
    pairs = [w.split("=", 1) for w in rest if "=" in w]
    if not pairs:
        raise ActionError("error: at least one image update is required")
    container, image = pairs[0]
    app = o.container(dep.spec.template)
    if container not in (app.name, "*"):
        raise ActionError(f'error: unable to find container named "{container}"')
    if image == app.image:
        return Outcome(True, "", "kubectl.set.image")
    mode = dry_run(flags)

    def change(d: k.V1Deployment) -> None:
        d.spec.template.spec.containers[0].image = image

    ctx.world.cluster.update_deployment(name, change, dry_run=bool(mode), now=ctx.now)
    out = f"deployment.apps/{name} image updated{suffix(mode)}"
    if mode:
        return Outcome(True, out, "kubectl.set.image")
    return Outcome(True, out, "kubectl.set.image", changed=True)


def exec_(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl exec POD -- CMD``: ``psql``, ``df`` and the Kafka tools are simulated."""
    from gameday.tools.kafka_tools import is_kafka_tool, run_kafka_tool
    from gameday.tools.psql import run_psql

    if not words:
        raise ActionError("error: expected 'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]'")
    target = words[0]
    kind, slash, name = target.partition("/")
    if slash and resource(kind) == "deployments":
        dep = ko.find_deployment(ctx, name, namespace(ctx, flags))
        live = [p for p in ctx.world.cluster.pods_of(dep.metadata.name) if p.running]
        pod = live[0] if live else None
    else:
        pod = ko.find_pod(ctx, name if slash else target, namespace(ctx, flags))
    cmd = flags.rest or words[1:]
    if cmd and cmd[0] == "df" and pod is not None:
        from gameday.tools.kube_df import df

        return df(ctx, pod, cmd[1:])
    if cmd and cmd[0].rsplit("/", 1)[-1] == "psql":
        return run_psql(ctx, cmd[1:], "exec")
    if cmd and is_kafka_tool(cmd[0]):
        return run_kafka_tool(ctx, cmd[0], cmd[1:])
    if cmd and cmd[0].rsplit("/", 1)[-1] == "redis-cli":
        return _redis_cli(ctx, target, flags, cmd)
    shown = " ".join(cmd) or "a shell"
    return Outcome(
        False,
        f"exec is not simulated in gameday (running {shown} inside a pod); "
        "only psql, df, redis-cli and the Kafka tools are. "
        "Use kubectl logs, kubectl describe or psql -c instead.",
        "kubectl.exec",
    )


def _redis_cli(ctx: Any, target: str, flags: Flags, cmd: list[str]) -> Outcome:
    """``redis-cli`` in a pod: the Redis image has it, an application image does not."""
    from gameday.tools.redis_cli import run_redis_cli

    _, slash, name = target.partition("/")
    if slash:
        pods = ctx.world.cluster.pods_of(name)
        running = [p for p in pods if p.running]
        if not running:
            raise ActionError(
                f"error: unable to upgrade connection: pod of {target} is not running"
            )
        pod = running[0]
    else:
        pod = ko.find_pod(ctx, target, namespace(ctx, flags))
    if not pod.running:
        raise ActionError(
            f'error: unable to upgrade connection: container not found ("{pod.container}")'
        )
    if ctx.world.services[pod.service].redis is None:
        return Outcome(
            False,
            "OCI runtime exec failed: exec failed: unable to start container process: exec: "
            '"redis-cli": executable file not found in $PATH: unknown\n'
            "command terminated with exit code 126",
            "kubectl.exec",
        )
    tty = flags.has("tty") or "t" in (flags.get("stdin") or "")
    return run_redis_cli(ctx, pod, cmd[1:], tty)
