"""What carries a fault in the world, and so what relieves it.

A fault's effect lives in things: the pods that run a bad release, the pods that read
stale state before it was fixed, a backend that holds a lock, traffic beyond capacity, a
dependency nobody routes around. Each tick the world asks :func:`share` how much of the
fault's effect its carriers still hold (0 to 1) and scales the effect by it; a fault is
relieved when nothing carries it any more (:func:`carried`). No command is ever matched:
a rollback relieves a leak because the leaking pods terminate, when they terminate.

Pods are read through :func:`live_pods`, :func:`created_at` and :func:`version_of`, the
only places that know the cluster's pod objects.
"""

from __future__ import annotations

import random
from typing import Any

from gameday.world import replicas
from gameday.world.faults import ActiveFault

VERSION_CARRIED = ("connection_leak", "crash_loop", "memory_leak", "slow_query")
REPLICATION = ("bulk_import", "replica_query")  # act through a replica's replay lag
SATURATED = 0.01  # a spike is carried while the service rejects this share or more
ABSORBED = 0.005  # and relieved once it rejects at most this share


# -- the cluster's pods, behind three small functions ------------------------------------


def live_pods(world: Any, service: str) -> list[Any]:
    """Pods of ``service`` that still exist (a replaced pod until it is gone)."""
    return list(world.pods(service))


def created_at(pod: Any) -> float:
    """When the pod was created (its container read its state then)."""
    created = getattr(pod, "created_at", None)
    return float(pod.started_at if created is None else created)


def version_of(pod: Any) -> str:
    """The release a pod runs."""
    return str(pod.version)


def service_version(world: Any, service: str) -> str:
    """The release the service's deployment asks for."""
    return str(world.version(service))


# -- starting a fault --------------------------------------------------------------------


def on_start(world: Any, fault: ActiveFault) -> None:
    """Record what will carry ``fault``: its release, its stale pods, its drawn values."""
    spec = fault.spec
    rng = random.Random(f"{world.seed}:fault:{spec.id}")
    fault.resolve(rng)
    if spec.type in VERSION_CARRIED:
        given = fault.param("version", None)
        fault.data["version"] = str(given) if given else service_version(world, spec.service)
    if spec.type == "stale_state":
        fixed = fault.param("fixed_at", None)
        fault.data["fixed_at"] = fault.started_at if fixed is None else float(fixed)
        count = fault.param("pods", None)
        stale = sorted(
            p.name for p in live_pods(world, spec.service) if created_at(p) < fault.data["fixed_at"]
        )
        if count is not None and count < len(stale):
            stale = sorted(rng.sample(stale, int(count)))
        fault.data["pods"] = stale


# -- what carries it now -----------------------------------------------------------------


def carrier_pods(world: Any, fault: ActiveFault, pods: list[Any]) -> list[Any]:
    """The pods among ``pods`` that carry ``fault`` (pod-carried types only)."""
    kind = fault.type
    if kind in VERSION_CARRIED:
        bad = fault.data.get("version")
        return [p for p in pods if version_of(p) == bad]
    if kind == "stale_state":
        stale = set(fault.data.get("pods", ()))
        return [p for p in pods if p.name in stale]
    if kind == "verbose_logging":
        env, level = str(fault.param("variable", "LOG_LEVEL")), str(fault.param("level", "DEBUG"))
        return [p for p in pods if p.env.get(env, "").upper() == level.upper()]
    return []


def share(world: Any, fault: ActiveFault, serving: list[Any]) -> float:
    """How much of ``fault``'s effect its carriers hold now, 0 to 1."""
    kind = fault.type
    if kind in VERSION_CARRIED or kind == "stale_state":
        if kind == "slow_query" and _indexed(world, fault):
            return 0.0
        if not serving:
            return 1.0 if carrier_pods(world, fault, live_pods(world, fault.spec.service)) else 0.0
        return len(carrier_pods(world, fault, serving)) / len(serving)
    if kind == "blocking_query":
        return 1.0 if _blocker(world, fault) else 0.0
    if kind == "dependency_errors":
        return 1.0 - routed_around(world, fault)
    if kind in REPLICATION:
        return 1.0 if carried(world, fault) else 0.0
    return 1.0  # traffic_spike, slow_dependency: it goes on; poison_message: the lag
    # does the harm; cache_flush: the stampede is emergent


def carried(world: Any, fault: ActiveFault) -> bool:
    """Whether anything in the world still carries ``fault``."""
    kind = fault.type
    service = fault.spec.service
    if kind in VERSION_CARRIED or kind == "stale_state":
        if kind == "slow_query" and _indexed(world, fault):
            return False
        return bool(carrier_pods(world, fault, live_pods(world, service)))
    if kind == "blocking_query":
        return _blocker(world, fault)
    if kind == "dependency_errors":
        return routed_around(world, fault) < 0.99
    if kind in REPLICATION:
        # The lag hurts while its source runs and a read path still uses a replica.
        database = world.services[service].database or ""
        return replicas.session_alive(world, fault) and replicas.readers_on_replicas(
            world, database
        )
    if kind == "cache_flush":
        return bool(world.caches.carried(service))
    if kind == "slow_dependency":
        return bool(world.starved_by(service))
    if kind == "poison_message":
        return world.kafka is not None and world.kafka.poison_pending(fault.spec.id)
    if kind == "verbose_logging":
        return bool(carrier_pods(world, fault, live_pods(world, service)))
    if kind in ("traffic_spike", "zone_outage"):
        rejected = world.status[service].rejected
        if fault.relieved_at is None:
            return rejected > ABSORBED
        return rejected >= SATURATED
    return True


def routed_around(world: Any, fault: ActiveFault) -> float:
    """The share of a failing dependency's calls that a fallback takes, 0 to 1."""
    fallback = fault.param("fallback", None) or {}
    if not isinstance(fallback, dict):
        fallback = fallback.model_dump()
    taken = 0.0
    standby = fallback.get("service")
    if standby and standby in world.services:
        ready = len(world.serving_pods(standby))
        wanted = max(world.status[fault.spec.service].offered_rps, 1.0)
        taken = max(taken, min(1.0, ready * world.services[standby].rps_per_replica / wanted))
    caller, versions = fallback.get("caller"), set(fallback.get("versions") or ())
    if caller and caller in world.services and versions:
        pods = world.serving_pods(caller)
        if pods:
            taken = max(taken, sum(version_of(p) in versions for p in pods) / len(pods))
    return taken


def memory_rate(world: Any, fault: ActiveFault, pod: Any) -> float:
    """MiB a minute ``pod`` grows by under a memory leak: its own rate, drawn per pod.

    Pods do not leak in lockstep: each leaks at the fault's rate times
    ``1 +/- spread``, so one of them reaches its limit first.
    """
    if fault.type != "memory_leak" or version_of(pod) != fault.data.get("version"):
        return 0.0
    rates: dict[str, float] = fault.data.setdefault("rates", {})
    if pod.name not in rates:
        spread = float(fault.param("spread", 0.35))
        rng = random.Random(f"{world.seed}:leak:{fault.spec.id}:{pod.name}")
        rates[pod.name] = float(fault.param("mib_per_min", 20.0)) * rng.uniform(
            1 - spread, 1 + spread
        )
    return rates[pod.name]


def _blocker(world: Any, fault: ActiveFault) -> bool:
    # A blocker is a session of its own, never a pool's row: read the sessions only
    # (building every pool's pg_stat_activity rows each tick cost a drill ~40% of its CPU).
    for db in world.databases.values():
        if any(b.fault == fault.spec.id and b.blocker_of for b in db.sessions):
            return True
    return False


def _indexed(world: Any, fault: ActiveFault) -> bool:
    """Whether an index now serves the slow query (the database's workload says)."""
    svc = world.services[fault.spec.service]
    db = world.databases.get(svc.database or "")
    workload = getattr(db, "workload", None)
    if workload is None or not fault.param("query", ""):
        return False
    return not workload.slow(fault.spec.service)


def relief_reason(world: Any, fault: ActiveFault) -> str:
    """Why nothing carries ``fault`` now, in the world's terms (for the facilitator)."""
    kind, service = fault.type, fault.spec.service
    if kind in VERSION_CARRIED:
        if kind == "slow_query" and _indexed(world, fault):
            return "an index now serves the slow query"
        return f"no pod of {service} runs {fault.data.get('version')} any more"
    if kind == "stale_state":
        return f"every pod of {service} started after the fix; none holds stale state"
    if kind == "blocking_query":
        return "the blocking session is gone and its locks with it"
    if kind == "dependency_errors":
        return f"a fallback takes {routed_around(world, fault):.0%} of the calls to {service}"
    if kind in REPLICATION:
        if not replicas.session_alive(world, fault):
            what = "import" if kind == "bulk_import" else "replica's query"
            return f"the {what} session is gone; the replica replays the backlog"
        return f"no pod of {service} reads from a replica any more"
    if kind == "cache_flush":
        return (
            f"{service} answers its callers' lookups again (hit ratio back near its warm "
            "level) and their pools no longer refuse the misses"
        )
    if kind == "slow_dependency":
        return (
            f"no caller's request threads are all waiting on {service} any more (it is still slow)"
        )
    if kind == "poison_message":
        return (
            f"the consumer group of {service} has committed past the poison record "
            f"(partition {fault.data.get('partition')}, offset {fault.data.get('offset')})"
        )
    if kind == "verbose_logging":
        env = fault.param("variable", "LOG_LEVEL")
        return f"no pod of {service} runs with {env}={fault.param('level', 'DEBUG')} any more"
    if kind == "zone_outage":
        status = world.status[service]
        return (
            f"{status.ready} ready pods of {service} outside {fault.param('zone', '?')} serve "
            f"the offered {status.offered_rps:.0f} rps (the zone is still lost)"
        )
    if kind == "traffic_spike":
        status = world.status[service]
        return (
            f"{status.ready} ready pods of {service} serve the offered "
            f"{status.offered_rps:.0f} rps (the spike goes on)"
        )
    return "nothing carries it"
