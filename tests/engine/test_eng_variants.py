"""Seed variants and background faults: when a fault starts, and which faults are scored."""

from __future__ import annotations

from pathlib import Path

import yaml

from gameday.debrief import metrics_summary
from gameday.runtime import prepare
from gameday.scenario.model import Scenario
from gameday.scoring import score
from gameday.session.session import Session

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _pool(**fault: object) -> Scenario:
    data = yaml.safe_load((SCENARIOS / "db-pool-exhaustion" / "scenario.yaml").read_text())
    data["faults"][0].update(fault)
    return Scenario.model_validate(data)


def _onset(scenario: Scenario, seed: int) -> float:
    session = Session(scenario, seed=seed)
    session.advance_to(scenario.duration / 2)
    return next(e.t for e in session.events if e.kind == "fault.start")


def test_onset_window_is_drawn_per_seed_inside_the_window() -> None:
    """`at: [4m, 9m]` starts the fault somewhere in the window, differently per seed."""
    scenario = _pool(at=["4m", "9m"])
    onsets = [_onset(scenario, seed) for seed in range(1, 9)]
    assert all(240.0 <= t <= 540.0 + 15.0 for t in onsets), onsets
    assert len(set(onsets)) >= 4, onsets
    assert _onset(scenario, 3) == _onset(scenario, 3)


def test_onset_jitter_is_the_same_window() -> None:
    """`at: 4m` with `onset_jitter: 5m` is the window [4m, 9m]."""
    jitter = _pool(at="4m", onset_jitter="5m")
    window = _pool(at=["4m", "9m"])
    assert (jitter.faults[0].at, jitter.faults[0].onset_jitter) == (240.0, 300.0)
    assert [_onset(jitter, s) for s in (1, 2)] == [_onset(window, s) for s in (1, 2)]


def test_without_a_window_every_seed_starts_on_time() -> None:
    """A plain `at` is exact on every seed."""
    assert {_onset(_pool(at="5m"), seed) for seed in (1, 2, 3)} == {300.0}


def test_background_fault_runs_in_the_world_but_is_not_scored() -> None:
    """An idle responder facing only a background fault loses no mitigation points for it."""
    prepared = prepare("db-pool-exhaustion")
    scenario = prepared.loaded.scenario
    background = scenario.model_copy(
        update={"faults": [scenario.faults[0].model_copy(update={"background": True})]}
    )
    session = prepared.session(seed=1, scenario=background)
    session.advance_to(900)
    start = next(e for e in session.events if e.kind == "fault.start")
    assert start.data["background"] is True
    assert session.world.status["checkout"].error_ratio > 0.05  # it still hurts
    session.close()
    card = score(
        session.events, background, list(prepared.setup.runbooks), metrics_summary(session)
    )
    mitigation = card.dimension("mitigation")
    assert "never mitigated" not in mitigation.happened
    assert not any("lock-holder" in sentence for sentence in mitigation.evidence)
    assert card.key_times["fault_start"] is None


def test_assign_refuses_a_person_the_on_call_file_does_not_list() -> None:
    """`assign ic NOBODY` fails like an incident tool would; no role is recorded."""
    session = prepare("db-pool-exhaustion").session(seed=1)
    out = session.perform("assign ic NOBODY")
    assert not out.ok
    assert out.output.startswith("error: no person 'NOBODY' in the on-call directory")
    assert "(people: amara, jonas, lucas, mei, priya)" in out.output
    assert session.incident.roles == {}
    assert not [e for e in session.events if e.kind == "incident.role"]
    near = session.perform("assign ic amarra")
    assert "did you mean 'amara'?" in near.output
    assert session.perform("assign ic amara").ok
    assert session.incident.roles == {"ic": "amara"}
