"""Worker nodes spread over zones, as a cloud provider's node groups lay them out.

Each node carries the well-known topology labels (``topology.kubernetes.io/zone``,
``topology.kubernetes.io/region``) and an internal address in its zone's subnet. A
scenario without ``world.nodes`` gets the cluster's default: three 4-core nodes, one in
each of three zones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gameday.scenario.components import Nodes, Zone

ZONE_LABEL = "topology.kubernetes.io/zone"
REGION_LABEL = "topology.kubernetes.io/region"
DEFAULT = Nodes(
    cpu=4,
    memory_gib=16,
    disk_gib=100,
    zones=[Zone(name="eu-west-1a"), Zone(name="eu-west-1b"), Zone(name="eu-west-1c")],
)


@dataclass(frozen=True)
class NodePlan:
    """One node to create: its name, zone, address, size."""

    name: str
    zone: str
    ip: str
    cpu: int
    memory_ki: int
    disk_bytes: int


def plan(spec: Nodes | None) -> list[NodePlan]:
    """The nodes of ``spec`` (or the default), named ``worker-1`` ... in zone order."""
    flat = spec is None  # the default cluster keeps its one subnet, 10.0.1.0/24
    spec = spec or DEFAULT
    memory_ki = 16_199_428 if spec.memory_gib == 16 else spec.memory_gib * 1_048_576 - 577_724
    out: list[NodePlan] = []
    for z, zone in enumerate(spec.zones):
        for i in range(zone.nodes):
            n = len(out) + 1
            ip = f"10.0.1.{10 + n}" if flat else f"10.0.{z + 1}.{11 + i}"
            out.append(
                NodePlan(f"worker-{n}", zone.name, ip, spec.cpu, memory_ki, spec.disk_gib * 2**30)
            )
    return out


def region(zone: str) -> str:
    """The region of a zone name (``eu-west-1b`` is in ``eu-west-1``)."""
    return zone[:-1] if zone[-1:].isalpha() and zone[:-1][-1:].isdigit() else zone


def nodes_in(world_nodes: Mapping[str, Any], zone: str) -> list[str]:
    """Names of the nodes labelled with ``zone``."""
    found = []
    for name, node in world_nodes.items():
        labels = node.obj.metadata.labels or {}
        if labels.get(ZONE_LABEL) == zone:
            found.append(name)
    return sorted(found)
