"""``kubectl cordon|uncordon|drain NODE``: the node's spec, and evictions for a drain.

``cordon`` marks the node unschedulable; ``drain`` cordons it, then evicts its pods one
by one (their ReplicaSets create replacements on the other nodes); ``uncordon`` makes it
schedulable again. All honour ``--dry-run=client|server``.
"""

from __future__ import annotations

from typing import Any

from gameday.tools import kube_objects as ko
from gameday.tools.effects import Outcome
from gameday.tools.kube_flags import dry_run, suffix
from gameday.tools.parse import ActionError, Flags


def _node(ctx: Any, words: list[str], verb: str) -> str:
    if not words:
        raise ActionError(f"error: USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help.")
    kind, slash, name = words[0].partition("/")
    name = name if slash else kind
    if slash and kind not in ("node", "nodes", "no"):
        raise ActionError(f"error: {verb} only applies to nodes")
    return ko.find_node(ctx, name).name


def cordon(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl cordon NODE``."""
    return _schedulable(ctx, words, flags, "cordon")


def uncordon(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl uncordon NODE``."""
    return _schedulable(ctx, words, flags, "uncordon")


def _schedulable(ctx: Any, words: list[str], flags: Flags, verb: str) -> Outcome:
    name = _node(ctx, words, verb)
    mode = dry_run(flags)
    changed = ctx.world.cluster.set_unschedulable(name, verb == "cordon", dry_run=bool(mode))
    word = f"{verb}ed" if changed else f"already {verb}ed"
    hint = "" if mode or not changed else "no-effect"
    return Outcome(True, f"node/{name} {word}{suffix(mode)}", f"kubectl.{verb}", hint, changed)


def drain(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data]``."""
    name = _node(ctx, words, "drain")
    mode = dry_run(flags)
    cluster = ctx.world.cluster
    lines = []
    changed = cluster.set_unschedulable(name, True, dry_run=bool(mode))
    lines.append(f"node/{name} {'cordoned' if changed else 'already cordoned'}{suffix(mode)}")
    pods = [p for p in ko.pods(ctx) if p.node == name and not p.terminating]
    ns = ctx.world.namespace
    lines += [f"evicting pod {ns}/{p.name}{suffix(mode)}" for p in pods]
    if not mode:
        for pod in pods:
            cluster.delete(pod.name, ctx.now)
            cluster.events.record(
                ctx.now,
                f"pod/{pod.name}",
                "Normal",
                "Evicted",
                "Eviction API: evicting",
                "kubectl",
            )
    lines += [f"pod/{p.name} evicted" for p in pods if not mode]
    lines.append(f"node/{name} drained{suffix(mode)}")
    hint = "" if mode else "no-effect"
    return Outcome(True, "\n".join(lines), "kubectl.drain", hint, changed=not mode)
