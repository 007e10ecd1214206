"""``kubectl rollout history|status|restart|undo`` against the simulated Deployments.

``restart`` sets the ``kubectl.kubernetes.io/restartedAt`` template annotation (a new
template, so a new ReplicaSet and revision); ``undo`` copies an older ReplicaSet's
template and change-cause back onto the Deployment, whose controller then re-uses that
ReplicaSet under a new revision. ``status`` is :mod:`gameday.tools.rollout_status`.
"""

from __future__ import annotations

from typing import Any

from kubernetes.client import models as k

from gameday.tools import kube_objects as ko
from gameday.tools.effects import Outcome
from gameday.tools.kube_flags import deployment_arg, dry_run, suffix
from gameday.tools.output import kube_table
from gameday.tools.parse import ActionError, Flags
from gameday.tools.rollout_status import status
from gameday.world.cluster import objects as o
from gameday.world.cluster.deployment import revision

SUBCOMMANDS = ("history", "undo", "restart", "status")
_SKIP = {o.REVISION, o.REVISION_HISTORY, o.DESIRED_REPLICAS, o.MAX_REPLICAS}
_SKIP.add("kubectl.kubernetes.io/last-applied-configuration")


def rollout(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl rollout history|undo|restart|status deployment/NAME``."""
    sub = words[0] if words else ""
    if sub not in SUBCOMMANDS:
        raise ActionError(
            f'error: unknown command "{sub}" for "kubectl rollout"; simulated: '
            + ", ".join(SUBCOMMANDS)
        )
    name, _ = deployment_arg(ctx, words[1:], flags, f"rollout {sub}")
    if sub == "history":
        return _history(ctx, name, flags)
    if sub == "status":
        return status(ctx, name, flags)
    if sub == "restart":
        return _restart(ctx, name, flags)
    return _undo(ctx, name, flags)


def _history(ctx: Any, name: str, flags: Flags) -> Outcome:
    sets = [rs for rs in ko.replicasets(ctx, name) if revision(rs)]
    kind = "kubectl.rollout.history"
    rev = flags.get("revision")
    if rev and rev != "0":
        found = [rs for rs in sets if str(revision(rs)) == rev]
        if not found:
            raise ActionError(f"error: unable to find the specified revision {rev}")
        text = print_template(found[0].spec.template)
        return Outcome(True, f"deployment.apps/{name} with revision #{rev}\n{text}", kind)
    rows = []
    for rs in sorted(sets, key=revision):
        cause = (rs.metadata.annotations or {}).get(o.CHANGE_CAUSE, "<none>")
        rows.append((str(revision(rs)), cause))
    table = kube_table(["REVISION", "CHANGE-CAUSE"], rows, gap=2)
    return Outcome(True, f"deployment.apps/{name} \n{table}", kind)


def print_template(template: k.V1PodTemplateSpec) -> str:
    """``printTemplate``: a pod template as ``rollout history --revision`` shows it."""
    labels = template.metadata.labels or {}
    ann = template.metadata.annotations or {}
    app = o.container(template)
    res = app.resources
    lines = ["Pod Template:", "  Labels:\t" + "\n\t".join(f"{a}={b}" for a, b in labels.items())]
    if ann:
        lines.append("  Annotations:\t" + "\n\t".join(f"{a}: {b}" for a, b in ann.items()))
    lines += ["  Containers:", f"   {app.name}:", f"    Image:\t{app.image}", "    Port:\t8080/TCP"]
    lines.append("    Host Port:\t0/TCP")
    for title, values in (("Limits", res.limits), ("Requests", res.requests)):
        if values:
            lines.append(f"    {title}:")
            lines += [f"      {key}:\t{v}" for key, v in values.items()]
    env = app.env or []
    lines.append("    Environment:" + ("\t<none>" if not env else ""))
    lines += [f"      {e.name}:\t{e.value}" for e in env]
    lines += ["    Mounts:\t<none>", "  Volumes:\t<none>"]
    return "\n".join(lines)


def _restart(ctx: Any, name: str, flags: Flags) -> Outcome:
    mode = dry_run(flags)
    stamp = ctx.wall_time().strftime("%Y-%m-%dT%H:%M:%SZ")

    def change(dep: k.V1Deployment) -> None:
        if dep.spec.paused:
            raise ActionError(
                f'error: deployments.apps "{name}" can\'t restart paused deployment '
                "(run rollout resume first)"
            )
        meta = dep.spec.template.metadata
        meta.annotations = {**(meta.annotations or {}), o.RESTARTED_AT: stamp}

    ctx.world.cluster.update_deployment(name, change, dry_run=bool(mode), now=ctx.now)
    out = f"deployment.apps/{name} restarted{suffix(mode)}"
    if mode:
        return Outcome(True, out, "kubectl.rollout.restart")
    return Outcome(True, out, "kubectl.rollout.restart", changed=True)


def _undo(ctx: Any, name: str, flags: Flags) -> Outcome:
    kind = "kubectl.rollout.undo"
    to_raw = flags.get("to-revision", "0") or "0"
    if not to_raw.lstrip("-").isdigit():
        raise ActionError(f'error: invalid argument "{to_raw}" for "--to-revision" flag')
    to = int(to_raw)
    cluster = ctx.world.cluster
    dep = cluster.deployments[name]
    if dep.spec.paused:
        raise ActionError(
            "error: you cannot rollback a paused deployment; resume it first with "
            "'kubectl rollout resume' and try again"
        )
    target = _revision_rs(ctx, name, to)
    mode = dry_run(flags)
    if mode == "client":
        text = print_template(target.spec.template)
        return Outcome(True, f"deployment.apps/{name} {text}{suffix(mode)}", kind)
    if o.template_key(target.spec.template) == cluster.template_key(dep):
        return Outcome(
            True,
            f"deployment.apps/{name} skipped rollback (current template already matches "
            f"revision {to})",
            kind,
        )
    template = target.spec.template.model_copy(deep=True)
    template.metadata.labels = {
        key: v for key, v in (template.metadata.labels or {}).items() if key != o.HASH_LABEL
    }
    keep = {key: v for key, v in (target.metadata.annotations or {}).items() if key not in _SKIP}

    def change(d: k.V1Deployment) -> None:
        d.spec.template = template
        d.metadata.annotations = {**(d.metadata.annotations or {}), **keep}

    cluster.update_deployment(name, change, dry_run=bool(mode), now=ctx.now)
    out = f"deployment.apps/{name} rolled back{suffix(mode)}"
    if mode:
        return Outcome(True, out, kind)
    return Outcome(True, out, kind, changed=True)


def _revision_rs(ctx: Any, name: str, to: int) -> k.V1ReplicaSet:
    """kubectl's ``deploymentRevision``: the ReplicaSet of ``to``, or the previous one."""
    sets = [rs for rs in ko.replicasets(ctx, name) if revision(rs)]
    if to > 0:
        for rs in sets:
            if revision(rs) == to:
                return rs
        raise ActionError(f"error: unable to find specified revision {to} in history")
    ranked = sorted(sets, key=revision)
    if len(ranked) < 2:
        raise ActionError(f'error: no rollout history found for deployment "{name}"')
    return ranked[-2]
