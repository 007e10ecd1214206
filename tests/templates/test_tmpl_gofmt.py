"""Go's fmt as templates print values: %v of floats, printf verbs, Sprint spacing."""

from __future__ import annotations

import math

import pytest

from gameday.rules.gotemplate.gofmt import format_float, print_value, sprint, sprintln
from gameday.rules.gotemplate.printf import sprintf
from gameday.rules.gotemplate.values import IfaceMap, SamplePtr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1"),
        (0.1, "0.1"),
        (1e6, "1e+06"),
        (123456789.0, "1.23456789e+08"),
        (100000.0, "100000"),
        (999999.0, "999999"),
        (1e-5, "1e-05"),
        (0.0001, "0.0001"),
        (0.000123, "0.000123"),
        (1e21, "1e+21"),
        (1e100, "1e+100"),
        (-2.5, "-2.5"),
        (-0.0, "-0"),
        (0.0, "0"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (math.nan, "NaN"),
        (math.inf, "+Inf"),
        (-math.inf, "-Inf"),
        (2.345, "2.345"),
        (1 / 3, "0.3333333333333333"),
    ],
)
def test_float_v_is_shortest_round_trip(value: float, expected: str) -> None:
    """%v prints the shortest digits that round-trip, with Go's exponent thresholds."""
    assert format_float(value) == expected
    assert print_value(value) == expected


@pytest.mark.parametrize(
    ("fmt", "args", "expected"),
    [
        ("%.2f", [2.345], "2.35"),
        ("%.2f", [2.675], "2.67"),
        ("%f", [1.5], "1.500000"),
        ("%e", [1234.5678], "1.234568e+03"),
        ("%g", [1e-7], "1e-07"),
        ("%.4g", [1234.5], "1234"),
        ("%.4g", [12345.0], "1.234e+04"),
        ("%.3g", [100.0], "100"),
        ("%8.3f|", [3.14159], "   3.142|"),
        ("%-8.1f|", [3.14159], "3.1     |"),
        ("%08.3f", [-3.14159], "-003.142"),
        ("%+.1f", [2.0], "+2.0"),
        ("% .1f", [2.0], " 2.0"),
        ("%6.2f", [math.inf], "  +Inf"),
        ("%06.2f", [math.nan], "   NaN"),
        ("%f", [math.nan], "NaN"),
        ("%x", [1.0], "0x1p+00"),
        ("%d", [42], "42"),
        ("%05d", [-42], "-0042"),
        ("%x %X %o %b", [255, 255, 8, 5], "ff FF 10 101"),
        ("%#x %#o %#b", [255, 8, 5], "0xff 010 0b101"),
        ("%c %q %U", [65, 65, 65], "A 'A' U+0041"),
        ("%s|%10s|%-4s|", ["go", "right", "l"], "go|     right|l   |"),
        ("%q", ["tab\there"], '"tab\\there"'),
        ("%+q", ["héllo"], '"h\\u00e9llo"'),
        ("%x", ["hi"], "6869"),
        ("%.2s", ["abc"], "ab"),
        ("%t %v", [True, False], "true false"),
        ("%5.1f%%", [99.44], " 99.4%"),
        ("%v %v", [1.5, "x"], "1.5 x"),
        ("%T %T %T %T", [1, 1.0, "s", None], "int float64 string <nil>"),
    ],
)
def test_printf_verbs(fmt: str, args: list, expected: str) -> None:
    """Verbs, flags, width and precision behave as in Go's fmt."""
    assert sprintf(fmt, args) == expected


@pytest.mark.parametrize(
    ("fmt", "args", "expected"),
    [
        ("%d", ["x"], "%!d(string=x)"),
        ("%s", [1.5], "%!s(float64=1.5)"),
        ("%d", [2.5], "%!d(float64=2.5)"),
        ("%f", [1], "%!f(int=1)"),
        ("%d %d", [1], "1 %!d(MISSING)"),
        ("%d", [1, 2], "1%!(EXTRA int=2)"),
        ("%z", [1], "%!z(int=1)"),
        ("50%", [], "50%!(NOVERB)"),
        ("%s", [None], "%!s(<nil>)"),
        ("%[2]d %[1]d", [1, 2], "2 1"),
        ("%[3]d", [1], "%!d(BADINDEX)"),
        ("%*d|%-*d|", [4, 1, 3, 2], "   1|2  |"),
    ],
)
def test_printf_error_forms(fmt: str, args: list, expected: str) -> None:
    """Mistakes are printed inline the way Go reports them, never raised."""
    assert sprintf(fmt, args) == expected


def test_sprint_spaces_only_between_non_strings() -> None:
    """Sprint adds a space between operands when neither is a string; Sprintln always."""
    assert sprint([1, 2, "a", "b", 3.5, True]) == "1 2ab3.5 true"
    assert sprintln([1, "a"]) == "1 a\n"
    assert sprint([None]) == "<nil>"


def test_maps_and_samples_print_like_go() -> None:
    """Maps print sorted as map[k:v]; a sample prints as its struct."""
    assert print_value({"b": "2", "a": "1"}) == "map[a:1 b:2]"
    assert print_value(IfaceMap(arg0=1, arg1="x")) == "map[arg0:1 arg1:x]"
    sample = SamplePtr({"job": "api"}, 2.0)
    assert print_value(sample) == "{map[job:api] 2}"
    assert sprintf("%v", [sample]) == "&{map[job:api] 2}"
    assert print_value(None) == "<no value>"
