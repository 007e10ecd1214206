"""The matcher parser behaves like Alertmanager 0.25's."""

from __future__ import annotations

import pytest

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
