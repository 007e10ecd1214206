"""Node root filesystems and the kubelet's eviction manager for ``nodefs.available``.

Every node's root filesystem holds the OS, images and the pods' writable layers and
``emptyDir`` volumes. Each pod adds what its application writes (its log volume: a
little per request at INFO, a lot at DEBUG). When the free space falls under the hard
eviction threshold (``nodefs.available<10%``, the kubelet's default), the node reports
``DiskPressure``, is tainted ``node.kubernetes.io/disk-pressure:NoSchedule`` and the
kubelet evicts the pod using the most ephemeral storage, one per housekeeping pass,
killing it at once (hard thresholds have no grace period); its ``emptyDir`` goes with
it. The condition clears only ``eviction-pressure-transition-period`` (5 minutes) after
the last time the threshold was met. Messages are the kubelet's own
(``pkg/kubelet/eviction/helpers.go``, v1.29).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

THRESHOLD = 0.10  # nodefs.available<10%
TRANSITION_PERIOD = 300.0  # --eviction-pressure-transition-period
CONTAINER_LOGS = 48 * 2**20  # what each pod's rotated container logs and layer hold


@dataclass
class NodeDisk:
    """One node's root filesystem."""

    size: int
    base_used: int  # the OS, images, everything that is not a pod's
    pressure: bool = False
    last_met: float = -1e9  # the last time the threshold was met
    evictions: int = 0


@dataclass
class Disks:
    """Every node's disk and what each pod has written to it."""

    nodes: dict[str, NodeDisk]
    written: dict[str, float] = field(default_factory=dict)  # pod -> bytes

    @classmethod
    def build(cls, cluster: Any, size: int, seed: int, used: tuple[float, float]) -> Disks:
        rng = random.Random(f"{seed}:disks")
        return cls(
            {n: NodeDisk(size, int(size * rng.uniform(*used))) for n in sorted(cluster.nodes)}
        )

    def used(self, cluster: Any, node: str) -> int:
        """Bytes used on ``node``: its base plus every pod bound there that still exists."""
        pods = [p for p in cluster.pods.values() if p.node == node]
        return self.nodes[node].base_used + sum(
            CONTAINER_LOGS + int(self.written.get(p.name, 0)) for p in pods
        )

    def avail(self, cluster: Any, node: str) -> int:
        return max(0, self.nodes[node].size - self.used(cluster, node))

    def write(self, pod: str, nbytes: float) -> None:
        self.written[pod] = self.written.get(pod, 0.0) + nbytes

    def step(self, cluster: Any, now: float) -> list[str]:
        """One eviction-manager pass on every ready node; the pods it evicted."""
        for name in list(self.written):
            if name not in cluster.pods:  # gone: its emptyDir went with it
                del self.written[name]
        evicted = []
        for name, disk in self.nodes.items():
            node = cluster.nodes[name]
            if not node.ready:
                continue
            avail = self.avail(cluster, name)
            met = avail < disk.size * THRESHOLD
            if met:
                disk.last_met = now
                if not disk.pressure:
                    _condition(cluster, disk, name, True, now)
                victim = self._evict(cluster, name, avail, disk, now)
                if victim:
                    evicted.append(victim)
            elif disk.pressure and now - disk.last_met >= TRANSITION_PERIOD:
                _condition(cluster, disk, name, False, now)
            node.disk_pressure = disk.pressure
        return evicted

    def _evict(self, cluster: Any, node: str, avail: int, disk: NodeDisk, now: float) -> str | None:
        pods = [p for p in cluster.pods.values() if p.node == node and not p.terminating]
        if not pods:
            return None
        victim = max(pods, key=lambda p: (self.written.get(p.name, 0.0), p.name))
        using = CONTAINER_LOGS + int(self.written.get(victim.name, 0.0))
        cluster.events.record(
            now, f"node/{node}", "Warning", "EvictionThresholdMet",
            "Attempting to reclaim ephemeral-storage", "kubelet",
        )  # fmt: skip
        message = (
            "The node was low on resource: ephemeral-storage. "
            f"Threshold quantity: {int(disk.size * THRESHOLD)}, available: {avail // 1024}Ki. "
            f"Container {victim.container} was using {using // 1024}Ki, request is 0, "
            "has larger consumption of ephemeral-storage. "
        )
        cluster.events.record(now, f"pod/{victim.name}", "Warning", "Evicted", message, "kubelet")
        cluster.delete_pod(victim.name, now, evicted=True)
        victim.gone_at = now  # a hard threshold kills at once, with no grace period
        disk.evictions += 1
        return victim.name


def _condition(cluster: Any, disk: NodeDisk, node: str, pressure: bool, now: float) -> None:
    """The kubelet sets the node's DiskPressure condition (and so its taint) and says so."""
    disk.pressure = pressure
    cluster.dirty = True
    reason = "NodeHasDiskPressure" if pressure else "NodeHasNoDiskPressure"
    message = f"Node {node} status is now: {reason}"
    cluster.events.record(now, f"node/{node}", "Normal", reason, message, "kubelet")
