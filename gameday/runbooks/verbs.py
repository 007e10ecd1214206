"""Incident verbs a runbook step asks for: "Acknowledge the page and declare the incident".

Runbooks write the incident tool's work in prose or as code (`sev SEV1`), not as a shell
command, so :mod:`gameday.runbooks.shell` does not see it. A step asking for ``ack`` and
``sev`` is done once the responders typed both, in any order, whenever they did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The session's incident verbs a step can ask for, in the order they are reported.
INCIDENT_VERBS = ("ack", "sev", "assign", "status", "escalate", "resolve")

# Prose that asks for a verb. Escalating and resolving are conditional in prose ("if the
# rollback does not help, escalate"), so only code (`escalate ...`) asks for them.
_PROSE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ack", re.compile(r"\backnowledg", re.IGNORECASE)),
    ("sev", re.compile(r"\bdeclare\b|\bseverity\b|\bSEV ?[0-4]\b", re.IGNORECASE)),
    ("assign", re.compile(r"\bassign\b|\bincident commander\b", re.IGNORECASE)),
    # posting one, not reading a vendor's status page
    (
        "status",
        re.compile(r"\b(?:post|publish|send|update)\w*\s+(?:an?\s+|the\s+|our\s+)?status\b", re.I),
    ),
)
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def verb_of(command: str) -> str | None:
    """The incident verb ``command`` (as typed) performs, or None."""
    words = command.strip().lstrip(":/").split()
    return words[0].lower() if words and words[0].lower() in INCIDENT_VERBS else None


def step_verbs(text: str, code: Iterable[str] = ()) -> tuple[str, ...]:
    """The verbs a step's prose (``text``, inline code included) and code lines ask for."""
    found = {verb for verb, pattern in _PROSE if pattern.search(_CODE_SPAN.sub(" ", text))}
    for line in [*_CODE_SPAN.findall(text), *code]:
        verb = verb_of(line)
        if verb is not None:
            found.add(verb)
    return tuple(v for v in INCIDENT_VERBS if v in found)


def verbs_done(asked: Iterable[str], typed: Iterable[str]) -> bool:
    """True if every verb in ``asked`` is among the verbs of the ``typed`` commands."""
    did = {verb_of(c) for c in typed}
    wanted = set(asked)
    return bool(wanted) and wanted <= did
