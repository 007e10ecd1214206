"""Findings about the team's configuration, reported beside the responders' score.

How fast an alert fires and where Alertmanager sends it are decided by the team's rule
files and routing, not by whoever is on call; a drill reports them as findings to fix
and charges the responders nothing for them:

- detection: the first page-worthy alert fired later than the severity's MTTD target,
  or no page-worthy alert fired for the fault at all;
- routing: a critical (page-worthy) alert that reached only chat, e-mail or webhooks.
"""

from __future__ import annotations

from typing import Any

from gameday.scoring.evidence import Stream, fmt_dur, fmt_t
from gameday.scoring.targets import PAGE_SEVERITIES

PAGING = {"pagerduty", "opsgenie", "victorops", "pushover", "telegram_pager", "pager"}


def findings(ctx: Any) -> list[str]:
    """Every configuration finding of a run, one sentence each."""
    return _detection(ctx) + _routing(ctx.stream)


def _detection(ctx: Any) -> list[str]:
    s, sev, target = ctx.stream, ctx.targets.severity, ctx.targets.table.detect
    start = s.incident_start()
    if start is None:
        return []
    first = s.first("alert.firing", where=s.page_worthy)
    if first is None:
        any_alert = s.first("alert.firing")
        what = (
            f"only {s.alert_name(any_alert)} fired (at {fmt_t(any_alert.t)}), and it does not page"
            if any_alert is not None
            else "no alert fired at all"
        )
        return [
            f"Detection: no page-worthy alert fired for the {s.origin} that began at "
            f"{fmt_t(start)}; {what}. A {sev} needs an alert with a paging severity."
        ]
    mttd = first.t - start
    if target and mttd > target:
        return [
            f"Detection: {s.alert_name(first)} fired at {fmt_t(first.t)}, {fmt_dur(mttd)} "
            f"after the {s.origin} began at {fmt_t(start)}; the {sev} target is "
            f"{fmt_dur(target)}. Its threshold or `for:` waits longer than the target allows."
        ]
    return []


def _routing(s: Stream) -> list[str]:
    """Page-worthy alerts whose every notification went to a channel that wakes nobody."""
    reached: dict[str, list[tuple[str, set[str]]]] = {}
    for e in s.of("notification"):
        if e.data.get("status") != "firing":
            continue
        kinds = {str(i.get("type", "")) for i in e.data.get("integrations") or []}
        for alert in e.data.get("alerts") or []:
            labels = alert.get("labels") or {}
            if str(labels.get("severity", "")).lower() not in PAGE_SEVERITIES:
                continue
            name = str(labels.get("alertname", "an alert"))
            reached.setdefault(name, []).append((str(e.data.get("receiver", "")), kinds))
    out = []
    for name, routes in sorted(reached.items()):
        if any(kinds & PAGING for _, kinds in routes):
            continue
        receivers = sorted({r for r, _ in routes})
        channels = sorted(set().union(*(kinds for _, kinds in routes)) - {""})
        out.append(
            f"Routing: {name} is page-worthy but reached only {', '.join(receivers)} "
            f"({', '.join(channels) or 'no integration'}); nobody is woken by it. Route "
            "critical alerts to the pager."
        )
    return out
