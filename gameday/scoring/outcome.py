"""Grading the technical work and its outcome: diagnosis, mitigation, resolution,
impact on the error budget and runbook adherence.
"""

from __future__ import annotations

from typing import Any

from gameday.runbooks import Runbook, Section, Step, checkable, commands_match
from gameday.scoring.evidence import Grade, fmt_dur, fmt_t, lateness_share
from gameday.scoring.looks import LOOK_KINDS, done_by, servers_of
from gameday.scoring.response import Context
from gameday.session.events import Event

_SKIPPED_KINDS = ("escalation", "postincident", "overview")


def _earlier(a: Event, b: Event) -> bool:
    return (a.t, a.seq) < (b.t, b.seq)


def _label(rb: Runbook, sec: Section, step: Step) -> str:
    what = [step.commands[0]] if step.commands else list(step.verbs)
    return f"{sec.name} step {step.number} of {rb.slug} ({', '.join(f'`{w}`' for w in what)})"


def _looks_first(rb: Runbook) -> list[tuple[Section, Step]]:
    """The assessment and diagnosis steps (with commands) the runbook places before its
    first mitigation section: the runbook's own order says what to do before acting, so
    a "roll back, then investigate" runbook asks for its diagnosis afterwards."""
    out: list[tuple[Section, Step]] = []
    for sec in rb.sections:
        if sec.kind == "mitigation" and sec.steps:
            break
        if sec.kind in LOOK_KINDS:
            out += [(sec, st) for st in sec.steps if st.commands]
    return out


def _mitigates_first(rb: Runbook) -> bool:
    """True if a diagnosis section with commands comes after the first mitigation."""
    kinds = [sec.kind for sec in rb.sections if any(st.commands for st in sec.steps)]
    return "mitigation" in kinds and any(
        k in LOOK_KINDS for k in kinds[kinds.index("mitigation") :]
    )


def diagnosis(c: Context) -> Grade:
    """Runbook quick-assessment and diagnosis steps done before the first mitigation, as
    far as the runbook's section order puts them before its mitigation."""
    s = c.stream
    first_fix = s.first_mitigating_action()
    # by order, not time: a paused tabletop runs its whole diagnosis in the same second
    before = [a for a in s.actions() if first_fix is None or _earlier(a, first_fix)]
    steps = [(rb, sec, st) for rb in c.runbooks for sec, st in _looks_first(rb)]
    when = f"the first mitigation at {fmt_t(first_fix.t)}" if first_fix else "the end"
    if not steps and any(_mitigates_first(rb) for rb in c.runbooks):
        g = Grade("the runbook's order: it mitigates before it diagnoses", "")
        g.happened = "the runbook asks for no diagnosis before its mitigation"
        return g
    if not steps:
        g = Grade("at least two diagnostic commands before mitigating (no runbook steps)", "")
        looks = [
            a
            for a in before
            if a.data.get("ok", True)
            and not a.data.get("changed")
            and a.data.get("kind")
            not in ("ack", "sev", "assign", "status", "escalate", "resolve", "silence", "unknown")
        ]
        g.happened = f"{len(looks)} diagnostic command(s) before {when}"
        if len(looks) < 2:
            g.lose(
                0.5 * (2 - len(looks)),
                f"Only {len(looks)} diagnostic command(s) ran "
                f"before {when}; look before you act, at least twice.",
            )
        return g
    g = Grade(f"the runbook's {len(steps)} assessment and diagnosis step(s) before mitigating", "")
    done = 0
    servers = servers_of(c.scenario)
    observed: list[str] = []  # steps done by one's own command, not the runbook's text
    for rb, sec, st in steps:
        hit = done_by(st, before, servers, look=True)
        if hit is not None:
            done += 1
            if done_by(st, before, servers) is None:
                observed.append(f"{sec.name} step {st.number} by `{hit.data.get('command')}`")
        else:
            g.lose(
                1.0 / len(steps),
                f"{_label(rb, sec, st)} was not run before {when}; the "
                "runbook checks this before acting.",
            )
    g.happened = f"{done} of {len(steps)} step(s) done before {when}"
    if observed:
        g.happened += (
            f" ({'; '.join(observed)}, which observed what the runbook's command observes)"
        )
    g.measured = done / len(steps)
    return g


def _fault_story(c: Context) -> list[tuple[str, float, float | None, Event | None]]:
    """``(fault, start, relieved for good at, fault.end)`` of every scored fault."""
    ends: dict[str, Event] = {}
    for e in c.stream.of("fault.end"):
        ends.setdefault(str(e.data.get("fault")), e)
    out = []
    for e in c.stream.of("fault.start"):
        fid = str(e.data.get("fault"))
        out.append((fid, e.t, c.stream.relieved_at(fid), ends.get(fid)))
    return out


def _time_share(ttm: float, mitigate: float, resolve: float) -> float:
    if ttm <= mitigate:
        return 0.0
    if ttm <= resolve:
        return 0.5 * (ttm - mitigate) / max(resolve - mitigate, 1.0)
    return min(1.0, 0.5 + 0.5 * (ttm - resolve) / max(resolve, 1.0))


def mitigation(c: Context) -> Grade:
    """Time until the world stopped carrying each fault; changes that did nothing or harm.

    What a change did comes from its counterfactual (the run without it); a red herring
    of the scenario's truth adds its why to the sentence but costs nothing by itself.
    """
    t, sev = c.targets.table, c.targets.severity
    mit, res = t.mitigate or t.resolve, t.resolve or t.mitigate
    g = Grade(
        f"each fault relieved within {fmt_dur(mit or 0)} (MTTR budget "
        f"{fmt_dur(res or 0)}, {sev}); no change without effect",
        "",
    )
    faults = _fault_story(c)
    happened = []
    for fid, start, relieved, end in faults:
        if relieved is not None:
            ttm = relieved - start
            happened.append(f"{fid} relieved at {fmt_t(relieved)} after {fmt_dur(ttm)}")
            g.measured = ttm if g.measured is None else max(g.measured, ttm)
            if mit and res:
                g.lose(
                    0.7 / len(faults) * _time_share(ttm, mit, res),
                    f"Fault {fid} began at {fmt_t(start)} and the world stopped carrying "
                    f"it at {fmt_t(relieved)}, {fmt_dur(ttm)} later; the {sev} target is "
                    f"{fmt_dur(mit)} (MTTR budget {fmt_dur(res)}).",
                )
        else:
            how = (
                f"expired on its own at {fmt_t(end.t)}"
                if end is not None
                else f"was still carried at the end, {fmt_t(c.stream.end)}"
            )
            happened.append(f"{fid} never mitigated")
            g.lose(
                1.0 / len(faults),
                f"Fault {fid} began at {fmt_t(start)} and was never "
                f"mitigated: it {how}; the {sev} target is {fmt_dur(mit or 0)}.",
            )
    if not faults:
        happened.append("no fault started")
    spent = 0.0
    for v in c.stream.verdicts or []:
        if v.label not in ("no effect", "harmful"):
            continue
        harmful = v.label == "harmful"
        share = min(0.15 if harmful else 0.1, max(0.0, 0.3 - spent))
        spent += share
        g.lose(
            share,
            f"{action_sentence(v, c.scenario)} Every change during an incident should "
            "follow from the diagnosis.",
        )
    if c.stream.verdicts is None:
        happened.append("what each change did was not judged (no counterfactuals)")
    g.happened = "; ".join(happened)
    return g


def herring_why(command: str, scenario: Any) -> str | None:
    """The truth's explanation when ``command`` is one of its red herrings."""
    for h in scenario.truth.red_herrings:
        if commands_match(h.command, command, lenient=True):
            return h.why or "it does not touch the cause"
    return None


def action_sentence(v: Any, scenario: Any) -> str:
    """What one change did, with the counterfactual's figures as evidence."""
    label = {"no effect": "had no effect", "harmful": "made things worse"}.get(
        v.label, "mitigated the incident" if v.label == "mitigated" else "helped only for a while"
    )
    rec_with = fmt_t(v.recovered_with) if v.recovered_with is not None else "never"
    rec_without = fmt_t(v.recovered_without) if v.recovered_without is not None else "never"
    text = (
        f"`{v.command}` at {fmt_t(v.t)} {label}: from then to the end "
        f"{v.failed_with:,.0f} of {v.requests:,.0f} requests failed with it and "
        f"{v.failed_without:,.0f} would have failed without it; the service recovered "
        f"{'at ' if v.recovered_with is not None else ''}{rec_with} with it and "
        f"{'at ' if v.recovered_without is not None else ''}{rec_without} without it."
    )
    why = herring_why(v.command, scenario)
    if why and v.label != "mitigated":
        text += f" A red herring: {why}."
    return text


def resolution(c: Context) -> Grade:
    """Resolved, and only after the 5xx ratio was back under the SLO for two scrapes."""
    s, m = c.stream, c.metrics
    thr = 1.0 - c.targets.slo
    g = Grade(f"resolved only after the 5xx ratio stayed under {thr:.2%} for two scrapes", "")
    resolved = s.first("incident.resolved")
    mitigated = s.mitigated_at()
    recovered = m.recovered_at(thr)
    rec = f"; the service recovered at {fmt_t(recovered)}" if recovered is not None else ""
    if resolved is None:
        g.happened = "never resolved" + rec
        g.lose(
            1.0,
            f"The incident was never resolved by the end at {fmt_t(s.end)}{rec}; "
            "someone has to verify recovery and close it.",
        )
        return g
    g.measured = resolved.t
    g.happened = f"resolved at {fmt_t(resolved.t)}"
    if m.points:
        verified = m.healthy_before(resolved.t, thr) and (
            mitigated is not None and mitigated <= resolved.t
        )
        last = [p for p in m.points if p.t <= resolved.t][-1:]
        ratio = f"{last[0].error_ratio:.2%}" if last else "unknown"
    else:
        verified, ratio = mitigated is not None and mitigated <= resolved.t, "unknown"
    if not verified:
        g.lose(
            0.8,
            f"The incident was resolved at {fmt_t(resolved.t)} while the 5xx ratio "
            f"was {ratio}, before two scrapes under {thr:.2%}{rec}; verify recovery "
            "before resolving.",
        )
    else:
        g.happened += f" after recovery{rec}"
    return g


def impact(c: Context) -> Grade:
    """Failed requests and the share of the 30-day error budget they consumed."""
    m, slo = c.metrics, c.targets.slo
    target = c.targets.table.budget_pct
    pct = m.budget_consumed_pct(slo)
    g = Grade(f"at most {target:g}% of the 30-day error budget (SLO {slo:.3%})", "", [], pct)
    share_failed = m.failed_requests / m.total_requests if m.total_requests else 0.0
    g.happened = (
        f"{m.failed_requests:,.0f} of {m.total_requests:,.0f} requests failed "
        f"({share_failed:.2%}); {pct:.1f}% of the 30-day budget of "
        f"{m.budget_requests(slo):,.0f} failed requests was consumed"
    )
    g.lose(
        lateness_share(pct, target, 4 * target),
        f"The incident consumed {pct:.1f}% of the 30-day error budget "
        f"({m.failed_requests:,.0f} failed requests, peak 5xx ratio "
        f"{m.peak_error_ratio():.1%}); the target is at most {target:g}%, and every "
        "minute to mitigation adds to it.",
    )
    return g


def adherence(c: Context) -> Grade:
    """Share of the runbook's steps done, incident-verb steps ("acknowledge the page and
    declare the incident") included; the mitigation section's commands count once."""
    actions = c.stream.actions()
    if not c.runbooks:
        g = Grade("follow the runbook linked from the alert", "no runbook covers this incident")
        g.lose(
            0.5,
            "No runbook covers the alerts that fired, so the responders had nothing "
            "to follow; write one and link it from the alert's runbook_url.",
        )
        return g
    units: list[tuple[str, list[tuple[Step, bool]]]] = []  # (label, [(step, look)])
    for rb in c.runbooks:
        fixes = [(st, False) for sec, st in rb.steps if sec.kind == "mitigation" and st.commands]
        for sec, st in rb.steps:
            if sec.kind in _SKIPPED_KINDS or (sec.kind == "mitigation" and st.commands):
                continue
            if checkable(st):  # a command or an incident verb ("acknowledge and declare")
                units.append((_label(rb, sec, st), [(st, sec.kind in LOOK_KINDS)]))
        if fixes:
            units.append((f"any mitigation step of {rb.slug}", fixes))
    names = ", ".join(rb.slug for rb in c.runbooks)
    g = Grade(f"every step of {names} that has a command or an incident verb", "")
    if not units:
        g.happened = "the runbook has no steps with commands or incident verbs"
        return g
    servers = servers_of(c.scenario)
    met = [any(done_by(st, actions, servers, look) for st, look in steps) for _, steps in units]
    done = sum(met)
    for (label, _), ok in zip(units, met, strict=True):
        if not ok:
            g.lose(
                1.0 / len(units),
                f"{label[0].upper()}{label[1:]} was never done; the runbook asks for it.",
            )
    g.measured = done / len(units)
    g.happened = f"{done} of {len(units)} runbook step(s) done ({g.measured:.0%})"
    return g
