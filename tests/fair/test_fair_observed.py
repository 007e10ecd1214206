"""Diagnosis steps count by what the responder observed, not by the text they typed.

Played through ``gameday drill`` with a scripted responder on db-pool-exhaustion, whose
runbook asks (before its mitigation) for the orders pods, the orders logs, the sessions
in ``pg_stat_activity`` and the head of the lock queue.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.scoring.looks import servers_of
from gameday.tools.observe import covers, observe
from tests.clirun import drill_script
from tests.conftest import bundled

REPO = Path(__file__).resolve().parents[2]
POOL = REPO / "scenarios" / "db-pool-exhaustion"
RUNBOOK_ACTIVITY = (
    'psql -h orders-db -U postgres -d orders -c "SELECT pid, usename, application_name, '
    "state, wait_event_type, now() - query_start AS duration, left(query, 60) AS query FROM "
    "pg_stat_activity WHERE datname = 'orders' ORDER BY query_start\""
)
RUNBOOK_BLOCKERS = (
    'psql -h orders-db -U postgres -d orders -c "SELECT pid, pg_blocking_pids(pid) AS '
    "blocked_by, left(query, 60) AS query FROM pg_stat_activity WHERE "
    'cardinality(pg_blocking_pids(pid)) > 0"'
)
OWN_ACTIVITY = (
    "psql -c \"select pid, state, now()-xact_start from pg_stat_activity where state <> 'idle'\""
)
BASE = [
    {"at": "1m", "do": "ack", "role": "ops"},
    {"at": "1m30s", "do": "sev SEV1", "role": "ic"},
    {"at": "2m", "do": "kubectl get pods -n shop -l app=orders", "role": "ops"},
    {"at": "2m30s", "do": "kubectl logs deployment/orders -n shop --tail=50", "role": "ops"},
]


def _dims(capsys: pytest.CaptureFixture[str], tmp_path: Path, extra: list[dict]) -> dict:
    tmp_path.mkdir(exist_ok=True)
    result = drill_script(capsys, tmp_path, POOL, BASE + extra)
    return {d["key"]: d for d in result["scorecard"]["dimensions"]}


def _missed(dim: dict) -> list[str]:
    return [e.split(" of db-pool")[0] for e in dim["evidence"] if "db-pool-exhaustion (" in e]


def test_ones_own_pg_stat_activity_query_earns_the_diagnosis_step(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """(a) A different query of pg_stat_activity on the same server does Diagnosis step 1
    (not step 2, which also reads the lock table); without it step 1 is missed. The
    runbook's own lock-queue query reads pg_stat_activity too, so it does both steps."""
    control = _dims(capsys, tmp_path / "control", [])
    assert control["diagnosis"]["happened"].startswith("2 of 4 step(s) done")
    assert _missed(control["diagnosis"]) == ["Diagnosis step 1", "Diagnosis step 2"]
    own = _dims(capsys, tmp_path / "own", [{"at": "3m", "do": OWN_ACTIVITY, "role": "ops"}])
    assert own["diagnosis"]["happened"].startswith("3 of 4 step(s) done")
    assert _missed(own["diagnosis"]) == ["Diagnosis step 2"]
    assert f"(Diagnosis step 1 by `{OWN_ACTIVITY}`, which observed" in own["diagnosis"]["happened"]
    assert "which observed" not in control["diagnosis"]["happened"]
    assert "Diagnosis step 1" not in _missed(own["adherence"])
    assert own["adherence"]["points"] > control["adherence"]["points"]
    both = _dims(capsys, tmp_path / "both", [{"at": "3m", "do": RUNBOOK_BLOCKERS, "role": "ops"}])
    assert both["diagnosis"]["points"] == both["diagnosis"]["max_points"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM pg_stat_replication",  # an unrelated relation
        "psql -h orders-db -U postgres -d orders -c 'SELECT * FROM pg_locks'",  # the other one
    ],
)
def test_a_query_of_another_relation_earns_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, query: str
) -> None:
    """(b) A successful query that did not read pg_stat_activity leaves step 1 undone."""
    dims = _dims(capsys, tmp_path, [{"at": "3m", "do": query, "role": "ops"}])
    assert dims["diagnosis"]["happened"].startswith("2 of 4 step(s) done")
    assert _missed(dims["diagnosis"]) == ["Diagnosis step 1", "Diagnosis step 2"]


def test_kubectl_aliases_and_broader_reads_earn_the_assessment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """(c) ``kubectl get po -n shop`` for ``kubectl get pods -n shop -l app=orders`` and
    ``kubectl logs -n shop -l app=orders`` for ``kubectl logs deployment/orders``."""
    actions = [
        {"at": "1m", "do": "ack", "role": "ops"},
        {"at": "1m30s", "do": "sev SEV1", "role": "ic"},
        {"at": "2m", "do": "kubectl get po -n shop", "role": "ops"},
        {"at": "2m30s", "do": "kubectl logs -n shop -l app=orders --tail=20", "role": "ops"},
        {"at": "3m", "do": RUNBOOK_ACTIVITY, "role": "ops"},
        {"at": "4m", "do": RUNBOOK_BLOCKERS, "role": "ops"},
    ]
    result = drill_script(capsys, tmp_path, POOL, actions)
    diag = next(d for d in result["scorecard"]["dimensions"] if d["key"] == "diagnosis")
    assert diag["happened"].startswith("4 of 4 step(s) done"), diag["evidence"]


@pytest.mark.parametrize(
    "failing",
    [
        # the database does not exist: psql's FATAL, nothing read
        'psql -h orders-db -U postgres -d nosuchdb -c "select pid, state from pg_stat_activity"',
        "kubectl get po -n shop -o nosuchformat",  # kubectl refuses the output format
    ],
)
def test_a_failing_command_observed_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, failing: str
) -> None:
    """(d) A command that would have covered the step, had it run, earns nothing when it
    fails."""
    wanted = observe(
        RUNBOOK_ACTIVITY if "psql" in failing else "kubectl get pods -n shop -l app=orders",
        servers_of(bundled("db-pool-exhaustion")),
    )
    would = observe(failing, servers_of(bundled("db-pool-exhaustion")))
    assert wanted is not None and would is not None and covers(would, wanted)
    actions = [a for a in BASE if "get pods" not in a["do"]]
    result = drill_script(capsys, tmp_path, POOL, [*actions, {"at": "3m", "do": failing}])
    diag = next(d for d in result["scorecard"]["dimensions"] if d["key"] == "diagnosis")
    assert any(e["text"].endswith(f"`{failing}`: it failed") for e in result["timeline"])
    assert diag["happened"].startswith("1 of 4 step(s) done"), diag["evidence"]
