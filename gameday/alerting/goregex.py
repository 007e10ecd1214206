"""Go (RE2) regular expressions, compiled with Python's :mod:`re`.

Alertmanager anchors every matcher regex textually as ``^(?:<re>)$``, compiles it with
Go's ``regexp`` and calls ``MatchString`` (a search). Python's dialect differs where it
matters for label values: ``$`` also matches before a trailing newline; ``\\d``,
``\\w``, ``\\s`` and ``\\b`` are Unicode-aware; ``(?i)`` must lead the pattern; a
quantifier may not follow an assertion; and Python accepts look-arounds,
back-references and atomic groups, which RE2 refuses. :func:`translate` rewrites the
RE2 spelling (also POSIX classes, ``\\Q..\\E``, ``\\x{..}``, ``\\pL``), so a config
amtool accepts is accepted here and matches the same values. Not translated: Unicode
scripts (``\\p{Greek}``), the ungreedy flag ``(?U)``, a quantifier right after a flag
group.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_PERL_IN_CLASS = {"d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\f\\r "}
_PERL = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[0-9A-Za-z_]",
    "W": "[^0-9A-Za-z_]",
    "s": "[\\t\\n\\f\\r ]",
    "S": "[^\\t\\n\\f\\r ]",
}
_W = "[0-9A-Za-z_]"
_ASSERTIONS = {  # Go's \b is an ASCII word boundary; every assertion may be repeated
    "z": "(?:\\Z)",
    "A": "(?:\\A)",
    "b": f"(?:(?<={_W})(?!{_W})|(?<!{_W})(?={_W}))",
    "B": f"(?:(?<={_W})(?={_W})|(?<!{_W})(?!{_W}))",
}
# Escapes RE2 knows; any other escaped letter or digit is an error there.
_PLAIN_ESCAPES = set("aftnrvbBA.+*?()|[]{}^$\\-/ #&~<>=!,:;@%'\"`_")


_FLAGS = re.compile(r"\(\?([imsU]*(?:-[imsU]+)?)\)")


class GoRegexError(ValueError):
    """The expression is not valid RE2 syntax."""


def translate(pattern: str) -> str:
    """Rewrite an RE2 pattern into an equivalent Python ``re`` pattern.

    Raises:
        GoRegexError: for syntax that Go's ``regexp`` refuses.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    scoped: list[list[str]] = [[]]  # per open group: flag scopes opened inside it
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise GoRegexError("trailing backslash at end of expression")
            e = pattern[i + 1]
            i += 2
            if e == "Q":
                end = pattern.find("\\E", i)
                lit = pattern[i:] if end < 0 else pattern[i:end]
                out.append(re.escape(lit))
                i = n if end < 0 else end + 2
            elif e in _ASSERTIONS and not in_class:
                out.append(_ASSERTIONS[e])
            elif e in "pP":
                i = _unicode_class(pattern, i, e == "P", in_class, out)
            elif e == "x" and i < n and pattern[i] == "{":
                end = pattern.find("}", i)
                if end < 0:
                    raise GoRegexError("invalid escape sequence: \\x{")
                out.append(f"\\U{int(pattern[i + 1 : end], 16):08x}")
                i = end + 1
            elif e in _PERL_IN_CLASS and in_class:
                out.append(_PERL_IN_CLASS[e])
            elif e in _PERL and not in_class:
                out.append(_PERL[e])
            elif e in "DWS" or e in _PLAIN_ESCAPES or e == "x":
                out.append("\\" + e)
            elif e.isdigit() and e != "0" or e.isalpha():
                raise GoRegexError(f"invalid escape sequence: \\{e}")
            else:
                out.append("\\" + e)
            continue
        if in_class:
            if c == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                name = pattern[i + 2 : end] if end > 0 else ""
                neg = name.startswith("^")
                cls = _POSIX.get(name.lstrip("^"))
                if cls is None:
                    raise GoRegexError(f"invalid character class range: [:{name}:]")
                if neg:
                    raise GoRegexError("negated POSIX classes are not supported")
                out.append(cls)
                i = end + 2
                continue
            if c == "[":
                out.append("\\[")
            elif c == "]":
                in_class = False
                out.append(c)
            else:
                out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":
                out.append("\\]")
                i += 1
            continue
        if c == "(" and pattern.startswith("(?", i):
            rest = pattern[i + 2 : i + 4]
            if rest[:1] in ("=", "!", ">", "#") or rest in ("<=", "<!") or rest[:1] == "<":
                raise GoRegexError(f"invalid or unsupported Perl syntax: (?{rest[:1]}")
            if rest[:1] == "P" and rest[1:2] in ("=", ">"):
                raise GoRegexError("invalid named capture")
            flags = _FLAGS.match(pattern, i)
            if flags and out:
                # Go's (?i) applies to the rest of the enclosing group; Python wants a scope.
                if "U" in flags.group(1):
                    raise GoRegexError("the ungreedy flag (?U) is not supported by gameday")
                out.append(f"(?{flags.group(1)}:")
                scoped[-1].append(flags.group(1))
                i = flags.end()
                continue
        if c == "(":
            scoped.append([])
        elif c == ")" and len(scoped) > 1:
            out.append(")" * len(scoped.pop()))
        elif c == "|" and scoped[-1]:  # the flags hold on in the next alternative
            reopen = "".join(f"(?{f}:" for f in scoped[-1])
            out.append(")" * len(scoped[-1]) + "|" + reopen)
            i += 1
            continue
        if c in "^$":  # grouped, as Go allows quantifiers on assertions
            out.append("(?:\\Z)" if c == "$" else "(?:^)")
            i += 1
            continue
        out.append(c)
        i += 1
    if in_class:
        raise GoRegexError(f"missing closing ]: {pattern}")
    return "".join(out) + ")" * len(scoped[0])


@functools.cache
def _categories() -> dict[str, str]:
    """Character-class bodies (ranges) for every Unicode general category and major class."""
    ranges: dict[str, list[list[int]]] = {}
    for cp in range(sys.maxunicode + 1):
        cat = unicodedata.category(chr(cp))
        for key in (cat, cat[0]):
            spans = ranges.setdefault(key, [])
            if spans and spans[-1][1] == cp - 1:
                spans[-1][1] = cp
            else:
                spans.append([cp, cp])
    return {
        key: "".join(f"\\U{a:08x}" + (f"-\\U{b:08x}" if b > a else "") for a, b in spans)
        for key, spans in ranges.items()
    }


def _unicode_class(pattern: str, i: int, negated: bool, in_class: bool, out: list[str]) -> int:
    """Translate ``\\pL``, ``\\p{Lu}``, ``\\PN``, ``\\p{^L}`` at ``pattern[i:]``."""
    if i < len(pattern) and pattern[i] == "{":
        end = pattern.find("}", i)
        if end < 0:
            raise GoRegexError("invalid character class range: \\p{")
        name, i = pattern[i + 1 : end], end + 1
    elif i < len(pattern):
        name, i = pattern[i], i + 1
    else:
        raise GoRegexError("invalid character class range: \\p")
    if name.startswith("^"):
        name, negated = name[1:], not negated
    body = _categories().get(name)
    if body is None or name in ("Cn", "Co", "Cs"):
        raise GoRegexError(f"invalid character class range: \\p{{{name}}} (only general "
                           "categories are supported by gameday)")  # fmt: skip
    if in_class and negated:
        raise GoRegexError("negated Unicode classes inside [...] are not supported by gameday")
    out.append(body if in_class else f"[{'^' if negated else ''}{body}]")
    return i


def compile_go(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` anchored as Alertmanager does: ``^(?:pattern)$``.

    The anchoring is textual, as in Go, so ``a)|(b`` is accepted just as Go accepts it.

    Raises:
        GoRegexError: when Go would refuse the expression.
    """
    text = translate("^(?:" + pattern + ")$")
    try:
        return re.compile(text)
    except re.error as exc:
        raise GoRegexError(f"error parsing regexp: {exc}") from None
