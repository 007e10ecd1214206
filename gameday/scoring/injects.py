"""Injects answered: did the team do what each fired inject asked, in time?

An inject's ``expect:`` list (:class:`gameday.scenario.model.Expectation`) says what
answers it: a kind of action (a status update, an escalation, a severity, any command),
optionally whose command line contains a match of a pattern, within a time after the
inject fired. Only injects that fired are graded (a facilitator may never fire some);
each expectation is an equal share of the dimension, and a missed one costs its share
with a sentence saying what was asked, when, and what (if anything) came instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gameday.scenario.model import Expectation, Scenario
from gameday.scoring.evidence import Grade, fmt_dur, fmt_t
from gameday.session.events import Event

# What each expected action is, in words, for the evidence.
ACTION_WORDS = {
    "status": "a status update",
    "note": "a note on the incident timeline",
    "escalate": "an escalation (a page to a person or the next level)",
    "assign": "a role assigned",
    "sev": "a severity declared",
    "ack": "an acknowledgement",
    "resolve": "the incident resolved",
    "silence": "a silence",
    "command": "a command",
}


@dataclass(frozen=True)
class Answer:
    """One expectation of one fired inject, and the action that met it (if any)."""

    inject: str
    title: str
    fired_at: float
    action: str
    matching: str | None
    within: float
    why: str = ""
    answered_at: float | None = None
    command: str | None = None
    actor: str | None = None
    index: int = 0  # which of the inject's expectations

    @property
    def met(self) -> bool:
        return self.answered_at is not None

    @property
    def asked(self) -> str:
        """``a status update matching "(?i)eta" within 10m``."""
        what = ACTION_WORDS.get(self.action, self.action)
        pattern = f' matching "{self.matching}"' if self.matching else ""
        return f"{what}{pattern} within {fmt_dur(self.within)}"

    def sentence(self) -> str:
        """One line for reports: what was asked and how it went."""
        head = f'Inject "{self.title}" at {fmt_t(self.fired_at)} asked for {self.asked}'
        if self.answered_at is not None:
            late = fmt_dur(self.answered_at - self.fired_at)
            when = f"answered at {fmt_t(self.answered_at)} ({late} later)"
            return f"{head}: {when} by {self.actor}: {self.command}"
        return f"{head}: not answered by {fmt_t(self.fired_at + self.within)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (``result.json``'s ``scorecard.injects``)."""
        return {
            "inject": self.inject,
            "title": self.title,
            "fired_at": round(self.fired_at, 3),
            "action": self.action,
            "matching": self.matching,
            "within": self.within,
            "answered": self.met,
            "answered_at": None if self.answered_at is None else round(self.answered_at, 3),
            "command": self.command,
            "actor": self.actor,
        }


def answers(events: Iterable[Event], scenario: Scenario) -> list[Answer]:
    """Every expectation of every inject that fired (its first firing), with its answer."""
    ordered = sorted(events, key=lambda e: (e.t, e.seq))
    fired: dict[str, Event] = {}
    for e in ordered:
        if e.kind == "inject":
            fired.setdefault(str(e.data.get("id")), e)
    actions = [e for e in ordered if e.kind == "action"]
    out: list[Answer] = []
    for inject in scenario.injects:
        start = fired.get(inject.id)
        if start is None:
            continue
        for index, expectation in enumerate(inject.expect):
            hit = _first_answer(actions, start, expectation)
            out.append(
                Answer(
                    inject.id,
                    inject.title,
                    start.t,
                    expectation.action,
                    expectation.matching,
                    float(expectation.within),
                    expectation.why,
                    None if hit is None else hit.t,
                    None if hit is None else str(hit.data.get("command", "")),
                    None if hit is None else str(hit.data.get("actor", "")),
                    index,
                )
            )
    return out


def _first_answer(actions: list[Event], start: Event, want: Expectation) -> Event | None:
    """The first action after ``start`` and within ``want.within`` that answers it."""
    from gameday.goregex import compile_go

    pattern = compile_go(want.matching) if want.matching else None
    deadline = start.t + float(want.within)
    for e in actions:
        if (e.t, e.seq) <= (start.t, start.seq):
            continue
        if e.t > deadline:
            break
        if answers_with(e, want.action) and (
            pattern is None or pattern.search(str(e.data.get("command", "")))
        ):
            return e
    return None


def answers_with(event: Event, action: str) -> bool:
    """Whether ``event`` (an action) is a successful action of the expected kind.

    An incident verb must have changed something (``status`` with no text only shows the
    incident; an ``ack`` with nothing to acknowledge fails).
    """
    d = event.data
    if not d.get("ok"):
        return False
    if action == "command":
        return True
    return str(d.get("kind", "")) == action and bool(d.get("changed"))


def grade(found: list[Answer], any_expected: bool) -> Grade:
    """The "Injects answered" dimension from the answers of the fired injects."""
    g = Grade("each fired inject answered as it asks, in time", "")
    if not found:
        g.happened = (
            "no inject with an expectation fired" if any_expected else "no inject asks for anything"
        )
        return g
    met = [a for a in found if a.met]
    g.happened = f"{len(met)} of {len(found)} answered"
    g.measured = len(met) / len(found)
    for a in found:
        if a.met:
            continue
        why = f" ({a.why})" if a.why else ""
        g.lose(
            1.0 / len(found),
            f'Inject "{a.title}" at {fmt_t(a.fired_at)} asked for {a.asked}{why}; '
            f"none came by {fmt_t(a.fired_at + a.within)}.",
        )
    return g
