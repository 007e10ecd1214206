"""Shared fixtures: the repository layout and bundled scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gameday.scenario.model import Scenario

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
SHARED = REPO.parent / "shared"


def bundled(scenario_id: str) -> Scenario:
    """The bundled scenario's model, without its other files."""
    data = yaml.safe_load((SCENARIOS / scenario_id / "scenario.yaml").read_text())
    return Scenario.model_validate(data)


@pytest.fixture
def pool_scenario() -> Scenario:
    return bundled("db-pool-exhaustion")


@pytest.fixture
def deploy_scenario() -> Scenario:
    return bundled("bad-deploy")
