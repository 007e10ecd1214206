"""stop_pool: no worker and no pool thread survive it, so the interpreter's exit is quiet."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor

from gameday.interrupts import stop_pool, worker_signals


def _nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_stop_pool_ends_workers_and_the_manager_thread() -> None:
    pool = ProcessPoolExecutor(max_workers=2, initializer=worker_signals)
    futures = [pool.submit(_nap, 30.0) for _ in range(6)]
    time.sleep(0.5)  # the workers have taken their first tasks
    workers = list(pool._processes.values())
    manager = pool._executor_manager_thread
    assert len(workers) == 2 and manager is not None and manager.is_alive()
    started = time.monotonic()
    stop_pool(pool, grace=5.0)
    assert time.monotonic() - started < 10.0  # not the 30 s the tasks would take
    assert not any(w.is_alive() for w in workers)
    # The thread is gone before the exit hook runs: that hook writes to the thread's
    # wake-up pipe, which raced with the thread closing it.
    assert not manager.is_alive()
    assert all(f.cancelled() or f.done() for f in futures)
