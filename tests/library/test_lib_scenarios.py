"""The scenario library as drills: each scenario runs through its own rules, routing,
on-call file and runbooks; on seeds 1-5 the expert passes, idle and the novice fail;
seed 1's scorecards match the committed goldens; the counterfactual debrief judges the
expert's fix mitigated, and no red herring mitigates.
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
from gameday.runtime import prepare
from gameday.tools import known_command

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
    "flash-sale-traffic-spike": "kubectl patch hpa storefront -n shop -p",
    "crash-loop-config": "kubectl rollout undo deployment/pricing -n shop",
    "tls-cert-expired": "kubectl rollout restart deployment/inventory -n shop",
    "dns-stale-cache": "kubectl rollout restart deployment/fraud-check -n shop",
    "replica-lag-stale-reads": (
        'psql -h orders-db -U postgres -d orders -c "SELECT pg_cancel_backend({oldest_xact_pid})"'
    ),
    "kafka-poison-message": (
        "kafka-consumer-groups.sh --bootstrap-server kafka:9092 --group payments-authorizer "
        "--topic payment-authorizations:{stuck_partition} --reset-offsets --shift-by 1 --execute"
    ),
    "zone-outage-no-headroom": "kubectl scale deployment/recommendations-batch --replicas=0 -n shop",
    "disk-full-debug-logging": "kubectl set env deployment/search LOG_LEVEL=info -n shop",
    "cache-stampede": "kubectl exec deploy/catalogue-cache -n shop -- redis-cli CONFIG SET maxmemory",
    "retry-storm": (
        "kubectl set env deployment/storefront RESILIENCE4J_RETRY_INSTANCES_RECOMMENDATIONS_MAXATTEMPTS=1"
    ),
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


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_expert_passes_idle_fails_novice_fails(scenario: str, seed: int, drill: Drill) -> None:
    """On every seed: the expert scores >= 80 and passes; idle < 40 and fails; the novice
    fails, above idle. Each seed draws its own onset, replica and rates.

    Seed 1's three scorecards are also compared with the goldens, so the drills run once.
    """
    cards = {r: drill(scenario, r, seed) for r in ("expert", "novice", "idle")}
    expert, novice, idle = cards["expert"], cards["novice"], cards["idle"]
    assert expert["score"] >= 80 and expert["passed"], expert["score"]
    assert idle["score"] < 40 and not idle["passed"], idle["score"]
    assert not novice["passed"] and idle["score"] < novice["score"] < expert["score"], novice
    if seed == 1:
        for responder, card in cards.items():
            _check_golden(scenario, responder, card)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_experts_fix_is_judged_mitigated_by_counterfactual(scenario: str, drill: Drill) -> None:
    """The expert's fix is the change the counterfactual debrief says mitigated it, with
    the figures: far fewer failed requests with it than without."""
    fix = FIXES[scenario].split("{")[0]
    judged = drill(scenario, "expert", 1)["actions"]
    verdict = next(a for a in judged if a["command"].startswith(fix))
    assert verdict["label"] == "mitigated", verdict
    assert verdict["failed_without"] > 2 * verdict["failed_with"] + 10, verdict
    assert not verdict["red_herring"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_red_herrings_do_not_mitigate_and_carry_their_why(scenario: str) -> None:
    """Every truth.red_herrings command runs, explains itself, and alone does not mitigate
    the incident in the world (the counterfactual check `gameday validate` runs)."""
    from gameday.counterfactual import judge_changes

    loaded = prepare(scenario).loaded
    herrings = loaded.scenario.truth.red_herrings
    assert len(herrings) >= 2
    verdicts = judge_changes(loaded.scenario, 1, [h.command for h in herrings])
    for herring, verdict in zip(herrings, verdicts, strict=True):
        assert known_command(herring.command), herring.command
        assert herring.why, herring.command
        assert verdict is not None, herring.command
        assert verdict.label != "mitigated", (herring.command, verdict)


def test_commands_judged_together_get_the_verdicts_each_gets_alone() -> None:
    """Red herrings judged against one shared idle session (as validate does) get the
    verdict each gets judged alone: the shared session is not disturbed by the others."""
    from gameday.counterfactual import judge_change, judge_changes

    scenario = prepare("retry-storm").loaded.scenario
    commands = [h.command for h in scenario.truth.red_herrings]
    together = judge_changes(scenario, 1, commands)
    assert together == [judge_change(scenario, 1, c) for c in commands]
    assert all(v is not None for v in together)


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
