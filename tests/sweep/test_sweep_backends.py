"""Sweeps: the same figures from the process pool and from a Dask LocalCluster."""

from __future__ import annotations

import numpy as np

from gameday.sweep import SweepSpec, run_sweep, summarise
from gameday.sweep.runner import DrillFigures
from gameday.sweep.stats import distribution, paired_difference


def test_local_and_dask_agree() -> None:
    """A small sweep gives identical per-seed figures on both backends."""
    spec = SweepSpec("bad-deploy", seeds=(1, 2, 3), responder="mix")
    local = run_sweep(spec, "local", workers=2)
    dask = run_sweep(spec, "dask", workers=2)
    assert [r.seed for r in local] == [1, 2, 3]
    assert local == dask
    assert {r.responder for r in local} == {"expert", "novice"}
    assert summarise(local) == summarise(dask)


def fig(seed: int, mtta: float | None, score: float = 90.0) -> DrillFigures:
    return DrillFigures(seed, "expert", score, True, 60.0, mtta, 600.0, 2, False, False)


def test_distribution_matches_numpy_percentiles() -> None:
    """Median, p90 and p99 are numpy's linear percentiles over the measured runs."""
    values = np.array([10.0, 20.0, 30.0, 40.0, 100.0])
    d = distribution(values)
    assert (d["median"], d["p90"], d["p99"]) == (30.0, 76.0, 97.6)


def test_score_tail_is_the_low_one() -> None:
    """A score's p90 is what 90% of drills scored at least: numpy's 10th percentile."""
    values = np.array([10.0, 20.0, 30.0, 40.0, 100.0])
    d = distribution(values, low_is_worse=True)
    assert (d["median"], d["p90"], d["p99"], d["tail"]) == (30.0, 14.0, 10.4, "low")
    runs = [fig(i, 60.0, score=float(s)) for i, s in enumerate([50, 60, 70, 80, 90], 1)]
    assert summarise(runs)["score"]["p90"] == 54.0


def test_never_acknowledged_counts_as_breach() -> None:
    """A run nobody acknowledged breaches the ack target and is left out of MTTA."""
    runs = [fig(1, 60.0), DrillFigures(2, "expert", 30.0, False, 60.0, None, None, 3, True, True)]
    s = summarise(runs)
    assert s["mtta"]["n"] == 1 and s["never_acknowledged"] == 1
    assert s["p_ack_breach"] == 0.5 and s["p_pass"] == 0.5


def test_paired_difference_is_exact_for_constant_shift() -> None:
    """When B is A plus 30 s on every seed, the mean difference and its interval are 30."""
    a = [fig(s, 60.0 + s) for s in range(1, 21)]
    b = [fig(s, 90.0 + s) for s in range(1, 21)]
    d = paired_difference(a, b, "mtta")
    assert d == {"n": 20, "mean": 30.0, "ci_low": 30.0, "ci_high": 30.0}


def test_dask_sweep_beside_something_on_port_8787() -> None:
    """Dask's usual dashboard port taken (another sweep, someone's own cluster): the
    sweep still runs, without the port warning that tests turn into an error."""
    import socket
    from contextlib import suppress

    holder = socket.socket()
    with suppress(OSError):  # already taken by something else: the case this is about
        holder.bind(("0.0.0.0", 8787))
        holder.listen()
    try:
        spec = SweepSpec("bad-deploy", seeds=(1,))
        assert [r.seed for r in run_sweep(spec, "dask", workers=1)] == [1]
    finally:
        holder.close()
