"""Run one drill for its figures, and many of them on a backend.

A drill's figures depend only on (scenario, overrides, responder, seed), so every backend
returns the same list once it is sorted by seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from gameday.errors import UsageError

RESPONDER_MIX = ("expert", "expert", "novice")  # --responder mix: two experts to one novice
CHUNK = 10  # the most seeds one task runs (fewer when there are few seeds per worker)
_DRILL_MODULES = (  # what a drill imports on first use; a forked worker inherits them
    "gameday.debrief",
    "gameday.tools",
    "gameday.alerting.dispatch",
    "gameday.oncall",
    "gameday.responders",
    "gameday.rules",
    "gameday.scoring",
    "gameday.sweep.vary",
)


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep: a scenario, file overrides, a responder and the seeds."""

    scenario: str
    seeds: tuple[int, ...]
    responder: str = "expert"
    overrides: tuple[tuple[str, str], ...] = ()  # (kind, path): alertmanager | rules | oncall
    vary: tuple[str, ...] = ("seed",)  # see gameday.sweep.vary
    # Judge each drill's changes by counterfactual, as the debrief does. Off, a drill is
    # scored without them: no "no effect"/"harmful" deductions, and the first mitigation
    # is the last change before the first relief (see gameday.scoring).
    judge: bool = False


@dataclass(frozen=True)
class DrillFigures:
    """What one drill measured (seconds of sim time; None when it never happened)."""

    seed: int
    responder: str
    score: float
    passed: bool
    mttd: float | None
    mtta: float | None
    mitigate: float | None
    pages: int
    ack_breached: bool
    mitigate_breached: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=8)
def _prepared(scenario: str, overrides: tuple[tuple[str, str], ...]) -> Any:
    """Load a scenario once per worker process (with files swapped in by ``overrides``)."""
    from gameday.runtime import prepare

    prepared = prepare(scenario)
    if not overrides:
        return prepared
    from dataclasses import replace
    from pathlib import Path

    setup = prepared.setup
    for kind, path in overrides:
        if kind == "alertmanager":
            from gameday.alerting import load_alertmanager_config

            setup = replace(setup, alertmanager=load_alertmanager_config(Path(path)))
        elif kind == "rules":
            from gameday.rules import load_rule_files

            setup = replace(setup, rule_groups=list(load_rule_files([Path(path)])))
        elif kind == "oncall":
            from gameday.oncall import load_oncall

            setup = replace(setup, oncall=load_oncall(Path(path)))
    return replace(prepared, setup=setup)


def scenario_of(scenario: str) -> Any:
    """The scenario model a sweep of ``scenario`` plays (loaded once per process)."""
    return _prepared(scenario, ()).loaded.scenario


def warm(spec: SweepSpec) -> None:
    """Load ``spec``'s scenario and import what a drill needs, in this process, once.

    Called before a process pool starts: workers forked from here begin with the
    scenario parsed and the modules imported instead of each doing it again.
    """
    import importlib

    _prepared(spec.scenario, spec.overrides)
    for name in _DRILL_MODULES:
        importlib.import_module(name)


def chunked(seeds: list[int], workers: int) -> list[list[int]]:
    """Seeds in tasks of at most :data:`CHUNK`, at least four tasks per worker when possible.

    Small tasks at the end keep both cores busy until the last drill.
    """
    size = max(1, min(CHUNK, -(-len(seeds) // (4 * max(1, workers)))))
    return [seeds[i : i + size] for i in range(0, len(seeds), size)]


def responder_for(spec: SweepSpec, seed: int) -> str:
    if spec.responder == "mix":
        return RESPONDER_MIX[seed % len(RESPONDER_MIX)]
    return spec.responder


def run_one(spec: SweepSpec, seed: int) -> DrillFigures:
    """Play one drill headless (no journal, no reports) and keep its figures.

    Counterfactuals run only when ``spec.judge`` asks for them (they are the debrief's:
    about a third of an expert drill's CPU, more with every change a novice makes).
    """
    from gameday.counterfactual import judge
    from gameday.debrief import metrics_summary
    from gameday.responders import make_responder
    from gameday.scoring import score
    from gameday.sweep.vary import apply, draw

    prepared = _prepared(spec.scenario, spec.overrides)
    responder = responder_for(spec, seed)
    base = prepared.loaded.scenario
    variation = draw(base, seed, spec.seeds[0], spec.vary)
    session = prepared.session(
        seed=variation.session_seed, responder=responder, scenario=apply(base, variation)
    )
    make_responder(responder, session, prepared.loaded.solution).attach(session)
    session.run_to_end()
    card = score(
        session.events,
        session.scenario,
        list(prepared.setup.runbooks),
        metrics_summary(session),
        judge(session) if spec.judge else None,
    )
    times = card.key_times
    targets = card.targets
    first_page = times.get("paged")
    ack = times.get("acknowledged")
    fault = times.get("incident_start")  # the first fault; a recording's first sign
    mitigated = times.get("mitigated")
    mtta = ack - first_page if ack is not None and first_page is not None else None
    ttm = mitigated - fault if mitigated is not None and fault is not None else None
    detected = times.get("detected")
    mttd = detected - fault if detected is not None and fault is not None else None
    table = targets.get("table", {})
    ack_target = float(table.get("ack") or 300.0)
    mitigate_target = float(table.get("mitigate") or 900.0)
    return DrillFigures(
        seed=seed,
        responder=responder,
        score=card.score,
        passed=card.passed,
        mttd=mttd,
        mtta=mtta,
        mitigate=ttm,
        pages=sum(1 for e in session.events if e.kind == "page.notified"),
        ack_breached=mtta is None or mtta > ack_target,
        mitigate_breached=ttm is None or ttm > mitigate_target,
    )


def _run_many(spec: SweepSpec, seeds: list[int]) -> list[DrillFigures]:
    return [run_one(spec, s) for s in seeds]


def run_sweep(
    spec: SweepSpec,
    backend: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[DrillFigures]:
    """Run every seed of ``spec``; results sorted by seed whatever the backend.

    The scenario is read afresh when a sweep starts (workers then load it once each), so
    a process that sweeps twice, as a test or a notebook does, sees its files as edited.
    """
    import os

    _prepared.cache_clear()
    seeds = list(spec.seeds)
    n = workers or ((os.cpu_count() or 1) if backend == "local" else 2)
    chunks = chunked(seeds, n)
    results: list[DrillFigures] = []
    if backend == "local":
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if n == 1 or len(seeds) <= 2:
            for chunk in chunks:
                results += _run_many(spec, chunk)
                if progress:
                    progress(len(chunk))
        else:
            from gameday.interrupts import stop_pool, worker_signals

            warm(spec)
            pool = ProcessPoolExecutor(max_workers=n, initializer=worker_signals)
            try:
                futures = [pool.submit(_run_many, spec, c) for c in chunks]
                for fut in as_completed(futures):
                    got = fut.result()
                    results += got
                    if progress:
                        progress(len(got))
            except BaseException:  # Ctrl-C, SIGTERM, a failed drill: no worker outlives us
                stop_pool(pool)
                raise
            pool.shutdown(wait=True)
    elif backend == "dask":
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed

        cluster = None
        if scheduler is None:
            # ":0": the scheduler's HTTP server takes any free port, not 8787, so two
            # sweeps (or a sweep beside someone's own Dask cluster) do not collide
            cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout="5s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(f"--scheduler {scheduler}: cannot connect: {exc}") from None
        try:
            dask_futures = client.map(_run_many, [spec] * len(chunks), chunks, pure=False)
            for fut in dask_completed(dask_futures):
                got = fut.result()
                results += got
                if progress:
                    progress(len(got))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        raise UsageError(f"unknown backend {backend!r}; choose local or dask")
    return sorted(results, key=lambda f: f.seed)


@dataclass
class Comparison:
    """The same seeds under two configurations."""

    a: list[DrillFigures]
    b: list[DrillFigures]
    labels: tuple[str, str] = ("A", "B")
    figures: dict[str, Any] = field(default_factory=dict)
