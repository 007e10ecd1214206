"""Go's regular expressions, on the RE2 library (``google-re2``): one engine for every regex.

Prometheus, Alertmanager and Go templates compile their regexes with Go's ``regexp``,
whose syntax and semantics are RE2's; matching takes time linear in the text, so no
pattern can make a match hang. This module is the only place gameday compiles a regex
built from user text (matchers, ``label_replace``, template functions, runbooks, the
simulated ``grep``), with options equal to Go's ``syntax.Perl`` flags:

==========================  =============================  ==============================
Go ``regexp/syntax.Perl``   RE2 option                     meaning
==========================  =============================  ==============================
``PerlX``, ``UnicodeGroups`` ``posix_syntax=False``         ``\\d \\w \\s \\b``, ``\\pL``,
                                                           ``\\p{Greek}``, ``(?i)`` ...
``ClassNL`` off ``DotNL``   ``dot_nl=False``               ``.`` does not match ``\\n``
``OneLine``                 (implied without posix_syntax) ``^ $`` at text ends only
leftmost-first (not POSIX)  ``longest_match=False``        ``regexp.Compile``, not
                                                           ``CompilePOSIX``
UTF-8 strings               ``encoding=UTF8``              runes, not bytes
==========================  =============================  ==============================

Where RE2's C++ parser accepts more than Go 1.19's (the Go of Debian's ``promtool`` 2.42
and ``amtool`` 0.25): ``\\C`` (any byte) and ``(?<name>...)`` are refused here as Go
refuses them. Error messages are Go's: ``error parsing regexp: missing closing ): `(a```.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import NamedTuple

import re2
from re2 import _re2

from gameday.goshortcuts import shortcut

__all__ = [
    "GoMatch",
    "GoRegex",
    "GoRegexError",
    "compile_anchored",
    "compile_go",
    "expand",
    "quote_meta",
]


class GoRegexError(ValueError):
    """The expression is not valid Go (RE2) syntax; the message is Go's."""


def _options(capture: bool) -> re2.Options:
    opts = re2.Options()
    opts.log_errors = False  # RE2 would print each refusal on stderr
    opts.posix_syntax = False
    opts.longest_match = False
    opts.dot_nl = False
    opts.never_nl = False
    opts.case_sensitive = True
    opts.never_capture = not capture
    opts.max_mem = 8 << 20
    return opts


_CAPTURE = _options(capture=True)
_NO_CAPTURE = _options(capture=False)
_UNANCHORED = _re2.RE2.Anchor.UNANCHORED

# RE2's error codes (re2/regexp.cc CodeText) in Go's spelling (regexp/syntax ErrorCode).
_GO_CODES = {
    "unexpected error": "unexpected error",
    "invalid escape sequence": "invalid escape sequence",
    "invalid character class": "invalid character class",
    "invalid character class range": "invalid character class range",
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "unexpected )": "unexpected )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid UTF-8": "invalid UTF-8",
    "invalid named capture group": "invalid named capture",
}


def _go_message(error: str) -> str:
    """``error parsing regexp: CODE: `ARG``` from RE2's ``CODE: ARG``."""
    code, sep, arg = error.partition(": ")
    if code == "trailing \\":
        return "error parsing regexp: trailing backslash at end of expression: ``"
    if code.startswith("pattern too large"):
        return "error parsing regexp: expression too large"
    go = _GO_CODES.get(code)
    if go is None:
        return f"error parsing regexp: {error}"
    return f"error parsing regexp: {go}: `{arg}`" if sep else f"error parsing regexp: {go}"


def _go_only(pattern: str) -> None:
    """Refuse what RE2's C++ parser accepts but Go 1.19's does not (``\\C``, ``(?<``)."""
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if pattern.startswith("Q", i + 1) and not in_class:
                end = pattern.find("\\E", i + 2)
                i = n if end < 0 else end + 2
                continue
            if pattern.startswith("C", i + 1):
                raise GoRegexError("error parsing regexp: invalid escape sequence: `\\C`")
            i += 2
            continue
        if in_class:
            if pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                i = i + 1 if end < 0 else end + 2
                continue
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1
            if pattern.startswith("^", i):
                i += 1
            if pattern.startswith("]", i):
                i += 1
            continue
        elif pattern.startswith("(?<", i):
            raise GoRegexError("error parsing regexp: invalid or unsupported Perl syntax: `(?<`")
        i += 1


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")


class GoMatch(NamedTuple):
    """One match: the whole text, and each group's text (``None`` when it did not take part)."""

    start: int
    end: int
    groups: tuple[str | None, ...]  # groups[0] is the whole match
    names: dict[str, int]

    def group(self, key: int | str) -> str | None:
        """A group by number or name (``None`` when absent or unmatched)."""
        index = self.names.get(key) if isinstance(key, str) else key
        if index is None or not 0 <= index < len(self.groups):
            return None
        return self.groups[index]


_MEMO_LIMIT = 1024  # remembered verdicts per regex; label values repeat in a simulation
_MEMO_TEXT = 256  # longer texts (log lines) are not remembered


class _Verdicts(dict[str, bool]):
    """Remembered ``MatchString`` verdicts: a hit is one dictionary lookup, in C."""

    __slots__ = ("_test",)

    def __init__(self, test: _re2.RE2) -> None:
        super().__init__()
        self._test = test

    def __missing__(self, text: str) -> bool:
        data = _encode(text)
        hit: bool = self._test.Match(_UNANCHORED, data, 0, len(data))[0][0] >= 0
        if len(text) <= _MEMO_TEXT:
            if len(self) >= _MEMO_LIMIT:
                self.clear()
            self[text] = hit
        return hit


class GoRegex:
    """A compiled Go regular expression: ``MatchString``, ``FindAll``, ``ReplaceAllString``.

    ``test`` is ``MatchString`` as a plain callable for hot loops (routing, silences): a
    remembered verdict, or for the shapes of :mod:`gameday.goshortcuts` a string test.
    """

    __slots__ = ("pattern", "_capture", "test", "_names", "groups")

    def __init__(self, pattern: str) -> None:
        _go_only(pattern)
        encoded = _encode(pattern)
        compiled = _re2.RE2(encoded, _NO_CAPTURE)
        if not compiled.ok():
            raise GoRegexError(_go_message(_decode(compiled.error())))
        self.pattern = pattern
        self.test: Callable[[str], bool] = _Verdicts(compiled).__getitem__
        self._capture: _re2.RE2 | None = None
        self.groups = 0
        self._names: dict[str, int] | None = None

    def _captures(self) -> _re2.RE2:
        if self._capture is None:
            self._capture = _re2.RE2(_encode(self.pattern), _CAPTURE)
            self.groups = self._capture.NumberOfCapturingGroups()
        return self._capture

    @property
    def names(self) -> dict[str, int]:
        """Named groups and their numbers."""
        if self._names is None:
            self._names = {_decode(k): v for k, v in self._captures().NamedCapturingGroups()}
        return self._names

    def search(self, text: str) -> bool:
        """Go's ``MatchString``: whether the regex matches anywhere in ``text``."""
        return self.test(text)

    def finditer(self, text: str) -> Iterator[GoMatch]:
        """Successive non-overlapping matches, as Go's ``FindAllStringSubmatchIndex``.

        As in Go's ``allMatches``, an empty match right after the previous match is
        skipped, and the search moves on one character past an empty match.
        """
        rx = self._captures()
        names = self.names
        data = _encode(text)
        end = len(data)
        pos, prev = 0, -1
        mark_byte = mark_char = 0  # a byte offset and the character offset it maps to
        while pos <= end:
            spans = rx.Match(_UNANCHORED, data, pos, end)
            a, b = spans[0]
            if a < 0:
                return
            accept = True
            if b == pos:
                accept = a != prev
                pos += _char_width(data[pos]) if pos < end else 1
            else:
                pos = b
            prev = b
            if accept:
                mark_char += len(_decode(data[mark_byte:a]))
                groups = tuple(None if s < 0 else _decode(data[s:e]) for s, e in spans)
                start = mark_char
                mark_byte, mark_char = b, start + len(groups[0] or "")
                yield GoMatch(start, mark_char, groups, names)

    def find(self, text: str) -> GoMatch | None:
        """Go's ``FindStringSubmatch``: the leftmost match and its groups, or ``None``."""
        return next(self.finditer(text), None)

    def replace_all(self, text: str, template: str) -> str:
        """Go's ``ReplaceAllString``: each match replaced by ``template`` expanded."""
        out: list[str] = []
        last = 0
        for m in self.finditer(text):
            out.append(text[last : m.start])
            out.append(expand(template, m))
            last = m.end
        out.append(text[last:])
        return "".join(out)

    def __repr__(self) -> str:
        return f"GoRegex({self.pattern!r})"


def _char_width(lead: int) -> int:
    """Bytes in the UTF-8 sequence starting with ``lead`` (1 for a stray byte)."""
    if lead >= 0xF0:
        return 4
    if lead >= 0xE0:
        return 3
    if lead >= 0xC0:
        return 2
    return 1


@functools.lru_cache(maxsize=1024)
def compile_go(pattern: str) -> GoRegex:
    """Go's ``regexp.Compile(pattern)`` (unanchored; ``search`` is ``MatchString``).

    Raises:
        GoRegexError: with Go's message when Go would refuse the pattern.
    """
    return GoRegex(pattern)


@functools.lru_cache(maxsize=1024)
def compile_anchored(pattern: str) -> GoRegex:
    """Compile ``^(?:pattern)$`` textually, as Prometheus and Alertmanager do for matchers.

    The anchoring is textual, as in Go, so ``a)|(b`` is accepted just as Go accepts it.
    Literal alternations, prefixes, suffixes and substrings are then decided without RE2
    (:func:`gameday.goshortcuts.shortcut`), as Prometheus' ``FastRegexMatcher`` does.

    Raises:
        GoRegexError: with Go's message when Go would refuse the anchored pattern.
    """
    rx = GoRegex("^(?:" + pattern + ")$")
    fast = shortcut(pattern, rx.test)
    if fast is not None:
        rx.test = fast
    return rx


def quote_meta(text: str) -> str:
    """Go's ``regexp.QuoteMeta``: ``text`` as a literal pattern."""
    special = set("\\.+*?()|[]{}^$")
    return "".join("\\" + c if c in special else c for c in text)


def _name_end(template: str, i: int) -> int:
    """End of the Go template name (letters, digits, ``_``) starting at ``template[i]``."""
    while i < len(template) and (template[i].isalnum() or template[i] == "_"):
        i += 1
    return i


def _group_number(name: str) -> int:
    """Go's ``extract``: a decimal number without leading zeros, else -1 (a name)."""
    if not name.isascii() or not name.isdigit() or (name[0] == "0" and len(name) > 1):
        return -1
    return int(name) if len(name) <= 8 else -1


def expand(template: str, match: GoMatch) -> str:
    """Go's ``Regexp.ExpandString``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``.

    ``$1x`` is ``${1x}`` (a name, so empty), an unknown or unmatched group is empty, and a
    ``$`` not followed by a valid name is kept as text.
    """
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        i = j + 1
        if template.startswith("$", i):
            out.append("$")
            i += 1
            continue
        if template.startswith("{", i):
            end = _name_end(template, i + 1)
            name = template[i + 1 : end]
            ok = bool(name) and template.startswith("}", end)
            nxt = end + 1
        else:
            end = _name_end(template, i)
            name = template[i:end]
            ok = bool(name)
            nxt = end
        if not ok:
            out.append("$")
            continue
        i = nxt
        num = _group_number(name)
        out.append(match.group(num if num >= 0 else name) or "")
    return "".join(out)
