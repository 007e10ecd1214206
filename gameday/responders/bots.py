"""Responders that play a scenario without a human.

``expert`` plays the scenario's solution with human-like jitter; ``novice`` plays a
plausible beginner's version of it (acks late, skips the quick assessment, restarts before
the real fix, forgets status updates, leaves injects unanswered); ``idle`` never acts;
``script:FILE`` plays timed commands from a file. All of them start when the first page
reaches a person (or at the start, for a solution with ``relative_to: start``), so broken
routing leaves them unpaged. A step with ``after_inject`` is timed from the moment that
inject fires instead, and is not played if it never fires.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameday.errors import InputError, Problem, UsageError
from gameday.scenario.model import Scenario, Solution, TimedAction
from gameday.session.events import Event
from gameday.session.session import Session

RESPONDERS = ("expert", "novice", "idle", "script:FILE")


def check_responder(spec: str) -> None:
    """Refuse an unknown responder (or a missing script) before a run creates anything.

    Raises:
        UsageError: naming the choices.
    """
    if spec.startswith("script:"):
        path = Path(spec.split(":", 1)[1])
        if not path.is_file():
            raise UsageError(f"{path}: no such responder script")
    elif spec not in RESPONDERS:
        raise UsageError(f"unknown responder {spec!r}; choose one of: {', '.join(RESPONDERS)}")


READ_ONLY = (
    "kubectl get",
    "kubectl describe",
    "kubectl logs",
    "kubectl top",
    "kubectl rollout history",
    "kubectl rollout status",
    "alerts",
)


@dataclass
class Responder:
    """Plays ``actions`` once engaged; ``name`` labels the journal and reports.

    ``played`` maps the index of each action played to the ``action`` event it made.
    """

    name: str
    actions: list[TimedAction]
    relative_to: str = "page"
    actor: str = "responder"
    played: dict[int, Event] = field(default_factory=dict)

    def attach(self, session: Session) -> None:
        """Start listening to ``session``; actions are scheduled on engagement (and the
        answers to an inject when it fires)."""
        if not self.actions:
            return
        self._answer_injects(session)
        if self.relative_to == "start":
            self._schedule(session, 0.0)
            return
        engaged = False

        def on_event(event: Event) -> None:
            nonlocal engaged
            if engaged:
                return
            paged = event.kind == "page.notified" and event.data.get("wakes", True) is not False
            no_pager = event.kind == "alert.firing" and session.pager is None
            if paged or no_pager:
                engaged = True
                if paged:
                    self.actor = str(event.data.get("person") or self.actor)
                self._schedule(session, event.t)

        session.subscribe(on_event)

    def _schedule(self, session: Session, origin: float) -> None:
        for i, action in enumerate(self.actions):
            if action.after_inject is None:
                session.call_at(origin + action.at, self._doer(session, i, action))

    def _answer_injects(self, session: Session) -> None:
        """Schedule each ``after_inject`` step when its inject first fires."""
        waiting = {a.after_inject for a in self.actions if a.after_inject is not None}
        if not waiting:
            return

        def on_event(event: Event) -> None:
            name = str(event.data.get("id")) if event.kind == "inject" else None
            if name not in waiting:
                return
            waiting.discard(name)
            for i, action in enumerate(self.actions):
                if action.after_inject == name:
                    session.call_at(event.t + action.at, self._doer(session, i, action))

        session.subscribe(on_event)

    def _doer(self, session: Session, index: int, action: TimedAction) -> Callable[[], None]:
        def do() -> None:
            session.perform(
                fill_placeholders(session, action.do), actor=self.actor, role=action.role
            )
            self.played[index] = next(e for e in reversed(session.events) if e.kind == "action")

        return do


def fill_placeholders(session: Session, command: str) -> str:
    """Fill ``{blocker_pid}``, ``{pod}`` and ``{stuck_partition}`` from what a responder read.

    A bot cannot read the output of its diagnostic commands, so a solution names the
    values it would have found there. They come from what those commands show, never
    from the scenario's truth: ``{blocker_pid}`` is the session every waiter is blocked
    by in ``pg_blocking_pids`` (of the database the command connects to), ``{pod}`` the
    pod of the named service that looks worst in ``kubectl get pods``/``top`` (most
    restarts, then not ready, then the most memory), ``{oldest_xact_pid}`` the active
    session outside the applications' pools whose transaction is the oldest in
    ``pg_stat_activity`` of the server the command connects to, ``{stuck_partition}``
    the partition of the named group with the most lag in
    ``kafka-consumer-groups.sh --describe``.
    """
    if "{" not in command:
        return command
    if "{blocker_pid}" in command:
        command = command.replace("{blocker_pid}", str(_observed_blocker(session, command)))
    if "{pod}" in command:
        command = command.replace("{pod}", _observed_pod(session, command))
    if "{oldest_xact_pid}" in command:
        command = command.replace("{oldest_xact_pid}", str(_observed_oldest(session, command)))
    if "{stuck_partition}" in command:
        command = command.replace("{stuck_partition}", str(_observed_lagging(session, command)))
    return command


def _observed_lagging(session: Session, command: str) -> int:
    """The partition with the most lag in the group the command names, as
    ``kafka-consumer-groups.sh --describe`` shows it (0 when there is no such group)."""
    kafka = session.world.kafka
    words = command.split()
    named = [words[i + 1] for i, w in enumerate(words[:-1]) if w == "--group"]
    group = kafka.groups.get(named[0]) if kafka is not None and named else None
    if group is None or kafka is None:
        return 0
    lags = group.lag(kafka.topics[group.topic])
    return max(range(len(lags)), key=lambda i: (lags[i], -i))


def _observed_blocker(session: Session, command: str) -> int:
    """The pid at the head of the lock queue, as ``pg_blocking_pids`` shows it (0: none)."""
    from collections import Counter

    from gameday.tools.pgstat import build_view

    words = command.replace("=", " ").split()
    named = {words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-h", "--host", "-d")}
    dbs = list(session.world.databases.values())
    chosen = [db for db in dbs if db.name in named or db.datname in named] or dbs
    for db in chosen:
        view = build_view(db, session, "postgres", "SELECT pg_blocking_pids(pid)")
        heads = Counter(pid for pids in view.blocked_by.values() for pid in pids)
        if heads:
            return heads.most_common(1)[0][0]
    return 0


def _servers(session: Session, command: str) -> list[Any]:
    """The servers a psql command connects to: its ``-h`` host first, else ``-d``."""
    words = command.replace("=", " ").split()
    hosts = {words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-h", "--host")}
    dbs = list(session.world.databases.values())
    return [db for db in dbs if db.name in hosts] or dbs


def _observed_oldest(session: Session, command: str) -> int:
    """The pid of the oldest active transaction outside the pools (0: none)."""
    for db in _servers(session, command):
        jobs = [b for b in db.sessions if b.state == "active" and b.xact_start is not None]
        if jobs:
            return min(jobs, key=lambda b: (b.xact_start, b.pid)).pid
    return 0


def _observed_pod(session: Session, command: str) -> str:
    """The worst-looking pod of the service the command names (``deployment/X``, ``app=X``)."""
    world = session.world
    named = [
        name
        for name in world.services
        if f"deployment/{name}" in command or f"app={name}" in command or f" {name} " in command
    ]
    service = named[0] if named else next(iter(world.services))
    pods = world.pods(service)
    if not pods:
        return service
    worst = max(pods, key=lambda p: (p.restarts, not p.ready, p.memory_mib, p.name))
    return worst.name


def jitter_solution(
    actions: list[TimedAction], rng: random.Random, spread: float
) -> list[TimedAction]:
    """:func:`_jitter` of the steps timed from the page, then of each inject's answers
    (timed from their inject), each kept in its place in the list."""
    out = list(actions)
    groups: dict[str | None, list[int]] = {}
    for i, a in enumerate(actions):
        groups.setdefault(a.after_inject, []).append(i)
    for key in sorted(groups, key=lambda k: (k is not None, k or "")):
        places = groups[key]
        for i, moved in zip(
            places, _jitter([actions[i] for i in places], rng, spread), strict=True
        ):
            out[i] = moved
    return out


def _jitter(actions: list[TimedAction], rng: random.Random, spread: float) -> list[TimedAction]:
    """Shift each action by up to ``spread`` of its time, keeping the order."""
    out: list[TimedAction] = []
    last = 0.0
    for a in actions:
        at = max(last + 5.0 if out else 0.0, a.at * rng.uniform(1 - spread, 1 + spread))
        out.append(a.model_copy(update={"at": round(at, 1)}))
        last = at
    return out


def novice_actions(
    solution: Solution, mitigation_prefixes: list[str], rng: random.Random
) -> list[TimedAction]:
    """A beginner's take on the expert's solution (injects are left unanswered)."""
    out: list[TimedAction] = []
    restart_done = False
    status_seen = False
    diag_kept = 0
    for a in solution.actions:
        if a.after_inject is not None:
            continue  # a beginner is busy with the fault and lets the VP wait
        verb = a.do.strip().split()[0] if a.do.strip() else ""
        at = a.at * 1.8 + 60.0
        if verb == "ack":
            out.append(a.model_copy(update={"at": a.at + 540.0}))  # sleeps through a level
            continue
        if verb == "sev":
            out.append(a.model_copy(update={"at": at, "do": _under_declared(a.do)}))
            continue
        if verb == "status":
            if status_seen:
                continue  # forgets the follow-up updates
            status_seen = True
            out.append(a.model_copy(update={"at": at + 600.0}))
            continue
        if a.do.startswith(READ_ONLY):
            diag_kept += 1
            if diag_kept > 1:
                continue  # skips most of the quick assessment
        if not restart_done and any(a.do.startswith(p) for p in mitigation_prefixes):
            target = _restart_target(a.do)
            if target:
                out.append(
                    TimedAction(
                        at=at - 240.0,
                        do=f"kubectl rollout restart deployment/{target}{_namespace_flag(a.do)}",
                        role="ops",
                        why="restart first",
                    )
                )
            restart_done = True
            at += 180.0
        out.append(a.model_copy(update={"at": at}))
    out.sort(key=lambda x: x.at)
    return _jitter(out, rng, 0.05)


def _under_declared(command: str) -> str:
    """A beginner calls a SEV1 a SEV2 (and a SEV2 a SEV3)."""
    words = command.split()
    level = words[-1].upper()
    if level.startswith("SEV") and level[3:].isdigit():
        words[-1] = f"SEV{min(int(level[3:]) + 1, 4)}"
    return " ".join(words)


def _namespace_flag(command: str) -> str:
    """`` -n NS`` as the command gives it, or nothing."""
    words = command.split()
    for i, w in enumerate(words[:-1]):
        if w in ("-n", "--namespace"):
            return f" -n {words[i + 1]}"
    return ""


def _restart_target(command: str) -> str | None:
    for word in command.split():
        if word.startswith(("deployment/", "deploy/")):
            return word.split("/", 1)[1]
    return None


def load_script(path: Path, scenario: Scenario) -> Solution:
    """A ``script:FILE`` responder's actions, checked against ``scenario``.

    Raises:
        InputError: every problem of the file, with its line and column.
    """
    from gameday.scenario import load_solution

    injects = [i.id for i in scenario.injects]
    script, problems = load_solution(path, scenario.duration, injects)
    if script is None or problems:
        raise InputError(problems or [Problem(str(path), message="not a responder script")])
    return script


def make_responder(spec: str, session: Session, solution: Solution | None) -> Responder:
    """Build the responder named by ``spec`` (``expert``, ``novice``, ``idle``, ``script:FILE``)."""
    rng = random.Random(f"{session.seed}:responder:{spec}")
    if spec == "idle":
        return Responder("idle", [])
    if spec.startswith("script:"):
        path = Path(spec.split(":", 1)[1])
        script = load_script(path, session.scenario)
        return Responder(f"script:{path.name}", list(script.actions), script.relative_to)
    if spec in ("expert", "novice"):
        if solution is None:
            raise UsageError(
                f"scenario {session.scenario.id!r} has no solution.yaml for the {spec} responder"
            )
        if spec == "expert":
            return Responder(
                "expert", jitter_solution(list(solution.actions), rng, 0.1), solution.relative_to
            )
        prefixes = [m.command for m in session.scenario.mitigations]
        prefixes += ["psql", "kubectl rollout undo", "kubectl scale", "kubectl set"]
        fault_services = {f.service for f in session.scenario.faults}
        actions = novice_actions(solution, prefixes, rng)
        if not any("rollout restart" in a.do for a in actions) and fault_services:
            first_fix = next((a.at for a in actions if a.do.startswith(tuple(prefixes))), 600.0)
            svc = sorted(fault_services)[0]
            namespace = session.scenario.world.namespace
            actions.append(
                TimedAction(
                    at=max(0.0, first_fix - 120.0),
                    do=f"kubectl rollout restart deployment/{svc} -n {namespace}",
                    role="ops",
                )
            )
            actions.sort(key=lambda x: x.at)
        return Responder("novice", actions, solution.relative_to)
    raise UsageError(f"unknown responder {spec!r}; choose one of: {', '.join(RESPONDERS)}")
