"""Matcher regexes that need no regex engine: Prometheus' ``FastRegexMatcher`` shortcuts.

Alertmanager and Prometheus 2.42 compile a matcher value ``v`` as ``^(?:v)$`` with Go's
default flags, so ``.`` does not match ``\\n``. Most matcher values in real configs are
literal alternations (``api|web``), prefixes (``crit.*``), suffixes (``.*-canary``) or
substrings (``.*eu.*``); Prometheus' ``model/labels/regexp.go`` decides those with string
functions instead of running the regex, and so does :func:`shortcut`. What it accepts:

* alternatives ``L``, ``.*L``, ``.+L``, ``L.*``, ``L.+``, ``.*L.*`` and the like, where
  ``L`` is a literal (plain characters and ``\\`` before ASCII punctuation), ``.*`` /
  ``.+`` at most once on each side (a newline in ``L`` is allowed: it fixes where
  ``L`` sits, since the dots cannot take one);
* ``(?i)`` before an alternation of ASCII literals, decided by ``str.lower`` for ASCII
  text (Go's simple case folding adds only the Kelvin sign and long s to ASCII letters,
  so any other text goes to ``fallback``).

Anything else returns ``None`` and runs on RE2. Each shortcut is checked against RE2 on
random patterns and texts (``tests/engine/test_eng_goshortcuts.py``).
"""

from __future__ import annotations

import string
from collections.abc import Callable

__all__ = ["shortcut"]

Test = Callable[[str], bool]

_META = frozenset("\\.+*?()|[]{}^$")
_ESCAPABLE = frozenset(string.punctuation)
_DOTS = {".*": 0, ".+": 1}  # the fewest characters each dot repetition takes


def _split(pattern: str) -> list[str] | None:
    """Top-level alternatives of ``pattern``, or ``None`` when it has groups or classes."""
    alts, start, i = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c in "()[]{}":
            return None
        if c == "|":
            alts.append(pattern[start:i])
            start = i + 1
        i += 1
    alts.append(pattern[start:])
    return alts


def _literal(text: str) -> str | None:
    """The text a run of literal characters stands for, or ``None`` if it is not one."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            if i + 1 >= len(text) or text[i + 1] not in _ESCAPABLE:
                return None
            out.append(text[i + 1])
            i += 2
            continue
        if c in _META:
            return None
        out.append(c)
        i += 1
    return "".join(out)


def _dotted(alt: str) -> tuple[int | None, str, int | None] | None:
    """``(lead, literal, trail)``: the fewest characters each side's dots take (None: no dots)."""
    lead = _DOTS.get(alt[:2])
    body = alt[2:] if lead is not None else alt
    trail = None
    if body[-2:] in _DOTS:
        escapes = len(body[:-2]) - len(body[:-2].rstrip("\\"))
        if escapes % 2 == 0:  # the dot is not itself escaped
            trail = _DOTS[body[-2:]]
            body = body[:-2]
    lit = _literal(body)
    if lit is None:
        return None
    return lead, lit, trail


def _dotted_test(lead: int | None, lit: str, trail: int | None) -> Test:
    """The test for one alternative with dots on one side or both."""
    size = len(lit)
    if lead is None:
        least = (trail or 0) + size
        if "\n" in lit:  # only the dots must not take a newline
            return lambda t: t.startswith(lit) and len(t) >= least and "\n" not in t[size:]
        return lambda t: t.startswith(lit) and len(t) >= least and "\n" not in t
    if trail is None:
        least = lead + size
        if "\n" in lit:
            return lambda t: t.endswith(lit) and len(t) >= least and "\n" not in t[: len(t) - size]
        return lambda t: t.endswith(lit) and len(t) >= least and "\n" not in t

    if "\n" in lit:  # the text's first newline is the literal's first: that fixes its place
        first = lit.index("\n")

        def placed(t: str) -> bool:
            at = t.find("\n") - first
            return (
                at >= lead
                and t.startswith(lit, at)
                and len(t) - at - size >= trail
                and "\n" not in t[at + size :]
            )

        return placed

    def test(t: str) -> bool:
        at = t.find(lit, lead)  # the leftmost place leaves the most room after it
        return at >= 0 and len(t) - at - size >= trail and "\n" not in t

    return test


def _any(literals: frozenset[str], tests: list[Test]) -> Test:
    if not tests:
        return literals.__contains__
    if not literals and len(tests) == 1:
        return tests[0]
    return lambda t: t in literals or any(test(t) for test in tests)


def _folded(literals: list[str], fallback: Test) -> Test | None:
    """``(?i)`` over ASCII literals: ``str.lower`` for ASCII text, ``fallback`` otherwise."""
    if not all(lit.isascii() for lit in literals):
        return None
    lowered = frozenset(lit.lower() for lit in literals)
    return lambda t: t.lower() in lowered if t.isascii() else fallback(t)


def shortcut(pattern: str, fallback: Test) -> Test | None:
    """A test equal to RE2's verdict on ``^(?:pattern)$``, or ``None`` when none applies.

    ``pattern`` must already have compiled under Go's rules. ``fallback`` is the regex's
    own test, for texts a shortcut cannot decide.
    """
    folded = pattern.startswith("(?i)")
    alts = _split(pattern[4:] if folded else pattern)
    if alts is None:
        return None
    if folded:
        literals = [_literal(alt) for alt in alts]
        if any(lit is None for lit in literals):
            return None
        return _folded([lit for lit in literals if lit is not None], fallback)
    plain: set[str] = set()
    tests: list[Test] = []
    for alt in alts:
        parts = _dotted(alt)
        if parts is None:
            return None
        lead, lit, trail = parts
        if lead is None and trail is None:
            plain.add(lit)
        else:
            tests.append(_dotted_test(lead, lit, trail))
    return _any(frozenset(plain), tests)
