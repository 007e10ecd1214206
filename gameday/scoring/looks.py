"""When a runbook's look-around step is done: by its text, or by what was observed.

A quick-assessment or diagnosis step is there to look at something. It is done by the
runbook's own command (text matching, the cheap first check) or by any command that ran
successfully, changed nothing, and observed everything the step's command observes
(:func:`gameday.tools.observe.observe`, :func:`~gameday.tools.observation.covers`):
``kubectl get po -n shop`` for ``kubectl get pods -n shop -l app=orders``, one's own
query of ``pg_stat_activity`` on the same server for the runbook's. Mitigation steps are
never done this way: what a change did is the counterfactual's to judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gameday.runbooks import Step, step_done
from gameday.runbooks.verbs import verbs_done
from gameday.session.events import Event

if TYPE_CHECKING:
    from gameday.tools.observe import Servers

LOOK_KINDS = ("triage", "diagnosis")


def servers_of(scenario: Any) -> Servers:
    """The scenario's database servers as the world orders them: primaries, then the
    replicas of each (what psql's host and database lookup walks)."""
    dbs = list(scenario.world.databases)
    return tuple((d.name, d.datname) for d in dbs) + tuple(
        (r.name, d.datname) for d in dbs for r in d.replicas
    )


def observes_as(expected: str, typed: str, servers: Servers) -> bool:
    """True if ``typed`` observed everything the reading command ``expected`` observes
    (False when either observes nothing: a change, a verb, a command that cannot run)."""
    # Imported here: the simulated tools bring the Kubernetes model classes, which the
    # scoring package does not load until a step is judged by what was observed.
    from gameday.tools.observe import covers, observe

    seen = observe(typed, servers)
    if seen is None:
        return False
    wanted = observe(expected, servers)
    return wanted is not None and covers(seen, wanted)


def observes(step: Step, command: str, servers: Servers) -> bool:
    """True if ``command`` observed what one of ``step``'s commands observes."""
    return any(observes_as(expected, command, servers) for expected in step.commands)


def done_by(
    step: Step, actions: Sequence[Event], servers: Servers, look: bool = False
) -> Event | None:
    """The action that completed ``step`` (its last verb or its command), or None.

    Only successful actions count. With ``look`` (a quick-assessment or diagnosis step),
    a command that changed nothing and observed what the step's command observes does
    the step's command.
    """
    typed: list[str] = []
    observed = False
    for a in actions:
        if not a.data.get("ok", True):
            continue
        command = str(a.data.get("command", ""))
        typed.append(command)
        if step_done(step, typed):
            return a
        if look and step.commands and not observed and not a.data.get("changed"):
            observed = observes(step, command, servers)
        if observed and (not step.verbs or verbs_done(step.verbs, typed)):
            return a
    return None
