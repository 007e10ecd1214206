"""What gameday chaos refuses to touch."""

from __future__ import annotations

from collections.abc import Callable

from gameday.errors import UsageError

OPT_IN_LABEL = "gameday.io/target"
FORBIDDEN_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease", "local-path-storage")


def check_context(context: str, allow_any: bool, confirm: Callable[[str], str] | None) -> None:
    """Refuse a context not named ``kind-*`` unless overridden and confirmed by typing it.

    Raises:
        UsageError: the context is refused.
    """
    if context.startswith("kind-"):
        return
    if not allow_any:
        raise UsageError(
            f"refusing context {context!r}: gameday chaos only touches kind-* contexts "
            "(pass --i-know-this-is-not-kind and type the context name to override)"
        )
    typed = confirm(f"Type the context name {context!r} to confirm: ") if confirm else ""
    if typed.strip() != context:
        raise UsageError(f"refusing context {context!r}: confirmation did not match")


def check_namespace(namespace: str, labels: dict[str, str] | None) -> None:
    """Refuse system namespaces and any namespace without the opt-in label.

    Raises:
        UsageError: the namespace is refused.
    """
    if namespace in FORBIDDEN_NAMESPACES:
        raise UsageError(f"refusing namespace {namespace!r}: system namespaces are never touched")
    if labels is None:
        raise UsageError(f"namespace {namespace!r} not found")
    if labels.get(OPT_IN_LABEL) != "true":
        raise UsageError(
            f"refusing namespace {namespace!r}: it lacks the opt-in label {OPT_IN_LABEL}=true "
            f"(kubectl label namespace {namespace} {OPT_IN_LABEL}=true)"
        )
