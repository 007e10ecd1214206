"""kubectl against the simulated shop namespace."""

from __future__ import annotations

import re

from act_support import FakeContext, with_faults

from gameday.tools import execute


def test_get_pods_lists_world_pods(locked):
    """`kubectl get pods` lists the world's pods with kubectl's columns."""
    r = execute(locked, "kubectl get pods -n shop")
    assert r.ok and r.kind == "kubectl.get.pods" and not r.changed
    lines = r.output.splitlines()
    assert re.split(r"\s{3,}", lines[0]) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    names = sorted(locked.world.cluster.pods)
    assert [line.split()[0] for line in lines[1:]] == names
    for line in lines[1:]:
        _, ready, status, restarts, age = line.split()
        assert (ready, status, restarts) == ("1/1", "Running", "0")
        assert re.fullmatch(r"\d+d(\d+h)?", age)


def test_selector_and_wide(locked):
    """-l app=orders keeps the orders pods; -o wide adds IP and NODE."""
    r = execute(locked, "kubectl get pods -n shop -l app=orders -o wide")
    lines = r.output.splitlines()
    assert "IP" in lines[0] and "NODE" in lines[0]
    assert len(lines) == 4 and all(line.startswith("orders-") for line in lines[1:])


def test_wrong_namespace_and_not_found(locked):
    """A wrong namespace or name gets kubectl's own messages."""
    assert execute(locked, "kubectl get pods").output == "No resources found in default namespace."
    r = execute(locked, "kubectl get deploy payments -n shop")
    assert not r.ok
    assert r.output == 'Error from server (NotFound): deployments.apps "payments" not found'
    r = execute(locked, "kubectl rollout undo deployment/orders -n default")
    assert r.output == 'Error from server (NotFound): deployments.apps "orders" not found'


def test_logs_show_pool_timeouts_during_lock(locked):
    """Logs of orders during the lock carry HikariPool connection timeouts."""
    r = execute(locked, "kubectl logs deployment/orders -n shop --tail=50")
    assert r.ok and r.kind == "kubectl.logs"
    lines = r.output.splitlines()
    assert lines[0].startswith("Found 3 pods, using pod/orders-")
    assert len(lines) == 51
    assert any(
        "HikariPool-1 - Connection is not available, request timed out after 5000ms" in line
        for line in lines
    )


def test_logs_healthy_before_fault(pool_ctx):
    """Before the fault the same logs are plain access lines."""
    pool_ctx.run(120)
    out = execute(pool_ctx, "kubectl logs deploy/orders -n shop --tail=30").output
    assert "HikariPool-1 - Connection is not available" not in out
    assert " 200 " in out


def test_logs_pipe_to_grep(locked):
    """A pipe into grep filters the simulated output."""
    r = execute(locked, 'kubectl logs -l app=orders -n shop --tail=40 | grep -i "timed out"')
    assert r.ok and r.output
    assert all("timed out" in line for line in r.output.splitlines())


def test_describe_pod_has_events(locked):
    """describe pod prints the container state, conditions and an Events section."""
    pod = locked.world.pods("orders")[0].name
    r = execute(locked, f"kubectl describe pod {pod} -n shop")
    assert r.ok and f"Name:             {pod}" in r.output
    assert "Events:" in r.output and "  Ready             True" in r.output


def test_failing_readiness_is_not_ready_everywhere():
    """Probes that fail three times in a row take a pod out: get, describe, the metrics
    and the service's ready count all agree, and the kubelet's events say why."""
    spike = {"id": "spike", "type": "traffic_spike", "at": "1m", "service": "orders"}
    lock = {"id": "lock", "type": "blocking_query", "at": "1m", "service": "orders"}
    ctx = FakeContext(with_faults([lock, {**spike, "params": {"factor": 12}}]))
    ctx.run(600)
    events = [e for e in ctx.world.cluster.events.list(ctx.now) if e.reason == "Unhealthy"]
    assert events and all(e.message.startswith("Readiness probe failed: ") for e in events)
    rows = execute(ctx, "kubectl get pods -n shop -l app=orders").output.splitlines()[1:]
    unready = [r.split()[0] for r in rows if r.split()[1] == "0/1"]
    for pod in ctx.world.pods("orders"):
        out = execute(ctx, f"kubectl describe pod {pod.name} -n shop").output
        assert f"  Ready             {'False' if pod.name in unready else 'True'} " in out
        assert (pod.name in unready) == (not pod.ready)
    assert ctx.world.status["orders"].ready == len(rows) - len(unready)


def test_describe_oom_killed_pod(locked):
    """A pod killed for memory shows Last State OOMKilled and exit code 137."""
    pod = locked.world.pods("orders")[0]
    pod.memory_mib = pod.memory_limit_mib  # the kubelet OOM-kills it at the next tick
    locked.run(915)
    out = execute(locked, f"kubectl describe pod {pod.name} -n shop | grep -A2 OOMKilled").output
    assert "Reason:       OOMKilled" in out and "Exit Code:    137" in out


def test_rollout_history(locked):
    """rollout history lists revisions as kubectl does."""
    out = execute(locked, "kubectl rollout history deployment/orders -n shop").output
    assert out.splitlines()[:2] == ["deployment.apps/orders ", "REVISION  CHANGE-CAUSE"]
    assert out.splitlines()[-1].startswith("4 ")


def test_top_and_rs(locked):
    """top pods and get rs answer from the world."""
    assert "CPU(cores)" in execute(locked, "kubectl top pods -n shop").output
    out = execute(locked, "kubectl get rs -n shop -l app=orders").output
    assert "DESIRED" in out and len(out.splitlines()) == 5


def test_exec_only_psql(locked):
    """exec is not simulated except for psql."""
    pod = locked.world.pods("orders")[0].name
    r = execute(locked, f"kubectl exec -it {pod} -n shop -- bash")
    assert not r.ok and "not simulated" in r.output
    r = execute(locked, f'kubectl exec {pod} -n shop -- psql -h orders-db -c "SHOW port"')
    assert not r.ok and 'unrecognized configuration parameter "port"' in r.output


def test_kinds_the_namespace_has_none_of(locked):
    """Kinds the world has none of (hpa, configmaps ...) answer 'No resources found'."""
    r = execute(locked, "kubectl get hpa -n shop")
    assert r.ok and r.output == "No resources found in shop namespace."
    assert r.kind == "kubectl.get.horizontalpodautoscalers"


def test_context_namespace(locked):
    """A session that pre-selects the namespace (kube_namespace) needs no -n."""
    locked.kube_namespace = "shop"
    assert execute(locked, "kubectl get deploy orders").output.startswith("NAME")
