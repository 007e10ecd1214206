"""kubectl verbs that change the world: ``rollout``, ``scale``, ``delete``, ``set image``;
and ``exec``, which only reaches ``psql``.

Each returns kubectl's one-line answer and a hint for the effect (see
:mod:`~gameday.engine.actions.effects`): a rollback or image change away from a bad
version ends the deploy fault; a restart or a deleted pod relieves a lock or a leak only
for a while; scaling to zero or deleting every pod is harmful.
"""

from __future__ import annotations

from typing import Any

from gameday.engine.actions import kube_objects as ko
from gameday.engine.actions.effects import Outcome, relief
from gameday.engine.actions.kubectl import namespace, resource
from gameday.engine.actions.output import kube_table
from gameday.engine.actions.parse import ActionError, Flags

DEPLOY_FAULTS = ("connection_leak", "crash_loop")


def _deployment(ctx: Any, words: list[str], flags: Flags, verb: str) -> tuple[str, list[str]]:
    """The deployment named by ``deployment/NAME`` or ``deployment NAME``; the rest."""
    if not words:
        raise ActionError(f"error: required resource not specified for {verb}")
    kind, slash, name = words[0].partition("/")
    rest = words[1:]
    if not slash:
        if not rest:
            raise ActionError(
                f"error: you must specify a resource type and name, e.g. "
                f'"kubectl {verb} deployment/NAME"'
            )
        name, rest = rest[0], rest[1:]
    if resource(kind) != "deployments":
        raise ActionError(f"error: {verb} is only simulated for deployments")
    ko.find_deployment(ctx, name, namespace(ctx, flags))
    return name, rest


def _version_change(ctx: Any, service: str, old: str, new: str) -> str:
    """End deploy faults that ``new`` leaves behind; harmful if ``new`` is a bad version."""
    bad = {
        str(f.data.get("version"))
        for f in ctx.world.faults.values()
        if f.spec.service == service and f.type in DEPLOY_FAULTS
    }
    if new in bad:
        return "harmful"
    ended = False
    for fid, fault in list(ctx.world.faults.items()):
        if (
            fault.active
            and fault.spec.service == service
            and fault.type in DEPLOY_FAULTS
            and str(fault.data.get("version")) == old
        ):
            ctx.end_fault(fid, "mitigated")
            ended = True
    return "" if ended else "no-effect"


def rollout(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl rollout history|undo|restart|status deployment/NAME``."""
    sub = words[0] if words else ""
    if sub not in ("history", "undo", "restart", "status"):
        raise ActionError(
            f'error: unknown command "{sub}" for "kubectl rollout"; simulated: '
            "history, undo, restart, status"
        )
    name, _ = _deployment(ctx, words[1:], flags, f"rollout {sub}")
    dep = ctx.world.deployments[name]
    kind = f"kubectl.rollout.{sub}"
    if sub == "history":
        rev = flags.get("revision")
        if rev:
            found = [r for r in dep.history if str(r.number) == rev]
            if not found:
                raise ActionError(f"error: unable to find the specified revision {rev}")
            return Outcome(
                True,
                f"deployment.apps/{name} with revision #{rev}\nPod Template:\n"
                f"  Labels:\tapp={name}\n  Containers:\n   {dep.container}:\n"
                f"    Image:\t{dep.image}:{found[0].version}",
                kind,
            )
        table = kube_table(
            ["REVISION", "CHANGE-CAUSE"],
            [(str(r.number), r.change_cause or "<none>") for r in dep.history],
            gap=2,
        )
        return Outcome(True, f"deployment.apps/{name} \n{table}", kind)
    if sub == "status":
        return _status(ctx, name, flags)
    if sub == "restart":
        ctx.world.rollout_restart(name, ctx.now)
        return Outcome(
            True, f"deployment.apps/{name} restarted", kind, relief(ctx, name), changed=True
        )
    to = flags.get("to-revision")
    if to is not None and not to.isdigit():
        raise ActionError(f'error: invalid argument "{to}" for "--to-revision" flag')
    old = dep.version
    if to is not None and int(to) == dep.revision:
        return Outcome(
            True,
            f"deployment.apps/{name} skipped rollback (current template "
            f"already matches revision {to})",
            kind,
            "no-effect",
        )
    try:
        target = ctx.world.rollout_undo(name, ctx.now, int(to) if to else None)
    except ValueError as exc:
        raise ActionError(f"error: {exc}") from None
    hint = _version_change(ctx, name, old, target.version)
    return Outcome(True, f"deployment.apps/{name} rolled back", kind, hint, changed=True)


def _status(ctx: Any, name: str, flags: Flags) -> Outcome:
    dep = ctx.world.deployments[name]
    new = ko.updated_pods(dep)
    ready = sum(ko.pod_status(ctx, p)[0] == "1/1" for p in new)
    old = [p for p in dep.pods if p not in new]
    if ready < dep.replicas:
        msg = (
            f'Waiting for deployment "{name}" rollout to finish: {ready} of {dep.replicas} '
            "updated replicas are available..."
        )
    elif old:
        msg = (
            f'Waiting for deployment "{name}" rollout to finish: {len(old)} old replicas '
            "are pending termination..."
        )
    else:
        return Outcome(
            True, f'deployment "{name}" successfully rolled out', "kubectl.rollout.status"
        )
    if flags.has("timeout"):
        return Outcome(
            False, msg + "\nerror: timed out waiting for the condition", "kubectl.rollout.status"
        )
    return Outcome(True, msg, "kubectl.rollout.status")


def scale(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl scale deployment/NAME --replicas=N``."""
    name, _ = _deployment(ctx, words, flags, "scale")
    raw = flags.get("replicas")
    if raw is None:
        raise ActionError('error: required flag(s) "replicas" not set')
    if not raw.isdigit():
        raise ActionError(f'error: invalid argument "{raw}" for "--replicas" flag')
    replicas, world = int(raw), ctx.world
    before = world.deployments[name].replicas
    svc, status = world.services[name], world.status[name]
    world.scale(name, replicas, ctx.now)
    out = f"deployment.apps/{name} scaled"
    capacity = replicas * svc.rps_per_replica
    if replicas == 0 or (replicas < before and capacity < status.offered_rps):
        return Outcome(True, out, "kubectl.scale", "harmful", changed=True)
    hint = "no-effect"
    for fid, fault in list(world.faults.items()):
        if not fault.active or fault.spec.service != name:
            continue
        if fault.type == "traffic_spike" and capacity >= status.offered_rps * 1.1:
            ctx.end_fault(fid, "mitigated")
            hint = ""
        elif fault.type == "connection_leak" and replicas > before:
            hint = f"temporary:{fid}"
    return Outcome(True, out, "kubectl.scale", hint, changed=replicas != before)


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
    services = {p.service for p in targets}
    wiped = any(
        {p.name for p in ctx.world.deployments[s].pods if p.terminate_at == float("inf")}
        <= {p.name for p in targets}
        for s in services
    )
    for pod in targets:
        ctx.world.delete_pod(pod.name, ctx.now)
    hints = sorted({relief(ctx, s) for s in services}, reverse=True)
    hint = "harmful" if wiped else hints[0]
    text = "\n".join(f'pod "{p.name}" deleted' for p in targets)
    return Outcome(True, text, "kubectl.delete.pod", hint, changed=True)


def set_image(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl set image deployment/NAME CONTAINER=IMAGE:TAG``."""
    if not words or words[0] != "image":
        raise ActionError("error: only 'kubectl set image' is simulated")
    name, rest = _deployment(ctx, words[1:], flags, "set image")
    dep = ctx.world.deployments[name]
    pairs = [w.split("=", 1) for w in rest if "=" in w]
    if not pairs:
        raise ActionError("error: at least one image update is required")
    container, image = pairs[0]
    if container not in (dep.container, "*"):
        raise ActionError(f'error: unable to find container named "{container}"')
    tail = image.rsplit("/", 1)[-1]
    if ":" not in tail:
        raise ActionError(f'error: give the image with its tag, e.g. "{dep.image}:v1.2.3"')
    version = tail.rsplit(":", 1)[1]
    old = dep.version
    if version == old:
        return Outcome(True, "", "kubectl.set.image", "no-effect")
    ctx.world.deploy(name, version, ctx.now, f"kubectl set image {container}={image}")
    hint = _version_change(ctx, name, old, version)
    return Outcome(
        True, f"deployment.apps/{name} image updated", "kubectl.set.image", hint, changed=True
    )


def exec_(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl exec POD -- CMD``: only ``psql`` is simulated inside a pod."""
    from gameday.engine.actions.psql import run_psql

    if not words:
        raise ActionError("error: expected 'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]'")
    target = words[0]
    kind, slash, name = target.partition("/")
    if slash and resource(kind) == "deployments":
        ko.find_deployment(ctx, name, namespace(ctx, flags))
    else:
        ko.find_pod(ctx, name if slash else target, namespace(ctx, flags))
    cmd = flags.rest or words[1:]
    if cmd and cmd[0].rsplit("/", 1)[-1] == "psql":
        return run_psql(ctx, cmd[1:], "exec")
    shown = " ".join(cmd) or "a shell"
    return Outcome(
        False,
        f"exec is not simulated in gameday (running {shown} inside a pod); "
        "only psql is. Use kubectl logs, kubectl describe or psql -c instead.",
        "kubectl.exec",
    )
