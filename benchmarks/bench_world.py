"""Benchmark: 24 simulated hours of the db-pool-exhaustion world at a 15 s scrape.

Target (issue #2): under 3 s of wall time on a 2-core machine, i.e. at least 28,800x
real time. Run with ``make bench``; prints the figure.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from gameday.scenario.model import Scenario
from gameday.session.session import Session

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "db-pool-exhaustion"
DAY = 24 * 3600.0


@pytest.mark.bench
def test_bench_world_day() -> None:
    data = yaml.safe_load((SCENARIO / "scenario.yaml").read_text())
    scenario = Scenario.model_validate(data).model_copy(update={"duration": DAY})
    session = Session(scenario, seed=1)
    start = time.perf_counter()
    session.advance_to(DAY)
    elapsed = time.perf_counter() - start
    samples = sum(len(s.t) for s in session.tsdb.all_series())
    print(
        f"\nworld: 24 simulated hours, {len(session.tsdb)} series, {samples} samples "
        f"in {elapsed:.2f} s wall = {DAY / elapsed:,.0f}x real time (target >= 28,800x, < 3 s)"
    )
    assert session.now == DAY
