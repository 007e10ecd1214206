"""Grading a trainee's answer against the expert's next step and the runbook.

Verdicts, best first: ``same`` (the expert's command, word for word), ``equivalent``
(does the same: flags in another order, another spelling of the resource, the same
runbook step, the same verb and target), ``acceptable`` (another step of the same
runbook section, a read-only diagnostic the runbook lists, an incident duty that is due),
``off-path`` (harmless, but neither the runbook nor the expert would do it now),
``premature`` (a mitigation before the runbook's assessment and diagnosis steps, closing
before mitigation) and ``wrong`` (a red herring from the scenario's truth, an unknown
command, a change nobody asked for, the wrong severity or session). ``skipped`` is no
answer. Every explanation names what the expert did and quotes the runbook's step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gameday.runbooks import Runbook, step_matches
from gameday.scoring.looks import LOOK_KINDS, observes, observes_as
from gameday.shadow.commands import (
    INCIDENT_VERBS,
    StepRef,
    does_same,
    is_change,
    is_read_only,
    normalised,
    runbook_step,
    same_words,
    steps_mentioning,
    target,
    verb,
)
from gameday.tools import known_command
from gameday.tools.catalog import suggestions

CREDIT = {
    "same": 1.0,
    "equivalent": 1.0,
    "acceptable": 0.5,
    "off-path": 0.25,
    "premature": 0.0,
    "wrong": 0.0,
    "skipped": 0.0,
}
VERDICTS = tuple(CREDIT)
_TERMINATE_PID = re.compile(r"pg_(?:terminate|cancel)_backend\s*\(\s*(\d+)\s*\)", re.IGNORECASE)
_WARN_WORDS = {
    "restart": ("restart",),
    "scale": ("scal",),
    "undo": ("roll back", "rollback", "rolling back"),
    "delete": ("delet",),
}


@dataclass(frozen=True)
class Situation:
    """What the grader knows at one decision point.

    Attributes:
        expected: the expert's command as it runs now (placeholders filled).
        written: the expert's command as the solution or journal wrote it.
        why: the expert's reason, if given.
        runbooks: the scenario's runbooks.
        done: commands already performed on this path, in order.
        looked: those of them that succeeded and changed nothing (what was observed).
        servers: the scenario's database servers, ``(name, datname)`` in the world's order.
        required: runbook assessment/diagnosis steps due before any mitigation.
        red_herrings: the scenario truth's red-herring commands.
        severity: the true severity.
        mitigated: whether the incident is mitigated now.
        acked: whether the page has been acknowledged.
        declared: the severity declared so far, if any.
        roles: incident roles assigned so far.
        status_due: whether a status update is due now.
        escalation_due: whether the runbook's escalation deadline has passed.
    """

    expected: str
    written: str
    why: str = ""
    runbooks: list[Runbook] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    looked: list[str] = field(default_factory=list)
    servers: tuple[tuple[str, str], ...] = ()
    required: list[StepRef] = field(default_factory=list)
    red_herrings: list[str] = field(default_factory=list)
    severity: str = ""
    mitigated: bool = False
    acked: bool = False
    declared: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    status_due: bool = False
    escalation_due: bool = False


@dataclass(frozen=True)
class Grade:
    """A verdict, its explanation and the runbook step it quotes."""

    verdict: str
    explanation: str
    runbook: str | None = None

    @property
    def credit(self) -> float:
        """Agreement credit between 0 and 1."""
        return CREDIT[self.verdict]

    @property
    def agrees(self) -> bool:
        """True for ``same`` and ``equivalent``."""
        return self.verdict in ("same", "equivalent")


def _expert(sit: Situation) -> str:
    why = f" ({sit.why.rstrip('.')})" if sit.why else ""
    return f"The expert ran `{sit.expected}`{why}."


def _with_step(text: str, ref: StepRef | None) -> tuple[str, str | None]:
    if ref is None:
        return text, None
    return f"{text} Runbook, {ref.quote()}", ref.quote()


def grade(answer: str | None, sit: Situation) -> Grade:
    """Compare ``answer`` with the expert's next step and the runbook."""
    text = " ".join((answer or "").split())
    books = sit.runbooks
    exp_ref = runbook_step(books, sit.expected) or runbook_step(books, sit.written)
    expert = _expert(sit)
    if not text or text.lower() == "skip":
        return Grade("skipped", *_with_step(f"No answer. {expert}", exp_ref))
    if same_words(text, sit.expected) or same_words(text, sit.written):
        return Grade("same", *_with_step(f"Same as the expert. {expert}", exp_ref))
    if normalised(text) is None:
        return Grade("wrong", f"`{text}` cannot be parsed (an unclosed quote?). {expert}")
    wrong = _wrong_value(text, sit, expert, exp_ref)
    if wrong is not None:
        return wrong
    if does_same(sit.expected, text) or does_same(sit.written, text):
        return Grade(
            "equivalent",
            *_with_step(
                f"Does what the expert's command does (flags in another order or another "
                f"spelling of the same resource). {expert}",
                exp_ref,
            ),
        )
    ans_ref = runbook_step(books, text)
    if exp_ref is not None and ans_ref is not None and ans_ref.step is exp_ref.step:
        return Grade(
            "equivalent", *_with_step(f"The same runbook step as the expert's. {expert}", exp_ref)
        )
    # one's own command for the expert's look; a runbook step of its own is graded as that step
    if ans_ref is None and observes_as(sit.expected, text, sit.servers):
        return Grade(
            "equivalent",
            *_with_step(
                f"Observes everything the expert's command observes, in other words. {expert}",
                exp_ref,
            ),
        )
    if target(text) == target(sit.expected) and not _reads_apart(sit.expected, text, sit):
        what = " ".join(" ".join(t) if isinstance(t, tuple) else t for t in target(text) if t)
        return Grade(
            "equivalent",
            *_with_step(
                f"Same verb and target ({what}); only flags or text differ. {expert}", exp_ref
            ),
        )
    herring = next((h for h in sit.red_herrings if does_same(h, text) or _lenient(h, text)), None)
    if herring is not None:
        warn = next((w for k, w in _WARN_WORDS.items() if k in text.split()), ())
        ref = steps_mentioning(books, *warn) if warn else None
        return Grade(
            "wrong",
            *_with_step(
                f"`{text}` is a red herring here: it looks helpful but does not remove the "
                f"cause. {expert}",
                ref or exp_ref,
            ),
        )
    if verb(text) not in INCIDENT_VERBS and not known_command(text):
        close = suggestions(text)
        hint = f" Did you mean: {' | '.join(close)}?" if close else ""
        return Grade("wrong", f"The simulation does not know `{text}`.{hint} {expert}")
    if verb(text) == "resolve" or target(text) == ("status", "resolved"):
        if not sit.mitigated:
            return Grade("premature", f"Closing before the incident is mitigated. {expert}")
        return Grade(
            "acceptable", f"The incident is mitigated; the expert verifies first. {expert}"
        )
    if is_change(text) or (ans_ref is not None and ans_ref.kind == "mitigation"):
        return _mitigation(text, sit, expert, ans_ref)
    if verb(text) in INCIDENT_VERBS:
        return _incident_verb(text, sit, expert, ans_ref)
    if ans_ref is not None and exp_ref is not None and ans_ref.section is exp_ref.section:
        return Grade(
            "acceptable",
            *_with_step(f"Another step of the runbook's {ans_ref.section.name}. {expert}", ans_ref),
        )
    if ans_ref is not None and ans_ref.kind in ("triage", "diagnosis", "verification"):
        return Grade(
            "acceptable",
            *_with_step(f"A read-only check the runbook lists. {expert}", ans_ref),
        )
    if is_read_only(text):
        return Grade(
            "off-path",
            *_with_step(f"Harmless, but the runbook does not ask for it now. {expert}", exp_ref),
        )
    return Grade("off-path", *_with_step(f"Not what the situation asks for. {expert}", exp_ref))


def _reads_apart(expected: str, text: str, sit: Situation) -> bool:
    """Both commands read the world, and ``text`` does not observe what ``expected`` does
    (``get pods -l app=cart`` for ``get pods -l app=orders``: the same verb and kind)."""
    from gameday.tools.observe import covers, observe

    seen, wanted = observe(text, sit.servers), observe(expected, sit.servers)
    return seen is not None and wanted is not None and not covers(seen, wanted)


def _lenient(herring: str, text: str) -> bool:
    from gameday.runbooks import commands_match

    return commands_match(herring, text, lenient=True)


def _wrong_value(text: str, sit: Situation, expert: str, ref: StepRef | None) -> Grade | None:
    """The right command with the wrong value: another session, another severity."""
    mine = _TERMINATE_PID.search(text)
    theirs = _TERMINATE_PID.search(sit.expected)
    if mine and theirs and mine[1] != theirs[1]:
        return Grade(
            "wrong",
            *_with_step(
                f"Terminates session {mine[1]}, not the one at the head of the lock queue "
                f"({theirs[1]}). {expert}",
                ref,
            ),
        )
    if verb(text) == "sev" and sit.severity:
        level = target(text)[1]
        if level and level != sit.severity:
            sev_ref = steps_mentioning(sit.runbooks, "sev", "declare")
            side = "under" if level > sit.severity else "over"
            return Grade(
                "wrong",
                *_with_step(f"{level} {side}-declares this incident. {expert}", sev_ref or ref),
            )
    return None


def _mitigation(text: str, sit: Situation, expert: str, ref: StepRef | None) -> Grade:
    missing = [
        r
        for r in sit.required
        if not any(step_matches(r.step, d) for d in sit.done)
        and not (r.kind in LOOK_KINDS and any(observes(r.step, c, sit.servers) for c in sit.looked))
    ]
    if missing:
        todo = "; ".join(r.quote() for r in missing)
        return Grade(
            "premature",
            f"A change before the runbook's assessment and diagnosis are done. Still to do: "
            f"{todo}. {expert}",
            missing[0].quote(),
        )
    if ref is not None and ref.kind in ("mitigation", "verification"):
        return Grade(
            "acceptable", *_with_step(f"The runbook's mitigation, in its time. {expert}", ref)
        )
    return Grade(
        "wrong",
        f"`{text}` changes production, and neither the runbook nor the expert would do it "
        f"now. {expert}",
    )


def _incident_verb(text: str, sit: Situation, expert: str, ref: StepRef | None) -> Grade:
    v = verb(text)
    done_already = {
        "ack": sit.acked,
        "sev": sit.declared is not None,
        "assign": bool(target(text)[1:]) and target(text)[1] in sit.roles,
    }
    if v in done_already:
        if done_already[v]:
            return Grade("off-path", f"Already done. {expert}")
        return Grade("acceptable", *_with_step(f"A triage duty not done yet. {expert}", ref))
    if v == "status":
        if sit.status_due or verb(sit.expected) == "status":
            return Grade("acceptable", *_with_step(f"A status update is due. {expert}", ref))
        return Grade("off-path", f"No status update is due yet. {expert}")
    if v == "escalate":
        if sit.escalation_due:
            return Grade(
                "acceptable",
                *_with_step(f"The runbook's escalation time has passed. {expert}", ref),
            )
        return Grade("off-path", *_with_step(f"Too early to escalate. {expert}", ref))
    return Grade("off-path", f"Harmless, but not what the situation asks for. {expert}")
