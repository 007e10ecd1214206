"""Benchmark: a 30-day on-call forecast for 10 services (target: under 30 s)."""

from __future__ import annotations

import time

import pytest

from gameday.forecast import forecast, generate_episodes
from gameday.runtime import prepare


@pytest.mark.bench
def test_bench_forecast_month() -> None:
    prepared = prepare("db-pool-exhaustion")
    setup = prepared.setup
    rules = [
        {"alertname": r.name, "severity": r.labels.get("severity", "")}
        for g in setup.rule_groups
        for r in g.rules
        if r.is_alert
    ]
    services = [f"service-{i}" for i in range(10)]
    start = time.perf_counter()
    episodes = generate_episodes(rules, services, 30, seed=1)
    result = forecast(
        setup.alertmanager,
        setup.oncall,
        setup.rule_groups,
        episodes,
        30,
        prepared.loaded.scenario.start_time,
    )
    elapsed = time.perf_counter() - start
    print(
        f"\nforecast: 30 days, 10 services, {len(episodes)} episodes, "
        f"{result.figures['alerts_fired']} alerts fired, "
        f"{result.figures['pages']} pages in {elapsed:.1f} s (target < 30 s)"
    )
