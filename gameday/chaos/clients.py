"""The one place that builds Kubernetes API clients."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from gameday.errors import GamedayError, UsageError


class ClusterError(GamedayError):
    """The API server could not be reached or refused a request; one line, exit 1."""


@dataclass
class Clients:
    """API clients for one kubeconfig context."""

    context: str
    server: str
    core: Any
    apps: Any
    networking: Any
    batch: Any
    api_client: Any = None


def connect(context: str, kubeconfig: str | None = None) -> Clients:
    """Clients for ``context`` of the kubeconfig (default: ``$KUBECONFIG`` or ~/.kube/config)."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    try:
        api = config.new_client_from_config(config_file=kubeconfig, context=context)
    except (ConfigException, FileNotFoundError, TypeError) as exc:
        raise UsageError(f"cannot use kubeconfig context {context!r}: {exc}") from None
    return Clients(
        context=context,
        server=str(api.configuration.host),
        core=client.CoreV1Api(api),
        apps=client.AppsV1Api(api),
        networking=client.NetworkingV1Api(api),
        batch=client.BatchV1Api(api),
        api_client=api,
    )


def _reason(exc: BaseException) -> str:
    """The root cause of a urllib3 or API failure, in one line."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        return _reason(reason)
    status = getattr(exc, "status", None)
    if status:
        return f"{status} {reason or ''}".strip()
    text = str(reason or exc) or type(exc).__name__
    return " ".join(text.split())


@contextmanager
def cluster_errors(context: str, server: str) -> Iterator[None]:
    """Turn a connection failure or an unexpected API refusal into one clear line.

    Raises:
        ClusterError: ``cannot reach kind-x at https://...: connection refused``.
    """
    import urllib3
    from kubernetes.client.exceptions import ApiException, OpenApiException

    try:
        yield
    except urllib3.exceptions.HTTPError as exc:
        raise ClusterError(f"cannot reach {context} at {server}: {_reason(exc)}") from None
    except (ApiException, OpenApiException) as exc:
        raise ClusterError(f"the API server of {context} refused: {_reason(exc)}") from None
    except OSError as exc:
        raise ClusterError(f"cannot reach {context} at {server}: {exc.strerror or exc}") from None
