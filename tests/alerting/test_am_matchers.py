"""The matcher parser and Go-regex translation behave like Alertmanager 0.25's."""

from __future__ import annotations

import pytest

from gameday.alerting.goregex import GoRegexError, compile_go
from gameday.alerting.matchers import (
    Matcher,
    MatcherError,
    format_matchers,
    parse_matcher,
    parse_matchers,
    sort_matchers,
)


@pytest.mark.parametrize(
    ("text", "name", "op", "value"),
    [
        ("foo=bar", "foo", "=", "bar"),
        ('foo="bar"', "foo", "=", "bar"),
        ('  foo  !=  "bar baz"  ', "foo", "!=", "bar baz"),
        ('foo=~"a|b"', "foo", "=~", "a|b"),
        ("foo!~a.*", "foo", "!~", "a.*"),
        ('foo="x\\"y"', "foo", "=", 'x"y'),
        ('foo="a\\nb"', "foo", "=", "a\nb"),
        ('foo="a\\\\b"', "foo", "=", "a\\b"),
        ('foo="a\\tb"', "foo", "=", "a\\tb"),  # unknown escapes keep the backslash
        ("foo=bar\\", "foo", "=", "bar\\"),
        ("foo=", "foo", "=", ""),
        ('foo=""', "foo", "=", ""),
        ("foo=ä→ü", "foo", "=", "ä→ü"),
        ("a:b=c", "a:b", "=", "c"),
    ],
)
def test_parse_matcher(text: str, name: str, op: str, value: str) -> None:
    """Names, operators, quoting and escapes as in pkg/labels/parse.go."""
    m = parse_matcher(text)
    assert (m.name, m.op, m.value) == (name, op, value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo", "bad matcher format"),
        ("1foo=bar", "bad matcher format"),
        ('foo="bar', "unescaped double quote"),
        ('foo=ba"r', "unescaped double quote"),
        ('foo=="bar"', "unescaped double quote"),
        ('foo=~"("', "error parsing regexp"),
    ],
)
def test_parse_matcher_errors(text: str, message: str) -> None:
    """Malformed matchers are refused with Alertmanager's wording."""
    with pytest.raises(MatcherError, match=message):
        parse_matcher(text)


def test_parse_matchers_splits_on_commas_outside_quotes() -> None:
    """Braces are optional; commas inside quotes belong to the value."""
    ms = parse_matchers('{a="1,2", b=~"x|y",c!=3}')
    assert [(m.name, m.op, m.value) for m in ms] == [
        ("a", "=", "1,2"),
        ("b", "=~", "x|y"),
        ("c", "!=", "3"),
    ]
    assert parse_matchers("") == []


def test_missing_label_matches_as_empty_string() -> None:
    """A matcher for an absent label sees the empty string."""
    assert Matcher.make("x", "=", "").matches("")
    assert Matcher.make("x", "!=", "a").matches("")
    assert Matcher.make("x", "=~", ".*").matches("")


def test_sorting_and_printing_like_alertmanager() -> None:
    """Sorted by name, value, operator; printed with OpenMetrics escaping."""
    ms = sort_matchers(parse_matchers('b="2", a=~"x", a="x", c="q\\"uote\\nd"'))
    assert format_matchers(ms) == '{a="x",a=~"x",b="2",c="q\\"uote\\nd"}'


@pytest.mark.parametrize(
    ("pattern", "yes", "no"),
    [
        ("a|b", ["a", "b"], ["ab", "", "a\n"]),
        ("^(api|web)$", ["api", "web"], ["api\n", "apiweb"]),
        ("\\d+", ["123"], ["١٢٣", "12a"]),  # Go's \d is ASCII only
        ("[[:alpha:]]+", ["abc"], ["ab1"]),
        ("(?i)crit.*", ["CRITICAL", "crit"], ["warn"]),
        ("\\Qa.b\\E", ["a.b"], ["axb"]),
        ("x\\z", ["x"], ["x\n"]),
        (".*", ["", "anything"], ["two\nlines"]),
        ("\\pL+", ["äbc", "Ωx"], ["a1", ""]),
        ("\\p{Lu}\\P{Lu}*", ["Abc"], ["ABc"]),
        ("[\\pN_]+", ["12_٣"], ["a"]),
        ("foo(?i)bar", ["fooBAR"], ["FOObar"]),
        ("(a(?i)b)c", ["aBc"], ["aBC"]),
        ("x(?i)y|z", ["xY", "Z"], ["XY"]),
        ("a)|(b", ["a", "b", "ax", "xb"], ["x"]),  # ^(?:a)|(b)$: anchoring is textual
        ("$?x\\b{2}", ["x"], []),  # assertions may be repeated
        ("a\\b", ["a"], []),
        ("ä\\b", [], ["ä"]),  # Go's \b is an ASCII word boundary
    ],
)
def test_go_regex_semantics(pattern: str, yes: list[str], no: list[str]) -> None:
    """Anchoring, ASCII \\d, POSIX and Unicode classes, \\Q..\\E, $, flags as in RE2."""
    rx = compile_go(pattern)
    assert [s for s in yes if not rx.search(s)] == []
    assert [s for s in no if rx.search(s)] == []


@pytest.mark.parametrize(
    "pattern", ["(?=a)", "(?!a)", "(?<=a)b", "(a)\\1", "(?>a)", "[a", "\\p{Greek}", "a(?U)b"]
)
def test_go_refuses_what_re2_does_not_support(pattern: str) -> None:
    """Not RE2 (look-arounds, back-references, atomic groups), or not translated (scripts, U)."""
    with pytest.raises(GoRegexError):
        compile_go(pattern)
