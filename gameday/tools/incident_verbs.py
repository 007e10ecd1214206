"""Incident verbs: ``ack``, ``sev``, ``assign``, ``status``, ``escalate``, ``resolve``,
``silence``, ``note`` and ``alerts``.

Each changes the :class:`~gameday.tools.incident.IncidentState` and the pager, and
publishes the change as an ``incident.*`` event. A responder who is not a person of the
on-call file (``you`` at the tabletop) acts on the pager as the person it is assigned to.
"""

from __future__ import annotations

import json
from typing import Any

from gameday.durations import format_duration, parse_duration
from gameday.errors import PagerError, did_you_mean
from gameday.tools.effects import Outcome
from gameday.tools.incident import ROLES, SEVERITIES, STATUS_STATES, StatusUpdate
from gameday.tools.output import kube_table
from gameday.tools.parse import ActionError, parse_flags

ROLE_ALIASES = {
    "commander": "ic",
    "incident-commander": "ic",
    "communications": "comms",
    "operations": "ops",
    "lead": "ic",
    "notes": "scribe",
}
UPDATE_EVERY = {"SEV1": 900.0, "SEV2": 1800.0, "SEV3": 3600.0, "SEV4": 14400.0}


def _person(pager: Any, actor: str, inc: Any) -> str:
    oncall = getattr(pager, "oncall", None)
    people = getattr(oncall, "people_by_id", None) or getattr(pager, "people", None)
    if people is None or actor in people:
        return actor
    assigned = list(getattr(inc, "assigned", []) or [])
    return assigned[0] if assigned else actor


def _known_person(pager: Any, person: str) -> None:
    """Refuse a person the on-call file does not list, as an incident tool would.

    Without an on-call file there is no directory to check against, so anyone goes.
    """
    oncall = getattr(pager, "oncall", None)
    people = getattr(oncall, "people_by_id", None)
    if people is None or person in people:
        return
    hint = did_you_mean(person, people)
    listed = ", ".join(sorted(people))
    raise ActionError(
        f"error: no person {person!r} in the on-call directory"
        + (f"; {hint}" if hint else "")
        + (f" (people: {listed})" if listed else "")
    )


def _open(pager: Any, status: tuple[str, ...]) -> list[str]:
    return [i for i, inc in pager.incidents.items() if inc.status in status]


def ack(ctx: Any, args: list[str], actor: str) -> Outcome:
    """Acknowledge the triggered pages (or the one named)."""
    pager, done, errors = ctx.pager, [], []
    if pager is not None:
        ids = args or _open(pager, ("triggered",))
        if not ids:
            return Outcome(False, "Nothing to acknowledge: no page is waiting for an ack.", "ack")
        for iid in ids:
            inc = pager.incidents.get(iid)
            if inc is None:
                open_ids = ", ".join(_open(pager, ("triggered", "acknowledged"))) or "none"
                errors.append(f"no incident {iid!r}; open: {open_ids}")
                continue
            person = _person(pager, actor, inc)
            try:
                pager.ack(iid, person)
                done.append(f"{iid} acknowledged by {person}")
            except PagerError as exc:
                errors.append(str(exc))
    if ctx.incident.acknowledged_at is None and (done or pager is None):
        ctx.incident.acknowledged_at = ctx.now
    if pager is None:
        done.append(f"Incident acknowledged by {actor}.")
    return Outcome(bool(done), "\n".join(done + errors), "ack", changed=bool(done))


def sev(ctx: Any, args: list[str], actor: str) -> Outcome:
    """``sev SEV1`` / ``declare sev1``: declare or change the severity."""
    raw = "".join(args).upper().replace("-", "").replace("_", "")
    level = raw if raw.startswith("SEV") else f"SEV{raw}"
    if level not in SEVERITIES:
        raise ActionError(f"usage: sev {'|'.join(SEVERITIES)}")
    inc = ctx.incident
    previous = inc.severity
    if previous == level:
        return Outcome(True, f"Severity is already {level}.", "sev")
    inc.severity = level
    if inc.severity_at is None:
        inc.severity_at = ctx.now
    ctx.emit("incident.severity", {"severity": level, "previous": previous, "by": actor})
    verb = "declared" if previous is None else f"changed from {previous}"
    return Outcome(True, f"Severity {level} {verb} by {actor}.", "sev", changed=True)


def assign(ctx: Any, args: list[str], actor: str) -> Outcome:
    """``assign ROLE PERSON`` (``ic PERSON`` is short for ``assign ic PERSON``)."""
    if len(args) != 2:
        raise ActionError(f"usage: assign {'|'.join(ROLES)} PERSON")
    role = ROLE_ALIASES.get(args[0].lower(), args[0].lower())
    if role not in ROLES:
        raise ActionError(f"unknown role {args[0]!r}; roles are {', '.join(ROLES)}")
    person = actor if args[1].lower() in {"me", "myself"} else args[1]
    if person is args[1]:
        _known_person(ctx.pager, person)
    inc = ctx.incident
    inc.roles[role] = person
    inc.role_at[role] = ctx.now
    ctx.emit("incident.role", {"role": role, "person": person, "by": actor})
    return Outcome(True, f"{person} is now {role}.", "assign", changed=True)


def status(ctx: Any, args: list[str], actor: str) -> Outcome:
    """``status [investigating|identified|monitoring|resolved] "TEXT"``: a status update."""
    inc = ctx.incident
    if not args:
        roles = ", ".join(f"{r}={p}" for r, p in inc.roles.items()) or "none assigned"
        return Outcome(
            True,
            f"Severity: {inc.severity or 'not declared'}\nRoles: {roles}\n"
            f"Status page: {inc.status_page}\nUpdates: {len(inc.status_updates)}",
            "status",
        )
    state = inc.status_page if inc.status_page in STATUS_STATES else "investigating"
    if args[0].lower() in STATUS_STATES:
        state, args = args[0].lower(), args[1:]
    text = " ".join(args).strip()
    if not text:
        raise ActionError(
            f'usage: status [{"|".join(STATUS_STATES)}] "what stakeholders should know"'
        )
    inc.status_updates.append(StatusUpdate(ctx.now, state, text, actor))
    ctx.emit("incident.status_update", {"state": state, "text": text, "author": actor})
    every = ctx.scenario.targets.update_every or UPDATE_EVERY.get(inc.severity or "SEV2", 1800.0)
    due = "" if state == "resolved" else f"\nNext update due in {format_duration(every)}."
    return Outcome(True, f"Status page: {state.capitalize()} - {text}{due}", "status", changed=True)


def escalate(ctx: Any, args: list[str], actor: str) -> Outcome:
    """``escalate [PERSON]``: page the next level (or reassign to a person)."""
    pager, target = ctx.pager, " ".join(args) or None
    lines, errors, to = [], [], target or "next level"
    if pager is not None:
        ids = _open(pager, ("triggered", "acknowledged"))
        if not ids:
            return Outcome(False, "No open page to escalate.", "escalate")
        for iid in ids:
            inc = pager.incidents[iid]
            try:
                if target is not None and _person(pager, target, None) == target:
                    pager.reassign(iid, target)
                    lines.append(f"{iid} reassigned to {target}")
                else:
                    level = inc.level + 1  # the pager moves on when its process runs
                    pager.escalate(iid, _person(pager, actor, inc))
                    to = target or f"level {level}"
                    lines.append(f"{iid} escalated to {to}")
            except PagerError as exc:
                errors.append(str(exc))
        if not lines:
            return Outcome(False, "\n".join(errors), "escalate")
    else:
        lines.append(f"Escalated to {to}.")
    ctx.incident.escalations.append((ctx.now, to))
    ctx.emit("incident.escalated", {"to": to, "by": actor})
    return Outcome(True, "\n".join(lines + errors), "escalate", changed=True)


def resolve(ctx: Any, args: list[str], actor: str) -> Outcome:
    """``resolve``: close the incident and its pages."""
    inc = ctx.incident
    if inc.resolved_at is not None:
        return Outcome(False, "The incident is already resolved.", "resolve")
    lines = []
    pager = ctx.pager
    if pager is not None:
        for iid in _open(pager, ("triggered", "acknowledged")):
            try:
                pager.resolve(iid, _person(pager, actor, pager.incidents[iid]))
                lines.append(f"{iid} resolved")
            except PagerError as exc:
                lines.append(str(exc))
    inc.resolved_at = ctx.now
    ctx.emit("incident.resolved", {"by": actor})
    firing = [a for a in ctx.firing_alerts() if a.get("state") == "firing"]
    lines.append(f"Incident resolved by {actor}.")
    if firing:
        lines.append(f"Note: {len(firing)} alert(s) still firing.")
    return Outcome(True, "\n".join(lines), "resolve", changed=True)


def silence(ctx: Any, args: list[str], actor: str) -> Outcome:
    """``silence alertname=X [k=v ...] --duration 1h --comment "..."``."""
    if args[:1] == ["add"]:  # amtool silence add ...
        args = args[1:]
    flags = parse_flags(
        args,
        {"d": "duration", "c": "comment", "a": "author"},
        {"duration", "comment", "author"},
        set(),
    )
    matchers = flags.words
    if not matchers or any(not any(op in m for op in ("=", "!=", "=~", "!~")) for m in matchers):
        raise ActionError(
            'usage: silence alertname=NAME [label=value ...] --duration 1h --comment "why"'
        )
    duration = _silence_duration(flags.get("duration") or "1h")
    comment = flags.get("comment") or ""
    if not comment:
        raise ActionError('a silence needs --comment "why" (Alertmanager requires a comment)')
    try:
        sid = ctx.silence(matchers, duration, flags.get("author") or actor, comment)
    except ValueError as exc:
        return Outcome(False, f"silence refused: {exc}", "silence")
    return Outcome(True, sid, "silence", changed=True)


_MAX_SILENCE = 292 * 365 * 86400.0  # Go's time.Duration tops out at about 292 years


def _silence_duration(text: str) -> float:
    """``--duration`` read as amtool does (``model.ParseDuration``), refused in its words."""
    invalid = f"amtool: error: not a valid duration string: {json.dumps(text)}"
    try:
        seconds = parse_duration(text)
    except ValueError:
        raise ActionError(invalid) from None
    if seconds > _MAX_SILENCE:
        raise ActionError(invalid)
    if seconds <= 0:
        raise ActionError("amtool: error: silence duration must be greater than 0")
    return seconds


def note(ctx: Any, args: list[str], actor: str) -> Outcome:
    """``note TEXT``: add a line to the incident timeline."""
    text = " ".join(args).strip()
    if not text:
        raise ActionError("usage: note TEXT")
    ctx.incident.notes.append((ctx.now, actor, text))
    return Outcome(True, "Noted.", "note", changed=True)


def alerts(ctx: Any, args: list[str], actor: str) -> Outcome:
    """``alerts``: what is pending or firing now, as ``amtool alert query`` lists it."""
    rows = []
    for a in sorted(ctx.firing_alerts(), key=lambda a: a.get("active_at") or 0):
        labels, notes = a.get("labels", {}), a.get("annotations", {})
        when = ctx.wall_time(float(a.get("active_at") or 0)).strftime("%Y-%m-%d %H:%M:%S UTC")
        state = "active" if a.get("state") == "firing" else str(a.get("state"))
        rows.append((labels.get("alertname", ""), when, notes.get("summary", ""), state))
    if not rows:
        return Outcome(True, "No alerts are firing.", "alerts")
    return Outcome(
        True, kube_table(["Alertname", "Starts At", "Summary", "State"], rows, gap=2), "alerts"
    )
