"""The process pool: tasks cover every seed once, and give what one process gives."""

from __future__ import annotations

from gameday.sweep import SweepSpec, run_sweep
from gameday.sweep.runner import CHUNK, chunked


def test_chunks_cover_every_seed_once_in_order() -> None:
    """Seeds split into tasks of at most CHUNK, in order, none lost or repeated."""
    for n, workers in ((1, 2), (7, 2), (45, 2), (1000, 2), (33, 3)):
        seeds = list(range(100, 100 + n))
        chunks = chunked(seeds, workers)
        assert [s for c in chunks for s in c] == seeds
        assert all(1 <= len(c) <= CHUNK for c in chunks)


def test_few_seeds_still_give_every_worker_several_tasks() -> None:
    """Twenty seeds on two workers go in tasks of three, so neither core idles long."""
    assert [len(c) for c in chunked(list(range(20)), 2)] == [3, 3, 3, 3, 3, 3, 2]
    assert len(chunked(list(range(1000)), 2)) == 1000 // CHUNK


def test_pool_gives_what_one_process_gives() -> None:
    """Two workers and one process agree, drill by drill, sorted by seed."""
    spec = SweepSpec("db-pool-exhaustion", seeds=(4, 2, 3), responder="mix")
    serial = run_sweep(spec, "local", workers=1)
    pooled = run_sweep(spec, "local", workers=2)
    assert [r.seed for r in pooled] == [2, 3, 4]
    assert pooled == serial
