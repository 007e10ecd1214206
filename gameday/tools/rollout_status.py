"""``kubectl rollout status deployment/NAME``: the status viewer, watched on the sim clock.

kubectl (``pkg/cmd/rollout/rollout_status.go``) lists the Deployment, then watches it and
prints the status viewer's line (``pkg/polymorphichelpers/rollout_status.go``) for every
change until the rollout is done, the progress deadline is exceeded, the object is
deleted or ``--timeout`` passes (``0s``, the default, never does). Here the first line is
the command's output and the rest follow as the world's controllers move the Deployment
(:class:`~gameday.tools.effects.Follow`): the session prints a new line whenever the
viewer's line changes (kubectl prints one per watch event, often the same line again),
and ends the watch as kubectl ends it:

- ``deployment "NAME" successfully rolled out``, exit 0;
- ``error: deployment "NAME" exceeded its progress deadline``, exit 1;
- ``error: timed out waiting for the condition`` once ``--timeout`` has passed, exit 1;
- ``error: object has been deleted``, exit 1.

``--watch=false`` prints the current line and exits 0 whatever it says. ``--revision=N``
fails unless N is the Deployment's current revision, as kubectl's viewer does.
"""

from __future__ import annotations

from typing import Any

from gameday.tools.effects import Follow, Outcome
from gameday.tools.parse import ActionError, Flags
from gameday.world.cluster import objects as o

KIND = "kubectl.rollout.status"
TIMED_OUT = "error: timed out waiting for the condition"


def viewer(dep: Any, pinned: int = 0) -> tuple[str, bool]:
    """``DeploymentStatusViewer.Status``: the line kubectl prints and whether it is done.

    Raises:
        ActionError: the viewer's errors (a pinned revision that is not the running
            one, the progress deadline exceeded), worded as kubectl prints them.
    """
    name = dep.metadata.name
    if pinned > 0:
        running = int((dep.metadata.annotations or {}).get(o.REVISION, "0"))
        if pinned != running:
            raise ActionError(
                f"error: desired revision ({pinned}) is different from the running "
                f"revision ({running})"
            )
    st = dep.status
    if (dep.metadata.generation or 0) > (st.observed_generation or 0):
        return "Waiting for deployment spec update to be observed...", False
    cond = next((c for c in st.conditions or [] if c.type == "Progressing"), None)
    if cond is not None and cond.reason == "ProgressDeadlineExceeded":
        raise ActionError(f'error: deployment "{name}" exceeded its progress deadline')
    desired = dep.spec.replicas
    updated, replicas = st.updated_replicas or 0, st.replicas or 0
    available = st.available_replicas or 0
    waiting = f'Waiting for deployment "{name}" rollout to finish: '
    if desired is not None and updated < desired:
        return f"{waiting}{updated} out of {desired} new replicas have been updated...", False
    if replicas > updated:
        return f"{waiting}{replicas - updated} old replicas are pending termination...", False
    if available < updated:
        return f"{waiting}{available} of {updated} updated replicas are available...", False
    return f'deployment "{name}" successfully rolled out', True


def _timeout(flags: Flags) -> float | None:
    """``--timeout`` as a Go duration; None (never) for zero or less, as kubectl's
    ``ContextWithOptionalTimeout`` treats them."""
    from gameday.durations import parse_go_duration

    raw = flags.get("timeout")
    if raw is None:
        return None
    try:
        seconds = parse_go_duration(raw)
    except ValueError as exc:
        raise ActionError(f'error: invalid argument "{raw}" for "--timeout" flag: {exc}') from None
    return seconds if seconds > 0 else None


def _revision(flags: Flags) -> int:
    raw = flags.get("revision", "0") or "0"
    try:
        pinned = int(raw)
    except ValueError:
        raise ActionError(
            f'error: invalid argument "{raw}" for "--revision" flag: strconv.ParseInt: '
            f'parsing "{raw}": invalid syntax'
        ) from None
    if pinned < 0:
        raise ActionError(f"error: revision must be a positive integer: {pinned}")
    return pinned


def status(ctx: Any, name: str, flags: Flags) -> Outcome:
    """``rollout status``: the viewer's line now; while watching, the next ones follow."""
    watch = flags.get("watch") != "false"
    timeout = _timeout(flags)
    pinned = _revision(flags)
    line, done = viewer(ctx.world.cluster.deployments[name], pinned)
    if done or not watch:
        return Outcome(True, line, KIND)

    def poll() -> tuple[str, bool, bool]:
        dep = ctx.world.cluster.deployments.get(name)
        if dep is None:
            return "error: object has been deleted", True, False
        try:
            text, finished = viewer(dep, pinned)
        except ActionError as exc:
            return str(exc), True, False
        return text, finished, True

    return Outcome(True, line, KIND, follow=Follow(poll, timeout, TIMED_OUT))
