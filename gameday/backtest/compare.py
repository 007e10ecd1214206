"""``--compare``: B beside A on the same recorded data, and what changed.

An alert of B *matches* one of A when both have the same labels and their active spans
overlap; fired alerts of B without a match in A were gained, those of A without a match
in B were lost. Each incident (a fired alert of A or B, matched ones counted once) starts
when the first of the two went pending; its time to first page is from then to the
first page that names the alert in each run (incidents that paged in neither are
counted, not listed).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from gameday.backtest.evaluate import AlertEpisode
from gameday.backtest.run import BacktestResult
from gameday.backtest.summary import alert_name, ordered, to_json
from gameday.durations import format_duration
from gameday.timeparse import rfc3339


def _end(e: AlertEpisode, result: BacktestResult) -> int:
    return e.resolved_at if e.resolved_at is not None else result.end_ms + 1


def _fired(result: BacktestResult) -> list[AlertEpisode]:
    return [e for e in ordered(result.episodes) if e.firing_at is not None]


def _match(
    e: AlertEpisode, ra: BacktestResult, others: list[AlertEpisode], rb: BacktestResult
) -> AlertEpisode | None:
    for o in others:
        if o.labels == e.labels and o.active_at < _end(e, ra) and e.active_at < _end(o, rb):
            return o
    return None


def _first_page(result: BacktestResult, labels: dict[str, str], start: int) -> int | None:
    for p in result.pages:
        if p["time"] >= start and labels in p["alerts"]:
            return int(p["time"] - start)
    return None


def changes(a: BacktestResult, b: BacktestResult) -> dict[str, Any]:
    """Gained and lost alerts, pages per person in A and B, time to first page."""
    fa, fb = _fired(a), _fired(b)
    gained = [e for e in fb if _match(e, b, fa, a) is None]
    lost = [e for e in fa if _match(e, a, fb, b) is None]
    incidents = []
    for e in fa:
        o = _match(e, a, fb, b)
        start = min(e.active_at, o.active_at) if o is not None else e.active_at
        incidents.append((e.labels, start))
    incidents += [(e.labels, e.active_at) for e in gained]
    incidents.sort(key=lambda x: (x[1], alert_name(x[0])))
    timed = [
        (labels, start, _first_page(a, labels, start), _first_page(b, labels, start))
        for labels, start in incidents
    ]
    per_a = Counter(p["name"] for p in a.pages)
    per_b = Counter(p["name"] for p in b.pages)
    return {
        "gained": [_brief(e) for e in gained],
        "lost": [_brief(e) for e in lost],
        "pages": {"a": len(a.pages), "b": len(b.pages)},
        "pages_per_person": {
            person: {"a": per_a.get(person, 0), "b": per_b.get(person, 0)}
            for person in sorted(set(per_a) | set(per_b))
        },
        "time_to_first_page": [
            {
                "alert": alert_name(labels),
                "start": rfc3339(start),
                "a_seconds": _secs(pa),
                "b_seconds": _secs(pb),
            }
            for labels, start, pa, pb in timed
            if pa is not None or pb is not None
        ],
        "paged_in_neither": sum(1 for _, _, pa, pb in timed if pa is None and pb is None),
    }


def _secs(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def _brief(e: AlertEpisode) -> dict[str, Any]:
    return {
        "alert": alert_name(e.labels),
        "active_at": rfc3339(e.active_at),
        "firing_at": rfc3339(e.firing_at),
        "resolved_at": rfc3339(e.resolved_at),
    }


def to_json_pair(a: BacktestResult, b: BacktestResult) -> dict[str, Any]:
    """``{"a": ..., "b": ..., "changes": ...}``; a and b in the single-run shape."""
    return {"a": to_json(a), "b": to_json(b), "changes": changes(a, b)}


def _dur(seconds: float | None) -> str:
    return "no page" if seconds is None else format_duration(seconds)


def render(a: BacktestResult, b: BacktestResult) -> list[str]:
    """What changed from A to B, one string per line."""
    ch = changes(a, b)
    fa, fb = len(_fired(a)), len(_fired(b))
    lines = [
        f"compare {rfc3339(a.start_ms)} .. {rfc3339(a.end_ms)}: "
        f"A fired {fa} alerts, B fired {fb}; pages A {ch['pages']['a']}, B {ch['pages']['b']}",
        "",
        f"gained in B: {len(ch['gained'])}",
    ]
    for e in ch["gained"]:
        lines.append(f"  + {e['alert']}  firing {e['firing_at']}")
    lines.append(f"lost in B: {len(ch['lost'])}")
    for e in ch["lost"]:
        lines.append(f"  - {e['alert']}  firing {e['firing_at']}")
    lines.append("")
    lines.append("pages per person:          A     B   B-A")
    for person, n in ch["pages_per_person"].items():
        lines.append(f"  {person:22} {n['a']:>4}  {n['b']:>4}  {n['b'] - n['a']:>+4}")
    lines.append("")
    if not (a.paged or b.paged):
        lines.append("time to first page: no --oncall given")
        return lines
    lines.append(
        "time to first page (from the first pending; "
        f"{ch['paged_in_neither']} fired alerts paged in neither):"
    )
    for inc in ch["time_to_first_page"]:
        sa, sb = inc["a_seconds"], inc["b_seconds"]
        delta = ""
        if sa is not None and sb is not None and sa != sb:
            sign = "-" if sb < sa else "+"
            delta = f"  ({sign}{format_duration(abs(sb - sa))})"
        lines.append(f"  {inc['alert']}  {inc['start']}")
        lines.append(f"    A {_dur(sa)}  B {_dur(sb)}{delta}")
    return lines
