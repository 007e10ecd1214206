"""Grading escalation and the communication cadence: what happens over time while
the incident is open.
"""

from __future__ import annotations

import math

from gameday.scoring.evidence import Grade, fmt_dur, fmt_t, lateness_share
from gameday.scoring.response import Context


def escalation(c: Context) -> Grade:
    """Escalated when not mitigated within ``escalate_after`` of detection."""
    after, s = c.targets.table.escalate_after, c.stream
    source = c.targets.sources.get("escalate_after", "severity table")
    if not after:
        return Grade(f"no escalation target for {c.targets.severity}", "nothing required")
    det = s.detected_at()
    deadline = det + after
    g = Grade(f"escalate if not mitigated {fmt_dur(after)} after detection ({source})", "")
    mitigated = s.mitigated_at()
    esc = s.first("incident.escalated") or s.first(
        "action", where=lambda e: e.data.get("kind") == "escalate" and e.data.get("ok", True)
    )
    if mitigated is not None and mitigated <= deadline:
        g.happened = (
            f"mitigated at {fmt_t(mitigated)}, before the escalation point "
            f"{fmt_t(deadline)}; no escalation needed"
        )
        return g
    if esc is None:
        g.happened = f"not mitigated by {fmt_t(deadline)} and never escalated"
        g.lose(
            1.0,
            f"The incident was not mitigated by {fmt_t(deadline)} ({fmt_dur(after)} "
            f"after detection at {fmt_t(det)}) and nobody escalated; the {source} says to "
            f"escalate after {fmt_dur(after)}.",
        )
        return g
    g.measured = esc.t - det
    to = esc.data.get("to") or esc.data.get("command", "")
    g.happened = f"escalated at {fmt_t(esc.t)}" + (f" to {to}" if to else "")
    late = esc.t - deadline
    g.lose(
        lateness_share(late, 300.0, 1200.0),
        f"Escalation came at {fmt_t(esc.t)}, {fmt_dur(late)} after the escalation point "
        f"{fmt_t(deadline)}; the {source} says to escalate after {fmt_dur(after)}.",
    )
    return g


def communication(c: Context) -> Grade:
    """First status update in time, then the update cadence until resolved."""
    first_due, every, s = c.targets.table.status_page, c.targets.table.update_every, c.stream
    sev = c.targets.severity
    if not first_due or not every:
        return Grade(f"no status page requirement for {sev}", "nothing required")
    g = Grade(
        f"status page within {fmt_dur(first_due)}, then an update every {fmt_dur(every)}"
        " until resolved",
        "",
    )
    det = s.detected_at()
    resolved = s.first("incident.resolved")
    end = resolved.t if resolved else s.end
    updates = [u for u in s.of("incident.status_update") if u.t <= end + 60]
    if not updates:
        g.happened = "no status update posted"
        g.lose(
            1.0,
            f"No status update was posted between detection at {fmt_t(det)} and "
            f"{fmt_t(end)}; a {sev} needs one within {fmt_dur(first_due)} and then every "
            f"{fmt_dur(every)}.",
        )
        return g
    delay = max(0.0, updates[0].t - det)
    g.happened = (
        f"{len(updates)} update(s), the first at {fmt_t(updates[0].t)} "
        f"({fmt_dur(delay)} after detection)"
    )
    g.lose(
        0.4 * lateness_share(delay, first_due),
        f"The first status update came at {fmt_t(updates[0].t)}, {fmt_dur(delay)} after "
        f"detection; a {sev} needs one within {fmt_dur(first_due)}.",
    )
    times = [u.t for u in updates] + ([end] if end > updates[-1].t else [])
    expected = max(1, math.ceil((end - updates[0].t) / every))
    missed_total = 0
    for a, b in zip(times, times[1:], strict=False):
        gap = b - a
        if gap > every * 1.1:
            missed = max(1, math.ceil(gap / every) - 1)
            missed_total += missed
            share = 0.5 * min(1.0, missed / expected)
            g.lose(
                share,
                f"No update between {fmt_t(a)} and {fmt_t(b)} ({fmt_dur(gap)}); "
                f"a {sev} needs an update every {fmt_dur(every)} until resolved.",
            )
    if resolved and not any(str(u.data.get("state", "")).lower() == "resolved" for u in updates):
        g.lose(
            0.1,
            f"The incident was resolved at {fmt_t(resolved.t)} but no final status "
            "update told users it was over.",
        )
    if missed_total:
        g.happened += f"; {missed_total} scheduled update(s) missed"
    return g
