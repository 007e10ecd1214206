"""A backtest's figures, its printed summary and its JSON document."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from gameday.backtest.evaluate import AlertEpisode
from gameday.backtest.run import BacktestResult
from gameday.durations import format_duration
from gameday.timeparse import rfc3339


def alert_name(labels: dict[str, str]) -> str:
    """``Name{k="v", ...}`` with the other labels sorted."""
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "alertname")
    return labels.get("alertname", "") + ("{" + rest + "}" if rest else "")


def ordered(episodes: list[AlertEpisode]) -> list[AlertEpisode]:
    return sorted(episodes, key=lambda e: (e.active_at, e.rule, e.key))


def to_json(result: BacktestResult) -> dict[str, Any]:
    """The ``--json`` document: alerts, notifications and pages, times RFC 3339 UTC."""
    return {
        "alerts": [
            {
                "labels": dict(sorted(e.labels.items())),
                "annotations": dict(sorted(e.annotations.items())),
                "active_at": rfc3339(e.active_at),
                "firing_at": rfc3339(e.firing_at),
                "resolved_at": rfc3339(e.resolved_at),
            }
            for e in ordered(result.episodes)
        ],
        "notifications": [{**n, "time": rfc3339(n["time"])} for n in result.notifications],
        "pages": [{**p, "time": rfc3339(p["time"])} for p in result.pages],
    }


def flapping(result: BacktestResult, more_than: int) -> list[tuple[str, int]]:
    """Alerts (label sets) that fired and resolved more than ``more_than`` times."""
    counts = Counter(
        alert_name(e.labels)
        for e in result.episodes
        if e.firing_at is not None and e.resolved_at is not None
    )
    return sorted((k, n) for k, n in counts.items() if n > more_than)


def never_fired(result: BacktestResult) -> list[str]:
    """Alerting rules that did not fire once in the window."""
    fired = {e.rule for e in result.episodes if e.firing_at is not None}
    names = [r.name for g in result.groups for r in g.rules if r.is_alert]
    return sorted(set(names) - fired)


def busiest_shift(result: BacktestResult, zone: str) -> tuple[str, str, int] | None:
    """(person, shift, pages) of the 12-hour shift (local 00-12 or 12-24) with most pages."""
    tz = ZoneInfo(zone)
    shifts: dict[tuple[str, str], int] = defaultdict(int)
    for p in result.pages:
        local = datetime.fromtimestamp(p["time"] / 1000, tz=UTC).astimezone(tz)
        half = "00:00-12:00" if local.hour < 12 else "12:00-24:00"
        shifts[(p["name"], f"{local:%Y-%m-%d} {half}")] += 1
    if not shifts:
        return None
    (person, shift), n = max(
        sorted(shifts.items(), key=lambda kv: (kv[0][1], kv[0][0])), key=lambda kv: kv[1]
    )
    return person, shift, n


def time_to_first_page(result: BacktestResult) -> dict[tuple[str, int], int | None]:
    """For each alert that fired: ms from active to the first page naming it (None: none)."""
    out: dict[tuple[str, int], int | None] = {}
    for e in result.episodes:
        if e.firing_at is None:
            continue
        first = None
        for p in result.pages:
            if p["time"] >= e.active_at and any(a == e.labels for a in p["alerts"]):
                first = p["time"] - e.active_at
                break
        out[(alert_name(e.labels), e.active_at)] = first
    return out


def render(result: BacktestResult, zone: str = "UTC", flap_threshold: int = 3) -> list[str]:
    """The printed summary, one string per line."""
    lines = []
    rules = sum(len(g.rules) for g in result.groups)
    lines.append(
        f"backtest {rfc3339(result.start_ms)} .. {rfc3339(result.end_ms)}: "
        f"{len(result.groups)} groups, {rules} rules, {result.evaluations} group evaluations, "
        f"{result.series} series ({result.samples} samples)"
    )
    eps = ordered(result.episodes)
    fired = [e for e in eps if e.firing_at is not None]
    lines.append("")
    lines.append(f"alerts: {len(fired)} fired, {len(eps) - len(fired)} pending only")
    for e in eps:
        lines.append(f"  {alert_name(e.labels)}")
        parts = [f"pending {rfc3339(e.active_at)}"]
        if e.firing_at is not None:
            parts.append(f"firing {rfc3339(e.firing_at)}")
            end = e.resolved_at if e.resolved_at is not None else result.end_ms
            parts.append(
                f"resolved {rfc3339(e.resolved_at)}"
                if e.resolved_at is not None
                else "still firing at the end"
            )
            parts.append(f"({format_duration((end - e.firing_at) / 1000)} firing)")
        else:
            parts.append(
                f"cleared {rfc3339(e.resolved_at)} before firing"
                if e.resolved_at is not None
                else "still pending at the end"
            )
        lines.append("    " + "  ".join(parts))
    lines.append("")
    if not result.routed:
        lines.append("notifications: no --alertmanager given")
    else:
        per: dict[str, Counter[str]] = defaultdict(Counter)
        for n in result.notifications:
            per[n["receiver"]][n["status"]] += 1
        lines.append(f"notifications: {len(result.notifications)}")
        for receiver in sorted(per):
            c = per[receiver]
            lines.append(f"  {receiver:28} firing {c['firing']:>4}  resolved {c['resolved']:>4}")
    lines.append("")
    if not result.paged:
        lines.append("pages: no --oncall given")
    else:
        people: dict[str, Counter[str]] = defaultdict(Counter)
        for p in result.pages:
            people[p["name"]]["pages"] += 1
            people[p["name"]]["night"] += int(p["night"])
        incidents = len({p["incident"] for p in result.pages})
        noun = "incident" if incidents == 1 else "incidents"
        lines.append(f"pages: {len(result.pages)} ({incidents} {noun})")
        for person in sorted(people):
            c = people[person]
            lines.append(f"  {person:28} pages {c['pages']:>4}  at night {c['night']:>4}")
        busiest = busiest_shift(result, zone)
        if busiest:
            lines.append(
                f"  busiest shift: {busiest[0]}, {busiest[1]} ({zone}), {busiest[2]} pages"
            )
    lines.append("")
    flaps = flapping(result, flap_threshold)
    lines.append(
        f"flapping (fired and resolved more than {flap_threshold} times): "
        + (", ".join(f"{k} x{n}" for k, n in flaps) if flaps else "none")
    )
    quiet = never_fired(result)
    lines.append("never fired: " + (", ".join(quiet) if quiet else "none"))
    for rule, (count, first) in sorted(result.errors.items()):
        lines.append(f"rule {rule} failed at {count} evaluations: {first}")
    return lines
