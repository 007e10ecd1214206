"""What a command did to the incident: mitigated a fault, helped for a while, or not.

Handlers say what they changed (an :class:`Outcome` with a hint such as ``no-effect``,
``harmful`` or ``temporary:<fault>``); :func:`settle` then compares the faults before
and after the command and applies the scenario's data-driven mitigations.

Built-in fixes: terminating (or cancelling) the blocking session ends a
``blocking_query``; rolling back or setting the image away from the bad version ends a
``connection_leak`` or ``crash_loop``; scaling a ``traffic_spike``'s service until its
replicas can serve the offered load ends the spike (the model's way of saying the load
is absorbed). The scenario's ``mitigations`` (fault id and a normalised command prefix)
end the other faults (``slow_query``, ``dependency_errors``, ``memory_leak``) when a
matching command succeeds and changed something.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

BUILT_IN = {"blocking_query", "connection_leak", "crash_loop", "traffic_spike"}
TEMPORARY_RELIEF = {"blocking_query", "connection_leak", "memory_leak"}
_KIND = {
    "deploy": "deployment",
    "deployment": "deployment",
    "deployments": "deployment",
    "deployment.apps": "deployment",
    "deployments.apps": "deployment",
    "po": "pod",
    "pod": "pod",
    "pods": "pod",
    "svc": "service",
    "service": "service",
    "rs": "replicaset",
    "replicaset": "replicaset",
}
_DROP_FLAGS = {
    "n",
    "namespace",
    "context",
    "o",
    "output",
    "tail",
    "since",
    "record",
    "h",
    "host",
    "U",
    "username",
    "d",
    "dbname",
    "p",
    "port",
}


@dataclass
class Outcome:
    """What one handler produced.

    Attributes:
        ok: whether the command succeeded.
        output: what the responder sees.
        kind: the normalised verb (``kubectl.scale``, ``psql.terminate`` ...).
        hint: '' for read-only commands, else ``no-effect``, ``harmful`` or
            ``temporary:<fault>`` as the handler judged it.
        changed: whether the command changed the world (data-driven mitigations apply).
    """

    ok: bool
    output: str
    kind: str
    hint: str = ""
    changed: bool = False


def active_faults(ctx: Any) -> set[str]:
    """Ids of the faults active now."""
    return {fid for fid, f in ctx.world.faults.items() if f.active}


def relief(ctx: Any, service: str) -> str:
    """``temporary:<fault>`` if fresh pods of ``service`` help only for a while."""
    for fid, fault in ctx.world.faults.items():
        if fault.active and fault.spec.service == service and fault.type in TEMPORARY_RELIEF:
            return f"temporary:{fid}"
    return "no-effect"


def normal_words(text: str) -> tuple[list[str], set[str]]:
    """A command as canonical words and ``--flag=value`` strings, for prefix matching."""
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    if not tokens:
        return [], set()
    program = tokens[0].rsplit("/", 1)[-1].lower()
    if program == "psql":
        sql = next(
            (tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t in {"-c", "--command"}),
            " ".join(t for t in tokens[1:] if not t.startswith("-")),
        )
        return ["psql", *re.findall(r"\w+|[^\s\w]", sql.lower())], set()
    words: list[str] = [program]
    flags: set[str] = set()
    pending_kind: str | None = None
    rest = iter(tokens[1:])
    for tok in rest:
        if tok.startswith("-"):
            name, eq, value = tok.lstrip("-").partition("=")
            if not eq and name in {
                "n",
                "namespace",
                "replicas",
                "to-revision",
                "context",
                "l",
                "selector",
                "c",
                "container",
                "tail",
                "since",
                "o",
            }:
                value = next(rest, "")
            if name not in _DROP_FLAGS:
                flags.add(f"--{name}={value}")
            continue
        kind, slash, name = tok.partition("/")
        if slash and kind.lower() in _KIND:
            words.append(f"{_KIND[kind.lower()]}/{name}")
        elif pending_kind:
            words[-1] = f"{pending_kind}/{tok}"
            pending_kind = None
        elif tok.lower() in _KIND and program == "kubectl" and len(words) > 1:
            pending_kind = _KIND[tok.lower()]
            words.append(pending_kind)
        else:
            words.append(tok.lower() if program != "kubectl" else tok)
    return words, flags


def prefix_matches(pattern: str, typed: str) -> bool:
    """True if ``typed`` starts with the words of ``pattern`` and has all of its flags."""
    pw, pf = normal_words(pattern)
    tw, tf = normal_words(typed)
    if not pw or tw[: len(pw)] != pw:
        return False
    return pf <= tf


def settle(ctx: Any, before: set[str], outcome: Outcome, command: str) -> str:
    """The effect string of a finished command."""
    now_active = active_faults(ctx)
    for fid in sorted(before - now_active):
        if ctx.world.faults[fid].end_reason == "mitigated":
            return f"mitigated:{fid}"
    if outcome.ok and outcome.changed:
        for m in ctx.scenario.mitigations:
            fault = ctx.world.faults.get(m.fault)
            if fault is None or not fault.active or fault.type in BUILT_IN:
                continue
            if prefix_matches(m.command, command):
                ctx.end_fault(m.fault, "mitigated")
                return f"mitigated:{m.fault}"
    return outcome.hint
