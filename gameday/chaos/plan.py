"""Map a scenario's faults to API-only operations, or say why one cannot be mapped."""

from __future__ import annotations

from dataclasses import dataclass, field

from gameday.chaos.operations import Operation
from gameday.scenario.model import Fault, Scenario


@dataclass
class Plan:
    """What a chaos run will do, fault by fault, and what it cannot do."""

    namespace: str
    operations: list[Operation] = field(default_factory=list)
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (fault id, why)


def _service(scenario: Scenario, fault: Fault) -> tuple[str, str, str]:
    svc = scenario.service(fault.service)
    image = svc.image or f"registry.internal/{scenario.world.namespace}/{svc.name}"
    return svc.name, svc.container or svc.name, image.split(":")[0]


def map_fault(scenario: Scenario, fault: Fault, namespace: str) -> Operation | str:
    """The operation for ``fault``, or the reason it has none.

    A fault may name its cluster operation in ``params.chaos`` (``pod_kill``,
    ``scale_to_zero``, ``bad_image``, ``env``, ``oom``, ``deny_network``, ``cpu_burn``);
    otherwise its type decides.
    """
    name, container, image = _service(scenario, fault)
    chaos = fault.params.get("chaos") or {
        "connection_leak": "env" if fault.params.get("env") else "bad_image",
        "crash_loop": "env" if fault.params.get("env") else "bad_image",
        "memory_leak": "oom",
        "dependency_errors": "deny_network",
        "traffic_spike": "cpu_burn",
    }.get(fault.type)
    if chaos is None:
        return (
            f"a {fault.type} fault needs a database inside the cluster; it has no API-only "
            "equivalent (set params.chaos to map it to pod_kill, scale_to_zero, bad_image, "
            "env, oom, deny_network or cpu_burn)"
        )
    if chaos == "bad_image":
        tag = fault.params.get("image") or f"{image}:{fault.params.get('version', 'gameday-bad')}"
        return Operation("set_image", namespace, name, container, str(tag), fault.id)
    if chaos == "env":
        env = {str(k): str(v) for k, v in dict(fault.params.get("env") or {}).items()}
        if not env:
            return "params.env must name the variables to set"
        return Operation("set_env", namespace, name, container, env, fault.id)
    if chaos == "oom":
        return Operation(
            "set_memory_limit",
            namespace,
            name,
            container,
            str(fault.params.get("memory_limit", "48Mi")),
            fault.id,
        )
    if chaos == "scale_to_zero":
        return Operation("scale", namespace, name, value=0, fault=fault.id)
    if chaos == "pod_kill":
        return Operation(
            "delete_pod",
            namespace,
            f"<one pod of {name}>",
            fault=fault.id,
            extra={"selector": f"app={name}"},
        )
    if chaos == "deny_network":
        return Operation(
            "deny_all_network", namespace, f"gameday-deny-{name}", value=name, fault=fault.id
        )
    if chaos == "cpu_burn":
        return Operation(
            "cpu_burn_job",
            namespace,
            f"gameday-burn-{fault.id}",
            fault=fault.id,
            extra={
                "workers": int(fault.params.get("workers", 2)),
                "seconds": int(fault.params.get("seconds", 600)),
            },
        )
    return f"unknown params.chaos {chaos!r}"


def plan_faults(scenario: Scenario, namespace: str | None = None) -> Plan:
    """Every fault of ``scenario`` mapped in time order."""
    ns = namespace or scenario.world.namespace
    plan = Plan(ns)
    for fault in sorted(scenario.faults, key=lambda f: (f.at, f.id)):
        result = map_fault(scenario, fault, ns)
        if isinstance(result, str):
            plan.unmapped.append((fault.id, result))
        else:
            plan.operations.append(result)
    return plan
