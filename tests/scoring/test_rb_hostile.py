"""Runbook parsing, step matching and shadow grading stay linear on hostile text."""

from __future__ import annotations

import time
from pathlib import Path

from gameday.runbooks import commands_match, parse_runbook, parse_runbook_text
from gameday.shadow.grading import Situation, grade

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "scenarios" / "db-pool-exhaustion" / "runbooks" / "db-pool-exhaustion.md"


def test_title_of_capitals_then_underscore_parses_at_once() -> None:
    """``# Ab`` + 34 capitals + ``_`` (exponential in Python's re) parses in well under a second."""
    t0 = time.perf_counter()
    book = parse_runbook_text(
        "# Ab" + "A" * 34 + "_\n\n## Mitigation\n\n```\nkubectl get pods\n```\n"
    )
    assert time.perf_counter() - t0 < 1.0
    assert book.alerts == []
    assert parse_runbook_text("# OrdersDbPoolExhausted runbook\n").alerts == [
        "OrdersDbPoolExhausted"
    ]


def test_many_adjacent_placeholders_match_in_linear_time() -> None:
    """A runbook step of 30 placeholders against a long typed value returns at once."""
    step = "kubectl logs " + "<a>" * 30 + " -n shop"
    t0 = time.perf_counter()
    assert not commands_match(step, "kubectl logs " + "x" * 29 + " -n shop")
    assert commands_match(step, "kubectl logs " + "x" * 40 + " -n shop")
    assert not commands_match(
        "kubectl logs deploy/orders -n shop", "kubectl logs " + "$A" * 40 + "! -n shop"
    )
    assert time.perf_counter() - t0 < 1.0


def test_shadow_answer_of_placeholders_is_graded_at_once() -> None:
    """A trainee's answer of 30 adjacent placeholders against a long expert value is graded."""
    books = [parse_runbook(RUNBOOK)]
    expected = "kubectl logs deployment/" + "o" * 3000 + " -n shop --tail=50"
    sit = Situation(
        expected=expected, written=expected, why="why", runbooks=books, done=[], required=[],
        red_herrings=[], severity="SEV1", acked=True, declared="SEV1",
    )  # fmt: skip
    t0 = time.perf_counter()
    g = grade("kubectl logs " + "$X" * 30 + "! -n shop --tail=50", sit)
    assert time.perf_counter() - t0 < 2.0
    assert g.verdict == "off-path"
    same = "kubectl logs deployment/" + "$X" * 30 + " -n shop --tail=50"
    assert grade(same, sit).verdict == "equivalent"
