"""Expressions evaluated over one steps array share window work (a StepCache): the values
are the same bits as each expression evaluated alone, whatever the series share."""

from __future__ import annotations

import numpy as np

from gameday.promql.evaluator import Evaluator, parse
from gameday.promql.stepcache import StepCache
from gameday.tsdb import STALE_NAN, TSDB

STEP = 15_000


def _store(gen: np.random.Generator) -> TSDB:
    """Counters on one grid, one on a shifted grid, one scraped unevenly, one with a
    staleness marker, restarting now and then; a gauge."""
    db = TSDB()
    n = 3000
    grid = np.arange(n, dtype=np.int64) * STEP
    uneven = np.cumsum(gen.integers(5_000, 25_000, n)).astype(np.int64)
    for name, t in (
        ("a", grid),
        ("b", grid),
        ("c", grid + 7_000),
        ("d", uneven),
        ("e", grid),
    ):
        inc = gen.random(n) * gen.choice([1.0, 1e-3, 1e6])
        v = np.cumsum(inc)
        restart = gen.random(n) < gen.choice([0.0, 0.002, 0.05])
        for i in np.flatnonzero(restart):
            v[i:] -= v[i] - inc[i]
        if name == "e":
            v[1500] = STALE_NAN
        db.extend((("__name__", "c_total"), ("s", name)), t, v)
    db.extend((("__name__", "g"),), grid, gen.normal(0, 5, n))
    return db


EXPRS = [
    "rate(c_total[5m])",
    "rate(c_total[1h])",
    "increase(c_total[1h])",
    "increase(c_total[61s])",
    "rate(c_total[1h] offset 10m)",
    "sum(rate(c_total[5m])) / sum(rate(c_total[1h]))",
    'rate(c_total{s="a"}[6h]) - rate(c_total{s="b"}[6h])',
    "delta(g[10m])",
    "rate(g[10m])",
    "max_over_time(c_total[5m])",
    "rate(c_total[1m])",
]


def _bits(val: object) -> list[tuple[object, bytes, bytes]]:
    assert isinstance(val, list)
    return sorted((r.labels, r.v[r.m].tobytes(), r.m.tobytes()) for r in val)


def test_shared_windows_give_the_bits_of_separate_evaluation() -> None:
    for seed in range(6):
        gen = np.random.default_rng(seed)
        db = _store(gen)
        steps = np.arange(0, 3000 * STEP, 60_000, dtype=np.int64)
        cache = StepCache(steps)
        for expr in EXPRS + EXPRS[::-1]:  # again, answered from the cache this time
            node = parse(expr)
            alone = Evaluator(db, steps, rule_mode=True).eval(node)
            shared = Evaluator(db, steps, rule_mode=True, cache=cache).eval(node)
            assert _bits(shared) == _bits(alone), (seed, expr)


def test_a_cache_for_other_steps_is_not_used() -> None:
    db = _store(np.random.default_rng(1))
    steps = np.arange(0, 3000 * STEP, 60_000, dtype=np.int64)
    ev = Evaluator(db, steps.copy(), cache=StepCache(steps))
    assert ev.cache is None
