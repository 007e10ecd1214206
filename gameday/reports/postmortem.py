"""The postmortem draft: a blameless review in the usual shape, from ``result.json``.

Summary, impact (with the run's numbers), a timeline of key events, the root cause and
contributing factors from the scenario's truth, what went well and what went wrong from
the scorecard, and action items with an owner role, a priority and a due date counted
from the scenario's start date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from gameday.reports import exercise
from gameday.scoring.evidence import fmt_dur, fmt_t
from gameday.textsafe import visible_data

DUE_DAYS = {"P1": 7, "P2": 14, "P3": 30}

# dimension -> (action, owner role, priority) when that dimension did not pass
_FOLLOW_UPS: dict[str, tuple[str, str, str]] = {
    "detection": (
        "Tune the alert rules so that a page-worthy alert fires within the "
        "detection target of user impact",
        "SRE (alert rules owner)",
        "P1",
    ),
    "acknowledgement": (
        "Route critical alerts to a pager and check that the escalation "
        "policy can meet the acknowledgement target",
        "On-call lead",
        "P1",
    ),
    "triage": (
        "Practise declaring severity and naming an incident commander at the first acknowledgement",
        "Incident commander rotation",
        "P2",
    ),
    "diagnosis": (
        "Walk the on-call rotation through the runbook's assessment and diagnosis steps",
        "Runbook owner",
        "P2",
    ),
    "mitigation": (
        "Make the mitigation for this failure a tested runbook step",
        "{service} team",
        "P1",
    ),
    "communication": (
        "Set a status-page reminder at the update cadence for each severity",
        "Communications lead",
        "P2",
    ),
    "escalation": (
        "State the escalation point and whom to call in the runbook",
        "On-call lead",
        "P2",
    ),
    "resolution": (
        "Add a verification step (two clean scrapes) before resolving incidents",
        "Incident commander rotation",
        "P2",
    ),
    "impact": (
        "Review the error budget policy and release freeze after this incident",
        "{service} service owner",
        "P2",
    ),
    "adherence": (
        "Review the runbook with the responders: keep the steps that helped, fix "
        "or remove the rest",
        "Runbook owner",
        "P3",
    ),
    "injects": (
        "Agree who answers stakeholders' questions during an incident (an ETA, the "
        "customer impact) and how soon, and practise it in the next game day",
        "Communications lead",
        "P3",
    ),
}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _start_date(result: dict[str, Any]) -> date:
    return datetime.fromisoformat(result["scenario"]["start_time"]).date()


def action_items(result: dict[str, Any]) -> list[dict[str, str]]:
    """Action items: one per contributing factor, one per dimension that did not pass."""
    scn = result["scenario"]
    service = scn["faults"][0]["service"] if scn.get("faults") else scn.get("entry_service", "")
    start = _start_date(result)
    items: list[tuple[str, str, str]] = []
    if scn.get("trigger"):
        items.append(
            (
                f"Prevent the trigger from recurring: {_lower_first(scn['trigger'])}",
                f"{service} team",
                "P1",
            )
        )
    for i, factor in enumerate(scn.get("contributing_factors", [])):
        items.append(
            (
                f"Remove a contributing factor: {_lower_first(factor)}",
                f"{service} team",
                "P1" if i == 0 else "P2",
            )
        )
    for dim in result["scorecard"]["dimensions"]:
        if not dim["passed"] and dim["key"] in _FOLLOW_UPS:
            action, owner, prio = _FOLLOW_UPS[dim["key"]]
            items.append((action, owner.format(service=service), prio))
    return [
        {
            "action": a,
            "owner": o,
            "priority": p,
            "due": (start + timedelta(days=DUE_DAYS[p])).isoformat(),
        }
        for a, o, p in items
    ]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def _clock(result: dict[str, Any], t: float | None) -> str:
    if t is None:
        return "never"
    start = datetime.fromisoformat(result["scenario"]["start_time"])
    return (start + timedelta(seconds=round(t))).strftime("%H:%M") + f" UTC ({fmt_t(t)})"


def summary_text(result: dict[str, Any]) -> str:
    """One paragraph: when, how bad, why, and how fast it was detected and mitigated."""
    scn, card, m = result["scenario"], result["scorecard"], result["metrics"]
    kt = card["key_times"]
    start, fixed = kt.get("fault_start"), kt.get("mitigated")
    day = _start_date(result).strftime("%d %B %Y").lstrip("0")
    if scn.get("recorded"):
        return _recorded_summary(result, day)
    if start is None:
        return f"No fault started during this run of {scn['title']} on {day}."
    until = _clock(result, fixed) if fixed is not None else "the end of the exercise"
    text = (
        f"From {_clock(result, start)} until {until} on {day}, "
        f"{scn['entry_service']} failed {m['failed_requests']:,.0f} requests "
        f"(peak 5xx ratio {m['peak_error_ratio']:.1%}). {scn['root_cause']}"
    )
    parts = []
    if kt.get("detected") is not None:
        parts.append(f"detected after {fmt_dur(kt['detected'] - start)}")
    if kt.get("acknowledged") is not None and kt.get("paged") is not None:
        parts.append(f"acknowledged {fmt_dur(kt['acknowledged'] - kt['paged'])} after the page")
    parts.append(
        f"mitigated after {fmt_dur(fixed - start)}" if fixed is not None else "never mitigated"
    )
    return text.rstrip() + " The incident was " + ", ".join(parts) + "."


def _recorded_summary(result: dict[str, Any], day: str) -> str:
    """An imported incident: what was replayed, and when the team met each milestone."""
    scn, kt = result["scenario"], result["scorecard"]["key_times"]
    rec = scn["recorded"]
    text = (
        f"A tabletop replay of the incident recorded on {day} from "
        f"{_clock(result, 0.0)} for {fmt_dur(rec['duration_s'])} ({rec['source']}). "
        f"{scn['root_cause']}"
    )
    parts = []
    if kt.get("detected") is not None:
        parts.append(f"the team's rules fired at {fmt_t(kt['detected'])}")
    if kt.get("acknowledged") is not None:
        parts.append(f"the page was acknowledged at {fmt_t(kt['acknowledged'])}")
    if kt.get("resolved") is not None:
        parts.append(f"the team resolved it at {fmt_t(kt['resolved'])}")
    if not parts:
        return text
    return text.rstrip() + " In the replay " + ", ".join(parts) + "."


def _ghost(result: dict[str, Any]) -> list[str]:
    """The team's milestones beside the real responders' (an imported incident's ghost)."""
    ghost = result.get("ghost")
    if not ghost:
        return []
    from gameday.imported.ghost import difference

    def at(t: float | None) -> str:
        return "-" if t is None else fmt_t(t)

    rows = []
    for m in ghost["milestones"]:
        who = f" ({m['ghost_who']})" if m.get("ghost_who") else ""
        rows.append(
            [m["title"], at(m["team"]), at(m["ghost"]) + who, difference(m["team"], m["ghost"])]
        )
    lines = [
        "## The team and the real responders",
        "",
        "The real incident's timeline played as a ghost; times count from the start of the "
        "recorded window. The team's mitigation is when it said a fix was in "
        "(`status monitoring`, `status resolved` or `resolve`).",
        "",
    ]
    lines += _table(["Milestone", "Team", "Real team (ghost)", "Difference"], rows)
    lines += ["### The real responders' timeline", ""]
    lines += _table(
        ["Time (UTC)", "Sim time", "Who", "What"],
        [
            [_clock(result, g["t"]).split(" ")[0], fmt_t(g["t"]), g["who"], g["what"]]
            for g in ghost["timeline"]
        ],
    )
    return lines


def _changes(card: dict[str, Any]) -> list[str]:
    """What each change did, by counterfactual (the run re-played without it)."""
    actions = card.get("actions") or []
    if not actions:
        return []
    lines = [
        "## What each change did",
        "",
        "Each change was judged by re-running the session without it and comparing the "
        "entry service's failed requests from the change to the end.",
        "",
    ]
    lines += _table(
        ["At", "Change", "Verdict", "Failed with", "Failed without"],
        [
            [
                fmt_t(a["t"]),
                f"`{a['command']}`",
                a["label"] + (" (red herring)" if a.get("red_herring") else ""),
                f"{a['failed_with']:,.0f}",
                f"{a['failed_without']:,.0f}",
            ]
            for a in actions
        ],
    )
    return lines + [f"- {a['sentence']}" for a in actions] + [""]


def _findings(card: dict[str, Any]) -> list[str]:
    """Findings about the team's configuration (not counted in the responders' score)."""
    found = card.get("findings") or []
    if not found:
        return []
    return [
        "## Findings about the configuration",
        "",
        "These come from the alert rules and routing, not from the responders; they cost "
        "the responders no points.",
        "",
        *[f"- {f}" for f in found],
        "",
    ]


def render_markdown(result: dict[str, Any]) -> str:
    """The postmortem draft as Markdown (control characters shown escaped)."""
    result = visible_data(result)
    scn, card, m = result["scenario"], result["scorecard"], result["metrics"]
    verdict = "PASSED" if result["passed"] else "FAILED"
    lines = [f"# Postmortem: {scn['title']}", ""]
    lines += _table(
        ["", ""],
        [
            ["Date", _start_date(result).isoformat()],
            ["Severity", scn["severity"]],
            ["Status", "DRAFT (generated from a gameday exercise)"],
            ["Scenario", f"{scn['id']}, seed {result['seed']}, responder {result['responder']}"],
            ["Score", f"{result['score']:.1f} / 100 (pass at {result['pass_score']:g}): {verdict}"],
        ],
    )
    lines += ["## Summary", "", summary_text(result), ""]
    lines += _ghost(result)
    share = m["failed_requests"] / m["total_requests"] if m["total_requests"] else 0.0
    if scn.get("recorded"):
        lines += [
            "## Impact",
            "",
            "- The metrics were recorded, not simulated: read the impact from them "
            "(the replay counts no requests of its own).",
        ]
    else:
        lines += [
            "## Impact",
            "",
            f"- Failed requests: {m['failed_requests']:,.0f} of {m['total_requests']:,.0f} "
            f"({share:.2%})",
            f"- Peak 5xx ratio: {m['peak_error_ratio']:.1%}",
            f"- Error budget consumed: {m['budget_consumed_pct']:.1f}% of the 30-day budget "
            f"({m['budget_requests']:,.0f} failed requests at {m['mean_rps']:,.0f} req/s, "
            f"SLO {m['slo']:.3%})",
        ]
    if scn.get("impact"):
        lines.append(f"- Users: {scn['impact']}")
    lines += ["", "## Timeline", ""]
    lines += _table(
        ["Time (UTC)", "Sim time", "Event"],
        [[e["clock"], e["at"], e["text"]] for e in result["timeline"]],
    )
    lines += ["## Root cause", "", scn["root_cause"], ""]
    if scn.get("trigger"):
        lines += [f"Trigger: {scn['trigger']}", ""]
    if scn.get("contributing_factors"):
        lines += ["## Contributing factors", ""]
        lines += [f"{i}. {f}" for i, f in enumerate(scn["contributing_factors"], 1)] + [""]
    dims = card["dimensions"]
    good = [f"- {d['title']}: {d['happened']}." for d in dims if not d["evidence"]]
    bad = [f"- {d['title']}: {e}" for d in dims for e in d["evidence"]]
    bad += [
        f'- Hint at {fmt_t(h["t"])}: "{h["question"]}" (-{h["cost"]:g} points)'
        for h in card.get("hints", [])
    ]
    lines += _changes(card) + _findings(card) + exercise.markdown_lines(result, _table)
    lines += ["## What went well", ""] + (good or ["- Nothing met its target in full."]) + [""]
    lines += ["## What went wrong", ""] + (bad or ["- Nothing: every target was met."]) + [""]
    lines += ["## Scorecard", ""]
    lines += _table(
        ["Dimension", "Target", "What happened", "Points"],
        [
            [d["title"], d["target"], d["happened"], f"{d['points']:.1f} / {d['max_points']:.1f}"]
            for d in dims
        ],
    )
    if card.get("hint_penalty"):
        lines += [f"Hints: -{card['hint_penalty']:g} points.", ""]
    lines += ["## Action items", ""]
    lines += _table(
        ["Action", "Owner", "Priority", "Due"],
        [[a["action"], a["owner"], a["priority"], a["due"]] for a in result["action_items"]],
    )
    return "\n".join(lines).rstrip("\n") + "\n"
