"""Scenarios: the typed model, loading and validation, and where scenarios live.

``load_scenario("db-pool-exhaustion")`` (an id, a folder or a ``scenario.yaml``) returns a
:class:`LoadedScenario` or raises :class:`~gameday.errors.InputError` with every problem.
"""

from gameday.scenario.catalog import CatalogEntry, discover
from gameday.scenario.loader import (
    Inspection,
    LoadedScenario,
    inspect_scenario,
    load_scenario,
    load_solution,
)
from gameday.scenario.model import Scenario, Solution

__all__ = [
    "CatalogEntry",
    "Inspection",
    "LoadedScenario",
    "Scenario",
    "Solution",
    "discover",
    "inspect_scenario",
    "load_scenario",
    "load_solution",
]
