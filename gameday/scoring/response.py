"""Grading how the alerting, the paging path and the first responders did: detection,
acknowledgement and triage (escalation and communication live in ``cadence``).

Each function takes a :class:`Context` and returns a :class:`Grade` whose losses carry
one sentence each: what happened, when, and what the target was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gameday.scoring.evidence import Grade, Stream, fmt_dur, fmt_t, lateness_share
from gameday.scoring.targets import Targets, normalise_severity

if TYPE_CHECKING:
    from gameday.runbooks import Runbook
    from gameday.scenario.model import Scenario
    from gameday.scoring.metrics import MetricsSummary

IC_ROLES = {"ic", "incident_commander", "incident-commander", "incident commander", "commander"}


@dataclass(frozen=True)
class Context:
    """Everything a dimension may look at."""

    stream: Stream
    scenario: Scenario
    targets: Targets
    runbooks: list[Runbook]
    metrics: MetricsSummary


def detection(c: Context) -> Grade:
    """MTTD: the first page-worthy alert firing minus the incident's start (the first
    fault; in an imported incident, its first sign: :meth:`Stream.incident_start`)."""
    target, sev, s = c.targets.table.detect, c.targets.severity, c.stream
    g = Grade(
        f"a page-worthy alert within {fmt_dur(target or 0)} of the {s.origin} ({sev})"
        if target
        else f"no detection target for {sev}",
        "",
    )
    start = s.incident_start()
    if start is None:
        g.happened = f"no {s.origin} started in this run"
        return g
    ev = s.first("alert.firing", where=s.page_worthy)
    if ev is None:
        other = s.first("alert.firing")
        if other is None:
            g.happened = "no alert fired"
            g.lose(
                1.0,
                f"No alert fired for the {s.origin} that began at {fmt_t(start)}; a {sev} "
                f"needs a page-worthy alert within {fmt_dur(target or 0)}.",
            )
            return g
        label = (other.data.get("labels") or {}).get("severity", "unlabelled")
        g.happened = f"only {s.alert_name(other)} ({label}) fired, at {fmt_t(other.t)}"
        g.lose(
            0.6,
            f"Only {s.alert_name(other)}, a {label} alert, fired (at {fmt_t(other.t)}); "
            f"no critical alert fired, so nobody would be woken for a {sev}.",
        )
        ev = other
    g.measured = mttd = ev.t - start
    if not g.happened:
        g.happened = (
            f"{s.alert_name(ev)} fired at {fmt_t(ev.t)}, {fmt_dur(mttd)} after the "
            f"{s.origin} began at {fmt_t(start)}"
        )
    if target:
        g.lose(
            lateness_share(mttd, target),
            f"MTTD was {fmt_dur(mttd)}: {s.alert_name(ev)} fired at {fmt_t(ev.t)} for "
            f"{'an' if s.recorded else 'a'} {s.origin} that began at {fmt_t(start)}; "
            f"the {sev} target is {fmt_dur(target)}.",
        )
    return g


def _receivers(s: Stream, alertname: str) -> list[str]:
    found: set[str] = set()
    for n in s.of("notification"):
        names = {str((a.get("labels") or {}).get("alertname")) for a in n.data.get("alerts", [])}
        if alertname in names or not names - {"None"}:
            kinds = sorted({str(i.get("type", "?")) for i in n.data.get("integrations", [])})
            found.add(
                f"{n.data.get('receiver', '?')}" + (f" ({', '.join(kinds)})" if kinds else "")
            )
    return sorted(found)


def acknowledgement(c: Context) -> Grade:
    """MTTA: the first page notification to its acknowledgement."""
    target, sev, s = c.targets.table.ack, c.targets.severity, c.stream
    g = Grade(
        f"page acknowledged within {fmt_dur(target or 0)} ({sev})"
        if target
        else f"no acknowledgement target for {sev}",
        "",
    )
    paged = s.first("page.notified")
    if paged is None:
        alert = s.detection()
        if alert is None:
            g.happened = "no alert fired and nobody was paged"
            g.lose(
                1.0,
                f"Nobody was paged during the whole run (to {fmt_t(s.end)}); a {sev} "
                f"must reach a person and be acknowledged within {fmt_dur(target or 0)}.",
            )
            return g
        name, receivers = s.alert_name(alert), _receivers(s, s.alert_name(alert))
        where = (
            f"went only to {', '.join(receivers)}" if receivers else "reached no receiver at all"
        )
        g.happened = f"{name} fired at {fmt_t(alert.t)} and {where}; no page was sent"
        g.lose(
            1.0,
            f"{name} fired at {fmt_t(alert.t)} but {where}, so no page was sent and "
            f"nobody was woken; a {sev} needs a page acknowledged within "
            f"{fmt_dur(target or 0)}.",
        )
        return g
    who = paged.data.get("name") or paged.data.get("person", "the on-call")
    if paged.data.get("wakes") is False:
        who += " (low urgency: the notification woke nobody)"
    ack = s.first("page.acknowledged", after=paged.t)
    if ack is None:
        reached = [
            int(lv) for e in s.of("page.notified") if str(lv := e.data.get("level", "")).isdigit()
        ]
        people = sorted(
            {str(e.data.get("name") or e.data.get("person")) for e in s.of("page.notified")}
        )
        g.happened = f"{who} was paged at {fmt_t(paged.t)}; nobody acknowledged"
        g.lose(
            1.0,
            f"{who} was paged at {fmt_t(paged.t)} and nobody acknowledged by the end "
            f"at {fmt_t(s.end)}"
            + (
                f", though the page escalated to level {max(reached)} and reached "
                f"{', '.join(people)}"
                if reached and max(reached) > 1
                else ""
            )
            + f"; the {sev} target is {fmt_dur(target or 0)}.",
        )
        return g
    g.measured = mtta = ack.t - paged.t
    names = {e.data.get("person"): e.data.get("name") for e in s.of("page.notified")}
    acker = ack.data.get("person", "someone")
    g.happened = (
        f"{who} paged at {fmt_t(paged.t)}, {names.get(acker) or acker} "
        f"acknowledged at {fmt_t(ack.t)} (MTTA {fmt_dur(mtta)})"
    )
    if target:
        g.lose(
            lateness_share(mtta, target),
            f"MTTA was {fmt_dur(mtta)}: paged at {fmt_t(paged.t)}, acknowledged at "
            f"{fmt_t(ack.t)}; the {sev} target is {fmt_dur(target)}.",
        )
    return g


def triage(c: Context) -> Grade:
    """Severity declared and right; an incident commander assigned in time."""
    truth, ic_target, s = c.targets.severity, c.targets.table.incident_commander, c.stream
    sev_share = 0.5 if ic_target else 1.0
    g = Grade(
        f"severity declared as {truth}"
        + (f"; IC assigned within {fmt_dur(ic_target)}" if ic_target else ""),
        "",
    )
    declared = s.of("incident.severity")
    parts = []
    if not declared:
        parts.append("no severity declared")
        g.lose(
            sev_share,
            f"No severity was declared between detection at {fmt_t(s.detected_at())} and "
            f"the end at {fmt_t(s.end)}; this incident is a {truth}, which sets the "
            "response targets, the paging and the update cadence.",
        )
    else:
        first, last = declared[0], declared[-1]
        f_sev = normalise_severity(first.data.get("severity"))
        l_sev = normalise_severity(last.data.get("severity"))
        parts.append(f"{f_sev or first.data.get('severity')} declared at {fmt_t(first.t)}")
        if f_sev != truth and l_sev == truth:
            parts.append(f"corrected to {truth} at {fmt_t(last.t)}")
            g.lose(
                sev_share / 2,
                f"Severity was first declared {f_sev} at {fmt_t(first.t)} "
                f"and only corrected to {truth} at {fmt_t(last.t)}.",
            )
        elif l_sev != truth:
            impact = c.scenario.truth.impact
            g.lose(
                sev_share,
                f"Severity was declared {l_sev} at {fmt_t(last.t)}, but this is "
                f"a {truth}" + (f": {impact.rstrip('.')}." if impact else "."),
            )
    if ic_target:
        det = s.detected_at()
        ic = s.first(
            "incident.role", where=lambda e: str(e.data.get("role", "")).lower() in IC_ROLES
        )
        if ic is None:
            parts.append("no incident commander")
            g.lose(
                0.5,
                f"No incident commander was assigned; a {truth} needs one within "
                f"{fmt_dur(ic_target)} of detection, by {fmt_t(det + ic_target)}.",
            )
        else:
            delay = max(0.0, ic.t - det)
            parts.append(f"IC {ic.data.get('person', '?')} at {fmt_t(ic.t)}")
            g.lose(
                0.5 * lateness_share(delay, ic_target),
                f"The incident commander was assigned at {fmt_t(ic.t)}, {fmt_dur(delay)} "
                f"after detection; the {truth} target is {fmt_dur(ic_target)}.",
            )
    g.happened = "; ".join(parts)
    return g
