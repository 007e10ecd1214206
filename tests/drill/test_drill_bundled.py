"""Bundled scenarios as drills: expert passes, idle fails, novice between; golden scorecards."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gameday.drill import run_drill

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = ["db-pool-exhaustion", "bad-deploy"]
FIXED = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


def scorecard(scenario: str, responder: str, seed: int, tmp_path: Path) -> dict:
    result = run_drill(scenario, responder=responder, seed=seed, out_dir=tmp_path, now=FIXED)
    assert result.report_dir is not None
    return json.loads((result.report_dir / "result.json").read_text())["scorecard"]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_expert_passes_idle_fails_novice_between(scenario: str, seed: int, tmp_path: Path) -> None:
    """Expert >= 80 and passes; idle < 40 and fails; novice lands between them."""
    expert = scorecard(scenario, "expert", seed, tmp_path / "e")
    idle = scorecard(scenario, "idle", seed, tmp_path / "i")
    novice = scorecard(scenario, "novice", seed, tmp_path / "n")
    assert expert["score"] >= 80 and expert["passed"]
    assert idle["score"] < 40 and not idle["passed"]
    assert idle["score"] < novice["score"] < expert["score"]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("responder", ["expert", "novice", "idle"])
def test_golden_scorecard(scenario: str, responder: str, tmp_path: Path) -> None:
    """Seed 1's scorecard equals the committed golden file (GAMEDAY_REGOLD=1 rewrites it)."""
    card = scorecard(scenario, responder, 1, tmp_path)
    path = GOLDEN / f"{scenario}-{responder}-seed1.json"
    text = json.dumps(card, indent=2, sort_keys=True) + "\n"
    if os.environ.get("GAMEDAY_REGOLD"):
        path.write_text(text)
    assert path.exists(), f"no golden scorecard {path.name}; run with GAMEDAY_REGOLD=1"
    assert text == path.read_text()
