"""The scenario library as drills: each scenario runs through its own rules, routing,
on-call file and runbooks; the expert passes, idle fails, the novice lands between;
seed 1's scorecards match the committed goldens; red herrings leave the fault running
while the expert's fix ends it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from gameday.drill import run_drill
from gameday.engine.actions import known_command
from gameday.responders.bots import fill_placeholders
from gameday.runtime import prepare

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
FIXED = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)

# scenario id -> the expert's mitigating command, as solution.yaml types it
FIXES = {
    "alert-storm-triage": "kubectl rollout undo deployment/search -n shop",
    "slow-query-regression": "kubectl rollout undo deployment/orders -n shop",
    "memory-leak-oomkill": "kubectl rollout undo deployment/cart -n shop",
    "migration-lock-queue": (
        'psql -h accounts-db -U postgres -d accounts -c "SELECT pg_cancel_backend({blocker_pid})"'
    ),
    "payment-provider-outage": (
        "kubectl scale deployment/payments-gateway-fallback --replicas=3 -n shop"
    ),
    "flash-sale-traffic-spike": "kubectl scale deployment/storefront --replicas=10 -n shop",
    "crash-loop-config": "kubectl rollout undo deployment/pricing -n shop",
    "tls-cert-expired": "kubectl rollout restart deployment/inventory -n shop",
    "dns-stale-cache": "kubectl rollout restart deployment/fraud-check -n shop",
    "email-provider-slow": (
        "kubectl set image deployment/notifications "
        "notifications=registry.internal/shop/notifications:v2.8.1 -n shop"
    ),
}
SCENARIOS = sorted(FIXES)

Drill = Callable[[str, str, int], dict]


@pytest.fixture(scope="session")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Drill:
    """Run (and remember, per test process) one drill; returns its scorecard."""
    cache: dict[tuple[str, str, int], dict] = {}
    base = tmp_path_factory.mktemp("library-drills")

    def run(scenario: str, responder: str, seed: int) -> dict:
        key = (scenario, responder, seed)
        if key not in cache:
            out = base / f"{scenario}-{responder}-{seed}"
            result = run_drill(scenario, responder=responder, seed=seed, out_dir=out, now=FIXED)
            assert result.report_dir is not None
            card = json.loads((result.report_dir / "result.json").read_text())["scorecard"]
            assert card["score"] == pytest.approx(result.score)
            assert card["passed"] == result.passed
            cache[key] = card
        return cache[key]

    return run


def _check_golden(scenario: str, responder: str, card: dict) -> None:
    """Seed 1's scorecard equals the committed golden file (GAMEDAY_REGOLD=1 rewrites it)."""
    path = GOLDEN / f"{scenario}-{responder}-seed1.json"
    text = json.dumps(card, indent=2, sort_keys=True) + "\n"
    if os.environ.get("GAMEDAY_REGOLD"):
        path.write_text(text)
    assert path.exists(), f"no golden scorecard {path.name}; run with GAMEDAY_REGOLD=1"
    assert text == path.read_text(), f"{path.name} differs from this run"


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_expert_passes_idle_fails_novice_between(scenario: str, seed: int, drill: Drill) -> None:
    """Expert >= 80 and passes; idle < 40 and fails; the novice strictly between.

    Seed 1's three scorecards are also compared with the goldens, so the drills run once.
    """
    cards = {r: drill(scenario, r, seed) for r in ("expert", "novice", "idle")}
    expert, novice, idle = cards["expert"], cards["novice"], cards["idle"]
    assert expert["score"] >= 80 and expert["passed"], expert["score"]
    assert idle["score"] < 40 and not idle["passed"], idle["score"]
    assert idle["score"] < novice["score"] < expert["score"]
    if seed == 1:
        for responder, card in cards.items():
            _check_golden(scenario, responder, card)


def _session_after_fault(scenario: str):  # noqa: ANN202 - a Session
    prepared = prepare(scenario)
    session = prepared.session(seed=1)
    fault = prepared.loaded.scenario.faults[0]
    session.advance_to(fault.at + 60.0)
    assert session.world.faults[fault.id].active
    return session, fault.id


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_red_herrings_leave_the_fault_running_and_the_fix_ends_it(scenario: str) -> None:
    """Each truth.red_herrings command leaves the fault active; the expert's fix ends it."""
    loaded = prepare(scenario).loaded
    herrings = loaded.scenario.truth.red_herrings
    assert len(herrings) >= 2
    for herring in herrings:
        command = herring.command
        assert known_command(command), command
        session, fault_id = _session_after_fault(scenario)
        outcome = session.perform(command, actor="tester")
        assert outcome.ok, (command, outcome.output)
        session.advance(120.0)
        assert session.world.faults[fault_id].active, f"{command!r} ended {fault_id}"
    fix = FIXES[scenario]
    solution = yaml.safe_load((REPO / "scenarios" / scenario / "solution.yaml").read_text())
    assert fix in [a["do"] for a in solution["actions"]], "the fix is not the expert's command"
    session, fault_id = _session_after_fault(scenario)
    outcome = session.perform(fill_placeholders(session, fix), actor="tester")
    assert outcome.ok, outcome.output
    assert outcome.effect == f"mitigated:{fault_id}"
    assert not session.world.faults[fault_id].active


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_solution_and_runbook_command_is_known(scenario: str) -> None:
    """The simulation understands every command the expert types or a runbook shows."""
    folder = REPO / "scenarios" / scenario
    solution = yaml.safe_load((folder / "solution.yaml").read_text())
    unknown = [a["do"] for a in solution["actions"] if not known_command(a["do"])]
    for runbook in sorted((folder / "runbooks").glob("*.md")):
        blocks = runbook.read_text().split("```")[1::2]
        unknown += [b.strip() for b in blocks if not known_command(b.strip())]
    assert unknown == []
