"""What node-exporter (v1.7) and kube-state-metrics (v2.10) expose about the nodes.

node-exporter, per node (``instance`` is the node name, as kube-prometheus relabels it):
``node_filesystem_size_bytes`` / ``_avail_bytes`` / ``_free_bytes`` of the root
filesystem (``device``, ``fstype``, ``mountpoint``), ``node_cpu_seconds_total{cpu, mode}``
for modes idle/user/system, ``node_memory_MemTotal_bytes`` and
``node_memory_MemAvailable_bytes``. kube-state-metrics: ``kube_node_status_condition``
(``condition`` Ready/DiskPressure/MemoryPressure, ``status`` true/false/unknown, one of
them 1) and ``kube_node_spec_unschedulable``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Labels = tuple[tuple[str, str], ...]
ROOT = ("device", "/dev/nvme0n1p1", "fstype", "xfs", "mountpoint", "/")
MODES = ("idle", "system", "user")
SYSTEM_CORES = 0.08  # the kubelet, containerd, the OS
SYSTEM_MEMORY = 1.3 * 2**30
STATUSES = ("true", "false", "unknown")


class NodeExposition:
    """node-exporter and kube-state-metrics node series; CPU counters advance per scrape."""

    def __init__(self, world: Any, labels: Callable[..., Labels]) -> None:
        self.world = world
        self.lab = labels
        self.cpu: dict[str, list[float]] = {}  # node -> seconds per (cpu, mode)
        self.last = 0.0
        self._parts: dict[str, tuple[tuple[Labels, ...], tuple[Labels, ...]]] = {}

    def _labels(self, node: str, cpus: int) -> tuple[tuple[Labels, ...], tuple[Labels, ...]]:
        """node-exporter's label sets, then kube-state-metrics' (built once per node)."""
        found = self._parts.get(node)
        if found is None:
            lab = self.lab
            ne = ("instance", node, "job", "node-exporter")
            ksm = ("node", node, "job", "kube-state-metrics")
            out = [
                lab("__name__", f"node_filesystem_{s}_bytes", *ROOT, *ne)
                for s in ("size", "avail", "free")
            ]
            out += [
                lab("__name__", "node_cpu_seconds_total", "cpu", str(c), "mode", m, *ne)
                for c in range(cpus)
                for m in MODES
            ]
            out += [
                lab("__name__", f"node_memory_{s}_bytes", *ne) for s in ("MemTotal", "MemAvailable")
            ]
            state = [
                lab("__name__", "kube_node_status_condition", "condition", c, "status", st, *ksm)
                for c in ("Ready", "DiskPressure", "MemoryPressure")
                for st in STATUSES
            ]
            state.append(lab("__name__", "kube_node_spec_unschedulable", *ksm))
            self._parts[node] = found = (tuple(out), tuple(state))
        return found

    def collect(self, labels: list[Labels], values: list[float]) -> None:
        """Append every node's series; CPU counters advance by the time since the last call."""
        w = self.world
        cluster, disks = w.cluster, w.disks
        dt = max(0.0, w.now - self.last)
        self.last = w.now
        on_node: dict[str, list[Any]] = {}
        for pod in cluster.pods.values():
            if pod.node is not None:
                on_node.setdefault(pod.node, []).append(pod)
        for name in sorted(cluster.nodes):
            node = cluster.nodes[name]
            cpus = node.cpu_m // 1000 + 1 if node.cpu_m % 1000 else node.cpu_m // 1000
            exporter, state = self._labels(name, cpus)
            labels += state
            ready = ("true",) if node.ready else ("unknown",)
            values += [1 if s in ready else 0 for s in STATUSES]
            pressure = "true" if node.ready and node.disk_pressure else "false"
            values += [1 if s == pressure else 0 for s in STATUSES]
            values += (0, 1, 0)  # MemoryPressure false
            values.append(1 if node.unschedulable else 0)
            if not node.ready:  # its node-exporter cannot be scraped either
                continue
            labels += exporter
            pods = on_node.get(name, [])
            size = disks.nodes[name].size if disks else 100 * 2**30
            avail = disks.avail(cluster, name) if disks else size // 2
            values += (size, avail, avail)
            counters = self.cpu.setdefault(name, [0.0] * (cpus * len(MODES)))
            busy = min(float(cpus), SYSTEM_CORES + sum(p.cpu_cores for p in pods))
            for c in range(cpus):
                counters[c * 3] += (cpus - busy) / cpus * dt
                counters[c * 3 + 1] += busy * 0.2 / cpus * dt
                counters[c * 3 + 2] += busy * 0.8 / cpus * dt
            values += [round(v, 2) for v in counters]
            total = node.memory + 1_100_000 * 1024
            used = SYSTEM_MEMORY + sum(p.memory_mib for p in pods if p.running) * 2**20
            values += (total, max(0.0, total - used))
