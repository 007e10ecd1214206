"""The world model: how faults bend the services and what fixes them."""

from __future__ import annotations

from gameday.scenario.model import Scenario
from gameday.world.carriers import carried
from gameday.world.cluster import objects as o
from gameday.world.world import World

TICK = 15.0


def run(world: World, scenario: Scenario, until: float, start: float = TICK, fix=None) -> list:
    """Step ``world`` tick by tick, starting faults on time; returns (t, orders, checkout) status."""
    log = []
    t = start
    while t <= until:
        for fault in scenario.faults:
            if fault.at == t:
                world.start_fault(fault, t)
        if fix is not None and t == fix[0]:
            fix[1](world, t)
        world.step(t, TICK)
        log.append((t, world.status["orders"].error_ratio, world.status["checkout"].error_ratio))
        t += TICK
    return log


def restart(world: World) -> None:
    """``kubectl rollout restart``'s change: a new restartedAt template annotation."""

    def change(dep) -> None:
        meta = dep.spec.template.metadata
        meta.annotations = {**(meta.annotations or {}), o.RESTARTED_AT: "2026-03-10T23:15:00Z"}

    world.cluster.update_deployment("orders", change)


def scale(world: World, replicas: int) -> None:
    def change(dep) -> None:
        dep.spec.replicas = replicas

    world.cluster.update_deployment("orders", change)


def all_new(world: World, version: str) -> bool:
    """Every orders pod runs ``version`` and is ready (the rollout finished)."""
    pods = world.pods("orders")
    return bool(pods) and all(p.version == version and p.ready for p in pods)


def test_healthy_world_serves_nearly_everything(pool_scenario: Scenario) -> None:
    """Before any fault the 5xx ratio stays at the healthy baseline."""
    world = World(pool_scenario, seed=1)
    log = run(world, pool_scenario, until=240)
    assert all(checkout < 0.005 for _, _, checkout in log)


def test_lock_holder_starves_the_pool_until_the_end(pool_scenario: Scenario) -> None:
    """Left alone, the blocking query keeps checkout's 5xx ratio high to the end."""
    world = World(pool_scenario, seed=1)
    log = run(world, pool_scenario, until=pool_scenario.duration)
    late = [checkout for t, _, checkout in log if t >= 600]
    assert min(late) > 0.1
    assert world.status["orders"].pool_in_use >= world.status["orders"].pool_size - 0.5


def test_terminating_the_blocker_recovers_within_two_scrapes(pool_scenario: Scenario) -> None:
    """pg_terminate_backend of the blocker brings 5xx under 1% within two scrape intervals."""
    world = World(pool_scenario, seed=3)

    def fix(w: World, t: float) -> None:
        pid = w.faults["lock-holder"].blocker_pid
        assert pid is not None
        assert w.terminate_backend(pid, t) is not None

    log = run(world, pool_scenario, until=1200, fix=(900.0, fix))
    before = [c for t, _, c in log if 600 <= t < 900]
    after = [c for t, _, c in log if t >= 900 + 2 * TICK]
    assert min(before) > 0.1
    assert max(after) < 0.01
    assert not carried(world, world.faults["lock-holder"])


def test_terminating_a_waiter_changes_nothing(pool_scenario: Scenario) -> None:
    """Killing a session that waits on the lock does not release the lock."""
    world = World(pool_scenario, seed=3)
    run(world, pool_scenario, until=600)
    db = world.databases["orders-db"]
    waiter = next(b for b in db.backends if b.wait_event_type == "Lock")
    world.terminate_backend(waiter.pid, 615.0)
    log = run(world, pool_scenario, until=900, start=615.0)
    assert world.faults["lock-holder"].active
    assert min(c for _, _, c in log) > 0.1


def test_restart_relieves_a_lock_only_for_a_while(pool_scenario: Scenario) -> None:
    """A rollout restart frees the waiting connections, which queue up again."""
    world = World(pool_scenario, seed=2)
    log = run(world, pool_scenario, until=1500, fix=(900.0, lambda w, t: restart(w)))
    soon = [c for t, _, c in log if 960 <= t <= 1000]
    later = [c for t, _, c in log if t >= 1300]
    assert min(soon) < 0.05
    assert min(later) > 0.1


def test_scaling_does_not_help_a_lock(pool_scenario: Scenario) -> None:
    """More replicas bring more connections that wait on the same lock."""
    world = World(pool_scenario, seed=2)
    log = run(world, pool_scenario, until=1800, fix=(900.0, lambda w, t: scale(w, 6)))
    assert min(c for t, _, c in log if t >= 1300) > 0.1


def test_leaky_release_drains_the_pool_after_rollout(deploy_scenario: Scenario) -> None:
    """The leaking version exhausts the pool minutes after it rolls out."""
    world = World(deploy_scenario, seed=1)
    log = run(world, deploy_scenario, until=1200)
    fault_at = deploy_scenario.faults[0].at
    assert all(c < 0.01 for t, _, c in log if t <= fault_at + 60)
    assert min(c for t, _, c in log if t >= fault_at + 480) > 0.5
    assert world.version("orders") == "v1.15.0"
    assert {p.version for p in world.pods("orders")} == {"v1.15.0"}


def test_rollback_mitigates_the_leak(deploy_scenario: Scenario) -> None:
    """Rolling back to the previous revision clears the leak within two scrapes of readiness."""
    world = World(deploy_scenario, seed=1)

    def undo(w: World, t: float) -> None:
        w.deploy("orders", "v1.14.2", "rollback")

    log = run(world, deploy_scenario, until=1500, fix=(900.0, undo))
    assert all_new(world, "v1.14.2")
    cond = next(
        c for c in world.cluster.deployments["orders"].status.conditions if c.type == "Progressing"
    )
    assert cond.reason == "NewReplicaSetAvailable"
    done = world.cluster.clock.sim(cond.last_update_time)  # the rollout completed then
    assert 900 < done <= 900 + 6 * TICK
    assert max(c for t, _, c in log if t >= done + 2 * TICK) < 0.01


def test_same_seed_same_world(pool_scenario: Scenario) -> None:
    """Names, noise and numbers depend only on the seed."""
    a, b, c = World(pool_scenario, 7), World(pool_scenario, 7), World(pool_scenario, 8)
    names = lambda w: sorted(w.cluster.pods)  # noqa: E731
    assert names(a) == names(b) != names(c)
    la, lb = run(a, pool_scenario, 600), run(b, pool_scenario, 600)
    assert la == lb
