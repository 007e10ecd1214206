"""Shadowing grades a trainee's own reads by what they observe, through ``gameday shadow``.

db-pool-exhaustion's expert path: 3 lists the orders pods, 4 reads the orders logs, 6
lists the sessions in pg_stat_activity, 7 finds the head of the lock queue, 8 terminates
the blocker.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gameday.shadow import ShadowSession
from tests.clirun import run_gameday

SCENARIO = "db-pool-exhaustion"
OWN_ACTIVITY = (
    "psql -c \"select pid, state, now()-xact_start from pg_stat_activity where state <> 'idle'\""
)
OWN_BLOCKERS = (
    'psql -d orders -c "SELECT l.pid, a.query FROM pg_locks l JOIN pg_stat_activity a '
    'ON a.pid = l.pid WHERE NOT l.granted"'
)


def _shadow(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, changes: dict[int, str], *flags: str
) -> list[dict]:
    """The graded points of a headless shadow run: the expert's answers but ``changes``."""
    answers = [step.command for step in ShadowSession(SCENARIO, seed=1).steps]
    for index, text in changes.items():
        answers[index] = text
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers))
    code, out, err = run_gameday(
        capsys, "shadow", SCENARIO, "--answers", str(path), "--json", "--no-record", *flags
    )
    assert code == 0, err
    points: list[dict] = json.loads(out)["points"]
    return points


def test_ones_own_reads_of_what_the_expert_reads_are_equivalent(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Own queries of pg_stat_activity and of the lock queue, and the logs by selector, are
    equivalent to the expert's; another workload's pods and pg_locks alone are not."""
    points = _shadow(
        capsys,
        tmp_path,
        {
            3: "kubectl get pods -n shop -l app=cart",
            4: "kubectl logs -n shop -l app=orders --tail=20",
            6: OWN_ACTIVITY,
            7: OWN_BLOCKERS,
        },
    )
    assert [p["verdict"] for p in points[3:8]] == [
        "off-path",
        "equivalent",
        "same",
        "equivalent",
        "equivalent",
    ]
    assert "Observes everything the expert's command observes" in points[7]["explanation"]


def test_a_bare_query_of_another_relation_is_a_harmless_look(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``SELECT * FROM pg_locks`` (bare SQL, as the prompt accepts it) reads only part of
    what the lock-queue step reads: not equivalent, and not a change either."""
    points = _shadow(capsys, tmp_path, {7: "SELECT * FROM pg_locks"})
    assert points[7]["verdict"] == "off-path"
    assert "Harmless" in points[7]["explanation"]


def test_reverse_own_diagnosis_counts_before_a_change(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Leading (--reverse), the trainee's own diagnosis queries run; a cancel after them is
    not 'a change before the diagnosis', while a change without them is."""
    cancel = 'psql -h orders-db -U postgres -d orders -c "SELECT pg_cancel_backend({blocker_pid})"'
    looked = _shadow(
        capsys,
        tmp_path,
        {6: OWN_ACTIVITY, 7: OWN_BLOCKERS, 8: cancel},
        "--reverse",
    )
    assert looked[8]["verdict"] != "premature", looked[8]["explanation"]
    skipped = _shadow(capsys, tmp_path, {6: "skip", 7: "skip", 8: cancel}, "--reverse")
    assert skipped[8]["verdict"] == "premature"
    assert "Find the session at the head of the lock queue" in skipped[8]["explanation"]
