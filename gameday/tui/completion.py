"""Command completion for the command line.

``gameday.engine.actions.complete(ctx, partial)`` knows every verb and the world's names;
while it is not available the command line falls back to command templates filled in
with the world's deployments, pods, databases and people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gameday.tui.driver import SimDriver

TEMPLATES = (
    "ack",
    "sev SEV1",
    "sev SEV2",
    "sev SEV3",
    "assign ic ",
    "assign comms ",
    "assign scribe ",
    'status investigating "',
    'status identified "',
    'status monitoring "',
    'status resolved "',
    "escalate",
    "resolve",
    'note "',
    "kubectl get pods -n {ns}",
    "kubectl get deployments -n {ns}",
    "kubectl get events -n {ns}",
)
PER_SERVICE = (
    "kubectl get pods -n {ns} -l app={svc}",
    "kubectl logs deployment/{svc} -n {ns} --tail=50",
    "kubectl describe deployment/{svc} -n {ns}",
    "kubectl rollout status deployment/{svc} -n {ns}",
    "kubectl rollout history deployment/{svc} -n {ns}",
    "kubectl rollout undo deployment/{svc} -n {ns}",
    "kubectl rollout restart deployment/{svc} -n {ns}",
    "kubectl scale deployment/{svc} -n {ns} --replicas=",
)
PER_DATABASE = ('psql -h {db} -U postgres -d {datname} -c "',)


def fallback_candidates(session: Any) -> list[str]:
    """Command templates filled in with the session's namespace, services and databases."""
    world = session.world
    ns = getattr(world, "namespace", "default")
    lines = [t.format(ns=ns) for t in TEMPLATES]
    for svc in world.services:
        lines += [t.format(ns=ns, svc=svc) for t in PER_SERVICE]
    for db in getattr(session.scenario.world, "databases", []) or []:
        lines += [t.format(db=db.name, datname=getattr(db, "datname", db.name))
                  for t in PER_DATABASE]
    for dep in world.deployments.values():
        for pod in getattr(dep, "pods", []):
            name = getattr(pod, "name", None)
            if name:
                lines.append(f"kubectl logs {name} -n {ns}")
                lines.append(f"kubectl describe pod {name} -n {ns}")
    return lines


def make_completer(driver: SimDriver) -> Callable[[str], list[str]]:
    """A function from a partial command to candidate completions."""
    try:
        from gameday.engine.actions import complete  # type: ignore[attr-defined]
    except ImportError:
        complete = None

    def completer(partial: str) -> list[str]:
        with driver.locked() as session:
            if complete is not None:
                return list(complete(session, partial))
            return [c for c in fallback_candidates(session) if c.startswith(partial)]

    return completer


def commands_help() -> list[tuple[str, str]]:
    """(command, what it does) for the help screen."""
    try:
        from gameday.engine.actions import COMMANDS_HELP  # type: ignore[attr-defined]
    except ImportError:
        COMMANDS_HELP = None
    if COMMANDS_HELP:
        items = COMMANDS_HELP.items() if isinstance(COMMANDS_HELP, dict) else COMMANDS_HELP
        return [(str(k), str(v)) for k, v in items]
    return [
        ("ack", "acknowledge the page assigned to you"),
        ("sev SEV1|SEV2|SEV3", "declare the incident's severity"),
        ("assign ROLE PERSON", "give a person a role: ic, ops, comms, scribe"),
        ('status STATE "TEXT"', "post a status-page update (investigating ... resolved)"),
        ("escalate", "escalate the page to the next level"),
        ("resolve", "resolve the incident"),
        ("kubectl get|logs|describe|rollout|scale ...", "look at and change the cluster"),
        ('psql -h DB -U USER -d NAME -c "SQL"', "query or fix the database"),
    ]
