"""Benchmark: expert drills of db-pool-exhaustion per second, process pool and Dask.

Target (issue #10): 1000 drills in under 60 s on a 2-core machine; Dask LocalCluster
within 1.5x of the process pool. GAMEDAY_BENCH_RUNS sets the number of drills (default
200); the figure for 1000 is projected from the measured rate and labelled as such.
"""

from __future__ import annotations

import os
import time

import pytest

from gameday.sweep import SweepSpec, run_sweep

RUNS = int(os.environ.get("GAMEDAY_BENCH_RUNS", "200"))


@pytest.mark.bench
def test_bench_sweep_backends() -> None:
    spec = SweepSpec("db-pool-exhaustion", seeds=tuple(range(1, RUNS + 1)), responder="expert")
    timings = {}
    results = {}
    for backend in ("local", "dask"):
        start = time.perf_counter()
        results[backend] = run_sweep(spec, backend, workers=2)
        timings[backend] = time.perf_counter() - start
    assert results["local"] == results["dask"]
    for backend, seconds in timings.items():
        per = seconds / RUNS
        print(
            f"\nsweep {backend}: {RUNS} expert drills in {seconds:.1f} s "
            f"({per * 1000:.0f} ms/drill); "
            f"projected 1000 drills: {per * 1000:.0f} s (target < 60 s)"
        )
    print(f"dask / local = {timings['dask'] / timings['local']:.2f} (target <= 1.5)")
