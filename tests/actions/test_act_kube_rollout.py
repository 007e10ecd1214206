"""kubectl's changing verbs against the controllers: specs change, controllers act."""

from __future__ import annotations

import re

import pytest
from act_support import FakeContext, load, with_faults

from gameday.tools import execute
from gameday.world.cluster import objects as o


@pytest.fixture
def shop() -> FakeContext:
    """The pool-exhaustion world without its fault, two minutes in."""
    ctx = FakeContext(load("db-pool-exhaustion").model_copy(update={"faults": []}))
    ctx.run(120)
    return ctx


def snapshot(ctx: FakeContext) -> tuple:
    """Everything a change could touch: specs, generations, ReplicaSets, pods."""
    cluster = ctx.world.cluster
    deps = {n: (d.spec.model_dump(), d.metadata.generation) for n, d in cluster.deployments.items()}
    sets = {n: rs.spec.replicas for n, rs in cluster.replicasets.items()}
    return (
        deps,
        sets,
        sorted(cluster.pods),
        {n: nd.unschedulable for n, nd in cluster.nodes.items()},
    )


def rs_rows(ctx: FakeContext) -> dict[str, list[str]]:
    out = execute(ctx, "kubectl get rs -n shop -l app=orders").output.splitlines()[1:]
    return {line.split()[0]: line.split()[1:] for line in out}


@pytest.mark.parametrize(
    ("command", "line"),
    [
        ("kubectl rollout restart deployment/orders -n shop", "deployment.apps/orders restarted"),
        ("kubectl scale deployment/orders --replicas=5 -n shop", "deployment.apps/orders scaled"),
        ("kubectl rollout undo deployment/orders -n shop", "deployment.apps/orders rolled back"),
        (
            "kubectl set image deployment/orders orders=registry.internal/shop/orders:v9 -n shop",
            "deployment.apps/orders image updated",
        ),
    ],
)
@pytest.mark.parametrize(
    ("mode", "suffix"), [("server", " (server dry run)"), ("client", " (dry run)")]
)
def test_each_dry_run_changes_nothing(shop, command, line, mode, suffix):
    """--dry-run=client|server answers as kubectl does and changes nothing, even later."""
    before = snapshot(shop)
    r = execute(shop, f"{command} --dry-run={mode}")
    assert r.ok and not r.changed
    if "undo" in command and mode == "client":
        assert r.output.startswith("deployment.apps/orders Pod Template:")
        assert r.output.endswith(" (dry run)")
    else:
        assert r.output == line + suffix
    shop.run(300)
    assert snapshot(shop)[:2] == before[:2]


def test_delete_pod_dry_run_keeps_the_pod(shop):
    """delete pod --dry-run=server: kubectl's line with the suffix; the pod stays."""
    pod = shop.world.pods("orders")[0].name
    r = execute(shop, f"kubectl delete pod {pod} -n shop --dry-run=server")
    assert r.output == f'pod "{pod}" deleted (server dry run)'
    assert not shop.world.cluster.pods[pod].terminating


def test_bare_and_bad_dry_run(shop):
    """A bare --dry-run means client; an unknown value is refused as kubectl refuses it."""
    r = execute(shop, "kubectl scale deployment/orders --replicas=4 -n shop --dry-run")
    assert r.output == "deployment.apps/orders scaled (dry run)"
    r = execute(shop, "kubectl scale deployment/orders --replicas=4 -n shop --dry-run=maybe")
    assert not r.ok
    assert (
        r.output == 'error: Invalid dry-run value (maybe). Must be "none", "server", or "client".'
    )


def test_restart_makes_a_new_replicaset_and_revision(shop):
    """rollout restart: a new ReplicaSet (new hash), a new revision, new pods of that hash."""
    old_rs = set(rs_rows(shop))
    r = execute(shop, "kubectl rollout restart deployment/orders -n shop")
    assert r.output == "deployment.apps/orders restarted"
    shop.run(300)
    rows = rs_rows(shop)
    (new,) = set(rows) - old_rs
    assert rows[new][:3] == ["3", "3", "3"]
    history = execute(shop, "kubectl rollout history deployment/orders -n shop").output
    assert history.splitlines()[-1].split()[0] == "5"
    pods = execute(shop, "kubectl get pods -n shop -l app=orders").output.splitlines()[1:]
    assert len(pods) == 3 and all(p.startswith(new + "-") for p in pods)
    tmpl = shop.world.cluster.deployments["orders"].spec.template.metadata.annotations
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", tmpl[o.RESTARTED_AT])


def test_get_rs_during_a_restart_stays_within_surge(shop):
    """During a restart CURRENT never exceeds DESIRED and the total never desired + surge."""
    execute(shop, "kubectl rollout restart deployment/orders -n shop")
    for _ in range(8):
        shop.run(shop.now + 5, dt=5)
        rows = rs_rows(shop)
        assert sum(int(r[0]) for r in rows.values()) <= 4
        assert all(int(r[1]) <= int(r[0]) for r in rows.values())


def test_restart_then_scale_reaches_five_of_five(shop):
    """A restart, then a scale 40 s later: 5/5, UP-TO-DATE 5, five Running pods."""
    execute(shop, "kubectl rollout restart deployment/orders -n shop")
    shop.run(shop.now + 40)
    execute(shop, "kubectl scale deployment/orders --replicas=5 -n shop")
    shop.run(shop.now + 180)
    row = execute(shop, "kubectl get deploy orders -n shop").output.splitlines()[1].split()
    assert row[1:4] == ["5/5", "5", "5"]
    pods = execute(shop, "kubectl get pods -n shop -l app=orders").output.splitlines()[1:]
    assert [p.split()[1:3] for p in pods] == [["1/1", "Running"]] * 5


def test_undo_keeps_the_old_replicasets_age(shop):
    """rollout undo re-uses the previous ReplicaSet, whose AGE stays what it was."""
    rows = rs_rows(shop)
    previous = next(n for n, r in rows.items() if r[0] == "0" and r[3].endswith("d"))
    execute(
        shop, "kubectl set image deployment/orders orders=registry.internal/shop/orders:v2 -n shop"
    )
    shop.run(shop.now + 200)
    current = {n for n, r in rs_rows(shop).items() if r[0] == "3"}
    execute(shop, "kubectl rollout undo deployment/orders -n shop")
    shop.run(shop.now + 200)
    rows = rs_rows(shop)
    back = next(n for n, r in rows.items() if r[0] == "3")
    assert back not in current
    assert re.match(r"\d+d", rows[back][3])  # days old, not seconds
    out = execute(shop, "kubectl rollout history deployment/orders -n shop").output
    assert out.splitlines()[-1].split()[0] == "6"
    del previous


def test_undo_to_a_missing_revision(shop):
    """--to-revision that does not exist: kubectl's error."""
    r = execute(shop, "kubectl rollout undo deployment/orders -n shop --to-revision=42")
    assert not r.ok and r.output == "error: unable to find specified revision 42 in history"


def test_rollout_status_follows_the_rollout(shop):
    """rollout status: waiting lines during a rollout, then success."""
    execute(
        shop, "kubectl set image deployment/orders orders=registry.internal/shop/orders:v2 -n shop"
    )
    shop.run(shop.now + 1, dt=1)
    out = execute(shop, "kubectl rollout status deployment/orders -n shop").output
    assert out.startswith('Waiting for deployment "orders" rollout to finish: ')
    shop.run(shop.now + 200)
    out = execute(shop, "kubectl rollout status deployment/orders -n shop").output
    assert out == 'deployment "orders" successfully rolled out'


def test_rollout_status_fails_after_the_progress_deadline():
    """A release that never gets ready: after 600 s rollout status fails like kubectl."""
    fault = {"id": "bad", "type": "crash_loop", "at": "1m", "service": "orders"}
    shop = FakeContext(with_faults([{**fault, "params": {"version": "v6"}}]))
    shop.run(360)
    r = execute(shop, "kubectl rollout status deployment/orders -n shop")
    assert r.ok and r.output == (
        'Waiting for deployment "orders" rollout to finish: 1 out of 3 new replicas have '
        "been updated..."
    )
    shop.run(shop.now + 420)
    r = execute(shop, "kubectl rollout status deployment/orders -n shop")
    assert not r.ok
    assert r.output == 'error: deployment "orders" exceeded its progress deadline'


def test_deleted_pod_is_replaced(shop):
    """delete pod: kubectl's line; the ReplicaSet brings a new pod, Running and Ready."""
    pod = shop.world.pods("orders")[0].name
    assert execute(shop, f"kubectl delete pod {pod} -n shop").output == f'pod "{pod}" deleted'
    shop.run(shop.now + 60)
    names = [p.name for p in shop.world.pods("orders")]
    assert pod not in names and len(names) == 3
    assert all(p.ready for p in shop.world.pods("orders"))


def test_pending_pods_show_failed_scheduling(shop):
    """Scaling past the nodes' CPU leaves pods Pending; describe shows why."""
    execute(shop, "kubectl scale deployment/orders --replicas=40 -n shop")
    shop.run(shop.now + 30)
    lines = execute(shop, "kubectl get pods -n shop -l app=orders").output.splitlines()[1:]
    pending = [line.split()[0] for line in lines if line.split()[2] == "Pending"]
    assert pending
    out = execute(shop, f"kubectl describe pod {pending[0]} -n shop").output
    assert "FailedScheduling" in out and "0/3 nodes are available: 3 Insufficient cpu." in out
