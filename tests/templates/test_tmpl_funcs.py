"""Prometheus' template functions and Go's builtins, with outputs derived from Go."""

from __future__ import annotations

import math

import pytest

from gameday.rules.templates import TemplateError, render_template


def render(text: str, value: float = 0.0, **labels: str) -> str:
    return render_template(text, labels=labels, value=value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "0"),
        (1.0, "1"),
        (999.0, "999"),
        (1000.0, "1k"),
        (1234567.0, "1.235M"),
        (-1234.0, "-1.234k"),
        (0.5, "500m"),
        (0.000123, "123u"),
        (1e-9, "1n"),
        (1e30, "1e+06Y"),
        (math.nan, "NaN"),
        (math.inf, "+Inf"),
    ],
)
def test_humanize_uses_si_prefixes_and_four_digits(value: float, expected: str) -> None:
    """humanize: SI prefixes, %.4g."""
    assert render("{{ humanize $value }}", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, "1"), (1024.0, "1ki"), (1536.0, "1.5ki"), (1048576.0, "1Mi"), (-2048.0, "-2ki")],
)
def test_humanize1024(value: float, expected: str) -> None:
    """humanize1024: binary prefixes."""
    assert render("{{ humanize1024 $value }}", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "0s"),
        (1.5, "1.5s"),
        (59.99, "59.99s"),
        (60.0, "1m 0s"),
        (3600.0, "1h 0m 0s"),
        (90061.0, "1d 1h 1m 1s"),
        (-90061.0, "-1d 1h 1m 1s"),
        (0.5, "500ms"),
        (0.000001234, "1.234us"),
        (-0.5, "-500ms"),
        (math.inf, "+Inf"),
    ],
)
def test_humanize_duration(value: float, expected: str) -> None:
    """humanizeDuration: d/h/m/s above a second, ms/us/ns below."""
    assert render("{{ humanizeDuration $value }}", value) == expected


def test_humanize_percentage_and_timestamp() -> None:
    """humanizePercentage is %.4g of v*100; humanizeTimestamp prints a UTC time."""
    assert render("{{ humanizePercentage $value }}", 0.123456) == "12.35%"
    assert render("{{ humanizeTimestamp $value }}", 1500000000.5) == (
        "2017-07-14 02:40:00.5 +0000 UTC"
    )
    assert render("{{ (toTime $value).Unix }}", 1500000000.0) == "1500000000"


def test_humanize_accepts_strings_and_refuses_other_types() -> None:
    """Numbers given as strings are parsed; booleans are an error, as in Prometheus."""
    assert render('{{ humanize "1234.5" }}') == "1.234k"
    with pytest.raises(TemplateError, match="error calling humanize: can't convert bool to float"):
        render("{{ humanize true }}")
    with pytest.raises(TemplateError, match='parsing "abc": invalid syntax'):
        render('{{ humanize "abc" }}')


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ stripPort .Labels.instance }}", "host-1.example.org"),
        ('{{ stripPort "[::1]:80" }}', "::1"),
        ('{{ stripPort "a:b:c" }}', "a:b:c"),
        ("{{ stripDomain .Labels.instance }}", "host-1:9100"),
        ('{{ stripDomain "10.0.0.1:80" }}', "10.0.0.1:80"),
        ('{{ reReplaceAll ":.*" "" .Labels.instance }}', "host-1.example.org"),
        ('{{ reReplaceAll "(a)" "$1x|${1}x|$$" "banana" }}', "b|ax|$n|ax|$n|ax|$"),
        ('{{ reReplaceAll "a*" "-" "baaac" }}', "-b-c-"),
        ('{{ match "a$" "ba\\n" }} {{ match "^b" "ba" }}', "false true"),
        ('{{ title "hello wORLD-foo_bar" }}', "Hello WORLD-Foo_bar"),
        ('{{ toUpper "straße" }} {{ toLower "ÀB" }}', "STRAßE àb"),
        ('{{ graphLink "up == 0" }}', "/graph?g0.expr=up+%3D%3D+0&g0.tab=0"),
        ('{{ tableLink "a b" }}', "/graph?g0.expr=a+b&g0.tab=1"),
        (
            '{{ urlquery "a b&c" }} {{ html "<a>&" }} {{ js "it\'s" }}',
            "a+b%26c &lt;a&gt;&amp; it\\'s",
        ),
        ('{{ parseDuration "1h30m" }} {{ parseDuration "250ms" }}', "5400 0.25"),
        ('{{ safeHtml "<b>" }}', "<b>"),
        ('{{ (args 1 "a").arg1 }} {{ (args 1).arg5 }}', "a <no value>"),
        ('{{ len "héllo" }} {{ index "abc" 1 }} {{ slice "abcdef" 1 3 }}', "6 98 bc"),
    ],
)
def test_string_functions(template: str, expected: str) -> None:
    """String helpers behave like their Go implementations."""
    assert render(template, instance="host-1.example.org:9100") == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ eq 1 2 3 1 }} {{ ne 1 2 }} {{ lt 1 2 }} {{ ge 2.5 2.5 }}", "true true true true"),
        ('{{ lt "a" "b" }} {{ gt "b" "a" }} {{ eq nil nil }}', "true true true"),
        ("{{ and 1 0 }} {{ or 0 2 }} {{ not 0 }} {{ and 1 2 }}", "0 2 true 2"),
    ],
)
def test_comparisons_and_logic(template: str, expected: str) -> None:
    """eq/ne/lt/le/gt/ge compare same-kind values; and/or return an operand."""
    assert render(template) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ gt $value 0 }}", "error calling gt: incompatible types for comparison"),
        ('{{ eq 1 "1" }}', "error calling eq: incompatible types for comparison"),
        ("{{ lt true false }}", "error calling lt: invalid type for comparison"),
        (
            "{{ parseDuration `x` }}",
            'error calling parseDuration: not a valid duration string: "x"',
        ),
        ("{{ toUpper $value }}", "wrong type for value; expected string; got float64"),
        ('{{ reReplaceAll "(" "" "x" }}', "regexp: Compile(`(`): error parsing regexp: missing"),
    ],
)
def test_function_errors(template: str, message: str) -> None:
    """Type errors and function failures carry Go's messages."""
    with pytest.raises(TemplateError) as info:
        render(template, 1.0)
    assert message in str(info.value)
