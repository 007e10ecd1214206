"""Matcher regex shortcuts decide exactly as RE2 does on ``^(?:v)$``, Unicode and newlines included."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gameday.goregex import GoRegex, GoRegexError, compile_anchored, compile_go
from gameday.goshortcuts import shortcut

# Characters where Go's rules bite: case folding (Kelvin sign, long s, sigma), a newline
# that ``.`` refuses, text that is not UTF-8 (a lone surrogate), and escaped punctuation.
CHARS = ["a", "b", "k", "K", "\u212a", "s", "S", "\u017f", "é", "Ω", "σ", "Σ", "\n", " ", "-"]
ESCAPED = ["\\.", "\\*", "\\+", "\\|", "\\\\", "\\(", "\\[", "\\{", "\\$", "\\^", "\\-", "\\_"]
DOTS = ["", ".*", ".+"]

literals = st.lists(st.sampled_from(CHARS + ESCAPED), max_size=4).map("".join)
alternatives = st.builds(lambda lead, lit, trail: lead + lit + trail, st.sampled_from(DOTS),
                         literals, st.sampled_from(DOTS))  # fmt: skip
shaped = st.one_of(
    st.lists(alternatives, min_size=1, max_size=3).map("|".join),
    st.lists(literals, min_size=1, max_size=3).map(lambda alts: "(?i)" + "|".join(alts)),
)
# Patterns a shortcut must leave alone (or get right): near misses of the shapes above.
NEAR = [".*?", "a\\.*", "\\\\.*", ".**", "(?i).*", "(?s).*", "a.", "..*", "\\d", "[a]",
        "(a)", "a{2}", "^a", "a$", "\\Qa\\E", "\\n", "(?i)é", "a?", "(?U)a.*", "\\pL"]  # fmt: skip
near = st.lists(st.one_of(alternatives, st.sampled_from(NEAR)), min_size=1, max_size=3).map(
    "|".join
)
texts = st.lists(st.sampled_from([*CHARS, "\ud800", ".", "*", "|", "\\", "_", "ab", "x"]),
                 max_size=8).map("".join)  # fmt: skip


def _pieces(pattern: str) -> list[str]:
    """Texts made of the pattern's own literals, so that matches are common."""
    bare = pattern.removeprefix("(?i)").replace("\\", "").replace(".*", "").replace(".+", "x")
    return [*bare.split("|"), bare.replace("|", ""), bare.upper(), bare + "\n", "y" + bare]


def _check(pattern: str, candidates: list[str]) -> GoRegex | None:
    """Assert our verdict is RE2's own on ``^(?:pattern)$`` for each text; the regex used."""
    try:
        rx = compile_anchored(pattern)
    except GoRegexError:
        return None  # Go refuses it: no shortcut is ever built
    plain = compile_go("^(?:" + pattern + ")$")  # remembered RE2 verdicts, never a shortcut
    for t in candidates:
        assert rx.search(t) == plain.search(t), (pattern, t)
    return rx


@settings(max_examples=600, deadline=None)
@given(pattern=shaped, text=texts)
def test_shapes_take_a_shortcut_and_agree_with_re2(pattern: str, text: str) -> None:
    """Literal sets, prefixes, suffixes, substrings and ``(?i)`` literals: same verdict as RE2."""
    rx = _check(pattern, [text, *_pieces(pattern)])
    if rx is not None:
        folded_unicode = pattern.startswith("(?i)") and not pattern.isascii()  # left to RE2
        assert (shortcut(pattern, rx.search) is None) == folded_unicode, pattern


@settings(max_examples=400, deadline=None)
@given(pattern=near, text=texts)
def test_near_misses_agree_with_re2(pattern: str, text: str) -> None:
    """Patterns close to a shortcut's shape decide as RE2 does, whichever path they take."""
    _check(pattern, [text, *_pieces(pattern)])


@settings(max_examples=300, deadline=None)
@given(pattern=shaped, text=st.text(max_size=12))
def test_any_unicode_text_agrees_with_re2(pattern: str, text: str) -> None:
    """Any Unicode text, not only the chosen alphabet."""
    _check(pattern, [text])


@pytest.mark.parametrize(
    ("pattern", "shape"),
    [
        ("api|web", "set"),
        ("", "set"),
        ("10\\.0\\.1\\..*", "prefix"),
        (".*-canary", "suffix"),
        (".*eu.*", "contains"),
        (".+", "dots"),
        ("(?i)critical|page", "folded"),
        ("crit.*|page", "mixed"),
        ("a\\.*", None),
        ("(?i)é", None),
        (".*?", None),
        ("[a-z]+", None),
        ("(?s).*", None),
    ],
)
def test_which_patterns_take_a_shortcut(pattern: str, shape: str | None) -> None:
    """The shapes Prometheus' FastRegexMatcher shortcuts skip RE2; anything else runs on it."""
    rx = compile_anchored(pattern)
    fast = shortcut(pattern, rx.search)
    assert (fast is not None) == (shape is not None)
    if shape == "set":
        assert getattr(fast, "__self__", None) == frozenset(pattern.split("|"))  # C: set lookup


def test_dot_stops_at_newline_and_folding_is_go_s() -> None:
    """``.`` never matches ``\\n``; ``(?i)k`` matches the Kelvin sign, as in Go."""
    assert not compile_anchored("a.*").search("ab\nc")
    assert not compile_anchored(".*b").search("a\nb")
    assert compile_anchored("a|b\nc").search("b\nc")  # a literal newline is still a literal
    assert compile_anchored("(?i)kelvin").search("\u212aELVIN")
    assert compile_anchored("(?i)kelvin").search("KeLvIn")
    assert not compile_anchored("(?i)kelvin").search("kelvin\n")
