"""flash-sale-traffic-spike through `gameday drill`: the storefront's HPA owns its
replica count, so scaling the Deployment by hand is undone and only raising the HPA's
maxReplicas relieves the sale's load (judged by counterfactual, not by the command's text)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import drill_script

REPO = Path(__file__).resolve().parents[2]
SCALE = "kubectl scale deployment/storefront --replicas=10 -n shop"
PATCH = """kubectl patch hpa storefront -n shop -p '{"spec":{"maxReplicas":10}}'"""
OPENING = [
    {"at": "30s", "do": "ack", "role": "ops"},
    {"at": "1m", "do": "sev SEV1", "role": "ic"},
]


def verdict(result: dict[str, Any], command: str) -> dict[str, Any]:
    (found,) = [a for a in result["scorecard"]["actions"] if a["command"] == command]
    return found


def mitigation(result: dict[str, Any]) -> dict[str, Any]:
    (dim,) = [d for d in result["scorecard"]["dimensions"] if d["key"] == "mitigation"]
    return dim


def test_scaling_alone_is_reverted_and_mitigates_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Scaled to 10 by hand, the HPA (max 4) scales back at its next sync: the change is
    judged to have had no lasting effect, the fault is never relieved, the drill fails;
    the debrief names it a red herring with the truth's why."""
    result = drill_script(
        capsys, tmp_path, "flash-sale-traffic-spike", [*OPENING, {"at": "2m", "do": SCALE}]
    )
    scaled = verdict(result, SCALE)
    assert scaled["label"] in ("temporary", "no effect"), scaled
    assert scaled["recovered_with"] is None
    assert "maxReplicas" in (scaled["red_herring"] or "")
    assert not mitigation(result)["passed"]
    assert result["passed"] is False


def test_raising_max_replicas_mitigates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Patched to maxReplicas 10, the HPA scales out by itself: the patch is judged
    "mitigated" (without it the service never recovers) and the fault is relieved."""
    result = drill_script(
        capsys, tmp_path, "flash-sale-traffic-spike", [*OPENING, {"at": "2m", "do": PATCH}]
    )
    patched = verdict(result, PATCH)
    assert patched["label"] == "mitigated", patched
    assert patched["recovered_with"] is not None and patched["recovered_without"] is None
    assert patched["failed_with"] < patched["failed_without"] / 5
    assert mitigation(result)["passed"]


HPA_RULES = """
  - name: storefront-hpa
    interval: 30s
    rules:
      - alert: StorefrontHpaLimited
        expr: |
          kube_horizontalpodautoscaler_status_condition{job="kube-state-metrics",
            horizontalpodautoscaler="storefront", condition="ScalingLimited", status="true"} == 1
        for: 1m
        labels: {severity: info, team: web}
      - alert: StorefrontHpaCeilingRaised
        expr: |
          kube_horizontalpodautoscaler_spec_max_replicas{horizontalpodautoscaler="storefront"}
            > 4
          and on (namespace, horizontalpodautoscaler)
          kube_horizontalpodautoscaler_status_desired_replicas > 4
        labels: {severity: info, team: web}
"""


def test_kube_state_metrics_of_the_hpa_feed_a_teams_rules(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """kube-state-metrics' HPA series are scraped: a rule on ScalingLimited fires in the
    sale, and one on spec.maxReplicas and status.desiredReplicas once the patch lands."""
    folder = tmp_path / "flash"
    shutil.copytree(REPO / "scenarios" / "flash-sale-traffic-spike", folder)
    rules = folder / "rules" / "storefront.rules.yml"
    rules.write_text(rules.read_text() + HPA_RULES)
    result = drill_script(capsys, tmp_path, folder, [*OPENING, {"at": "2m", "do": PATCH}])
    firing = {
        e["text"].split()[1]: e["t"] for e in result["timeline"] if e["kind"] == "alert.firing"
    }
    (patched,) = [a for a in result["scorecard"]["actions"] if a["command"] == PATCH]
    assert firing["StorefrontHpaLimited"] < patched["t"]
    assert patched["t"] <= firing["StorefrontHpaCeilingRaised"] <= patched["t"] + 60
