"""Splitting what a responder typed: words, flags, and the filters after a pipe.

Nothing typed is ever run on the host. A command is split with :mod:`shlex`; the first
segment of a pipeline is the command, the rest must be text filters this module applies
to the simulated output itself (``grep``, ``head``, ``tail``, ``wc -l``, ``sort``).
"""

from __future__ import annotations

import re
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
                    raise ActionError(f"unknown shorthand flag: '{letter}' in {arg}")
                name = short[letter]
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


# -- filters after a pipe ---------------------------------------------------------------


def _grep_regex(pattern: str, extended: bool, ignore_case: bool, fixed: bool) -> re.Pattern[str]:
    if fixed:
        body = re.escape(pattern)
    elif extended:
        body = pattern
    else:  # basic regular expressions: \| \( \) \+ \? are the operators
        out, i = [], 0
        while i < len(pattern):
            ch = pattern[i]
            if ch == "\\" and i + 1 < len(pattern):
                nxt = pattern[i + 1]
                out.append(nxt if nxt in "|()+?{}" else "\\" + nxt)
                i += 2
                continue
            out.append("\\" + ch if ch in "|()+?{}" else ch)
            i += 1
        body = "".join(out)
    try:
        return re.compile(body, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise ActionError(f"grep: invalid pattern {pattern!r}: {exc}") from None


def _grep(lines: list[str], args: list[str]) -> list[str]:
    flags = parse_flags(
        args,
        {
            "i": "ignore-case",
            "v": "invert-match",
            "E": "extended-regexp",
            "F": "fixed-strings",
            "c": "count",
            "A": "after-context",
            "B": "before-context",
            "C": "context",
            "e": "regexp",
        },
        {"after-context", "before-context", "context", "regexp"},
        {"ignore-case", "invert-match", "extended-regexp", "fixed-strings", "count"},
    )
    words = list(flags.words)
    pattern = flags.get("regexp")
    if pattern is None:
        if not words:
            raise ActionError("usage: grep [-i] [-v] [-E] [-A N] PATTERN")
        pattern = words.pop(0)
    regex = _grep_regex(
        pattern, flags.has("extended-regexp"), flags.has("ignore-case"), flags.has("fixed-strings")
    )
    invert = flags.has("invert-match")
    hits = [i for i, line in enumerate(lines) if bool(regex.search(line)) != invert]
    if flags.has("count"):
        return [str(len(hits))]
    around = int(flags.get("context", "0") or 0)
    after = int(flags.get("after-context", str(around)) or 0)
    before = int(flags.get("before-context", str(around)) or 0)
    keep: set[int] = set()
    for i in hits:
        keep.update(range(max(0, i - before), min(len(lines), i + after + 1)))
    return [lines[i] for i in sorted(keep)]


def _count(args: list[str], default: int = 10) -> int:
    flags = parse_flags(args, {"n": "lines"}, {"lines"}, set())
    raw = flags.get("lines")
    if raw is None and flags.words and flags.words[0].startswith("-"):
        raw = flags.words[0][1:]
    try:
        return abs(int(raw)) if raw is not None else default
    except ValueError:
        raise ActionError(f"invalid number of lines: {raw!r}") from None


FILTERS = ("grep", "head", "tail", "wc", "sort", "less", "more", "cat")


def apply_filters(output: str, filters: list[list[str]]) -> str:
    """Apply the piped filters to ``output``.

    Raises:
        ActionError: for a filter that is not simulated.
    """
    lines = output.split("\n") if output else []
    for seg in filters:
        prog, args = seg[0].rsplit("/", 1)[-1], seg[1:]
        # head -5 / tail -20: the old short form
        if prog in {"head", "tail"} and args[:1] and re.fullmatch(r"-\d+", args[0]):
            args = ["-n", args[0][1:], *args[1:]]
        if prog == "grep":
            lines = _grep(lines, args)
        elif prog == "head":
            lines = lines[: _count(args)]
        elif prog == "tail":
            n = _count(args)
            lines = lines[-n:] if n else []
        elif prog == "wc":
            lines = [str(len(lines))]
        elif prog == "sort":
            lines = sorted(lines, reverse="-r" in args)
        elif prog in {"less", "more", "cat"}:
            continue
        else:
            raise ActionError(
                f"'{prog}' after a pipe is not simulated; you can pipe into {', '.join(FILTERS)}"
            )
    return "\n".join(lines)
