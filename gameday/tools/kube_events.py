"""Events as the cluster recorded them: the controllers', the scheduler's and the kubelet's.

Each is kept once per object, reason and message with a count and first and last times,
and dropped an hour after it was last seen, as the API server does.
"""

from __future__ import annotations

from typing import Any

from gameday.world.cluster import KubeEvent


def events(ctx: Any, only: str | None = None) -> list[KubeEvent]:
    """Events of the last hour, oldest first; ``only`` keeps one object (``pod/NAME``)."""
    return list(ctx.world.cluster.events.list(ctx.now, only))
