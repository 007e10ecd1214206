"""``| grep`` after a command: RE2 patterns, GNU grep's reading of them and its messages."""

from __future__ import annotations

import time

import pytest

from gameday.tools import execute
from gameday.tools.filters import apply_filters

LINES = "alpha\nbeta ERROR\ngamma\ndelta\nepsilon error\nzeta\neta\ntheta ERROR"


@pytest.mark.parametrize(
    ("filters", "out"),
    [
        ([["grep", "ERROR"]], "beta ERROR\ntheta ERROR"),
        ([["grep", "-i", "error"]], "beta ERROR\nepsilon error\ntheta ERROR"),
        ([["grep", "-c", "-v", "ERROR"]], "6"),
        ([["grep", "-E", "^(a|z)"]], "alpha\nzeta"),
        ([["grep", "^\\(a\\|z\\)"]], "alpha\nzeta"),  # basic: \( \| \) are the operators
        ([["grep", "a(b)"]], ""),  # basic: ( ) are literal
        ([["grep", "-F", "a.p"]], ""),
        ([["grep", "-E", "\\<eta"]], "eta"),
        ([["grep", "-A1", "gamma"]], "gamma\ndelta"),
        ([["grep", "-A", "1", "ERROR"]], "beta ERROR\ngamma\n--\ntheta ERROR"),
        ([["grep", "-C1", "delta"]], "gamma\ndelta\nepsilon error"),
        ([["grep", "-B", "99999999999", "beta"]], "alpha\nbeta ERROR"),
        ([["grep", "-E", "\\p{Greek}"]], ""),
        ([["grep", "-m", "1", "ERROR"]], "beta ERROR"),  # -m: stop after N selected lines
        ([["grep", "-c", "-m1", "ERROR"]], "1"),
        ([["grep", "-n", "ERROR"]], "2:beta ERROR\n8:theta ERROR"),
        ([["grep", "-n", "-A1", "gamma"]], "3:gamma\n4-delta"),  # context lines numbered N-
        ([["grep", "-w", "eta"]], "eta"),  # not beta, zeta, theta
        ([["grep", "-x", "eta|zeta"]], ""),  # basic: | is literal
        ([["grep", "-xE", "eta|zeta"]], "zeta\neta"),
        ([["grep", "-iv", "A"]], "epsilon error"),  # a cluster of short options
        ([["grep", "-ic", "error"]], "3"),
    ],
)
def test_grep_reads_patterns_as_gnu_grep(filters: list[list[str]], out: str) -> None:
    """Basic, extended and fixed patterns, -i -v -c, and context groups split by ``--``."""
    assert apply_filters(LINES, filters) == out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-A", "x", "a"], "grep: x: invalid context length argument"),
        (["-C", "-5", "a"], "grep: -5: invalid context length argument"),
        (["-B", "1.5", "a"], "grep: 1.5: invalid context length argument"),
        (["-E", "(a"], "grep: Unmatched ( or \\("),
        (["\\(a"], "grep: Unmatched ( or \\("),
        (["-E", "a)"], "grep: Unmatched ) or \\)"),
        (["[a"], "grep: Unmatched [, [^, [:, [., or [="),
        (["a\\"], "grep: Trailing backslash"),
        (["[z-a]"], "grep: Invalid range end"),
        (["-E", "a{2,1}"], "grep: Invalid content of \\{\\}"),
        (["-m", "x", "a"], "grep: invalid max count"),
        (
            ["-Q", "a"],
            "grep: invalid option -- 'Q'\nUsage: grep [OPTION]... PATTERNS [FILE]...\n"
            "Try 'grep --help' for more information.",
        ),
    ],
)
def test_grep_refusals_in_gnu_words(locked, args: list[str], message: str) -> None:
    """A bad pattern or context length answers like GNU grep; the session goes on."""
    quoted = " ".join(f"'{a}'" for a in args)
    r = execute(locked, f"kubectl get pods -n shop | grep {quoted}")
    assert (r.ok, r.output) == (False, message)
    assert execute(locked, "kubectl get pods -n shop | grep orders").ok


def test_grep_is_linear_on_hostile_patterns(locked) -> None:
    """``(.+)+ZZZ`` and friends, over every log line, return at once (RE2, not backtracking)."""
    t0 = time.perf_counter()
    for pattern in ["(.+)+ZZZ", "(a|a)*ZZZ", "(\\w+\\s?)*!ZZZ", "((((.*)*)*)*)*ZZZ"]:
        r = execute(locked, f"kubectl logs -l app=orders -n shop --tail=200 | grep -E '{pattern}'")
        assert r.output == ""
    long_line = "a" * 100_000
    assert apply_filters(long_line, [["grep", "-E", "(a+)+b"]]) == ""
    assert time.perf_counter() - t0 < 5.0
