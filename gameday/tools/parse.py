"""Splitting what a responder typed: words, flags, and the filters after a pipe.

Nothing typed is ever run on the host. A command is split with :mod:`shlex`; the first
segment of a pipeline is the command, the rest must be text filters that
:mod:`gameday.tools.filters` applies to the simulated output itself.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field


class ActionError(ValueError):
    """A command that cannot be carried out; the message is shown to the responder."""


@dataclass
class Command:
    """A typed command: the program, its arguments and the filters piped after it."""

    text: str
    program: str
    args: list[str]
    filters: list[list[str]] = field(default_factory=list)


def split_command(text: str) -> Command:
    """Split ``text`` into a :class:`Command`.

    Raises:
        ActionError: for an unclosed quote, an empty command, or ``&&`` / ``;`` lists.
    """
    lexer = shlex.shlex(text, posix=True, punctuation_chars="|&;")
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError as exc:
        raise ActionError(f"cannot parse the command: {exc}") from None
    segments: list[list[str]] = [[]]
    for tok in tokens:
        if tok == "|":
            segments.append([])
        elif tok in {"||", "&&", ";", "&", ";;"}:
            raise ActionError("type one command at a time (no '&&', ';' or '&')")
        else:
            segments[-1].append(tok)
    if not segments[0]:
        raise ActionError("empty command")
    if any(not s for s in segments[1:]):
        raise ActionError("a pipe needs a command after it")
    first = segments[0]
    return Command(
        text=text, program=first[0].rsplit("/", 1)[-1], args=first[1:], filters=segments[1:]
    )


@dataclass
class Flags:
    """Positional words, ``--name value`` flags (by long name) and what follows ``--``."""

    words: list[str]
    values: dict[str, str]
    rest: list[str]

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of flag ``name`` (long name), or ``default``."""
        return self.values.get(name, default)

    def has(self, name: str) -> bool:
        """Whether flag ``name`` was given."""
        return name in self.values


def parse_flags(
    args: list[str], short: dict[str, str], takes_value: set[str], boolean: set[str]
) -> Flags:
    """Parse GNU-style flags; ``short`` maps letters to long names.

    Raises:
        ActionError: for an unknown flag or a flag missing its value.
    """
    words: list[str] = []
    values: dict[str, str] = {}
    args = list(args)
    cluster: dict[int, str] = {}  # a short-flag cluster as typed, for its error message
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return Flags(words, values, args[i + 1 :])
        if arg.startswith("-") and len(arg) > 1 and not arg[1].isdigit():
            if arg.startswith("--"):
                name, eq, val = arg[2:].partition("=")
            else:
                letter, val = arg[1], arg[2:].lstrip("=")
                eq = "=" if val else ""
                if letter not in short:
                    typed = cluster.get(i, arg)
                    raise ActionError(f"unknown shorthand flag: '{letter}' in {typed}")
                name = short[letter]
                if name in boolean and arg[2:] and arg[2] != "=":
                    # a cluster (grep -iv, kubectl exec -it): the letters after a boolean
                    # one are more short flags, as getopt and pflag read them
                    values[name] = "true"
                    cluster.setdefault(i, arg)
                    args[i] = "-" + arg[2:]
                    continue
            if name in takes_value:
                if not eq:
                    if i + 1 >= len(args):
                        raise ActionError(f"flag needs an argument: --{name}")
                    i += 1
                    val = args[i]
                values[name] = val
            elif name in boolean:
                values[name] = val or "true"
            else:
                raise ActionError(f"unknown flag: --{name}")
        else:
            words.append(arg)
        i += 1
    return Flags(words, values, [])
