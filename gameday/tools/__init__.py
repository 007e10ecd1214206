"""Responder actions: the commands people type, applied to the simulated world.

A responder types commands as runbooks show them (``kubectl ...``, ``psql ... -c
"SQL"``, ``ack``, ``sev SEV1``, ``status investigating "..."``). :func:`execute` parses
them, applies their effect to the world through an :class:`ActionContext`, and answers
with the output the real tool would print, computed from the world's state. Nothing
typed is ever run on the host.
"""

from gameday.tools.catalog import COMMANDS, COMMANDS_HELP, complete
from gameday.tools.context import ActionContext
from gameday.tools.dispatch import ActionResult, execute, known_command

__all__ = [
    "COMMANDS",
    "COMMANDS_HELP",
    "ActionContext",
    "ActionResult",
    "complete",
    "execute",
    "known_command",
]
