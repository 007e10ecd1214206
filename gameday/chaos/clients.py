"""The one place that builds Kubernetes API clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gameday.errors import UsageError


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
