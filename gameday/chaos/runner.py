"""Run a chaos plan: check safety, journal, apply, and always roll back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gameday.chaos import operations
from gameday.chaos.clients import Clients
from gameday.chaos.journal import ChaosJournal
from gameday.chaos.operations import Operation
from gameday.chaos.plan import Plan
from gameday.chaos.safety import check_namespace
from gameday.interrupts import sigterm_raises

Echo = Callable[[str], Any]


def namespace_labels(clients: Clients, namespace: str) -> dict[str, str] | None:
    """The namespace's labels, or None when it does not exist."""
    from kubernetes.client.exceptions import ApiException

    try:
        ns = clients.core.read_namespace(namespace)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise
    return dict(ns.metadata.labels or {})


def resolve(clients: Clients, op: Operation) -> Operation:
    """Fill in what only the live cluster knows (which pod a pod kill deletes)."""
    if op.type == "delete_pod" and op.name.startswith("<"):
        selector = str(op.extra.get("selector", ""))
        pods = clients.core.list_namespaced_pod(op.namespace, label_selector=selector).items
        names = sorted(p.metadata.name for p in pods)
        if not names:
            raise RuntimeError(f"no pod matches {selector} in {op.namespace}")
        return Operation("delete_pod", op.namespace, names[0], fault=op.fault, extra=op.extra)
    return op


def inject(
    clients: Clients,
    plan: Plan,
    journal: ChaosJournal,
    echo: Echo,
    done: list[tuple[int, Operation | None]],
) -> tuple[list[str], list[str]]:
    """Make each change, journaling it and its captured inverse first.

    Each change made is appended to ``done`` at once, so an interruption half-way still
    leaves the caller everything it must undo.

    Returns:
        (faults injected, faults not injected with why).
    """
    from kubernetes.client.exceptions import ApiException

    api_errors = (ApiException, RuntimeError, ValueError)
    injected: list[str] = []
    not_injected: list[str] = []
    for op in plan.operations:
        try:
            op = resolve(clients, op)
            inverse = operations.capture(clients, op)
        except api_errors as exc:  # this fault is not injected; the run goes on
            not_injected.append(f"{op.fault}: {exc}")
            echo(f"NOT INJECTED {op.fault}: {exc}")
            continue
        change = journal.applying(op, inverse)
        try:
            operations.apply(clients, op)
        except api_errors as exc:
            journal.failed(change, str(exc))
            not_injected.append(f"{op.fault}: {exc}")
            echo(f"NOT INJECTED {op.fault}: {exc}")
            continue
        journal.applied(change)
        done.append((change, inverse))
        injected.append(op.fault)
        echo(f"applied  {op.describe()}")
    return injected, not_injected


def restore(
    clients: Clients, journal: ChaosJournal, done: list[tuple[int, Operation | None]], echo: Echo
) -> None:
    """Undo ``done`` newest first, journaling each undo."""
    for change, inverse in reversed(done):
        if inverse is not None:
            operations.apply(clients, inverse)
            echo(f"restored {inverse.describe()}")
        journal.rolled_back(change)


def apply_plan(
    clients: Clients,
    plan: Plan,
    journal_path: str | Path,
    echo: Echo,
    hold: Callable[[], None] = lambda: None,
) -> tuple[list[str], list[str]]:
    """Check the namespace, inject, hold while the game runs, then roll back, whatever happens.

    Rollback runs on completion, on an exception, on Ctrl-C and on SIGTERM.

    Returns:
        (faults injected, faults not injected with the reason).
    """
    check_namespace(plan.namespace, namespace_labels(clients, plan.namespace))
    echo(f"context {clients.context} at {clients.server}, namespace {plan.namespace}")
    journal = ChaosJournal(journal_path, clients.context, plan.namespace)
    done: list[tuple[int, Operation | None]] = []
    try:
        with sigterm_raises():
            injected, not_injected = inject(clients, plan, journal, echo, done)
            hold()
    finally:
        restore(clients, journal, done, echo)
        journal.close()
    return injected, not_injected


def rollback_journal(clients: Clients, journal_path: str | Path, echo: Echo) -> int:
    """Undo every change a crashed run left behind; returns how many were undone.

    The journal is checked whole first (:func:`gameday.chaos.rollback.read_rollback`),
    and each namespace on the cluster before acting in it.
    """
    from gameday.chaos.rollback import apply_rollback, check_rollback_context, read_rollback

    rollback = read_rollback(Path(journal_path))
    check_rollback_context(rollback, clients.context)
    return apply_rollback(rollback, clients, lambda ns: namespace_labels(clients, ns), echo)
