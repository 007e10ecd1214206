"""What a typed command is, for comparing a trainee's answer with the expert's step.

A command is looked at four ways: word for word (``same``), in the runbook matcher's
canonical form (flags in any order, ``deploy/x`` as ``deployment/x``), by verb and target
(``kubectl logs deployment/orders`` whatever its flags, ``status investigating`` whatever
its text, a query by the catalog tables and functions it names) and by what it does
(read-only, an incident verb, or a change to the world). Runbook steps are found by their
commands, and steps without commands (``Acknowledge the page ...``) by their words.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from gameday.runbooks import Runbook, Section, Step, commands_match, normalise_command

INCIDENT_VERBS = frozenset(
    {"ack", "sev", "declare", "assign", "ic", "status", "escalate", "resolve", "note", "silence"}
)
TRIAGE_VERBS = frozenset({"ack", "sev", "declare", "assign", "ic", "escalate"})
_READ_KUBECTL = frozenset({"get", "describe", "logs", "top", "explain"})
_READ_ROLLOUT = frozenset({"history", "status"})
_CURLY = re.compile(r"\{([a-z_]+)\}")
_PG_NAME = re.compile(r"\bpg_\w+\b", re.IGNORECASE)
_SQL_HEAD = re.compile(r"^\s*(select|show|with|explain)\b", re.IGNORECASE)
_STEP_WORDS = {
    "ack": ("acknowledg",),
    "sev": ("declare", "sev"),
    "assign": ("incident commander", "assign", "owner"),
    "status": ("status page", "stakeholder", "status update"),
    "escalate": ("escalat",),
    "resolve": ("resolve", "close the incident"),
}
PHASES = ("triage", "diagnosis", "mitigation", "communication")


@dataclass(frozen=True)
class StepRef:
    """A runbook step, with where it lives, for quoting in an explanation."""

    runbook: Runbook
    section: Section
    step: Step

    def quote(self) -> str:
        """``Runbook "T", Diagnosis step 2: "Find ..."``."""
        text = self.step.text or "; ".join(self.step.commands)
        return f'{self.section.name} step {self.step.number}: "{text}"'

    @property
    def kind(self) -> str:
        return self.section.kind


def words(command: str) -> list[str]:
    """The command's words as a shell splits them (plain splitting if quotes are open)."""
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def verb(command: str) -> str:
    """The first word, lower-cased (``declare`` and ``ic`` as ``sev`` and ``assign``)."""
    first = command.strip().split()[0].lower() if command.strip() else ""
    return {"declare": "sev", "ic": "assign", "k": "kubectl", "sql": "psql"}.get(first, first)


def as_pattern(command: str) -> str:
    """A solution's ``{blocker_pid}`` placeholders in the runbook's ``<blocker_pid>`` form."""
    return _CURLY.sub(r"<\1>", command)


def same_words(a: str, b: str) -> bool:
    """True if the two commands are word for word the same (spacing and quoting aside)."""
    return words(a) == words(b)


def normalised(command: str) -> tuple | None:
    """The runbook matcher's canonical form, or None when the command cannot be split."""
    try:
        return normalise_command(as_pattern(command))
    except ValueError:
        return None


def does_same(expected: str, typed: str) -> bool:
    """True if ``typed`` does what ``expected`` does (flags in any order, aliases)."""
    a, b = normalised(expected), normalised(typed)
    if a is not None and a == b:
        return True
    return commands_match(as_pattern(expected), typed)


def sql_of(command: str) -> str | None:
    """The SQL a ``psql -c`` (or bare ``SELECT``) command runs, else None."""
    text = command.strip()
    if text.lower().startswith("sql "):
        return text[4:].strip()
    if _SQL_HEAD.match(text):
        return text
    if verb(command) != "psql":
        return None
    ws = words(command)
    for i, w in enumerate(ws):
        if w in ("-c", "--command") and i + 1 < len(ws):
            return ws[i + 1]
        if w.startswith("--command="):
            return w.split("=", 1)[1]
    return None


def is_read_only(command: str) -> bool:
    """True for commands that only look: ``kubectl get/describe/logs/top``, ``SELECT``s."""
    v = verb(command)
    if v in ("alerts", "help"):
        return True
    if v in ("psql", "select", "show", "with", "explain"):  # psql -c, or bare SQL
        sql = sql_of(command)
        low = (sql or "").lower()
        return (
            bool(sql)
            and bool(_SQL_HEAD.match(low))
            and "pg_terminate" not in low
            and ("pg_cancel" not in low)
        )
    if v == "kubectl":
        norm = normalised(command)
        if norm is None or not norm[1]:
            return False
        first = norm[1][0]
        if first == "rollout":
            return len(norm[1]) > 1 and norm[1][1] in _READ_ROLLOUT
        return first in _READ_KUBECTL
    return False


def is_change(command: str) -> bool:
    """True for commands that change the world (not incident bookkeeping, not looking)."""
    return verb(command) not in INCIDENT_VERBS and not is_read_only(command)


def target(command: str) -> tuple:
    """Verb and target: what a command acts on, whatever its flags or free text."""
    v = verb(command)
    ws = words(command)
    if v == "sev":
        level = next((w.upper() for w in ws[1:] if w.upper().startswith("SEV")), "")
        return ("sev", level)
    if v == "assign":
        role = (
            "ic" if command.split()[0].lower() == "ic" else (ws[1].lower() if len(ws) > 1 else "")
        )
        return ("assign", role)
    if v == "status":
        return ("status", ws[1].lower() if len(ws) > 1 else "")
    if v in INCIDENT_VERBS or v in ("alerts", "help"):
        return (v,)
    if v == "psql":
        sql = (sql_of(command) or "").lower()
        kind = "terminate" if "pg_terminate" in sql else "cancel" if "pg_cancel" in sql else "query"
        return ("psql", kind, tuple(sorted({n.lower() for n in _PG_NAME.findall(sql)})))
    norm = normalised(command)
    if norm is None:
        return (v, tuple(ws[1:]))
    if norm[0] == "kubectl":  # the same verb on the same objects, in the same namespace
        return (norm[0], norm[1], dict(norm[2]).get("namespace", "default"))
    return (norm[0], norm[1])


def runbook_step(runbooks: list[Runbook], command: str) -> StepRef | None:
    """The first runbook step that runs ``command`` (or, for incident verbs, names it)."""
    for rb in runbooks:
        for section, step in rb.steps:
            if any(
                commands_match(c, command) or commands_match(c, as_pattern(command))
                for c in step.commands
            ):
                return StepRef(rb, section, step)
    keys = _STEP_WORDS.get(verb(command))
    if keys:
        for rb in runbooks:
            for section, step in rb.steps:
                if not step.commands and any(k in step.text.lower() for k in keys):
                    return StepRef(rb, section, step)
    return None


def steps_mentioning(runbooks: list[Runbook], *needles: str) -> StepRef | None:
    """The first step whose text mentions one of ``needles``, mitigation sections first.

    Runbooks warn about tempting fixes (``restarting only buys minutes``) in their
    mitigation sections, so those are searched before the rest.
    """
    found = [
        StepRef(rb, section, step)
        for rb in runbooks
        for section, step in rb.steps
        if any(n in step.text.lower() for n in needles)
    ]
    found.sort(key=lambda ref: ref.kind != "mitigation")
    return found[0] if found else None


def phase_of(command: str, ref: StepRef | None, mitigated: bool) -> str:
    """The phase a command belongs to: triage, diagnosis, mitigation or communication."""
    v = verb(command)
    if v in TRIAGE_VERBS:
        return "triage"
    if v in ("status", "note"):
        return "communication"
    if v == "resolve":
        return "mitigation"
    if is_read_only(command):
        if mitigated:
            return "mitigation"
        if ref is not None and ref.kind in ("triage", "diagnosis"):
            return ref.kind
        return "diagnosis"
    return "mitigation"
