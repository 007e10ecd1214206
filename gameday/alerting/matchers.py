"""Alertmanager label matchers: ``name="value"``, ``!=``, ``=~``, ``!~``.

The parser follows Alertmanager 0.25's ``pkg/labels/parse.go`` rune for rune: a list of
matchers may be wrapped in braces and is split on commas outside double quotes; a value
may be double-quoted, with ``\\n``, ``\\"`` and ``\\\\`` as escapes (any other escaped
character keeps its backslash). Matchers sort and print as Alertmanager's do, so route
keys and ``amtool config routes show`` output agree byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from gameday.goregex import GoRegex, GoRegexError, compile_anchored

OPS = ("=", "!=", "=~", "!~")
_OP_ORDER = {op: i for i, op in enumerate(OPS)}
_WS = r"[\t\n\f\r ]*"  # Go's \s is ASCII-only
_MATCHER_RE = re.compile(
    rf"{_WS}([a-zA-Z_:][a-zA-Z0-9_:]*){_WS}(=~|=|!=|!~){_WS}(.*?){_WS}\Z", re.S
)
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class MatcherError(ValueError):
    """A matcher string, or its regular expression, is not valid."""


@dataclass(frozen=True)
class Matcher:
    """One label matcher; a missing label matches as the empty string.

    ``test`` and ``negate`` decide it in hot loops: the matcher accepts ``value`` when
    ``bool(test(value)) is not negate``. ``test`` is ``str.__eq__`` or the regex's own
    :attr:`~gameday.goregex.GoRegex.test`, mostly a call into C.
    """

    name: str
    op: str
    value: str
    _re: GoRegex | None = field(default=None, compare=False, repr=False)
    test: Callable[[str], bool] = field(init=False, compare=False, repr=False)
    negate: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        test = self.value.__eq__ if self._re is None else self._re.test
        object.__setattr__(self, "test", test)
        object.__setattr__(self, "negate", self.op.startswith("!"))

    @classmethod
    def make(cls, name: str, op: str, value: str) -> Matcher:
        """Build a matcher, compiling the regex for ``=~`` and ``!~``.

        Raises:
            MatcherError: when the regex does not compile under Go's rules.
        """
        if op not in _OP_ORDER:
            raise MatcherError(f"unknown match operator {op!r}")
        rx = None
        if op in ("=~", "!~"):
            try:
                rx = compile_anchored(value)  # Go: MatchString, anchored textually
            except GoRegexError as exc:
                raise MatcherError(str(exc)) from None
        return cls(name, op, value, rx)

    def matches(self, value: str) -> bool:
        """Whether a label value (``""`` when absent) satisfies this matcher."""
        return (not self.test(value)) is self.negate

    def sort_key(self) -> tuple[str, str, int]:
        """Alertmanager's matcher order: name, then value, then operator."""
        return (self.name, self.value, _OP_ORDER[self.op])

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{escape_value(self.value)}"'


def escape_value(value: str) -> str:
    """OpenMetrics escaping used when Alertmanager prints a matcher value."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def matches_all(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    """True when every matcher accepts ``labels`` (an empty list accepts everything)."""
    get = labels.get
    for m in matchers:  # noqa: SIM110 - a plain loop: all() over a generator is slower here
        if (not m.test(get(m.name, ""))) is not m.negate:
            return False
    return True


def sort_matchers(matchers: Iterable[Matcher]) -> list[Matcher]:
    """Matchers in Alertmanager's sort order."""
    return sorted(matchers, key=Matcher.sort_key)


def format_matchers(matchers: Iterable[Matcher]) -> str:
    """``{a="b",c=~"d"}`` as Alertmanager prints a matcher list."""
    return "{" + ",".join(str(m) for m in matchers) + "}"


def parse_matcher(text: str) -> Matcher:
    """Parse one matcher such as ``severity=~"critical|page"``.

    Raises:
        MatcherError: with Alertmanager's wording for the mistake.
    """
    m = _MATCHER_RE.match(text)
    if not m:
        raise MatcherError(f"bad matcher format: {text}")
    name, op, raw = m.group(1), m.group(2), m.group(3)
    original = raw
    expect_quote = raw.startswith('"')
    if expect_quote:
        raw = raw[1:]
    out: list[str] = []
    escaped = False
    last = len(raw) - 1
    for i, ch in enumerate(raw):
        if escaped:
            escaped = False
            if ch == "n":
                out.append("\n")
            elif ch in ('"', "\\"):
                out.append(ch)
            else:
                out.append("\\" + ch)
            continue
        if ch == "\\":
            if i < last:
                escaped = True
                continue
            out.append("\\")
        elif ch == '"':
            if not expect_quote or i < last:
                raise MatcherError(f"matcher value contains unescaped double quote: {original}")
            expect_quote = False
        else:
            out.append(ch)
    if expect_quote:
        raise MatcherError(f"matcher value contains unescaped double quote: {original}")
    return Matcher.make(name, op, "".join(out))


def parse_matchers(text: str) -> list[Matcher]:
    """Parse a comma-separated, optionally brace-wrapped list of matchers.

    Raises:
        MatcherError: for the first matcher that does not parse.
    """
    if text.startswith("{"):
        text = text[1:]
    if text.endswith("}"):
        text = text[:-1]
    tokens: list[str] = []
    token: list[str] = []
    inside = escaped = False
    for ch in text:
        if ch == "," and not inside:
            tokens.append("".join(token))
            token = []
            continue
        if ch == '"':
            if not escaped:
                inside = not inside
            else:
                escaped = False
        elif ch == "\\":
            escaped = not escaped
        else:
            escaped = False
        token.append(ch)
    last = "".join(token).strip()
    if last:
        tokens.append(last)
    return [parse_matcher(t) for t in tokens]
