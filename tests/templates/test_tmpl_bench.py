"""Rendering speed, printed for ``make bench`` (excluded from the default run)."""

from __future__ import annotations

import time

import pytest

from gameday.rules.templates import check_template, render_template

TYPICAL = (
    "{{ $labels.instance }} of job {{ $labels.job }} has been down for more than 5 minutes. "
    'Value {{ $value | humanize }} ({{ printf "%.2f" $value }})'
)


@pytest.mark.bench
def test_render_speed() -> None:
    """Fresh renders (new value each time) and repeated ones (served from the cache)."""
    labels = {"instance": "host-1:9100", "job": "node"}
    n = 5000
    start = time.perf_counter()
    for i in range(n):
        render_template(TYPICAL, labels=labels, value=1.5 + i)
    fresh = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for _ in range(n):
        render_template(TYPICAL, labels=labels, value=1.5)
    cached = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for i in range(500):
        check_template(TYPICAL + " " * i)  # distinct texts: parsed, not cached
    parse = (time.perf_counter() - start) / 500
    print(f"\nrender fresh {fresh * 1e6:.1f} us, cached {cached * 1e6:.1f} us")
    print(f"parse {parse * 1e3:.2f} ms")
    assert fresh < 0.01
