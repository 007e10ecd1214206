"""The key events of a run as a timeline a postmortem can print.

Each entry carries its sim time, its wall-clock time (the scenario's start time plus
the sim time), a category the HTML report uses for chart markers (``fault``, ``alert``,
``page``, ``action``, ``incident``, ``comms``, ``facilitator``, ``session``) and one
line of text. Pending alerts, chat and world changes are left out: they are detail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from gameday.scoring.evidence import fmt_t
from gameday.session.events import Event


def _alert(e: Event) -> str:
    name = e.data.get("alertname") or (e.data.get("labels") or {}).get("alertname", "?")
    sev = (e.data.get("labels") or {}).get("severity")
    state = "firing" if e.kind == "alert.firing" else "resolved"
    return f"Alert {name} {state}" + (f" ({sev})" if sev and state == "firing" else "")


def _notification(e: Event) -> str | None:
    if e.data.get("status", "firing") != "firing":
        return None
    kinds = sorted({str(i.get("type", "?")) for i in e.data.get("integrations", [])})
    return f"Alertmanager notified {e.data.get('receiver', '?')}" + (
        f" ({', '.join(kinds)})" if kinds else ""
    )


def _action(e: Event) -> str:
    d = e.data
    who = d.get("actor", "someone") + (f" ({d['role']})" if d.get("role") else "")
    text = f"{who} ran `{d.get('command', '')}`"
    if not d.get("ok", True):
        text += ": it failed"
    return text


def _page(e: Event) -> str:
    """``Page INC-1`` (or ``Page`` for an event without an incident id)."""
    return f"Page {e.data.get('incident_id', '')}".rstrip()


def _escalated(e: Event) -> str:
    d = e.data
    if d.get("exhausted"):
        return (
            f"{_page(e)}: escalation policy exhausted at level {d.get('from_level', '?')}; "
            "nobody acked"
        )
    to = d.get("person") or (f"level {d['to_level']}" if d.get("to_level") else None)
    if to is None and d.get("level") is not None:
        to = f"level {d['level']}"
    why = f" ({d['reason']})" if d.get("reason") else ""
    return f"{_page(e)} escalated to {to or 'the next level'}{why}"


def _notified(e: Event) -> str:
    """Who was paged, for which incident; the first level also says what for."""
    d = e.data
    level = d.get("level", 1)
    line = f"Paged {d.get('name') or d.get('person')}"
    if d.get("incident_id"):
        line += f" for {d['incident_id']}"
    line += f" (level {level})"
    return f"{line}: {d['summary']}" if level == 1 and d.get("summary") else line


_ROLES = {
    "ic": "incident commander",
    "ops": "operations",
    "comms": "communications",
    "scribe": "scribe",
}

_TEXT: dict[str, tuple[str, Callable[[Event], str | None]]] = {
    "session.start": (
        "session",
        lambda e: f"Session started (responder {e.data.get('responder', '?')})",
    ),
    "session.end": ("session", lambda e: f"Session ended ({e.data.get('reason', 'end')})"),
    "fault.start": (
        "fault",
        lambda e: (
            f"Fault {e.data.get('fault')} began on "
            f"{e.data.get('service')}: {e.data.get('description') or e.data.get('type')}"
        ),
    ),
    "fault.end": ("fault", lambda e: f"Fault {e.data.get('fault')} ended ({e.data.get('reason')})"),
    "fault.relieved": (
        "fault",
        lambda e: (
            f"Fault {e.data.get('fault')} relieved: {e.data.get('why', 'nothing carries it')}"
        ),
    ),
    "fault.returned": ("fault", lambda e: f"Fault {e.data.get('fault')} carried again"),
    "alert.firing": ("alert", _alert),
    "alert.resolved": ("alert", _alert),
    "notification": ("alert", _notification),
    "page.notified": ("page", _notified),
    "page.escalated": ("page", lambda e: _escalated(e)),
    "page.acknowledged": (
        "page",
        lambda e: (
            f"{e.data.get('name') or e.data.get('person')} acknowledged page "
            f"{e.data.get('incident_id', '')}".rstrip()
        ),
    ),
    "page.resolved": ("page", lambda e: f"{_page(e)} resolved"),
    "action": ("action", _action),
    "incident.severity": ("incident", lambda e: f"Severity declared: {e.data.get('severity')}"),
    "incident.role": (
        "incident",
        lambda e: (
            f"{e.data.get('person')} takes the "
            f"{_ROLES.get(str(e.data.get('role')), e.data.get('role'))} role"
        ),
    ),
    "incident.status_update": (
        "comms",
        lambda e: f"Status update ({e.data.get('state', 'update')}): {e.data.get('text', '')}",
    ),
    "incident.escalated": ("incident", lambda e: f"Escalated to {e.data.get('to', '?')}"),
    "incident.resolved": ("incident", lambda e: "Incident resolved"),
    "silence.created": (
        "alert",
        lambda e: (
            f"Silence created by {e.data.get('created_by', '?')}: "
            f"{e.data.get('comment', '')}".rstrip(": ")
        ),
    ),
    "hint": (
        "facilitator",
        lambda e: f"Hint taken: {e.data.get('question', '')} (-{e.data.get('cost', 0):g} points)",
    ),
    "inject": ("facilitator", lambda e: f"Inject: {e.data.get('title', e.data.get('id'))}"),
}


def wall_clock(start: datetime, t: float) -> str:
    """``HH:MM:SS`` UTC of sim time ``t``."""
    moment = start + timedelta(seconds=round(t))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%H:%M:%S")


def key_events(events: Iterable[Event], start: datetime) -> list[dict[str, Any]]:
    """The timeline of a run: key events in order, each as a JSON-able dict."""
    out = []
    for e in sorted(events, key=lambda ev: (ev.t, ev.seq)):
        entry = _TEXT.get(e.kind)
        if entry is None:
            continue
        text = entry[1](e)
        if text is None:
            continue
        out.append(
            {
                "t": round(e.t, 3),
                "at": fmt_t(e.t),
                "clock": wall_clock(start, e.t),
                "kind": e.kind,
                "category": entry[0],
                "text": text,
            }
        )
    return out
