"""Go regular expressions on RE2: Go's syntax, anchoring, messages, and linear-time matching."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gameday.goregex import GoRegexError, compile_anchored, compile_go, quote_meta


@pytest.mark.parametrize(
    ("pattern", "yes", "no"),
    [
        ("a|b", ["a", "b"], ["ab", "", "a\n"]),
        ("^(api|web)$", ["api", "web"], ["api\n", "apiweb"]),
        ("\\d+", ["123"], ["١٢٣", "12a"]),  # Go's \d is ASCII only
        ("[[:alpha:]]+", ["abc"], ["ab1"]),
        ("[[:^digit:]]+", ["ab"], ["a1"]),
        ("(?i)crit.*", ["CRITICAL", "crit"], ["warn"]),
        ("\\Qa.b\\E", ["a.b"], ["axb"]),
        ("x\\z", ["x"], ["x\n"]),
        (".*", ["", "anything"], ["two\nlines"]),
        ("(?s).*", ["two\nlines"], []),
        ("\\pL+", ["äbc", "Ωx"], ["a1", ""]),
        ("\\p{Lu}\\P{Lu}*", ["Abc"], ["ABc"]),
        ("[\\pN_]+", ["12_٣"], ["a"]),
        ("\\p{Greek}+", ["αβγ", "Ω"], ["abc", "αb"]),
        ("[\\p{Cyrillic}\\d]+", ["д1"], ["dd"]),
        ("\\P{Han}", ["a"], ["字"]),
        ("foo(?i)bar", ["fooBAR"], ["FOObar"]),
        ("(a(?i)b)c", ["aBc"], ["aBC"]),
        ("x(?i)y|z", ["xY", "Z"], ["XY"]),
        ("a)|(b", ["a", "b", "ax", "xb"], ["x"]),  # ^(?:a)|(b)$: anchoring is textual
        ("$?x\\b{2}", ["x"], []),  # assertions may be repeated
        ("a\\b", ["a"], []),
        ("ä\\b", [], ["ä"]),  # Go's \b is an ASCII word boundary
        ("(?U)a+", ["aaa"], [""]),
        ("\\x{3a9}", ["Ω"], ["O"]),
        ("(?i)σ", ["Σ", "ς"], ["s"]),  # Unicode simple case folding
    ],
)
def test_anchored_semantics(pattern: str, yes: list[str], no: list[str]) -> None:
    """Anchoring, ASCII \\d, POSIX and Unicode classes and scripts, \\Q..\\E, $, flags as Go."""
    rx = compile_anchored(pattern)
    assert [s for s in yes if not rx.search(s)] == []
    assert [s for s in no if rx.search(s)] == []


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(a", "error parsing regexp: missing closing ): `(a`"),
        ("a)", "error parsing regexp: unexpected ): `a)`"),
        ("[a", "error parsing regexp: missing closing ]: `[a`"),
        ("x**", "error parsing regexp: invalid nested repetition operator: `**`"),
        ("*", "error parsing regexp: missing argument to repetition operator: `*`"),
        ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
        ("\\8", "error parsing regexp: invalid escape sequence: `\\8`"),
        ("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"),
        ("\\C", "error parsing regexp: invalid escape sequence: `\\C`"),
        ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
        ("\\p{Klingon}", "error parsing regexp: invalid character class range: `\\p{Klingon}`"),
        ("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
        ("(?<n>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`"),
        ("(?<=a)b", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`"),
        ("a\\", "error parsing regexp: trailing backslash at end of expression: ``"),
    ],
)
def test_go_refusals_and_messages(pattern: str, message: str) -> None:
    """What Go 1.19's regexp refuses (look-arounds, back-references, \\C, (?<name>)), in its words."""
    with pytest.raises(GoRegexError) as info:
        compile_go(pattern)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("(a+)+b", "a" * 50_000),
        ("(.*)*ZZZ", "x" * 50_000),
        ("(a|a)*c", "a" * 50_000),
        ("(\\w+\\s?)*$", "word " * 10_000 + "!"),
    ],
)
def test_matching_is_linear(pattern: str, text: str) -> None:
    """Patterns that backtrack exponentially in Python's re finish at once on RE2."""
    t0 = time.perf_counter()
    assert not compile_anchored(pattern).search(text)
    assert not compile_go(pattern + "!").search(text)
    assert time.perf_counter() - t0 < 1.0


def test_replace_all_like_go() -> None:
    """ReplaceAllString: empty matches after a match are skipped; $1, ${name}, $$ expand."""
    assert compile_go("a*").replace_all("baaac", "X") == "XbXcX"
    assert (
        compile_go("(?P<x>é+)(z)?").replace_all("aéébé", "[${x}|$2|$1x|$$]") == "a[éé|||$]b[é|||$]"
    )
    assert compile_go("(\\w)(\\w)").replace_all("abcd", "$2$1") == "badc"
    assert compile_go("(a)").replace_all("a", "$01|${1}|$1|$") == "|a|a|$"  # $01 is a name


def test_find_reports_character_offsets_and_context() -> None:
    """Offsets are characters, not UTF-8 bytes; ^ and \\b see the text before the match."""
    assert [(m.start, m.end) for m in compile_go("é+").finditer("aééb é")] == [(1, 3), (5, 6)]
    assert [m.start for m in compile_go("^a").finditer("aaa")] == [0]
    assert [(m.start, m.end) for m in compile_go("\\b").finditer(" a")] == [(1, 1), (2, 2)]
    m = compile_anchored("(?P<host>[^:]+):(\\d+)").find("db-1:5432")
    assert m is not None and (m.group("host"), m.group(2), m.group(3)) == ("db-1", "5432", None)


def test_lone_surrogates_do_not_break_matching() -> None:
    """Text that is not valid UTF-8 (a JSON \\ud800) is matched, never an encoding error."""
    assert compile_go("a").search("\ud800a")
    assert [m.group(0) for m in compile_go("a.").finditer("xa\ud800")]


def test_quote_meta_round_trips() -> None:
    """QuoteMeta makes any text a literal pattern."""
    text = "a.b*c(d)[e]{f}|g^h$i\\j+k?"
    assert compile_anchored(quote_meta(text)).search(text)
    assert not compile_anchored(quote_meta(text)).search("a.b*c(d)[e]{f}|g^h$i\\j+k")


literal = st.text(alphabet=["a", "b", "é", "\n", " ", "-"], max_size=4)


@settings(max_examples=200, deadline=None)
@given(alts=st.lists(literal, min_size=1, max_size=4), text=literal, prefix=st.booleans())
def test_literal_shortcuts_agree_with_re2(alts: list[str], text: str, prefix: bool) -> None:
    """``api|web`` and ``api.*`` skip RE2 in ``search`` and decide exactly as RE2 does."""
    pattern = alts[0] + ".*" if prefix else "|".join(alts)
    assert compile_anchored(pattern).search(text) == compile_go(f"^(?:{pattern})$").search(text)
    assert compile_anchored(pattern).search(alts[0])
