"""The cluster as it stands when a scenario starts: nodes, and each service's Deployment
with one ReplicaSet per past revision and its pods running and ready for days."""

from __future__ import annotations

import random

from gameday.scenario.model import Scenario, Service
from gameday.world.cluster import kubelet, scheduler
from gameday.world.cluster import objects as o
from gameday.world.cluster.cluster import AppProfile, Cluster
from gameday.world.cluster.hpa import autoscaler
from gameday.world.cluster.records import SimNode
from gameday.world.nodes import zones

DAY = 86400.0


def build(scenario: Scenario, seed: int) -> Cluster:
    """A cluster for ``scenario``'s world, reconciled to its steady state at t = 0."""
    clock = o.Clock(scenario.start_time)
    cluster = Cluster(scenario.world.namespace, clock, seed)
    ages = random.Random(f"{seed}:ages")
    for p in zones.plan(scenario.world.nodes):
        born = -DAY * (90 + ages.randrange(200))
        obj = o.node(p.name, p.cpu, p.memory_ki, p.ip, clock.at(born))
        obj.metadata.uid = cluster.uid()
        obj.metadata.labels = {
            **(obj.metadata.labels or {}),
            zones.REGION_LABEL: zones.region(p.zone),
            zones.ZONE_LABEL: p.zone,
        }
        alloc = obj.status.allocatable
        cluster.nodes[p.name] = SimNode(
            obj, p.name, p.ip, o.cpu_millis(alloc["cpu"]), o.mem_bytes(alloc["memory"])
        )
    total = sum(s.replicas for s in scenario.world.services)
    cluster.quota_pods = max(200, 4 * total)
    # What each node has left, kept up to date as pods are bound: a scan of every pod per
    # Deployment would make a large world's bootstrap quadratic. A pod no node had room
    # for is not retried with the next Deployment's: room only shrinks while the world is
    # built, so it would be refused again; the first pass at t = 0 retries it (and its
    # FailedScheduling event is then the first that counts: all before is days old).
    free = scheduler.free_resources(cluster)
    for svc in scenario.world.services:
        _deployment(cluster, svc, ages, free)
    cluster.events.prune(0.0)  # all of it happened days ago
    cluster.advance(0.0)
    return cluster


def _deployment(
    cluster: Cluster,
    svc: Service,
    ages: random.Random,
    free: dict[str, tuple[int, int]],
) -> None:
    """Create ``svc``'s Deployment, ReplicaSets and pods, its pods bound where they fit."""
    ns = cluster.namespace
    image = svc.image or f"registry.internal/{ns}/{svc.name}"
    cluster.profiles[svc.name] = AppProfile(
        memory_base_mib=float(svc.memory_base_mib), seed=cluster.seed
    )
    versions = [*svc.previous_versions, svc.version]
    created = -DAY * (40 + ages.randrange(360))
    last = -DAY * ages.uniform(2, 9)  # drawn whatever ``released`` says: seeds stay put
    if svc.released is not None:
        last = max(-max(svc.released, 120.0), created + 120.0)  # after the Deployment
    dep = o.deployment(
        svc.name,
        ns,
        image=f"{image}:{versions[0]}",
        container_name=svc.container or svc.name,
        replicas=svc.replicas,
        cpu_request=svc.cpu_request,
        memory_limit_mib=svc.memory_limit_mib,
        uid=cluster.uid(),
        created=cluster.clock.at(created),
        max_surge=svc.max_surge,
        max_unavailable=svc.max_unavailable,
    )
    if svc.reads is not None:  # the read path's routing variable: the replica
        app = dep.spec.template.spec.containers[0]
        app.env = [*(app.env or []), o.env_var(svc.reads.env, "true")]
    cluster.deployments[svc.name] = dep
    for i, version in enumerate(versions):
        at = created + (last - created) * (i / max(1, len(versions) - 1)) if i else created + 60
        if i == len(versions) - 1:
            at = last
        dep.spec.template.spec.containers[0].image = f"{image}:{version}"
        dep.metadata.annotations = {o.CHANGE_CAUSE: f"deploy {version}"}
        dep.metadata.generation = i + 1
        rs = cluster.create_replicaset(dep, cluster.template_key(dep), i + 1, at)
        if i == len(versions) - 1:
            rs.spec.replicas = svc.replicas
            for _ in range(svc.replicas):
                cluster.create_pod(rs, at)
    dep.metadata.annotations = {
        o.CHANGE_CAUSE: f"deploy {versions[-1]}",
        o.REVISION: str(len(versions)),
    }
    # The pods have run since their ReplicaSet came: scheduled, started, ready.
    scheduler.schedule(cluster, last, cluster.pods_of(svc.name), free)
    for pod in cluster.pods_of(svc.name):
        kubelet.start_container(cluster, pod, pod.next_start)
        pod.ready = True
        pod.ready_since = kubelet.first_ready(pod)
    if svc.autoscaler is not None:
        spec = svc.autoscaler
        hpa = autoscaler(
            svc.name,
            ns,
            svc.name,
            spec.min_replicas,
            spec.max_replicas,
            spec.cpu_utilization,
            cluster.clock.at(created + 3600),
        )
        cluster.hpas[svc.name] = hpa
