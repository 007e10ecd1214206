"""One error hierarchy and one exit-code table for every command.

Every problem a user can fix is a :class:`Problem` that names the file, the line and
column, the dotted key and what is wrong, with a hint where one helps. Commands collect
problems and raise :class:`InputError`; the CLI prints them to stderr and exits 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum


class ExitStatus(IntEnum):
    """Exit codes of every gameday command."""

    OK = 0
    FAILED = 1  # a drill missed its targets, a rule test failed
    BAD_INPUT = 2  # bad input or usage; the message is on stderr
    INTERRUPTED = 130  # SIGINT (Ctrl-C)
    TERMINATED = 143  # SIGTERM


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, located as precisely as the parser allows."""

    path: str
    line: int | None = None
    col: int | None = None
    key: str | None = None
    message: str = ""
    hint: str | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        text = f"{where}: "
        if self.key:
            text += f"{self.key}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class GamedayError(Exception):
    """Base of every error gameday reports to a user without a traceback."""

    exit_status = ExitStatus.FAILED


class InputError(GamedayError):
    """One or more problems in files or arguments the user gave; exit 2."""

    exit_status = ExitStatus.BAD_INPUT

    def __init__(self, problems: Problem | Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(path="gameday", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(GamedayError):
    """A command was called wrongly (unknown scenario, bad flag value); exit 2."""

    exit_status = ExitStatus.BAD_INPUT


class PagerError(Exception):
    """A pager action that cannot be done (unknown incident or person, already resolved).

    The session shows the message to whoever typed the action; nothing is changed. It
    lives here, below both, because the pager (:mod:`gameday.oncall`) raises it and the
    incident verbs (:mod:`gameday.tools`) catch it.
    """


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return a "did you mean ...?" hint for the closest choice, or None."""
    import difflib  # loaded only to word a hint

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None
