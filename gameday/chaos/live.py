"""A session played in real time against a cluster with injected faults.

The simulation runs at wall-clock speed; each scrape adds the cluster's real
kube-state-metrics series in place of the simulated ones, so the scenario's rules see
real signals, and the responder's rollbacks, restarts and scaling reach the cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from gameday.chaos.clients import Clients
from gameday.chaos.mirror import mirror
from gameday.chaos.observe import cluster_samples


def play_live(
    prepared: Any,
    clients: Clients,
    namespace: str,
    seconds: float,
    echo: Callable[[str], Any],
    responder: str = "expert",
    seed: int = 1,
    journal: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """Run the scenario's session for ``seconds`` of real time; returns the session."""
    from gameday.responders import make_responder
    from gameday.timeline import format_event

    session = prepared.session(seed=seed, journal=journal, responder=f"chaos:{responder}")
    session.attach_source(lambda: cluster_samples(clients, namespace), replaces_kube=True)
    session.add_action_hook(
        lambda command, outcome: mirror(clients, namespace, command, outcome.ok)
    )

    def show(event: Any) -> None:
        line = format_event(event)
        if line:
            echo(line)

    session.subscribe(show)
    make_responder(responder, session, prepared.loaded.solution).attach(session)
    start = clock()
    while (elapsed := clock() - start) < seconds and not session.finished:
        session.advance_to(elapsed)
        sleep(min(1.0, max(0.0, seconds - elapsed)))
    session.close("chaos hold over")
    return session
