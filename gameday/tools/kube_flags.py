"""Arguments kubectl's mutating verbs share: ``TYPE/NAME`` and ``--dry-run``."""

from __future__ import annotations

from typing import Any

from gameday.tools import kube_objects as ko
from gameday.tools.kubectl import namespace, resource
from gameday.tools.parse import ActionError, Flags

DRY_RUN_SUFFIX = {"": "", "client": " (dry run)", "server": " (server dry run)"}


def dry_run(flags: Flags) -> str:
    """``--dry-run=client|server`` as ``client`` / ``server``; '' for none.

    Raises:
        ActionError: kubectl's message for any other value.
    """
    value = flags.get("dry-run")
    if value is None or value == "none":
        return ""
    if value in ("client", "server"):
        return value
    raise ActionError(
        f'error: Invalid dry-run value ({value}). Must be "none", "server", or "client".'
    )


def suffix(mode: str) -> str:
    """What kubectl appends to an object's line under a dry run."""
    return DRY_RUN_SUFFIX[mode]


def deployment_arg(ctx: Any, words: list[str], flags: Flags, verb: str) -> tuple[str, list[str]]:
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
