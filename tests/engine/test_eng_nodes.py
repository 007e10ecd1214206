"""Nodes, zones and disks: a lost zone's pods come back elsewhere only if there is room;
DEBUG logs fill node disks until the kubelet reports DiskPressure and evicts; setting
the level back relieves it; node-exporter and df agree with the kubelet."""

from __future__ import annotations

from typing import Any

import pytest

from gameday.promql import evaluate_instant
from gameday.scenario import load_scenario
from gameday.scenario.model import Scenario
from gameday.session.session import Session, Setup


def _zone(headroom: bool) -> Scenario:
    scenario = load_scenario("zone-outage-no-headroom").scenario
    if not headroom:
        return scenario
    assert scenario.world.nodes is not None
    zones = [z.model_copy(update={"nodes": 3}) for z in scenario.world.nodes.zones]
    nodes = scenario.world.nodes.model_copy(update={"zones": zones})  # 9 nodes, not 6
    world = scenario.world.model_copy(update={"nodes": nodes})
    return scenario.model_copy(update={"world": world})


def _run(session: Session, command: str) -> Any:
    return session.perform(command, actor="spec")


def _query(session: Session, expr: str) -> dict[str, float]:
    t_ms = int(round(session.world.now * 1000))
    found = evaluate_instant(expr, session.tsdb, t_ms)
    assert isinstance(found, list)
    return {
        dict(s.labels).get("node") or dict(s.labels).get("instance", ""): s.value for s in found
    }


def test_a_lost_zone_takes_its_nodes_and_their_pods_out_at_once() -> None:
    """Both eu-west-1b nodes go NotReady at the onset; their storefront pods leave the
    endpoints then, not at the eviction five minutes later."""
    session = Session(_zone(headroom=False), 1, Setup())
    onset = next(e.t for e in [*_events_until(session, 420)] if e.kind == "fault.start")
    nodes = _run(session, "kubectl get nodes -L topology.kubernetes.io/zone").output
    lost = [line.split() for line in nodes.splitlines()[1:] if "NotReady" in line]
    assert [row[-1] for row in lost] == ["eu-west-1b", "eu-west-1b"]
    assert session.world.status["storefront"].ready == 6
    ready = _query(session, 'kube_node_status_condition{condition="Ready",status="true"}')
    assert sorted(n for n, v in ready.items() if v == 0) == [row[0] for row in lost]
    assert session.now - onset < 300  # before any eviction


def _events_until(session: Session, t: float) -> list[Any]:
    session.advance_to(t)
    return list(session.events)


def test_with_headroom_the_evicted_pods_come_back_elsewhere() -> None:
    """With room on the other zones' nodes (three per zone, not two) the taint manager's
    evictions are enough:
    storefront is whole again a few minutes later, and the fault is relieved."""
    session = Session(_zone(headroom=True), 1, Setup())
    session.advance_to(1200)
    pods = _run(session, "kubectl get pods -n shop -l app=storefront -o wide").output
    running = [line.split()[6] for line in pods.splitlines() if " Running " in line]
    assert len(running) >= 8 and not {"worker-4", "worker-5", "worker-6"} & set(running)
    stuck = [line.split()[6] for line in pods.splitlines() if " Terminating " in line]
    assert set(stuck) <= {"worker-4", "worker-5", "worker-6"}  # until their nodes return
    assert session.world.status["storefront"].ready >= 8
    assert session.world.status["storefront"].error_ratio < 0.01
    assert any(e.kind == "fault.relieved" for e in session.events)
    events = _run(session, "kubectl get events -n shop").output
    assert "TaintManagerEviction" in events


def test_without_headroom_the_replacements_stay_pending_until_room_is_made() -> None:
    """Without room the replacements stay Pending (Insufficient cpu) and some of the
    requests fail (6 pods for 7 pods of load); scaling the batch deployment to zero lets them run."""
    session = Session(_zone(headroom=False), 1, Setup())
    session.advance_to(1200)
    pods = _run(session, "kubectl get pods -n shop -l app=storefront").output
    assert pods.count("Pending") == 3
    assert session.world.status["storefront"].error_ratio > 0.05
    described = _run(session, "kubectl describe pod -n shop -l app=storefront").output
    assert "nodes are available: 2 node(s) had untolerated taint" in described
    assert "Insufficient cpu" in described
    assert not any(e.kind == "fault.relieved" for e in session.events)
    _run(session, "kubectl scale deployment/recommendations-batch --replicas=0 -n shop")
    session.advance_to(1320)
    assert session.world.status["storefront"].ready >= 7  # what fits on the 4 nodes left
    assert session.world.status["storefront"].error_ratio < 0.01
    assert any(e.kind == "fault.relieved" for e in session.events)


@pytest.fixture(scope="module")
def disk_scenario() -> Scenario:
    return load_scenario("disk-full-debug-logging").scenario


def test_debug_logs_fill_a_disk_to_disk_pressure_and_an_eviction(disk_scenario: Scenario) -> None:
    """The node's avail bytes fall; under 10% free the kubelet reports DiskPressure,
    taints the node and evicts the search pod writing the most, with its message."""
    session = Session(disk_scenario, 1, Setup())
    session.advance_to(240)
    before = _query(session, 'node_filesystem_avail_bytes{mountpoint="/"}')
    session.advance_to(420)
    during = _query(session, 'node_filesystem_avail_bytes{mountpoint="/"}')
    assert any(during[n] < before[n] - 2**30 for n in before)
    world = session.world
    while not any(n.disk_pressure for n in world.cluster.nodes.values()):
        session.advance(15)
        assert session.now < 1800
    node = next(n for n in world.cluster.nodes.values() if n.disk_pressure)
    described = _run(session, f"kubectl describe node {node.name}").output
    assert (
        "DiskPressure     True    KubeletHasDiskPressure      kubelet has disk pressure"
        in described
    )
    assert "Taints:             node.kubernetes.io/disk-pressure:NoSchedule" in described
    assert "EvictionThresholdMet" in described
    events = _run(session, "kubectl get events -n shop").output
    evicted = [line for line in events.splitlines() if " Evicted " in line]
    assert (
        evicted
        and "The node was low on resource: ephemeral-storage. Threshold quantity: " in evicted[0]
    )
    assert "Container search was using " in evicted[0] and "request is 0" in evicted[0]
    pressure = _query(session, 'kube_node_status_condition{condition="DiskPressure",status="true"}')
    assert pressure[node.name] == 1


def test_df_in_a_pod_shows_its_node_disk(disk_scenario: Scenario) -> None:
    """``df -h``'s overlay and /var/log/app lines show the node disk's size and free space."""
    session = Session(disk_scenario, 2, Setup())
    session.advance_to(400)
    out = _run(session, "kubectl exec -n shop deploy/search -- df -h").output.splitlines()
    assert out[0].split() == ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted", "on"]
    overlay = out[1].split()
    assert overlay[0] == "overlay" and overlay[1] == "50G" and overlay[-1] == "/"
    logs = next(line.split() for line in out if line.endswith("/var/log/app"))
    assert logs[1:5] == overlay[1:5]
    pod = next(p for p in session.world.pods("search") if p.running)
    avail = session.world.disks.avail(session.world.cluster, pod.node)
    shown = float(overlay[3][:-1])
    assert shown == pytest.approx(avail / 2**30, abs=1.0)


def test_setting_the_log_level_back_relieves_the_disks(disk_scenario: Scenario) -> None:
    """``kubectl set env ... LOG_LEVEL=info`` rolls out pods that write little: the fault
    is relieved once no DEBUG pod remains and the disks stop filling."""
    session = Session(disk_scenario, 1, Setup())
    session.advance_to(900)
    _run(session, "kubectl set env deployment/search LOG_LEVEL=info -n shop")
    session.advance_to(1800)
    assert any(e.kind == "fault.relieved" for e in session.events)
    world = session.world
    env = [p.env.get("LOG_LEVEL") for p in world.pods("search")]
    assert env and set(env) == {"info"}
    first = {n: world.disks.avail(world.cluster, n) for n in world.cluster.nodes}
    session.advance_to(2400)
    assert all(world.disks.avail(world.cluster, n) >= first[n] - 2**28 for n in first)
    assert world.status["storefront"].error_ratio < 0.01
