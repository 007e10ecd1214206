"""Markdown runbooks: parsing, command matching, alert links and rot checks."""

from gameday.runbooks.match import (
    check_runbooks,
    checkable,
    escalate_after,
    runbook_for_alert,
    runbook_for_url,
    slugify,
    step_done,
    step_matches,
)
from gameday.runbooks.normalise import ANY, commands_match, normalise_command, normalise_sql
from gameday.runbooks.parse import Runbook, Section, Step, parse_runbook, parse_runbook_text

__all__ = [
    "ANY",
    "Runbook",
    "Section",
    "Step",
    "check_runbooks",
    "checkable",
    "commands_match",
    "escalate_after",
    "normalise_command",
    "normalise_sql",
    "parse_runbook",
    "parse_runbook_text",
    "runbook_for_alert",
    "runbook_for_url",
    "slugify",
    "step_done",
    "step_matches",
]
