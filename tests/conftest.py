"""Shared fixtures: the repository layout and bundled scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from gameday.scenario.model import Scenario

# Property tests assert behaviour, not speed: hypothesis' default 200 ms deadline per
# example fails them on a loaded machine (the suite runs on every core). Speed has its
# benchmarks.
settings.register_profile("gameday", deadline=None)
settings.load_profile("gameday")

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
SHARED = REPO.parent / "shared"


def bundled(scenario_id: str, onset: float | None = None) -> Scenario:
    """The bundled scenario's model, without its other files.

    ``onset`` pins the first fault's onset (the bundled ones start in a seeded window).
    """
    data = yaml.safe_load((SCENARIOS / scenario_id / "scenario.yaml").read_text())
    if onset is not None:
        data["faults"][0]["at"] = onset
    return Scenario.model_validate(data)


@pytest.fixture
def pool_scenario() -> Scenario:
    """db-pool-exhaustion with its lock taken at exactly 5m."""
    return bundled("db-pool-exhaustion", onset=300.0)


@pytest.fixture
def deploy_scenario() -> Scenario:
    """bad-deploy with its leaking release rolled out at exactly 4m."""
    return bundled("bad-deploy", onset=240.0)
