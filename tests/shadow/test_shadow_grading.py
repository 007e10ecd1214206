"""Grading one answer against the expert's next step and the runbook, without a session."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.runbooks import parse_runbook
from gameday.shadow.commands import runbook_step
from gameday.shadow.grading import Situation, grade

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "scenarios" / "db-pool-exhaustion" / "runbooks" / "db-pool-exhaustion.md"
PODS = "kubectl get pods -n shop -l app=orders"
LOGS = "kubectl logs deployment/orders -n shop --tail=50"
SESSIONS = (
    'psql -h orders-db -U postgres -d orders -c "SELECT pid, usename, application_name, state, '
    "wait_event_type, now() - query_start AS duration, left(query, 60) AS query FROM "
    "pg_stat_activity WHERE datname = 'orders' ORDER BY query_start\""
)
BLOCKERS = (
    'psql -h orders-db -U postgres -d orders -c "SELECT pid, pg_blocking_pids(pid) AS '
    "blocked_by, left(query, 60) AS query FROM pg_stat_activity WHERE "
    'cardinality(pg_blocking_pids(pid)) > 0"'
)
KILL = 'psql -h orders-db -U postgres -d orders -c "SELECT pg_terminate_backend({blocker_pid})"'


@pytest.fixture(scope="module")
def books() -> list:
    return [parse_runbook(RUNBOOK)]


def situation(books: list, expected: str, done: tuple[str, ...] = (), **kw: object) -> Situation:
    """The pool scenario at the moment the expert is about to run ``expected``."""
    required = [runbook_step(books, c) for c in (PODS, LOGS, SESSIONS, BLOCKERS)]
    options: dict = {
        "why": "the expert's reason",
        "runbooks": books,
        "done": list(done),
        "required": [r for r in required if r is not None],
        "red_herrings": [
            "kubectl rollout restart deployment/orders",
            "kubectl scale deployment/orders --replicas=6",
        ],
        "severity": "SEV1",
        "acked": True,
        "declared": "SEV1",
    }
    options.update(kw)
    return Situation(
        expected=expected.replace("{blocker_pid}", "4242"), written=expected, **options
    )


def test_the_experts_own_command_is_same(books: list) -> None:
    """Word for word the expert's command is ``same`` and quotes its runbook step."""
    g = grade(LOGS, situation(books, LOGS, (PODS,)))
    assert g.verdict == "same" and g.credit == 1.0
    assert "Look at the orders logs for connection timeouts." in g.explanation


def test_flags_reordered_and_aliases_are_equivalent(books: list) -> None:
    """Flags in another order, ``deploy/`` for ``deployment/`` or another tail are equivalent."""
    sit = situation(books, LOGS, (PODS,))
    for answer in (
        "kubectl logs -n shop deploy/orders --tail=50",
        "kubectl logs deployment/orders --namespace shop --tail 200",
    ):
        g = grade(answer, sit)
        assert g.verdict == "equivalent", answer
        assert "Quick assessment step 3" in (g.runbook or "")


def test_the_runbooks_other_diagnostic_is_acceptable_with_its_reason(books: list) -> None:
    """Another step of the same runbook section is acceptable and says why, from the runbook."""
    g = grade(BLOCKERS, situation(books, SESSIONS, (PODS, LOGS)))
    assert g.verdict == "acceptable"
    assert "Find the session at the head of the lock queue." in g.explanation


def test_a_mitigation_before_diagnosis_is_premature(books: list) -> None:
    """Terminating before the lock holder was looked up names the steps still to do."""
    g = grade(KILL.replace("{blocker_pid}", "4242"), situation(books, SESSIONS, (PODS, LOGS)))
    assert g.verdict == "premature"
    assert "List what the orders database sessions are doing" in g.explanation
    assert "Find the session at the head of the lock queue" in g.explanation


def test_the_mitigation_after_diagnosis_is_accepted(books: list) -> None:
    """Once every assessment step is done, the runbook's mitigation is timely."""
    g = grade(
        KILL.replace("{blocker_pid}", "<pid>"),
        situation(books, "status monitoring 'x'", (PODS, LOGS, SESSIONS, BLOCKERS)),
    )
    assert g.verdict == "acceptable"


def test_red_herrings_unknown_commands_and_wrong_values_are_wrong(books: list) -> None:
    """A red herring quotes the runbook's warning; unknown commands, wrong pids, wrong SEV."""
    sit = situation(books, KILL, (PODS, LOGS, SESSIONS, BLOCKERS))
    restart = grade("kubectl rollout restart deployment/orders -n shop", sit)
    assert restart.verdict == "wrong"
    assert "red herring" in restart.explanation and "Restarting orders" in restart.explanation
    unknown = grade("reboot the database", sit)
    assert unknown.verdict == "wrong" and "does not know" in unknown.explanation
    other_pid = grade(KILL.replace("{blocker_pid}", "17"), sit)
    assert other_pid.verdict == "wrong" and "4242" in other_pid.explanation
    under = grade("sev SEV3", situation(books, "sev SEV1", declared=None))
    assert under.verdict == "wrong" and "under-declares" in under.explanation


def test_skip_and_harmless_detours(books: list) -> None:
    """No answer scores nothing; an unlisted read-only command is a harmless detour."""
    sit = situation(books, SESSIONS, (PODS, LOGS))
    assert grade("skip", sit).verdict == "skipped"
    assert grade(None, sit).credit == 0.0
    detour = grade("kubectl top pods -n shop", sit)
    assert detour.verdict == "off-path" and 0 < detour.credit < 0.5


def test_incident_duties(books: list) -> None:
    """Closing before mitigation is premature; a due status update is acceptable."""
    assert grade("resolve", situation(books, SESSIONS)).verdict == "premature"
    status = grade('status investigating "looking"', situation(books, PODS, status_due=True))
    assert status.verdict == "acceptable"
    assert grade("ack", situation(books, PODS)).verdict == "off-path"  # already acknowledged
    assert grade("ic bob", situation(books, "assign ic amara")).verdict == "equivalent"
