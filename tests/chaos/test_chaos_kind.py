"""Integration: the bad-deploy scenario against a real kind cluster (opt-in)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gameday.chaos.observe import cluster_samples
from gameday.chaos.plan import plan_faults
from gameday.chaos.runner import apply_plan
from gameday.scenario.model import Scenario

CONTEXT = os.environ.get("GAMEDAY_KIND_CONTEXT")


@pytest.mark.skipif(not CONTEXT, reason="set GAMEDAY_KIND_CONTEXT=kind-NAME (see README) to run")
def test_bad_deploy_against_kind(deploy_scenario: Scenario, tmp_path: Path) -> None:
    """The bad image rolls out in the cluster, pods stop being available, rollback restores."""
    from gameday.chaos.clients import connect

    assert CONTEXT is not None
    clients = connect(CONTEXT)
    plan = plan_faults(deploy_scenario, "shop")
    seen: list[float] = []

    def hold() -> None:
        import time

        for _ in range(12):
            time.sleep(5)
            samples = dict(cluster_samples(clients, "shop"))
            seen.append(
                sum(
                    v
                    for k, v in samples.items()
                    if dict(k)["__name__"] == "kube_pod_container_status_waiting_reason"
                )
            )

    injected, not_injected = apply_plan(clients, plan, tmp_path / "chaos.jsonl", print, hold=hold)
    assert injected == ["leaky-release"] and not not_injected
    assert max(seen) >= 1  # the bad tag leaves a pod waiting (ErrImagePull / ImagePullBackOff)
    dep = clients.apps.read_namespaced_deployment("orders", "shop")
    assert dep.spec.template.spec.containers[0].image != "registry.internal/shop/orders:v1.15.0"
