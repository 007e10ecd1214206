"""The scrape: what the exposition shows is what the store holds, series come and go."""

from __future__ import annotations

from gameday.scenario.model import Scenario
from gameday.session.session import Session
from gameday.tsdb import is_stale


def test_store_holds_each_exposed_value_at_the_scrape_time(pool_scenario: Scenario) -> None:
    """After a scrape, every exposed series' last sample is its value at that scrape."""
    session = Session(pool_scenario, seed=3)
    session.advance_to(pool_scenario.faults[0].at + 300)
    t_ms = int(round(session.world.now * 1000))
    labels, values = session.exposition.collect()
    assert len(labels) == len(values) == len(set(labels))
    for key, value in zip(labels, values, strict=True):
        series = session.tsdb.series(key)
        assert series is not None, key
        assert int(series.t[-1]) == t_ms
        assert float(series.v[-1]) == float(value), key


def test_label_sets_are_canonical_and_reused_while_unchanged(pool_scenario: Scenario) -> None:
    """Label sets are sorted tuples, and the very same objects scrape after scrape."""
    session = Session(pool_scenario, seed=1)
    session.advance_to(60)
    first, _ = session.exposition.collect()
    session.advance_to(120)
    second, _ = session.exposition.collect()
    assert all(key == tuple(sorted(key)) for key in first)
    assert len(first) == len(second)
    assert all(a is b for a, b in zip(first, second, strict=True))


def test_a_replaced_pods_series_go_and_the_new_pods_come(pool_scenario: Scenario) -> None:
    """Deleting a pod: its series end with a staleness marker once it is gone, its
    replacement's start when the ReplicaSet creates it."""
    session = Session(pool_scenario, seed=1)
    session.advance_to(60)
    victim = session.world.pods("orders")[0].name
    session.world.cluster.delete_pod(victim, session.now)
    session.advance_to(100)
    ready = [
        s
        for s in session.tsdb.all_series()
        if dict(s.labels).get("__name__") == "kube_pod_container_status_ready"
    ]
    gone = [s for s in ready if dict(s.labels)["pod"] == victim]
    # Terminating (not ready) at the 60 s scrape, gone by the next one.
    assert len(gone) == 1 and is_stale(float(gone[0].v[-1])) and int(gone[0].t[-1]) == 75000
    assert float(gone[0].v[-2]) == 0.0
    assert not any(is_stale(float(v)) for v in gone[0].v[:-1])
    (replacement,) = [p for p in session.world.pods("orders") if p.created_at == 60.0]
    new = [s for s in ready if dict(s.labels)["pod"] == replacement.name]
    assert len(new) == 1 and int(new[0].t[0]) == 60000 and int(new[0].t[-1]) == 90000


def test_a_series_that_comes_back_after_a_gap(pool_scenario: Scenario) -> None:
    """An outside series missing from one scrape is marked stale, then appended again."""
    session = Session(pool_scenario, seed=1)
    key = (("__name__", "probe_success"), ("job", "blackbox"))
    scrapes = []

    def source() -> list[tuple[tuple[tuple[str, str], ...], float]]:
        scrapes.append(session.now)
        return [] if len(scrapes) == 3 else [(key, float(len(scrapes)))]

    session.attach_source(source, replaces_kube=False)
    session.advance_to(80)
    series = session.tsdb.series(key)
    assert series is not None
    assert list(series.t) == [0, 15000, 30000, 45000, 60000, 75000]
    values = [float(v) for v in series.v]
    assert values[:2] == [1.0, 2.0] and is_stale(values[2]) and values[3:] == [4.0, 5.0, 6.0]
