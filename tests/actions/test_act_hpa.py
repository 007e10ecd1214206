"""The storefront's HorizontalPodAutoscaler in flash-sale-traffic-spike: what kubectl shows
of it (``get``, ``describe``, ``patch``) and the invariants its controller keeps."""

from __future__ import annotations

import re

import pytest
from act_support import FakeContext, load

from gameday.tools import execute
from gameday.world.cluster import hpa as hpac

ONSET = 240.0  # the flash sale goes live at T+4m
PATCH_10 = """kubectl patch hpa storefront -n shop -p '{"spec":{"maxReplicas":10}}'"""
KEY = len("  resource cpu on pods  (as a percentage of request):") + 2  # tabwriter cell + 2


@pytest.fixture
def sale() -> FakeContext:
    return FakeContext(load("flash-sale-traffic-spike", onset=ONSET))


def replicas(ctx: FakeContext) -> int:
    return int(ctx.world.cluster.deployments["storefront"].spec.replicas or 0)


def hpa_events(ctx: FakeContext) -> list[str]:
    return [
        e.message
        for e in ctx.world.cluster.events.list(ctx.now, "horizontalpodautoscaler/storefront")
    ]


def test_get_hpa_before_and_during_the_sale(sale):
    """Before the sale the HPA holds 4 of at most 4 near its target; in the sale the
    TARGETS cell shows CPU far above 70%, kubectl 1.29's ``cpu: N%/70%``."""
    sale.run(120)
    out = execute(sale, "kubectl get hpa -n shop").output.splitlines()
    assert out[0].split() == [
        "NAME",
        "REFERENCE",
        "TARGETS",
        "MINPODS",
        "MAXPODS",
        "REPLICAS",
        "AGE",
    ]
    cells = re.split(r"\s{2,}", out[1])
    assert cells[:2] == ["storefront", "Deployment/storefront"]
    before = int(re.fullmatch(r"cpu: (\d+)%/70%", cells[2]).group(1))  # type: ignore[union-attr]
    assert 50 <= before <= 77 and cells[3:6] == ["2", "4", "4"]
    sale.run(ONSET + 180)
    row = execute(sale, "kubectl get hpa storefront -n shop").output.splitlines()[1]
    during = int(re.search(r"cpu: (\d+)%/70%", row).group(1))  # type: ignore[union-attr]
    assert during > 150 and replicas(sale) == 4


def test_no_reading_before_the_first_sample(sale):
    """Before the world's first CPU sample the HPA has no metric (TARGETS ``<unknown>``)
    and recommends the scale it found, never a 0% reading that would scale down."""
    sale.run(1)
    row = execute(sale, "kubectl get hpa -n shop").output.splitlines()[1]
    assert "cpu: <unknown>/70%" in row
    sale.run(200)
    assert {n for _, n in sale.world.cluster.hpa_history["storefront"]} == {4}
    assert replicas(sale) == 4


def test_describe_hpa_at_its_ceiling(sale):
    """``kubectl describe hpa``: kubectl's layout, and ScalingLimited/TooManyReplicas
    while the sale wants more pods than maxReplicas allows."""
    sale.run(ONSET + 180)
    hpa = sale.world.cluster.hpas["storefront"]
    used = hpa.status.current_metrics[0].resource.current
    lines = execute(sale, "kubectl describe hpa storefront -n shop").output.splitlines()
    head = {
        "Name:": "storefront",
        "Namespace:": "shop",
        "Labels:": "<none>",
        "Annotations:": "<none>",
        "Reference:": "Deployment/storefront",
        "Metrics:": "( current / target )",
        "  resource cpu on pods  (as a percentage of request):": (
            f"{used.average_utilization}% ({used.average_value}) / 70%"
        ),
        "Min replicas:": "2",
        "Max replicas:": "4",
        "Deployment pods:": "4 current / 4 desired",
    }
    for key, value in head.items():
        assert f"{key.ljust(KEY)}{value}" in lines
    assert re.fullmatch(
        r"CreationTimestamp: +\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000", lines[4]
    )
    at = lines.index("Conditions:")
    rows = [re.split(r"(?<=\S)\s{2,}", line.strip()) for line in lines[at + 1 : at + 6]]
    assert rows[:2] == [
        ["Type", "Status", "Reason", "Message"],
        ["----", "------", "------", "-------"],
    ]
    reason = lines[at + 1].index("Reason")  # every column starts where its title does
    assert {line[reason - 8 :].split()[0] for line in lines[at + 3 : at + 6]} == {"True"}
    assert rows[2][:2] == ["AbleToScale", "True"] and rows[2][2] in (
        "ReadyForNewScale",  # the recommendation is the highest of the last 5 minutes
        "ScaleDownStabilized",  # or a higher one of the last 5 minutes holds
    )
    assert rows[3] == [
        "ScalingActive",
        "True",
        "ValidMetricFound",
        "the HPA was able to successfully calculate a replica count from cpu resource "
        "utilization (percentage of request)",
    ]
    assert rows[4] == [
        "ScalingLimited",
        "True",
        "TooManyReplicas",
        "the desired replica count is more than the maximum replica count",
    ]
    assert lines[at + 6] == "Events:           <none>"  # the conditions' column: 16 + 2


def test_manual_scale_is_undone_at_the_next_sync(sale):
    """``kubectl scale`` above maxReplicas is put back within one 15 s sync, with the
    controller's reason, and the pods it started are taken down again."""
    sale.run(ONSET + 120)
    out = execute(sale, "kubectl scale deployment/storefront --replicas=8 -n shop").output
    assert out == "deployment.apps/storefront scaled"
    assert replicas(sale) == 8
    sale.run(sale.now + hpac.SYNC_PERIOD)
    assert replicas(sale) == 4
    assert (
        hpa_events(sale)[-1]
        == "New size: 4; reason: Current number of replicas above Spec.MaxReplicas"
    )
    sale.run(sale.now + 60)
    live = [p for p in sale.world.pods("storefront") if not p.terminating]
    assert len(live) == 4


def test_scale_below_min_is_raised_back(sale):
    """Below minReplicas the controller scales back up to it at its next sync."""
    sale.run(60)
    execute(sale, "kubectl scale deployment/storefront --replicas=1 -n shop")
    sale.run(sale.now + hpac.SYNC_PERIOD)
    assert replicas(sale) >= 2
    assert "New size: 2; reason: Current number of replicas below Spec.MinReplicas" in hpa_events(
        sale
    )


def test_patch_max_replicas_scales_out_at_the_rate_limit(sale):
    """Raised to 10, the HPA at most doubles per sync (ScaleUpLimit), then stops at 10."""
    sale.run(ONSET + 120)
    assert (
        execute(sale, PATCH_10).output == "horizontalpodautoscaler.autoscaling/storefront patched"
    )
    assert execute(sale, PATCH_10).output == (
        "horizontalpodautoscaler.autoscaling/storefront patched (no change)"
    )
    seen = [replicas(sale)]
    for _ in range(8):
        sale.run(sale.now + hpac.SYNC_PERIOD)
        seen.append(replicas(sale))
    assert seen[0] == 4 and max(seen) == 10
    assert all(b <= max(2 * a, 4) for a, b in zip(seen, seen[1:], strict=False))
    assert 8 in seen  # 4 -> 8 -> 10: one doubling, then the ceiling
    messages = hpa_events(sale)
    assert (
        "New size: 8; reason: cpu resource utilization (percentage of request) above target"
        in messages
    )
    sale.run(sale.now + 60)
    assert len(sale.world.serving_pods("storefront")) == 10
    row = re.split(r"\s{2,}", execute(sale, "kubectl get hpa -n shop").output.splitlines()[1])
    assert row[3:6] == ["2", "10", "10"]


def test_patch_is_validated_as_the_api_server_does(sale):
    """Bad bounds are refused with the API server's field errors; dry runs change nothing."""
    bad = execute(sale, """kubectl patch hpa storefront -n shop -p '{"spec":{"maxReplicas":0}}'""")
    assert not bad.ok
    assert bad.output == (
        'The HorizontalPodAutoscaler "storefront" is invalid: \n'
        "* spec.maxReplicas: Invalid value: 0: must be greater than 0\n"
        "* spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`"
    )
    low = execute(sale, """kubectl patch hpa storefront -n shop -p '{"spec":{"minReplicas":5}}'""")
    assert low.output == (
        'The HorizontalPodAutoscaler "storefront" is invalid: spec.maxReplicas: Invalid '
        "value: 4: must be greater than or equal to `minReplicas`"
    )
    dry = execute(sale, PATCH_10 + " --dry-run=server")
    assert dry.output == "horizontalpodautoscaler.autoscaling/storefront patched (server dry run)"
    assert sale.world.cluster.hpas["storefront"].spec.max_replicas == 4
    missing = execute(sale, """kubectl patch hpa web -n shop -p '{"spec":{"maxReplicas":9}}'""")
    assert missing.output == (
        'Error from server (NotFound): horizontalpodautoscalers.autoscaling "web" not found'
    )


def test_a_floor_above_capacity_leaves_pods_pending(sale):
    """Scaled past what the nodes hold, the extra pods wait in Pending with the
    scheduler's reason: the HPA sets the count, the nodes bound what runs."""
    sale.run(60)
    body = '{"spec":{"minReplicas":40,"maxReplicas":40}}'
    assert execute(sale, f"kubectl patch hpa storefront -n shop -p '{body}'").ok
    sale.run(sale.now + hpac.SYNC_PERIOD + 30)
    assert replicas(sale) == 40
    pending = [p for p in sale.world.pods("storefront") if p.node is None]
    assert pending
    events = sale.world.cluster.events.list(sale.now, f"pod/{pending[0].name}")
    assert "Insufficient cpu" in events[-1].message


def test_invariants_over_a_session_of_manual_scales(sale):
    """At every sync the replica count is within [minReplicas, maxReplicas]; a hand-set
    count outside them lasts no longer than one sync period."""
    script = {300.0: 9, 420.0: 1, 600.0: 6, 700.0: 0}
    t = 0.0
    while t < 900:
        t += 5.0
        sale.run(t)
        if t in script:
            execute(sale, f"kubectl scale deployment/storefront --replicas={script[t]} -n shop")
            set_at = t
        hpa = sale.world.cluster.hpas["storefront"]
        low, high = hpa.spec.min_replicas, hpa.spec.max_replicas
        n = replicas(sale)
        if n == 0:
            continue  # scaled to zero: the HPA stands down (ScalingDisabled), as in Kubernetes
        if not low <= n <= high:
            assert t - set_at < hpac.SYNC_PERIOD, (t, n)
    disabled = {c.type: c for c in sale.world.cluster.hpas["storefront"].status.conditions}
    assert disabled["ScalingActive"].reason == "ScalingDisabled"
    assert replicas(sale) == 0
