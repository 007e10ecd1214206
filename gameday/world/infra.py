"""The world's infrastructure components and their faults: Kafka, nodes and zones, disks.

:class:`~gameday.world.world.World` calls in here at four points: when it is built
(:func:`build`: a Kafka cluster, node disks), when a fault starts (:func:`start_fault`:
a poison record, a verbose release, a lost zone), when it works out a service's effect
(:func:`reply_failures`: requests whose Kafka record is not answered in time) and every
tick once the services have served (:func:`step`: log bytes to the disks, the kubelet's
eviction manager, produce and consume).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from gameday.world import carriers
from gameday.world.cluster import objects as ko
from gameday.world.faults import ActiveFault
from gameday.world.kafka import KafkaCluster
from gameday.world.nodes import disk, zones

if TYPE_CHECKING:
    from gameday.world.cluster import SimPod
    from gameday.world.world import World

INFO_BYTES = 180.0  # log bytes a request writes at INFO (one access line)


def build(world: World) -> None:
    """Give ``world`` its Kafka cluster and node disks, if the scenario has them."""
    spec = world.scenario.world
    world.kafka = KafkaCluster(spec.kafka, spec.services, world.seed) if spec.kafka else None
    world.disks = None
    if spec.nodes is not None or any(f.type == "verbose_logging" for f in world.scenario.faults):
        nodes = spec.nodes or zones.DEFAULT
        size = nodes.disk_gib * 2**30
        world.disks = disk.Disks.build(world.cluster, size, world.seed, nodes.disk_used)
    if world.kafka is not None:  # the consumers have been members for days
        world.kafka.settle({n: world.serving_pods(n) for n in world.services})


def start_fault(world: World, fault: ActiveFault, now: float) -> None:
    """What an infrastructure fault does at its onset."""
    kind = fault.type
    if kind == "poison_message":
        _poison(world, fault)
    elif kind == "verbose_logging":
        _verbose_release(world, fault)
    elif kind == "zone_outage":
        for node in zones.nodes_in(world.cluster.nodes, str(fault.param("zone", ""))):
            world.cluster.set_node_ready(node, False, now)


def reply_failures(world: World, service: str) -> float:
    """The share of ``service``'s requests whose Kafka record is not answered in time."""
    if world.kafka is None:
        return 0.0
    return world.kafka.reply_failures(service, world.scenario.scrape_interval)


def step(world: World, now: float, dt: float, serving: dict[str, list[SimPod]]) -> None:
    """After the services served: logs to the disks, evictions, records in and out."""
    if world.disks is not None:
        _write_logs(world, dt, serving)
        world.disks.step(world.cluster, now)
    if world.kafka is not None:
        status = world.status
        produced = {n: status[n].offered_rps * (1 - status[n].rejected) for n in world.services}
        world.kafka.step(now, dt, produced, serving)


def _poison(world: World, fault: ActiveFault) -> None:
    """A poison record lands in the consuming group's topic (partition drawn per seed)."""
    consumes = world.services[fault.spec.service].consumes
    if world.kafka is None or consumes is None:
        return
    partition = fault.param("partition", None)
    if partition is None:
        count = len(world.kafka.topics[consumes.topic])
        partition = random.Random(f"{world.seed}:poison:{fault.spec.id}").randrange(count)
    error = str(fault.param("error", ""))
    fixed = list(fault.param("fixed_in", []))
    poison = world.kafka.poison(fault.spec.id, consumes.group, int(partition), error, fixed)
    fault.data["partition"] = poison.partition
    fault.data["offset"] = poison.offset


def _verbose_release(world: World, fault: ActiveFault) -> None:
    """The release that turns the verbose level on, rolled out like any deploy."""
    version = str(fault.param("version", "v2.0.0"))
    env, level = str(fault.param("variable", "LOG_LEVEL")), str(fault.param("level", "DEBUG"))

    def change(dep: Any) -> None:
        app = dep.spec.template.spec.containers[0]
        app.image = f"{app.image.rsplit(':', 1)[0]}:{version}"
        kept = [e for e in app.env or [] if e.name != env]
        app.env = [*kept, ko.k.V1EnvVar(name=env, value=level)]
        dep.metadata.annotations = {
            **(dep.metadata.annotations or {}),
            ko.CHANGE_CAUSE: f"deploy {version}",
        }

    world.cluster.update_deployment(fault.spec.service, change)


def _write_logs(world: World, dt: float, serving: dict[str, list[SimPod]]) -> None:
    """What each serving pod logs to its node's disk: a little per request, or the
    verbose level's bytes on pods that run with it."""
    assert world.disks is not None
    verbose = [f for f in world.faults.values() if f.active and f.type == "verbose_logging"]
    for name, pods in serving.items():
        if not pods:
            continue
        per_pod = world.status[name].offered_rps / len(pods) * dt
        loud = {
            p.name: f
            for f in verbose
            if f.spec.service == name
            for p in carriers.carrier_pods(world, f, pods)
        }
        for pod in pods:
            fault = loud.get(pod.name)
            size = float(fault.param("bytes_per_request", 65536.0)) if fault else INFO_BYTES
            world.disks.write(pod.name, per_pod * size)
