"""What a change does to the incident: mitigated, temporary, no effect or harmful."""

from __future__ import annotations

from act_support import FakeContext, with_faults

from gameday.engine.actions import execute

LEAK = {
    "id": "leaky-release",
    "type": "connection_leak",
    "at": "2m",
    "service": "orders",
    "params": {"version": "v1.15.0", "leak_per_1k": 0.6},
}


def test_rollout_undo_after_leaky_deploy_mitigates():
    """rollout undo after a connection_leak deploy ends the fault as mitigated."""
    ctx = FakeContext(with_faults([LEAK]))
    ctx.run(900)
    assert ctx.world.version("orders") == "v1.15.0"
    r = execute(ctx, "kubectl rollout undo deployment/orders -n shop")
    assert (r.ok, r.output) == (True, "deployment.apps/orders rolled back")
    assert r.effect == "mitigated:leaky-release"
    assert ctx.world.version("orders") == "v1.14.2"
    r = execute(ctx, "kubectl rollout undo deployment/orders -n shop")
    assert r.effect == "harmful"  # undoing the undo brings the leak back


def test_restart_during_lock_is_temporary(locked):
    """rollout restart during the lock frees connections only for a while."""
    r = execute(locked, "kubectl rollout restart deployment/orders -n shop")
    assert r.ok and r.effect == "temporary:lock-holder"
    assert locked.world.faults["lock-holder"].active


def test_red_herrings_do_not_help(locked):
    """Scaling during a lock and rolling back a service with no deploy fault do nothing."""
    assert (
        execute(locked, "kubectl scale deployment/orders --replicas=6 -n shop").effect
        == "no-effect"
    )
    assert execute(locked, "kubectl rollout undo deployment/orders -n shop").effect == "no-effect"
    assert execute(locked, "kubectl get pods -n shop").effect == ""


def test_harmful_changes(locked):
    """Scaling to zero or deleting every pod is harmful; one pod is temporary relief."""
    pods = [p.name for p in locked.world.pods("orders")]
    assert (
        execute(locked, f"kubectl delete pod {pods[0]} -n shop").effect == "temporary:lock-holder"
    )
    r = execute(locked, "kubectl delete pods -l app=checkout -n shop")
    assert r.effect == "harmful" and r.output.count("deleted") == 3
    assert execute(locked, "kubectl scale deploy orders --replicas=0 -n shop").effect == "harmful"


def test_traffic_spike_absorbed_by_scaling():
    """Scaling until replicas cover the spiking load mitigates a traffic_spike."""
    spike = {
        "id": "spike",
        "type": "traffic_spike",
        "at": "1m",
        "service": "checkout",
        "params": {"factor": 8},
    }
    ctx = FakeContext(with_faults([spike]))
    ctx.run(300)
    assert (
        execute(ctx, "kubectl scale deployment/checkout --replicas=4 -n shop").effect == "no-effect"
    )
    r = execute(ctx, "kubectl scale deployment/checkout --replicas=7 -n shop")
    assert r.effect == "mitigated:spike"


def test_data_driven_mitigation():
    """A scenario mitigation (fault + command prefix) ends a slow_query when it matches."""
    slow = {
        "id": "slow",
        "type": "slow_query",
        "at": "1m",
        "service": "orders",
        "params": {"factor": 20},
    }
    ctx = FakeContext(
        with_faults([slow], [{"fault": "slow", "command": "kubectl set image deployment/orders"}])
    )
    ctx.run(300)
    assert execute(ctx, "kubectl rollout restart deployment/orders -n shop").effect == "no-effect"
    r = execute(
        ctx, "kubectl set image deploy/orders orders=registry.internal/shop/orders:v1.14.3 -n shop"
    )
    assert r.ok and r.effect == "mitigated:slow"
    assert not ctx.world.faults["slow"].active


def test_crash_loop_rolled_back():
    """A crash-looping release shows CrashLoopBackOff and a rollback mitigates it."""
    crash = {
        "id": "crash",
        "type": "crash_loop",
        "at": "1m",
        "service": "orders",
        "params": {"version": "v1.15.0", "reason": "Missing env ORDERS_DB_URL"},
    }
    ctx = FakeContext(with_faults([crash]))
    ctx.run(400)
    out = execute(ctx, "kubectl get pods -n shop -l app=orders").output
    crashing = [line.split() for line in out.splitlines()[1:] if line.split()[3] != "0"]
    assert len(crashing) == 1 and crashing[0][1] == "0/1"  # the surge pod; the old ones serve
    described = execute(ctx, f"kubectl describe pod {crashing[0][0]} -n shop").output
    assert "Back-off restarting failed container orders" in described
    logs = execute(ctx, f"kubectl logs {crashing[0][0]} -n shop --previous").output
    assert "Missing env ORDERS_DB_URL" in logs
    healthy = execute(ctx, "kubectl logs deploy/orders -n shop").output  # ByLogging: a ready pod
    assert "Missing env ORDERS_DB_URL" not in healthy
    assert (
        execute(ctx, "kubectl rollout undo deployment/orders -n shop").effect == "mitigated:crash"
    )


def test_mitigation_prefixes_match_typed_variants():
    """A scenario's command prefix matches the ways people type the same command."""
    from gameday.engine.actions.effects import prefix_matches

    pattern = "kubectl scale deployment/orders --replicas=6"
    for typed in (
        "kubectl scale deployment/orders --replicas=6 -n shop",
        "kubectl -n shop scale deploy orders --replicas 6",
        "kubectl scale deployments.apps/orders --replicas=6 --context prod",
    ):
        assert prefix_matches(pattern, typed), typed
    assert not prefix_matches(pattern, "kubectl scale deployment/orders --replicas=3")
    assert not prefix_matches(pattern, "kubectl scale deployment/checkout --replicas=6")
    assert prefix_matches(
        "psql select pg_terminate_backend", 'psql -h db -c "SELECT  pg_terminate_backend(42)"'
    )
