"""Text filters after a pipe, applied to the simulated output: ``grep``, ``head``, ``tail``...

``grep`` compiles its pattern with RE2 (:mod:`gameday.goregex`), so no pattern a
responder types can make a command hang; basic (``grep``), extended (``-E``) and fixed
(``-F``) patterns are read as GNU grep reads them, and a bad pattern or context length
answers with GNU grep's message.
"""

from __future__ import annotations

import re

from gameday.goregex import GoRegex, GoRegexError, compile_go, quote_meta
from gameday.tools.budget import check
from gameday.tools.parse import ActionError, Flags, parse_flags

FILTERS = ("grep", "head", "tail", "wc", "sort", "less", "more", "cat")

# Go's regexp error codes, in GNU grep's words (grep prints them after "grep: ").
_GREP_MESSAGES = (
    ("missing closing )", "Unmatched ( or \\("),
    ("unexpected )", "Unmatched ) or \\)"),
    ("missing closing ]", "Unmatched [, [^, [:, [., or [="),
    ("trailing backslash", "Trailing backslash"),
    ("invalid character class range: `[:", "Invalid character class name"),
    ("invalid character class range", "Invalid range end"),
    ("invalid repeat count", "Invalid content of \\{\\}"),
    ("repetition operator", "Invalid preceding regular expression"),
    ("invalid escape sequence: `\\", "Invalid back reference"),
)


def _basic_to_extended(pattern: str) -> str:
    """A basic regular expression (``\\(`` ``\\|`` ``\\+`` are the operators) in RE2 syntax."""
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
    return "".join(out)


def grep_regex(
    pattern: str,
    extended: bool,
    ignore_case: bool,
    fixed: bool,
    word: bool = False,
    whole_line: bool = False,
) -> GoRegex:
    """Compile a grep pattern (``word``: ``-w``, matched between word edges;
    ``whole_line``: ``-x``, matching the whole line).

    Raises:
        ActionError: with GNU grep's message for a pattern it would refuse.
    """
    if fixed:
        body = quote_meta(pattern)
    else:
        body = pattern if extended else _basic_to_extended(pattern)
        body = body.replace("\\<", "\\b").replace("\\>", "\\b")  # GNU word edges
    if word:
        body = f"\\b(?:{body})\\b"
    if whole_line:
        body = f"^(?:{body})$"
    try:
        return compile_go(("(?i)" if ignore_case else "") + body)
    except GoRegexError as exc:
        text = str(exc)
        for code, message in _GREP_MESSAGES:
            if code in text:
                raise ActionError(f"grep: {message}") from None
        raise ActionError(f"grep: {text.removeprefix('error parsing regexp: ')}") from None


def _context(flag: str | None, default: int) -> int:
    """A ``-A``/``-B``/``-C`` value; GNU grep refuses anything but a non-negative integer."""
    if flag is None:
        return default
    if not flag.isascii() or not flag.isdigit():
        raise ActionError(f"grep: {flag}: invalid context length argument")
    return int(flag)


# GNU grep's other short options: real, so not "invalid", but not simulated
_GNU_UNSIMULATED = frozenset("GPfLloqsbHhTuZzaIdDrRU")
_GREP_USAGE = "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information."


def _grep_flags(args: list[str]) -> Flags:
    """grep's options; one it does not have is GNU grep's ``invalid option`` error."""
    try:
        return parse_flags(
            args,
            {
                "i": "ignore-case",
                "y": "ignore-case",  # GNU grep's obsolete synonym of -i
                "v": "invert-match",
                "E": "extended-regexp",
                "F": "fixed-strings",
                "c": "count",
                "A": "after-context",
                "B": "before-context",
                "C": "context",
                "e": "regexp",
                "m": "max-count",
                "n": "line-number",
                "w": "word-regexp",
                "x": "line-regexp",
            },
            {"after-context", "before-context", "context", "regexp", "max-count"},
            {
                "ignore-case",
                "invert-match",
                "extended-regexp",
                "fixed-strings",
                "count",
                "line-number",
                "word-regexp",
                "line-regexp",
            },
        )
    except ActionError as exc:
        m = re.match(r"unknown shorthand flag: '(.)'", str(exc))
        if m and m.group(1) in _GNU_UNSIMULATED:
            raise ActionError(
                f"grep: -{m.group(1)} is not simulated here; the options simulated are "
                "-i -v -w -x -n -c -m N -E -F -e -A N -B N -C N"
            ) from None
        if m:
            raise ActionError(f"grep: invalid option -- '{m.group(1)}'\n{_GREP_USAGE}") from None
        m = re.match(r"unknown flag: (--[\w-]+)", str(exc))
        if m:
            raise ActionError(f"grep: unrecognized option '{m.group(1)}'\n{_GREP_USAGE}") from None
        raise


def grep(lines: list[str], args: list[str]) -> list[str]:
    """``grep [-i] [-v] [-w|-x] [-n] [-E|-F] [-c] [-m N] [-A N] [-B N] [-C N] [-e] PATTERN``
    over ``lines``."""
    flags = _grep_flags(args)
    words = list(flags.words)
    pattern = flags.get("regexp")
    if pattern is None:
        if not words:
            raise ActionError("usage: grep [-i] [-v] [-E] [-A N] PATTERN")
        pattern = words.pop(0)
    around = _context(flags.get("context"), 0)
    after = _context(flags.get("after-context"), around)
    before = _context(flags.get("before-context"), around)
    regex = grep_regex(
        pattern,
        flags.has("extended-regexp"),
        flags.has("ignore-case"),
        flags.has("fixed-strings"),
        flags.has("word-regexp"),
        flags.has("line-regexp"),
    )
    most = _max_count(flags.get("max-count"))
    invert = flags.has("invert-match")
    hits: list[int] = []
    for i, line in enumerate(lines):
        if i % 256 == 0:
            check()
        if most is not None and len(hits) >= most:
            break  # -m N: stop reading after the Nth selected line
        if regex.search(line) != invert:
            hits.append(i)
    if flags.has("count"):
        return [str(len(hits))]
    numbered = flags.has("line-number")

    def shown(i: int, sep: str) -> str:  # -n: "12:" before a match, "12-" before context
        return f"{i + 1}{sep}{lines[i]}" if numbered else lines[i]

    if not (before or after):
        return [shown(i, ":") for i in hits]
    out: list[str] = []
    last = -1  # the last line printed
    selected = set(hits)
    for i in hits:
        lo, hi = max(last + 1, i - before), min(len(lines), i + after + 1)
        if out and lo > last + 1:
            out.append("--")  # GNU grep's separator between context groups
        out.extend(shown(j, ":" if j in selected else "-") for j in range(lo, hi))
        last = max(last, hi - 1)
    return out


def _max_count(flag: str | None) -> int | None:
    """``-m NUM``: GNU grep stops after NUM selected lines (a negative NUM: no limit)."""
    if flag is None:
        return None
    if not re.fullmatch(r"-?\d+", flag):
        raise ActionError("grep: invalid max count")  # GNU grep names no value
    return int(flag) if int(flag) >= 0 else None


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
            lines = grep(lines, args)
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
