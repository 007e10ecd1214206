"""The cluster's controllers: Deployments own ReplicaSets own Pods, reconciled every tick."""

from __future__ import annotations

import time

import pytest

from gameday.scenario.model import Scenario
from gameday.world.cluster import objects as o
from gameday.world.cluster.deployment import revision
from gameday.world.world import World


def world_with(scenario: Scenario, **orders: object) -> World:
    """The pool world with the orders service changed by ``orders``."""
    services = [
        s.model_copy(update=orders) if s.name == "orders" else s for s in scenario.world.services
    ]
    world = scenario.world.model_copy(update={"services": services})
    return World(scenario.model_copy(update={"world": world, "faults": []}), seed=1)


def sets(world: World, name: str = "orders") -> tuple[int, int]:
    """(new ReplicaSet's replicas, the old ones' replicas) of a Deployment."""
    new = world.cluster.new_replicaset(name)
    assert new is not None
    old = sum(rs.spec.replicas or 0 for rs in world.cluster.replicasets_of(name) if rs is not new)
    return new.spec.replicas or 0, old


def set_image(world: World, tag: str, name: str = "orders") -> None:
    def change(dep) -> None:
        app = dep.spec.template.spec.containers[0]
        app.image = app.image.rsplit(":", 1)[0] + ":" + tag

    world.cluster.update_deployment(name, change)


def restart(world: World, stamp: str, name: str = "orders") -> None:
    def change(dep) -> None:
        meta = dep.spec.template.metadata
        meta.annotations = {**(meta.annotations or {}), o.RESTARTED_AT: stamp}

    world.cluster.update_deployment(name, change)


def scale(world: World, replicas: int, name: str = "orders") -> None:
    def change(dep) -> None:
        dep.spec.replicas = replicas

    world.cluster.update_deployment(name, change)


def run(world: World, start: float, until: float, log: list, dt: float = 1.0) -> None:
    """Advance second by second, logging each distinct (new, old, available) state."""
    t = start
    while t < until:
        t += dt
        world.step(t, dt)
        dep = world.cluster.deployments["orders"]
        state = (*sets(world), dep.status.available_replicas or 0)
        if not log or log[-1][1] != state:
            log.append((t, state))


def test_fenceposts_round_surge_up_and_unavailable_down() -> None:
    """maxSurge 25% of 3 is 1 (rounded up), maxUnavailable 25% of 3 is 0 (rounded down)."""
    assert o.scaled_value("25%", 3, True) == 1
    assert o.scaled_value("25%", 3, False) == 0
    assert o.scaled_value("25%", 10, True) == 3
    assert o.scaled_value("25%", 10, False) == 2
    assert o.scaled_value(2, 10, True) == 2


def test_pod_template_hash_is_safe_encoded_fnv() -> None:
    """The hash only uses the characters rand.SafeEncodeString maps digits onto."""
    phash = o.template_hash('{"spec": 1}')
    assert phash == o.safe_encode(str(o.fnv32a(b'{"spec": 1}')))
    assert set(phash) <= set("456789bcdf")


def test_rolling_update_step_by_step(pool_scenario: Scenario) -> None:
    """4 replicas, 25%/25%: surge to 5, never fewer than 3 available, old scaled down as
    new pods get ready, until 4 new and 0 old."""
    world = world_with(pool_scenario, replicas=4)
    world.step(15.0, 15.0)
    set_image(world, "v1.15.0")
    log: list = []
    run(world, 15.0, 120.0, log)
    states = [state for _, state in log]
    assert states[0] == (2, 3, 3)  # one surge pod and one unavailable pod at once
    assert [s[:2] for s in states if s[2] >= 3][-1] == (4, 0)
    assert (4, 1, 3) in states or (4, 1, 4) in states  # old scaled to 1 once 2 new are ready
    for new, old, available in states:
        assert new + old <= 5, states  # desired + maxSurge
        assert available >= 3, states  # desired - maxUnavailable
    assert states[-1] == (4, 0, 4)
    rs = world.cluster.new_replicaset("orders")
    assert rs is not None and revision(rs) == 5
    pods = world.pods("orders")
    assert len(pods) == 4 and all(p.rs == rs.metadata.name and p.ready for p in pods)
    assert all(p.name.startswith(rs.metadata.name + "-") for p in pods)
    assert all(p.obj.metadata.labels[o.HASH_LABEL] == rs.metadata.name.split("-")[-1] for p in pods)


def test_restart_then_scale_ends_with_every_pod_running_and_ready(
    pool_scenario: Scenario,
) -> None:
    """A restart, then a scale 40 s later mid-rollout, ends with 5 new pods ready."""
    world = world_with(pool_scenario)
    world.step(15.0, 15.0)
    before = world.cluster.new_replicaset("orders")
    restart(world, "2026-03-10T23:00:00Z")
    log: list = []
    run(world, 15.0, 55.0, log)
    scale(world, 5)
    run(world, 55.0, 240.0, log)
    dep = world.cluster.deployments["orders"]
    new = world.cluster.new_replicaset("orders")
    assert new is not None and new is not before
    assert (dep.status.updated_replicas, dep.status.available_replicas) == (5, 5)
    pods = world.pods("orders")
    assert len(pods) == 5 and all(p.ready and p.rs == new.metadata.name for p in pods)
    for _, (n, old, _) in log:
        assert n + old <= 5 + 2  # 5 + 25% surge, rounded up
    assert all(
        rs.spec.replicas == 0 for rs in world.cluster.replicasets_of("orders") if rs is not new
    )


def test_scale_beyond_capacity_leaves_pods_pending(pool_scenario: Scenario) -> None:
    """Pods that fit no node stay Pending with the scheduler's FailedScheduling event."""
    world = world_with(pool_scenario)
    world.step(15.0, 15.0)
    scale(world, 40)  # 40 x 0.5 CPU against three 4-CPU nodes
    world.step(30.0, 15.0)
    pods = world.pods("orders")
    pending = [p for p in pods if p.node is None]
    assert len(pods) == 40 and pending
    events = world.cluster.events.list(30.0, f"pod/{pending[0].name}")
    assert [e.reason for e in events] == ["FailedScheduling"]
    assert events[0].message == (
        "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
        "3 No preemption victims found for incoming pod."
    )


def test_a_hundred_thousand_replicas_return_promptly(pool_scenario: Scenario) -> None:
    """The namespace's pod quota caps what the ReplicaSet creates; a tick stays cheap."""
    world = world_with(pool_scenario)
    world.step(15.0, 15.0)
    start = time.perf_counter()
    scale(world, 100_000)
    for i in range(2, 6):
        world.step(15.0 * i, 15.0)
    assert time.perf_counter() - start < 5.0
    assert len(world.cluster.pods) == world.cluster.quota_pods
    rs = world.cluster.new_replicaset("orders")
    assert rs is not None
    failed = world.cluster.events.list(75.0, f"replicaset/{rs.metadata.name}")
    assert any(e.reason == "FailedCreate" and "exceeded quota" in e.message for e in failed)


def test_undo_reuses_the_old_replicaset_and_keeps_its_age(deploy_scenario: Scenario) -> None:
    """Rolling back re-uses the previous ReplicaSet (same name, same creation time) under
    a new revision number."""
    world = World(deploy_scenario.model_copy(update={"faults": []}), seed=1)
    world.step(15.0, 15.0)
    previous = world.cluster.new_replicaset("orders")
    assert previous is not None
    born, number = previous.metadata.creation_timestamp, revision(previous)
    set_image(world, "v9.9.9")
    run(world, 15.0, 200.0, [])
    template = previous.spec.template.model_copy(deep=True)
    template.metadata.labels.pop(o.HASH_LABEL)

    def undo(dep) -> None:
        dep.spec.template = template

    world.cluster.update_deployment("orders", undo)
    run(world, 200.0, 400.0, [])
    again = world.cluster.new_replicaset("orders")
    assert again is previous and again.metadata.creation_timestamp == born
    assert revision(again) == number + 2
    assert again.metadata.annotations[o.REVISION_HISTORY] == str(number)


def test_progress_deadline_marks_a_stuck_rollout(pool_scenario: Scenario) -> None:
    """A release whose pods never get ready times out after progressDeadlineSeconds."""
    world = world_with(pool_scenario)
    world.step(15.0, 15.0)
    world.cluster.crashing = {("orders", "v6.6.6")}
    set_image(world, "v6.6.6")
    t = 15.0
    while t < 700.0:
        t += 15.0
        world.cluster.crashing = {("orders", "v6.6.6")}
        world.cluster.advance(t)
    cond = next(
        c for c in world.cluster.deployments["orders"].status.conditions if c.type == "Progressing"
    )
    assert (cond.status, cond.reason) == ("False", "ProgressDeadlineExceeded")
    assert len(world.serving_pods("orders")) == 3  # maxUnavailable 0 kept the old pods


def test_deleted_pod_is_replaced_and_leaves_service_at_once(pool_scenario: Scenario) -> None:
    """A deleted pod stops serving now; its ReplicaSet creates a replacement."""
    world = world_with(pool_scenario)
    world.step(15.0, 15.0)
    victim = world.pods("orders")[0]
    world.cluster.delete_pod(victim.name, 16.0)
    assert victim not in world.serving_pods("orders")
    world.step(30.0, 14.0)
    rs = world.cluster.new_replicaset("orders")
    assert rs is not None and rs.status.replicas == 3
    assert victim.name not in world.cluster.pods
    world.step(60.0, 30.0)
    assert len(world.serving_pods("orders")) == 3


@pytest.mark.parametrize("node_down", [True])
def test_unreachable_node_pods_rescheduled_after_toleration(
    pool_scenario: Scenario, node_down: bool
) -> None:
    """Pods of a NotReady node are evicted after 300 s and re-created on other nodes."""
    world = world_with(pool_scenario)
    world.step(15.0, 15.0)
    node = world.pods("orders")[0].node
    assert node is not None
    world.cluster.set_node_ready(node, not node_down, 15.0)
    t = 15.0
    while t < 400.0:
        t += 15.0
        world.step(t, 15.0)
    live = [p for p in world.pods("orders") if not p.terminating]
    assert len(live) == 3 and all(p.node != node for p in live)
    assert all(p.ready for p in live)
