"""The Session API: time, events, the journal and determinism."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.scenario.model import Scenario
from gameday.session.journal import read_journal
from gameday.session.session import Session


def test_fault_starts_on_time_and_is_journaled(pool_scenario: Scenario, tmp_path: Path) -> None:
    """The fault's start appears at its scheduled sim time, in memory and in the journal."""
    journal = tmp_path / "j.jsonl"
    session = Session(pool_scenario, seed=1, journal=journal)
    session.advance_to(600)
    starts = [e for e in session.events if e.kind == "fault.start"]
    assert [(e.t, e.data["fault"]) for e in starts] == [(300.0, "lock-holder")]
    session.close("stopped")
    kinds = [e.kind for e in read_journal(journal)]
    assert kinds[0] == "session.start" and kinds[-1] == "session.end"
    assert "fault.start" in kinds


def test_metrics_reach_the_store_every_scrape(pool_scenario: Scenario) -> None:
    """Every scrape interval writes one sample per series into the time-series store."""
    session = Session(pool_scenario, seed=1)
    session.advance_to(150)
    series = session.tsdb.series(
        (
            ("__name__", "http_requests_total"),
            ("code", "200"),
            ("job", "checkout"),
            ("namespace", "shop"),
            ("service", "checkout"),
        )
    )
    assert series is not None
    assert list(series.t) == [i * 15000 for i in range(10)]


def test_same_seed_same_journal_bytes(pool_scenario: Scenario, tmp_path: Path) -> None:
    """Two runs with the same seed write byte-identical journals; another seed differs."""
    paths = []
    for i, seed in enumerate((5, 5, 6)):
        path = tmp_path / f"{i}.jsonl"
        s = Session(pool_scenario, seed=seed, journal=path)
        s.advance_to(900)
        s.close()
        paths.append(path.read_bytes())
    assert paths[0] == paths[1]
    assert paths[0] != paths[2]


def test_subscribers_see_events_as_they_happen(pool_scenario: Scenario) -> None:
    """A subscriber receives each event once, in order."""
    session = Session(pool_scenario, seed=1)
    seen = []
    session.subscribe(lambda e: seen.append(e.seq))
    session.advance_to(600)
    assert seen == [e.seq for e in session.events[1:]]


def test_call_at_runs_in_sim_time(pool_scenario: Scenario) -> None:
    """A callback scheduled with call_at runs when the clock reaches its time."""
    session = Session(pool_scenario, seed=1)
    log = []
    session.call_at(95.0, lambda: log.append(session.now))
    session.advance_to(90)
    assert log == []
    session.advance_to(120)
    assert log == [95.0]


def test_replaced_pods_series_end_with_a_staleness_marker(deploy_scenario: Scenario) -> None:
    """When a rollout replaces a pod, its series gets a staleness marker at the next scrape."""
    from gameday.tsdb import is_stale

    session = Session(deploy_scenario, seed=1)
    session.advance_to(deploy_scenario.faults[0].at + 120)
    old_pods = [
        s
        for s in session.tsdb.all_series()
        if dict(s.labels).get("__name__") == "kube_pod_container_status_ready"
        and is_stale(float(s.v[-1]))
    ]
    assert len(old_pods) == 3  # the three pods of v1.14.2 were replaced by the deploy
    assert all(not is_stale(float(v)) for s in old_pods for v in s.v[:-1])


def test_clock_marks_are_journaled_once_per_time_and_replayed(tmp_path: Path) -> None:
    """A mark records the clock's time (never twice at one time); a crash after it
    resumes there, and the rebuilt session writes the same bytes."""
    from gameday.replay import read_recorded, rebuild
    from gameday.runtime import prepare

    journal = tmp_path / "journal.jsonl"
    session = prepare("db-pool-exhaustion").session(seed=1, journal=journal)
    session.advance_to(200.5)
    session.mark_clock()
    session.mark_clock()
    session.perform("kubectl get pods -n shop", actor="you", role="ops")
    session.mark_clock()  # the action is already at this time
    session.advance_to(333.25)
    session.mark_clock()
    session._journal._fh.close()  # type: ignore[union-attr]  # a crash: no session.end
    lines = journal.read_text().splitlines()
    marks = [e for e in read_journal(journal) if e.kind == "clock"]
    assert [m.t for m in marks] == [200.5, 333.25]

    rebuilt = rebuild(read_recorded(journal), journal=tmp_path / "again.jsonl")
    rebuilt.close("interrupted")
    assert rebuilt.now == 333.25
    assert [e.to_json() for e in rebuilt.events][:-1] == lines


def test_what_an_action_causes_follows_it_even_when_it_fails(tmp_path: Path) -> None:
    """An action's effects are published right after it; a command refused half-way
    still publishes what it already caused."""
    from gameday.errors import GamedayError
    from gameday.runtime import prepare

    session = prepare("db-pool-exhaustion").session(seed=1)
    session.advance_to(600)
    session.perform("sev SEV1", actor="you", role="ops")
    assert [e.kind for e in session.events[-2:]] == ["action", "incident.severity"]
    assert [e.seq for e in session.events] == list(range(len(session.events)))

    def refuse(command: str, outcome: object) -> str:
        session.emit("note.partial", {"by": command})
        raise GamedayError("refused")

    session.add_action_hook(refuse)
    before = len(session.events)
    with pytest.raises(GamedayError):
        session.perform("sev SEV2", actor="you", role="ops")
    assert [e.kind for e in session.events[before:]] == ["incident.severity", "note.partial"]


def test_an_action_performed_inside_another_keeps_the_order() -> None:
    """A hook that performs a command of its own: each action precedes what it caused,
    the inner one among the outer one's effects."""
    from gameday.runtime import prepare

    session = prepare("db-pool-exhaustion").session(seed=1)
    session.advance_to(600)

    def declare(command: str, outcome: object) -> None:
        if command == "ack":
            session.perform("sev SEV1", actor="you", role="ic")

    session.add_action_hook(declare)
    before = len(session.events)
    session.perform("ack", actor="you", role="ops")
    new = session.events[before:]
    commands = [e.data.get("command") for e in new if e.kind == "action"]
    assert commands == ["ack", "sev SEV1"]
    sev_action = next(i for i, e in enumerate(new) if e.data.get("command") == "sev SEV1")
    assert [e.kind for e in new].index("incident.severity") > sev_action
    assert [e.seq for e in session.events] == list(range(len(session.events)))
