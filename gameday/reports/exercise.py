"""How the exercise ran, beside the score: the injects and what answered them, and how the
clock was paused.

Both come from ``result.json`` (``scorecard.injects`` and ``pauses``), so a report
re-rendered by ``gameday report`` shows them too; an older result without them shows
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gameday.scoring.evidence import fmt_dur, fmt_t
from gameday.scoring.pauses import pause_summary
from gameday.session.events import Event


def pauses(events: Iterable[Event]) -> dict[str, Any]:
    """``result.json``'s ``pauses``: how often and how long the clock stood still."""
    summary = pause_summary(events)
    return {
        "pauses": summary.pauses,
        "paused_seconds": round(summary.seconds, 3),
        "actions_while_paused": summary.actions,
        "still_paused": summary.open,
        "sentence": summary.sentence(),
    }


def inject_rows(card: dict[str, Any]) -> list[list[str]]:
    """One row per expectation of a fired inject: inject, fired, asked for, answer."""
    rows = []
    for a in card.get("injects") or []:
        asked = _asked(a)
        if a["answered"]:
            late = fmt_dur(a["answered_at"] - a["fired_at"])
            answer = (
                f"answered at {fmt_t(a['answered_at'])} ({late} later) by {a['actor']}: "
                f"`{a['command']}`"
            )
        else:
            answer = f"MISSED: nothing by {fmt_t(a['fired_at'] + a['within'])}"
        rows.append([a["title"], fmt_t(a["fired_at"]), asked, answer])
    return rows


def _asked(a: dict[str, Any]) -> str:
    from gameday.scoring.injects import ACTION_WORDS

    what = ACTION_WORDS.get(a["action"], a["action"])
    pattern = f' matching "{a["matching"]}"' if a.get("matching") else ""
    return f"{what}{pattern} within {fmt_dur(a['within'])}"


def markdown_lines(result: dict[str, Any], table: Any) -> list[str]:
    """The postmortem's "The exercise" section (``table`` renders a Markdown table)."""
    rows = inject_rows(result["scorecard"])
    clock = (result.get("pauses") or {}).get("sentence")
    if not rows and not clock:
        return []
    lines = ["## The exercise", ""]
    if clock:
        lines += [f"Clock: {clock}", ""]
    if rows:
        met = sum(1 for a in result["scorecard"]["injects"] if a["answered"])
        lines += [f"Injects answered: {met} of {len(rows)}.", ""]
        lines += table(["Inject", "Fired", "Asked for", "Answer"], rows)
    return lines
