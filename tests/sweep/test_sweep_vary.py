"""``--vary``: which parts of a drill differ between the runs of a sweep."""

from __future__ import annotations

import pytest

from gameday.errors import UsageError
from gameday.runtime import prepare
from gameday.sweep import SweepSpec, run_sweep
from gameday.sweep.runner import run_one
from gameday.sweep.vary import WEEK_MINUTES, apply, draw, parse_vary


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return prepare("db-pool-exhaustion").loaded.scenario


def test_parse_orders_names_and_refuses_unknown_ones() -> None:
    assert parse_vary("load, seed") == ("seed", "load")
    with pytest.raises(UsageError, match="did you mean 'fault-time'"):
        parse_vary("seed,faulttime")
    with pytest.raises(UsageError, match="name at least one"):
        parse_vary(" , ")


def test_a_runs_draw_depends_on_its_seed_only(scenario) -> None:  # type: ignore[no-untyped-def]
    every = ("seed", "start", "fault-time", "load")
    assert draw(scenario, 7, 1, every) == draw(scenario, 7, 1, every)
    assert draw(scenario, 7, 1, every) != draw(scenario, 8, 1, every)
    # adding a dimension leaves the others' draws as they were
    assert (
        draw(scenario, 7, 1, ("start",)).start_shift_min
        == draw(scenario, 7, 1, every).start_shift_min
    )
    fixed = draw(scenario, 7, 1, ("start",))
    assert fixed.session_seed == 1 and fixed.fault_shift_s == 0.0 and fixed.load_factor == 1.0
    assert 0 <= fixed.start_shift_min < WEEK_MINUTES


def test_apply_moves_faults_together_inside_the_run(scenario) -> None:  # type: ignore[no-untyped-def]
    for seed in range(1, 60):
        v = draw(scenario, seed, 1, ("fault-time", "load", "start"))
        varied = apply(scenario, v)
        shifts = {b.at - a.at for a, b in zip(scenario.faults, varied.faults, strict=True)}
        assert shifts == {v.fault_shift_s}
        assert min(f.at for f in varied.faults) >= 60.0
        assert max(f.at for f in varied.faults) <= scenario.duration - 300.0
        for a, b in zip(scenario.world.services, varied.world.services, strict=True):
            if a.traffic is not None:
                assert b.traffic.rps == pytest.approx(a.traffic.rps * v.load_factor)
        assert (varied.start_time - scenario.start_time).total_seconds() == v.start_shift_min * 60
    # the loaded scenario itself is untouched: its window [4m, 7m] starts at 240 s
    assert (scenario.faults[0].at, scenario.faults[0].onset_jitter) == (240.0, 180.0)
    assert apply(scenario, draw(scenario, 3, 1, ("seed",))) is scenario


def test_fault_time_and_the_seeded_onset_both_move_detection() -> None:
    """Moving the fault moves when the rules catch it; so does a seed alone, which draws
    the onset inside the scenario's window (db-pool-exhaustion: `at: [4m, 7m]`)."""
    seeds = tuple(range(1, 7))
    by_seed = [run_one(SweepSpec("db-pool-exhaustion", seeds, vary=("seed",)), s) for s in seeds]
    by_fault = [
        run_one(SweepSpec("db-pool-exhaustion", seeds, vary=("fault-time",)), s) for s in seeds
    ]
    assert len({r.mttd for r in by_seed}) > 1
    assert len({r.mttd for r in by_fault}) > 1
    assert len({round(r.mtta, 6) for r in by_fault}) == 1  # one session seed, one jitter
    assert len({r.mtta for r in by_seed}) > 1


def test_variations_are_the_same_on_both_backends() -> None:
    spec = SweepSpec("bad-deploy", (4, 5, 6), vary=("seed", "start", "fault-time", "load"))
    assert run_sweep(spec, "local", workers=2) == run_sweep(spec, "dask", workers=2)
