"""Fixtures for the Alertmanager model's tests: a SimPy env, a log, the corpus paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import simpy

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "conformance" / "alertmanager"
FIXTURES = Path(__file__).parent / "fixtures"
AMTOOL = shutil.which("amtool")


def corpus_configs() -> list[Path]:
    """The corpus' Alertmanager configs (empty when the corpus is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*.yml") if not p.name.endswith(".cases.yml"))


@pytest.fixture
def env() -> simpy.Environment:
    """A fresh simulation environment starting at t=0."""
    return simpy.Environment()


@pytest.fixture
def log() -> list[tuple[float, str]]:
    """A list processes append ``(env.now, what)`` to."""
    return []
