"""The runbook's own section order decides what "diagnosis before mitigation" asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import drill_script

REPO = Path(__file__).resolve().parents[2]


def _drill(capsys: pytest.CaptureFixture[str], tmp_path: Path, actions: list[dict]) -> dict:
    return drill_script(capsys, tmp_path, REPO / "scenarios" / "bad-deploy", actions)


def _dim(result: dict, key: str) -> dict:
    dim: dict = next(d for d in result["scorecard"]["dimensions"] if d["key"] == key)
    return dim


ROLLBACK_FIRST = [
    {"at": "1m", "do": "ack", "role": "ops"},
    {"at": "1m30s", "do": "sev SEV1", "role": "ic"},
    {"at": "2m", "do": "kubectl rollout history deployment/orders -n shop", "role": "ops"},
    {"at": "2m30s", "do": "kubectl get pods -n shop -l app=orders", "role": "ops"},
    {"at": "3m", "do": "kubectl rollout undo deployment/orders -n shop", "role": "ops"},
    {"at": "5m", "do": "kubectl rollout status deployment/orders -n shop", "role": "ops"},
    {"at": "7m", "do": "kubectl logs deployment/orders -n shop --tail=50", "role": "ops"},
    {
        "at": "8m",
        "do": 'psql -h orders-db -U postgres -d orders -c "SELECT state, count(*) FROM '
        "pg_stat_activity WHERE datname = 'orders' GROUP BY state\"",
        "role": "ops",
    },
]


def test_rolling_back_first_as_the_runbook_orders_costs_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """bad-deploy's runbook puts Mitigation before Diagnosis: roll back after the quick
    assessment, then investigate, and neither Diagnosis nor Runbook adherence loses points."""
    result = _drill(capsys, tmp_path, ROLLBACK_FIRST)
    diag = _dim(result, "diagnosis")
    assert diag["points"] == diag["max_points"], diag["evidence"]
    assert diag["happened"].startswith("2 of 2 step(s) done before the first mitigation")
    adherence = _dim(result, "adherence")
    assert adherence["points"] == adherence["max_points"], adherence["evidence"]


def test_skipping_the_quick_assessment_still_costs_diagnosis(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Rolling back before the assessment the runbook puts first is still penalised."""
    actions = [a for a in ROLLBACK_FIRST if "rollout history" not in a["do"]]
    result = _drill(capsys, tmp_path, actions)
    diag = _dim(result, "diagnosis")
    assert diag["points"] == pytest.approx(diag["max_points"] / 2, abs=0.01)
    assert "Quick assessment step 2 of bad-deploy (`kubectl rollout history" in diag["evidence"][0]


def test_a_diagnosis_first_runbook_still_wants_diagnosis_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The same play against a copy whose runbook puts Diagnosis first loses its points."""
    import shutil

    folder = tmp_path / "diagnose-first"
    shutil.copytree(REPO / "scenarios" / "bad-deploy", folder)
    rb = folder / "runbooks" / "bad-deploy.md"
    text = rb.read_text()
    i, j, k = text.index("## Mitigation"), text.index("## Diagnosis"), text.index("## Escalation")
    rb.write_text(text[:i] + text[j:k] + text[i:j] + text[k:])
    result = drill_script(capsys, tmp_path, folder, ROLLBACK_FIRST)
    diag = _dim(result, "diagnosis")
    assert diag["points"] == pytest.approx(diag["max_points"] / 2, abs=0.01)
    assert any("Diagnosis step 1 of bad-deploy" in e for e in diag["evidence"])
