"""Fixtures for on-call tests: a SimPy env, an event log, a pager on a small team."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import simpy
from oncall_support import TEAM, TUESDAY_2PM, clock_from

from gameday.oncall import OnCall, Pager, loads_oncall


@pytest.fixture
def team() -> OnCall:
    return loads_oncall(TEAM, "team.yaml")


@pytest.fixture
def env() -> simpy.Environment:
    return simpy.Environment()


@pytest.fixture
def log() -> list[tuple[float, str, Any]]:
    return []


@pytest.fixture
def events() -> list[tuple[str, dict[str, Any]]]:
    return []


@pytest.fixture
def make_pager(env, log, events, team) -> Callable[..., Pager]:
    """A pager whose events land in ``log`` as (t, kind, who) and in ``events`` whole."""

    def make(start: datetime = TUESDAY_2PM) -> Pager:
        def emit(kind: str, data: dict[str, Any]) -> None:
            events.append((kind, data))
            who = data.get("person")
            if kind == "page.escalated":
                who = data["to_level"]
            log.append((env.now, kind, who))

        return Pager(env, team, emit, clock_from(start))

    return make
