"""kubectl's node, patch, set and autoscaler verbs, and what the controllers make of them."""

from __future__ import annotations

import re

import pytest
from act_support import FakeContext, load

from gameday.scenario.model import Autoscaler, Fault, Scenario
from gameday.tools import execute
from gameday.world.cluster import hpa as hpac


@pytest.fixture
def shop() -> FakeContext:
    ctx = FakeContext(load("db-pool-exhaustion").model_copy(update={"faults": []}))
    ctx.run(120)
    return ctx


def with_hpa(scenario: Scenario, low: int, high: int, cpu: int) -> Scenario:
    services = [
        s.model_copy(
            update={
                "autoscaler": Autoscaler(min_replicas=low, max_replicas=high, cpu_utilization=cpu)
            }
        )
        if s.name == "orders"
        else s
        for s in scenario.world.services
    ]
    world = scenario.world.model_copy(update={"services": services})
    return scenario.model_copy(update={"world": world, "faults": []})


def test_cordon_and_uncordon(shop):
    """cordon marks the node SchedulingDisabled; a second cordon says so; uncordon undoes."""
    assert execute(shop, "kubectl cordon worker-1").output == "node/worker-1 cordoned"
    assert execute(shop, "kubectl cordon worker-1").output == "node/worker-1 already cordoned"
    row = execute(shop, "kubectl get nodes").output.splitlines()[1].split()
    assert row[:2] == ["worker-1", "Ready,SchedulingDisabled"]
    assert execute(shop, "kubectl uncordon worker-1").output == "node/worker-1 uncordoned"
    r = execute(shop, "kubectl cordon node/worker-2 --dry-run=server")
    assert r.output == "node/worker-2 cordoned (server dry run)"
    assert not shop.world.cluster.nodes["worker-2"].unschedulable


def test_drain_evicts_and_pods_come_back_elsewhere(shop):
    """drain cordons, evicts the node's pods; their ReplicaSets re-create them elsewhere."""
    node = shop.world.pods("orders")[0].node
    victims = [p.name for p in shop.world.cluster.pods.values() if p.node == node]
    out = execute(shop, f"kubectl drain {node} --ignore-daemonsets").output.splitlines()
    assert out[0] == f"node/{node} cordoned" and out[-1] == f"node/{node} drained"
    assert [line for line in out if line.startswith("evicting pod ")] == [
        f"evicting pod shop/{v}" for v in sorted(victims)
    ]
    shop.run(shop.now + 90)
    live = [p for p in shop.world.cluster.pods.values()]
    assert all(p.node != node for p in live)
    assert len(shop.world.serving_pods("orders")) == 3


def test_pending_when_every_node_is_cordoned(shop):
    """With every node cordoned a deleted pod's replacement stays Pending, with the reason."""
    for node in ("worker-1", "worker-2", "worker-3"):
        execute(shop, f"kubectl cordon {node}")
    pod = shop.world.pods("orders")[0].name
    execute(shop, f"kubectl delete pod {pod} -n shop")
    shop.run(shop.now + 30)
    (pending,) = [p for p in shop.world.pods("orders") if p.node is None]
    events = shop.world.cluster.events.list(shop.now, f"pod/{pending.name}")
    assert events[-1].message == (
        "0/3 nodes are available: 3 node(s) were unschedulable. preemption: 0/3 nodes are "
        "available: 3 Preemption is not helpful for scheduling."
    )


def test_patch_replicas_and_image(shop):
    """A strategic merge patch changes replicas and, by container name, the image."""
    r = execute(shop, """kubectl patch deployment orders -n shop -p '{"spec":{"replicas":4}}'""")
    assert r.output == "deployment.apps/orders patched"
    body = '{"spec":{"template":{"spec":{"containers":[{"name":"orders","image":"registry.internal/shop/orders:v9"}]}}}}'
    assert execute(shop, f"kubectl patch deploy orders -n shop -p '{body}'").ok
    shop.run(shop.now + 200)
    pods = shop.world.pods("orders")
    assert len(pods) == 4 and {p.version for p in pods} == {"v9"}
    again = execute(
        shop, """kubectl patch deployment orders -n shop -p '{"spec":{"replicas":4}}'"""
    )
    assert again.output == "deployment.apps/orders patched (no change)"


def test_patch_refuses_a_new_selector(shop):
    """The selector is immutable; a patch that changes it is refused."""
    r = execute(
        shop,
        """kubectl patch deployment orders -n shop --type merge -p '{"spec":{"selector":{"matchLabels":{"app":"x"}}}}'""",
    )
    assert not r.ok and "field is immutable" in r.output


def test_set_env_and_resources_roll_out(shop):
    """set env and set resources change the template: a new ReplicaSet, new pods."""
    r = execute(shop, "kubectl set env deployment/orders -n shop LOG_LEVEL=debug")
    assert r.output == "deployment.apps/orders env updated"
    r = execute(
        shop,
        "kubectl set resources deployment/orders -n shop --limits=cpu=2,memory=1Gi --dry-run=client",
    )
    assert r.output == "deployment.apps/orders resource requirements updated (dry run)"
    shop.run(shop.now + 200)
    assert all(p.env == {"LOG_LEVEL": "debug"} for p in shop.world.pods("orders"))
    r = execute(shop, "kubectl set resources deployment/orders -n shop --requests=cpu=750m")
    assert r.output == "deployment.apps/orders resource requirements updated"
    shop.run(shop.now + 200)
    assert {p.cpu_request_m for p in shop.world.pods("orders")} == {750}


def test_hpa_formula() -> None:
    """desired = ceil(ready * utilisation / target), nothing within 10% of the target."""
    ctx = FakeContext(with_hpa(load("db-pool-exhaustion"), 2, 10, 50))
    ctx.run(60)
    hpa = ctx.world.cluster.hpas["orders"]
    ready = [p for p in ctx.world.pods("orders") if p.ready]
    for pod in ready:
        pod.cpu_cores = 0.5  # 100% of a 500m request, twice the target
    assert hpac.replicas_for(ctx.world.cluster, hpa, len(ready)) == (2 * len(ready), 100)
    for pod in ready:
        pod.cpu_cores = 0.26  # 52%: within the tolerance
    assert hpac.replicas_for(ctx.world.cluster, hpa, len(ready)) == (len(ready), 52)


def test_hpa_scales_down_to_min_then_up_on_load_and_down_after_five_minutes() -> None:
    """Idle: the count it found holds for the 300 s window (recordInitialRecommendation),
    then down to minReplicas; a spike scales out within a sync; once it ends the
    scale-down waits out the 300 s stabilisation window."""
    scenario = with_hpa(load("db-pool-exhaustion"), 2, 8, 40)
    spike = {"id": "s", "type": "traffic_spike", "at": "6m", "service": "orders"}
    fault = Fault.model_validate({**spike, "params": {"factor": 2}})
    ctx = FakeContext(scenario.model_copy(update={"faults": [fault]}))
    ctx.run(90)
    assert ctx.world.cluster.deployments["orders"].spec.replicas == 3
    conditions = {c.type: c.reason for c in ctx.world.cluster.hpas["orders"].status.conditions}
    assert conditions["AbleToScale"] == "ScaleDownStabilized"
    ctx.run(330)
    assert ctx.world.cluster.deployments["orders"].spec.replicas == 2
    ctx.run(420)
    peak = ctx.world.cluster.deployments["orders"].spec.replicas
    assert peak > 2
    out = execute(ctx, "kubectl get hpa -n shop").output.splitlines()  # test_act_hpa: format
    cells = re.split(r"\s{2,}", out[1])
    assert cells[:2] == ["orders", "Deployment/orders"] and re.fullmatch(r"cpu: \d+%/40%", cells[2])
    assert cells[3:5] == ["2", "8"]
    ctx.run(660)
    ctx.end_fault("s", "expired")
    ctx.run(660 + 270)  # inside the window: the highest recent recommendation holds
    assert ctx.world.cluster.deployments["orders"].spec.replicas == peak
    ctx.run(660 + 360)
    assert ctx.world.cluster.deployments["orders"].spec.replicas < peak
    events = ctx.world.cluster.events.list(ctx.now, "horizontalpodautoscaler/orders")
    reasons = [e.message.split("reason: ")[1] for e in events]
    assert "cpu resource utilization (percentage of request) above target" in reasons
    assert "All metrics below target" in reasons


def test_top_agrees_with_cadvisor(shop):
    """kubectl top pods shows the CPU the cAdvisor counters accumulate."""
    out = execute(shop, "kubectl top pods -n shop -l app=orders").output.splitlines()[1:]
    for line in out:
        name, cpu, mem = line.split()
        pod = shop.world.cluster.pods[name]
        assert cpu == f"{round(pod.cpu_cores * 1000)}m" and mem == f"{round(pod.memory_mib)}Mi"
        assert pod.cpu_seconds > 0
