"""Human-readable lines for the event stream: the drill's printed timeline and the TUI log."""

from __future__ import annotations

from gameday.session.events import Event
from gameday.textsafe import visible

KEY_KINDS = (
    "fault.",
    "world.change",
    "alert.firing",
    "alert.resolved",
    "notification",
    "page.",
    "action",
    "incident.",
    "silence.",
    "inject",
    "hint",
    "chat.message",
    "ghost",
)


def clock(t: float) -> str:
    """Sim time as ``T+12m30s``."""
    t = max(0.0, t)
    minutes, seconds = divmod(int(round(t)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"T+{hours}h{minutes:02d}m{seconds:02d}s"
    return f"T+{minutes}m{seconds:02d}s"


def describe(event: Event) -> str | None:
    """One line for an event worth showing a person, or None.

    Control characters in the line (from scenario files, journals or what a person
    typed) are shown escaped: this is the one boundary from events to terminal text.
    """
    text = _describe(event)
    return None if text is None else visible(text)


def _describe(event: Event) -> str | None:
    d = event.data
    k = event.kind
    if k == "fault.start":
        return f"FAULT    {d['fault']} ({d['type']}) on {d['service']}"
    if k == "fault.end":
        return f"FAULT    {d['fault']} ended: {d['reason']}"
    if k == "fault.relieved":
        return f"FAULT    {d['fault']} relieved: {d.get('why', '')}".rstrip(": ")
    if k == "fault.returned":
        return f"FAULT    {d['fault']} carried again"
    if k == "world.change":
        return f"METRIC   {d['service']} 5xx ratio {d['value']:.1%}"
    if k == "alert.firing":
        summary = d.get("annotations", {}).get("summary", "")
        return f"ALERT    {d['alertname']} firing: {summary}".rstrip(": ")
    if k == "alert.resolved":
        return f"ALERT    {d['alertname']} resolved"
    if k == "notification":
        names = sorted({a["labels"].get("alertname", "?") for a in d.get("alerts", [])})
        kinds = ",".join(sorted({i["type"] for i in d.get("integrations", [])})) or "none"
        return f"NOTIFY   {d['receiver']} ({kinds}) {d['status']}: {', '.join(names)}"
    if k == "page.notified":
        wakes = "" if d.get("wakes", True) else " (low urgency, no wake)"
        who = d.get("name") or d.get("person")
        return f"PAGE     {d.get('incident_id')} -> {who} level {d.get('level')}{wakes}"
    if k == "page.escalated":
        if d.get("exhausted"):
            return (
                f"PAGE     {d.get('incident_id')} escalation policy exhausted: nobody acknowledged"
            )
        level = d.get("to_level")
        return f"PAGE     {d.get('incident_id')} not acknowledged: escalating to level {level}"
    if k == "page.acknowledged":
        return f"PAGE     {d.get('incident_id')} acknowledged by {d.get('person')}"
    if k == "page.resolved":
        return f"PAGE     {d.get('incident_id')} resolved"
    if k == "page.unrouted":
        return f"PAGE     {d['receiver']} has no on-call service: nobody paged"
    if k == "action":
        mark = "" if d.get("ok") else " [failed]"
        return f"ACTION   {d.get('actor')} ({d.get('role')}): {d['command']}{mark}"
    if k == "command.output":  # a running command's next line (a watch)
        return f"OUTPUT   {d.get('actor')}: {d['output']}"
    if k == "incident.severity":
        return f"INCIDENT severity {d['severity']}"
    if k == "incident.role":
        return f"INCIDENT {d['role']} is {d['person']}"
    if k == "incident.status_update":
        return f"STATUS   {d.get('state')}: {d.get('text')}"
    if k == "incident.escalated":
        return f"INCIDENT escalated to {d.get('to')}"
    if k == "incident.resolved":
        return "INCIDENT resolved"
    if k == "silence.created":
        return f"SILENCE  {' '.join(d['matchers'])} by {d['created_by']}"
    if k == "chat.message":
        return f"CHAT     {d['channel']}: {d['text']}"
    if k == "ghost":
        return f"GHOST    {d.get('who')}: {d.get('what')}"
    if k in ("inject", "hint"):
        return f"{k.upper():8} {d.get('title') or d.get('question')}"
    return None


def format_event(event: Event) -> str | None:
    """``T+5m00s  FAULT ...`` or None for events not shown."""
    text = describe(event)
    return None if text is None else f"{clock(event.t):>11}  {text}"
