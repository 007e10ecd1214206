"""Commands in a canonical form, so a runbook line and a typed command can be compared.

``kubectl logs -n shop deploy/orders --tail=50`` and ``kubectl logs deployment/orders
--namespace shop --tail 50`` normalise to the same tuple: flags by canonical name in
sorted order, resource references as ``kind/name``. Placeholders a runbook uses for
values it cannot know (``<pod>``, ``$POD``, ``${POD}``, ``{{ pod }}``, ``ORDER_POD``)
become :data:`ANY`, which matches any value. SQL given to ``psql -c`` is compared
lower-cased, with whitespace squeezed and numbers replaced by ``#``.
"""

from __future__ import annotations

import re
import shlex
from functools import lru_cache

from gameday.goregex import GoRegexError, compile_go, quote_meta
from gameday.runbooks.vocab import (
    CONNECTION_FLAGS,
    K_SHORT,
    K_SHORT_VALUE,
    K_SUBVERBS,
    K_VALUE,
    KIND_OF,
    LISTING_VERBS,
    NARROWING_FLAGS,
    OPTIONAL_FLAGS,
    P_SHORT,
    P_SHORT_VALUE,
    P_VALUE,
    POD_VERBS,
)

ANY = "\x00*\x00"

Flags = tuple[tuple[str, str], ...]
Normalised = tuple  # (program, words, flags, inner)

_PLACEHOLDERS = [
    re.compile(r"\{\{\s*[\w.-]+\s*\}\}"),
    re.compile(r"<[A-Za-z][\w .-]*>"),
    re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?"),
    re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*_[A-Z0-9_]+(?![\w-])"),
]
_SEPARATORS = {"|", "||", "&&", ";", "&"}


_BARE_SQL = re.compile(
    r"(?is)^(?:sql\s+)?(select|update|delete|insert|with|show|explain|vacuum|analyze|"
    r"truncate|lock|begin|commit|rollback)\b"
)


def mark_placeholders(cmd: str) -> str:
    """``cmd`` with each placeholder (``<pod>``, ``$POD``, ``{{ pod }}``...) as :data:`ANY`."""
    for pattern in _PLACEHOLDERS:
        cmd = pattern.sub(ANY, cmd)
    return cmd


def normalise_sql(sql: str) -> str:
    """SQL compared case- and whitespace-insensitively, numbers as ``#``."""
    s = mark_placeholders(sql).lower().strip().rstrip(";").strip()
    s = re.sub(r"\b\d+(\.\d+)?\b", "#", s)
    s = re.sub(r"\s+", " ", s)
    return re.sub(r"\s*([(),=<>;*+])\s*", r"\1", s)


def _split(cmd: str) -> list[str]:
    lexer = shlex.shlex(cmd, posix=True, punctuation_chars="|&;")
    lexer.whitespace_split = True
    tokens = list(lexer)
    for i, tok in enumerate(tokens):
        if tok in _SEPARATORS:
            return tokens[:i]
    return tokens


def _flags(
    args: list[str],
    short: dict[str, str],
    value: set[str],
    short_value: set[str],
) -> tuple[list[str], dict[str, str], list[str]]:
    """Split ``args`` into positionals, flags and what follows ``--``."""
    words: list[str] = []
    flags: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return words, flags, args[i + 1 :]
        if arg.startswith("--") and len(arg) > 2:
            name, eq, val = arg[2:].partition("=")
            if not eq and name in value and i + 1 < len(args):
                val, i = args[i + 1], i + 1
            flags[name] = val
        elif arg.startswith("-") and len(arg) > 1 and not arg[1].isdigit():
            letters = arg[1:]
            for k, ch in enumerate(letters):
                name = short.get(ch, ch)
                if ch in short_value:
                    rest = letters[k + 1 :].lstrip("=")
                    if not rest and i + 1 < len(args):
                        rest, i = args[i + 1], i + 1
                    flags[name] = rest
                    break
                flags[name] = ""
        else:
            words.append(arg)
        i += 1
    return words, flags, []


def _kubectl(args: list[str]) -> Normalised:
    words, flags, inner = _flags(args, K_SHORT, K_VALUE, K_SHORT_VALUE)
    if flags.get("output") == "wide":
        flags.pop("output")
    out: list[str] = []
    rest = list(words)
    if rest:
        out.append(rest.pop(0))
        if out[0] in K_SUBVERBS and rest:
            out.append(rest.pop(0))
    while rest:
        word = rest.pop(0)
        kind, slash, name = word.partition("/")
        if slash and kind.lower() in KIND_OF:
            out.append(f"{KIND_OF[kind.lower()]}/{name}")
        elif word.lower() in KIND_OF:
            kind = KIND_OF[word.lower()]
            out.append(f"{kind}/{rest.pop(0)}" if rest else kind)
        elif out[0] in POD_VERBS and len(out) == 1:
            out.append(f"pod/{word}")
        else:
            out.append(word)
    return ("kubectl", tuple(out), tuple(sorted(flags.items())), _inner(inner))


def _psql(args: list[str]) -> Normalised:
    words, flags, _ = _flags(args, P_SHORT, P_VALUE, P_SHORT_VALUE)
    if words and "dbname" not in flags:
        flags["dbname"] = words.pop(0)
    if words and "username" not in flags:
        flags["username"] = words.pop(0)
    if "command" in flags:
        flags["command"] = normalise_sql(flags["command"])
    return ("psql", tuple(words), tuple(sorted(flags.items())), ())


def _inner(args: list[str]) -> Normalised | tuple[()]:
    return _from_args(args) if args else ()


def _from_args(args: list[str]) -> Normalised:
    if not args:
        return ("", (), (), ())
    program = args[0].rsplit("/", 1)[-1]
    if program in ("kubectl", "k"):
        return _kubectl(args[1:])
    if program == "psql":
        return _psql(args[1:])
    words, flags, inner = _flags(args[1:], {}, set(), set())
    return (program, tuple(words), tuple(sorted(flags.items())), _inner(inner))


@lru_cache(maxsize=4096)
def normalise_command(cmd: str) -> Normalised:
    """Canonical ``(program, words, flags, inner)`` of a shell command.

    Only the first command of a pipeline or list counts (``| grep`` only filters). Bare
    SQL (``SELECT ...`` or ``sql SELECT ...``, as the simulation's prompt accepts it) is
    the same as ``psql -c "SELECT ..."``. Answers are remembered (the result is an
    immutable tuple): scoring asks about the same few commands hundreds of times a drill.

    Raises:
        ValueError: if the command cannot be split (an unclosed quote).
    """
    text = cmd.strip()
    m = _BARE_SQL.match(text)
    if m:
        return ("psql", (), (("command", normalise_sql(text[m.start(1) :])),), ())
    return _from_args(_split(mark_placeholders(text)))


def _value_matches(pattern: str, value: str) -> bool:
    if pattern == value:
        return True
    if ANY not in pattern and ANY not in value:
        return False
    if ANY in value and ANY not in pattern:
        pattern, value = value, pattern
    # RE2: many adjacent placeholders made Python's re backtrack for minutes.
    regex = "(?s)^" + ".+".join(quote_meta(part) for part in pattern.split(ANY)) + "$"
    try:
        return compile_go(regex).search(value)
    except GoRegexError:  # an expression too large for RE2's memory budget
        return False


def _lists_kinds(cmd: Normalised) -> bool:
    """A ``kubectl get|top`` naming kinds only (``get pods``, not ``get pod/orders-1``)."""
    words = cmd[1]
    return (
        cmd[0] == "kubectl"
        and len(words) > 1
        and words[0] in LISTING_VERBS
        and all("/" not in w for w in words[1:])
    )


def normalised_matches(expected: Normalised, typed: Normalised, lenient: bool = False) -> bool:
    """True if ``typed`` does what the runbook's ``expected`` says (flags in any order).

    Output-shaping flags (``-o``, ``--tail`` ...) may differ. Connection flags (``-h``,
    ``-U``, ``--context`` ...) must agree only when both name them. Every other flag the
    runbook gives must be present with a matching value, and the typed command may add
    none unless ``lenient``. A ``kubectl get|top`` of a kind (no object named) may leave
    out the runbook's selectors or use ``-A`` for its namespace: it lists the runbook's
    objects and more (not for ``lenient`` red-herring patterns, which must not catch a
    broad look around).
    """
    if expected[0] != typed[0] or len(expected[1]) != len(typed[1]):
        return False
    if not all(_value_matches(e, t) for e, t in zip(expected[1], typed[1], strict=True)):
        return False
    want = {k: v for k, v in expected[2] if k not in OPTIONAL_FLAGS}
    got = {k: v for k, v in typed[2] if k not in OPTIONAL_FLAGS}
    for key in CONNECTION_FLAGS & (want.keys() ^ got.keys()):  # named on one side only
        want.pop(key, None)
        got.pop(key, None)
    if not lenient and _lists_kinds(expected):
        for key in NARROWING_FLAGS - got.keys():
            want.pop(key, None)
        if "all-namespaces" in got and "namespace" in want:
            want.pop("namespace")
            got.pop("all-namespaces")
    if want.keys() != got.keys() and not (lenient and want.keys() <= got.keys()):
        return False
    if not all(_value_matches(want[k], got[k]) for k in want):
        return False
    if expected[3] and typed[3]:
        return normalised_matches(expected[3], typed[3], lenient)
    return expected[3] == typed[3]


@lru_cache(maxsize=8192)
def commands_match(expected: str, typed: str, lenient: bool = False) -> bool:
    """True if a typed command matches a runbook command; unparsable never matches.

    ``lenient`` lets the typed command carry flags the expected one does not name (for
    patterns such as a scenario's red herrings, written without a namespace).
    """
    try:
        return normalised_matches(normalise_command(expected), normalise_command(typed), lenient)
    except ValueError:
        return False
