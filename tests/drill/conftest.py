"""Fixtures of the drill and CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drill.clitree import make_work


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every input the CLI cases name: rules, routing, data, a drill's reports."""
    return make_work(tmp_path_factory)
