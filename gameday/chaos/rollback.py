"""``gameday chaos rollback``: a journal's pending inverses, every one vetted before any connection.

A chaos journal is a file on disk, so anything may be in it. Before a rollback connects
to a cluster, the whole journal is read and checked: every change must be one the runner
makes, every inverse the one the runner captures for it, in the journal's own namespace,
which must not be a system namespace; the journal's context must be the one given on the
command line. Only then does a rollback connect, and it checks on the cluster that each
namespace carries ``gameday.io/target=true`` before acting in it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from gameday.chaos.operations import Operation
from gameday.chaos.safety import FORBIDDEN_NAMESPACES
from gameday.errors import InputError, Problem, UsageError
from gameday.files import read_text

# The operations the runner makes (plan.map_fault, runner.resolve) and the inverse
# ``operations.capture`` records for each (None: nothing to undo).
INVERSE_OF: dict[str, str | None] = {
    "set_image": "set_image",
    "set_env": "set_env",
    "set_memory_limit": "set_memory_limit",
    "scale": "scale",
    "delete_pod": None,
    "deny_all_network": "delete_network_policy",
    "cpu_burn_job": "delete_job",
}
EVENTS = ("start", "applying", "applied", "failed", "rolled_back")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")
_DNS_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\Z")
_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*\Z")
_QUANTITY = re.compile(r"[0-9]+(\.[0-9]+)?([EPTGMk]i?|[mun]|e[0-9]+)?\Z")
_IMAGE = re.compile(r"[^\s\x00-\x1f\x7f]{1,512}\Z")
MAX_REPLICAS = 2**31 - 1  # a Deployment's replicas is an int32


@dataclass(frozen=True)
class Undo:
    """One change a crashed run left, and the inverse that restores it."""

    change: int
    line: int
    op: Operation
    inverse: Operation


@dataclass(frozen=True)
class Rollback:
    """What a journal asks a rollback to do, checked line by line."""

    path: Path
    context: str
    namespace: str
    undo: list[Undo]  # newest change first


def system_namespace(namespace: str) -> bool:
    """Whether ``namespace`` belongs to the cluster itself (never touched)."""
    return namespace in FORBIDDEN_NAMESPACES or namespace.startswith("kube-")


def _operation(data: Any, what: str) -> Operation:
    """An Operation from a journal's JSON, every field of the right type.

    Raises:
        ValueError: what is wrong, in words.
    """
    if not isinstance(data, dict):
        raise ValueError(f"{what} must be an object")
    known = {f.name for f in fields(Operation)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{what} has unknown field {unknown[0]!r}")
    for key in ("type", "namespace", "name"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"{what}.{key} must be a string")
    for key in ("container", "fault"):
        if not isinstance(data.get(key, ""), str):
            raise ValueError(f"{what}.{key} must be a string")
    if not isinstance(data.get("extra", {}), dict):
        raise ValueError(f"{what}.extra must be an object")
    return Operation(**data)


def _check_names(op: Operation, what: str) -> None:
    if not _DNS_LABEL.match(op.namespace):
        raise ValueError(f"{what}.namespace {op.namespace!r} is not a namespace name")
    if not _DNS_NAME.match(op.name):
        raise ValueError(f"{what}.name {op.name!r} is not an object name")
    if op.container and not _DNS_LABEL.match(op.container):
        raise ValueError(f"{what}.container {op.container!r} is not a container name")


def _check_inverse_value(inv: Operation) -> None:
    """The value an inverse restores has the shape ``capture`` gives it."""
    v = inv.value
    if inv.extra:
        raise ValueError("inverse.extra must be empty (an inverse never creates anything)")
    if inv.type == "scale":
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_REPLICAS:
            raise ValueError(f"inverse.value {v!r}: replicas must be an integer >= 0")
    elif inv.type == "set_image":
        if not isinstance(v, str) or not _IMAGE.match(v):
            raise ValueError(f"inverse.value {v!r} is not an image reference")
    elif inv.type == "set_env":
        if not isinstance(v, dict) or not v:
            raise ValueError("inverse.value must map variable names to values")
        for name, value in v.items():
            if not _ENV_NAME.match(name) or not (value is None or isinstance(value, str)):
                raise ValueError(f"inverse.value: bad variable {name!r}={value!r}")
    elif inv.type == "set_memory_limit":
        if v is not None and not (isinstance(v, str) and _QUANTITY.match(v)):
            raise ValueError(f"inverse.value {v!r} is not a memory quantity")
    elif not inv.name.startswith("gameday-"):  # delete_network_policy, delete_job
        raise ValueError(f"{inv.describe()}: only objects gameday created (gameday-*) are deleted")


def _vet_change(rec: dict[str, Any], namespace: str) -> tuple[Operation, Operation | None]:
    """The change and its inverse, refused unless the runner could have written them."""
    op = _operation(rec.get("op"), "op")
    if op.type not in INVERSE_OF:
        raise ValueError(f"operation type {op.type!r} is not one gameday chaos makes")
    _check_names(op, "op")
    inv_data = rec.get("inverse")
    inverse = None if inv_data is None else _operation(inv_data, "inverse")
    expected = INVERSE_OF[op.type]
    if inverse is None:
        if expected is not None:
            raise ValueError(f"a {op.type} change needs its captured {expected} inverse")
        return op, None
    if inverse.type != expected:
        raise ValueError(
            f"the inverse of {op.type} is {expected or 'nothing'}, not {inverse.type!r}"
        )
    _check_names(inverse, "inverse")
    if (inverse.namespace, inverse.name) != (op.namespace, op.name):
        raise ValueError(
            f"inverse acts on {inverse.namespace}/{inverse.name}, "
            f"the change on {op.namespace}/{op.name}"
        )
    if op.container != inverse.container:
        raise ValueError(f"inverse acts on container {inverse.container!r}, not {op.container!r}")
    _check_inverse_value(inverse)
    return op, inverse


def _refuse_namespace(op: Operation, namespace: str) -> str | None:
    if system_namespace(op.namespace):
        return (
            f"{op.describe()}: refusing namespace {op.namespace!r}: "
            "system namespaces are never touched"
        )
    if op.namespace != namespace:
        return (
            f"{op.describe()}: refusing namespace {op.namespace!r}: "
            f"the journal's run was in {namespace!r}"
        )
    return None


def read_rollback(path: Path) -> Rollback:
    """Read and check the whole chaos journal at ``path``.

    Raises:
        InputError: every problem, located ``path:line:1``; nothing is done.
    """
    try:
        lines = read_text(path).splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), message=f"cannot read chaos journal: {exc}")) from None
    problems: list[Problem] = []
    context = namespace = None
    changes: dict[int, tuple[int, Operation, Operation | None]] = {}
    done: set[int] = set()
    refused: set[int] = set()

    def bad(number: int, message: str, key: str | None = None) -> None:
        problems.append(Problem(str(path), number, 1, key, message))

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            if number == len(lines) and problems == []:
                break  # a torn last line: the run died while writing it
            bad(number, "not a chaos journal line (JSON object expected)")
            continue
        if not isinstance(rec, dict) or rec.get("event") not in EVENTS:
            bad(number, f"unknown event; expected one of {', '.join(EVENTS)}", "event")
            continue
        seq = rec.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int):
            bad(number, "must be an integer", "seq")
            continue
        event = rec["event"]
        if event == "start":
            ctx, ns = rec.get("context"), rec.get("namespace")
            if not isinstance(ctx, str) or not isinstance(ns, str):
                bad(number, "a start line needs a context and a namespace (strings)")
            elif context is None:
                context, namespace = ctx, ns
            elif (ctx, ns) != (context, namespace):
                bad(
                    number,
                    f"this part is for {ctx}/{ns}, the journal's start for {context}/{namespace}",
                )
            continue
        if namespace is None:
            bad(number, "the journal must begin with a start line (context and namespace)")
            continue
        if event == "applying":
            try:
                op, inverse = _vet_change(rec, namespace)
            except (TypeError, ValueError) as exc:
                bad(number, f"change {seq}: {exc}")
                refused.add(seq)
                continue
            refusal = _refuse_namespace(op, namespace)
            if refusal:
                bad(number, f"change {seq}: {refusal}", "op.namespace")
                refused.add(seq)
                continue
            changes[seq] = (number, op, inverse)
        else:
            change = rec.get("change")
            if change in refused:
                continue
            if change not in changes:
                bad(number, f"refers to no change recorded above ({change!r})", "change")
            elif event != "applied":
                done.add(change)
    if context is None and not problems:
        problems.append(Problem(str(path), message="not a chaos journal (no start line)"))
    if problems:
        raise InputError(problems)
    undo = [
        Undo(cid, line, op, inv)
        for cid, (line, op, inv) in changes.items()
        if cid not in done and inv is not None
    ]
    undo.sort(key=lambda u: -u.change)
    return Rollback(path, context or "", namespace or "", undo)


def check_rollback_context(rollback: Rollback, context: str) -> None:
    """The journal must have been written against ``context``.

    Raises:
        UsageError: it was not.
    """
    if rollback.context != context:
        raise UsageError(
            f"{rollback.path}: refusing: the journal was recorded against context "
            f"{rollback.context!r}, not {context!r}"
        )


def apply_rollback(
    rollback: Rollback,
    clients: Any,
    labels_of: Callable[[str], dict[str, str] | None],
    echo: Callable[[str], Any],
) -> int:
    """Run the inverses, newest first, each after checking its namespace on the cluster.

    Every namespace is checked before the first change; each again right before its
    change. Returns how many inverses ran.

    Raises:
        UsageError: a namespace is missing or not opted in (nothing more is done).
    """
    from gameday.chaos import operations
    from gameday.chaos.journal import ChaosJournal
    from gameday.chaos.safety import check_namespace

    def checked(undo: Undo) -> None:
        try:
            check_namespace(undo.inverse.namespace, labels_of(undo.inverse.namespace))
        except UsageError as exc:
            raise UsageError(
                f"{rollback.path}:{undo.line}:1: change {undo.change} "
                f"({undo.inverse.describe()}): {exc}"
            ) from None

    for undo in rollback.undo:
        checked(undo)
    if not rollback.undo:
        return 0
    journal = ChaosJournal(rollback.path, rollback.context, rollback.namespace)
    try:
        for undo in rollback.undo:
            checked(undo)
            operations.apply(clients, undo.inverse)
            journal.rolled_back(undo.change)
            echo(f"restored {undo.inverse.describe()}")
    finally:
        journal.close()
    return len(rollback.undo)
