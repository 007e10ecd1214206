"""Command completion and command help for the command line, from the actions catalog."""

from __future__ import annotations

from collections.abc import Callable

from gameday.engine.actions import COMMANDS, complete
from gameday.tui.driver import SimDriver


def make_completer(driver: SimDriver) -> Callable[[str], list[str]]:
    """A function from a partial command to whole-line completions (under the lock)."""

    def completer(partial: str) -> list[str]:
        with driver.locked() as session:
            return list(complete(session, partial))

    return completer


def commands_help() -> list[tuple[str, str]]:
    """(usage, what it does) for every command, for the help screen."""
    return [(usage, summary) for _name, usage, summary, _example in COMMANDS]
