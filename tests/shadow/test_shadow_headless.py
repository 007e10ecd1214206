"""Headless shadowing of the expert's solution: agreement, verdicts, what-ifs, hints, time."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from gameday.shadow import ShadowSession
from gameday.shadow.answers import Scripted, parse_answers, play_scripted

SCENARIO = "db-pool-exhaustion"
# the expert's 13 steps and the answer to the VP's ETA request (the inject fires by
# itself 5 minutes after the page; the answer comes 2 minutes later)
STEPS = 14


def expert_answers(shadow: ShadowSession) -> list[str]:
    """The solution's own commands, one per decision point."""
    return [step.command for step in shadow.steps]


def test_the_experts_own_answers_agree_fully() -> None:
    """Answering with the expert's commands scores 100% in every phase."""
    shadow = ShadowSession(SCENARIO, seed=1)
    result = play_scripted(shadow, expert_answers(shadow))
    assert result["decision_points"] == len(shadow.steps) == STEPS
    assert result["agreement"] == 100.0
    assert set(result["phases"].values()) == {100.0}
    assert result["verdicts"]["same"] == STEPS
    assert result["points"][0]["trigger"] == "page"
    assert {p["trigger"] for p in result["points"]} >= {"page", "output", "mitigation", "status"}


def test_an_idle_trainee_scores_low() -> None:
    """All ``skip`` answers agree with nothing."""
    result = play_scripted(ShadowSession(SCENARIO, seed=1), ["skip"] * STEPS)
    assert result["agreement"] == 0.0
    assert result["verdicts"]["skipped"] == STEPS


def test_alternatives_are_graded_and_never_run_on_the_experts_session() -> None:
    """Reordered flags are equivalent, the other diagnostic acceptable, an early fix premature.

    The trainee's commands are not performed; read-only ones come back as what-if output.
    """
    shadow = ShadowSession(SCENARIO, seed=1)
    answers = {
        3: "kubectl get pods -l app=orders -n shop",
        4: "kubectl logs -n shop deploy/orders --tail=100",
        5: 'psql -h orders-db -U postgres -d orders -c "SELECT pg_terminate_backend(<pid>)"',
        6: (
            'psql -h orders-db -U postgres -d orders -c "SELECT pid, pg_blocking_pids(pid) AS '
            "blocked_by, left(query, 60) AS query FROM pg_stat_activity WHERE "
            'cardinality(pg_blocking_pids(pid)) > 0"'
        ),
        8: "kubectl scale deployment/orders --replicas=6 -n shop",
    }
    graded = {}
    while (point := shadow.next_point()) is not None:
        graded[point.index] = shadow.answer(
            answers.get(point.index, shadow.steps[point.index].command)
        )
    assert graded[3].grade.verdict == "equivalent"
    assert graded[4].grade.verdict == "equivalent"
    assert graded[5].grade.verdict == "premature"
    assert "Still to do" in graded[5].grade.explanation
    assert graded[6].grade.verdict == "acceptable"
    assert "Find the session at the head of the lock queue." in graded[6].grade.explanation
    assert "blocked_by" in (graded[6].what_if or "")
    assert graded[8].grade.verdict == "wrong"
    performed = [e.data["command"] for e in shadow.session.events if e.kind == "action"]
    assert not any("scale" in c or "<pid>" in c for c in performed)
    assert len(performed) == STEPS
    assert shadow.session.incident.mitigated_at is not None  # the expert's fix still happened


def test_decision_time_and_hints_are_counted() -> None:
    """Seconds to decide come from the clock passed in; each hint rung counts once."""
    ticks = itertools.count(0.0, 2.5)
    shadow = ShadowSession(SCENARIO, seed=1, clock=lambda: next(ticks))
    first = shadow.next_point()
    assert first is not None and "paged" in first.question
    assert any("PAGE" in line for line in first.situation)
    assert not any("FAULT" in line for line in first.situation)  # the truth stays hidden
    assert "Acknowledge" in (shadow.hint() or "")
    assert shadow.hint() is not None
    assert shadow.hint() is None  # the ladder has two rungs
    shadow.answer("ack")
    result = play_scripted(shadow, [None, Scripted("sev SEV1", hints=1)])
    assert result["hints_used"] == 3
    assert result["points"][0]["seconds"] == 2.5
    assert result["decide_seconds"]["total"] == pytest.approx(2.5 * STEPS)


def test_answers_files_parse_as_yaml_lists_or_lines() -> None:
    """A YAML list (with ``null`` and ``{answer, hints}``) or plain lines with comments."""
    yaml_list = parse_answers("- ack\n- null\n- {answer: sev SEV1, hints: 2}\n- skip\n")
    assert [a.text for a in yaml_list] == ["ack", None, "sev SEV1", "skip"]
    assert yaml_list[2].hints == 2
    lines = parse_answers('# my answers\nack\n\nstatus investigating "a: b"\n')
    assert [a.text for a in lines] == ["ack", 'status investigating "a: b"']


def test_the_engine_side_imports_no_textual() -> None:
    """gameday.shadow runs headless: importing it pulls in no Textual."""
    code = "import sys, gameday.shadow, gameday.shadow.history; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
