"""The world's streaming replicas: built from the scenario, advanced every tick, read from.

Each ``world.databases[].replicas`` entry is a server of its own in
``World.databases`` (a host psql reaches, with its own exporter), fed by its
primary's :class:`~gameday.world.database.replication.Replication`. Every tick the
primary writes its workload's WAL plus what heavy sessions write (a bulk import), and
each standby replays what its rate allows. A service with ``reads`` sends its read path
to a replica from every pod whose container has the routing variable ``true``; a read
of a row written ``w`` seconds earlier fails while that replica lags more than ``w``
(:func:`stale_ratio`). Nothing here matches a command: routing is the pods'
environment, the import is a session, the lag is the standby's replay position.
"""

from __future__ import annotations

import random
from typing import Any

from gameday.scenario.replicas import stale_share
from gameday.world.database import PostgresServer
from gameday.world.database.catalog import Catalog
from gameday.world.database.replication import MIB, Replication, Standby

TRUE = ("true", "1", "yes", "on")


def build(world: Any) -> None:
    """Add each primary's replication and a server per replica to ``world.databases``."""
    for spec in world.scenario.world.databases:
        if not spec.replicas:
            continue
        primary: PostgresServer = world.databases[spec.name]
        rep = Replication.start(spec.wal_mb_per_s * MIB, world.seed, spec.name)
        primary.replication = rep
        rng = random.Random(f"{world.seed}:replicas:{spec.name}")
        for r in spec.replicas:
            server = PostgresServer(
                r.name,
                spec.datname,
                spec.max_connections,
                spec.superuser_reserved_connections,
                Catalog.from_tables(list(spec.tables)),
                world.seed,
            )
            standby = Standby(
                r.name,
                r.replay_mb_per_s * MIB,
                r.hot_standby_feedback,
                r.max_standby_streaming_delay,
                client_addr=f"10.244.{rng.randrange(1, 3)}.{rng.randrange(20, 250)}",
                walsender_pid=primary.new_pid(),
                backend_start=-rng.uniform(3 * 86400, 20 * 86400),
            )
            server.standby, server.upstream = standby, primary
            rep.attach(standby, 0.0)
            world.databases[r.name] = server


def advance(world: Any, now: float, dt: float) -> None:
    """One tick of WAL: each primary writes, each standby receives and replays."""
    for db in world.databases.values():
        rep = db.replication
        if rep is not None:
            heavy = sum(b.wal_rate for b in db.sessions)
            rep.advance(now, dt, heavy)


def reads_replica(pod: Any, env: str) -> bool:
    """Whether ``pod``'s read path uses the replica (its routing variable is true)."""
    value = pod.env.get(env)
    return value == "true" or (value is not None and value.strip().lower() in TRUE)


def replica_share(world: Any, service: str, serving: list[Any]) -> float:
    """The share of ``service``'s serving pods whose reads go to its replica."""
    reads = world.services[service].reads
    if reads is None or not serving:
        return 0.0
    return sum(reads_replica(p, reads.env) for p in serving) / len(serving)


def lag_of(world: Any, replica: str) -> float:
    """How many seconds of the primary's writes ``replica`` has not replayed."""
    server = world.databases.get(replica)
    if server is None or server.standby is None or server.upstream is None:
        return 0.0
    return float(server.upstream.replication.lag_seconds(server.standby))


def stale_ratio(world: Any, service: str, serving: list[Any]) -> float:
    """The share of ``service``'s requests that read a row its replica has not replayed."""
    reads = world.services[service].reads
    if reads is None:
        return 0.0
    share = replica_share(world, service, serving)
    if share <= 0.0:
        return 0.0
    return share * stale_share(reads, lag_of(world, reads.replica))


# -- the faults that act through replication -------------------------------------------


def start_import(world: Any, fault: Any, now: float) -> None:
    """A ``bulk_import``: a session on the service's database writing WAL at its rate."""
    svc = world.services[fault.spec.service]
    db = world.databases.get(svc.database or "")
    if db is None:
        return
    session = _session(world, db, fault, now)
    if session is None:
        return
    table = str(fault.param("table", "orders"))
    session.query = str(fault.param("query", "")) or (
        f"COPY {table} (id, customer_id, status, total_cents, created_at) FROM STDIN "
        "WITH (FORMAT csv)"
    )
    session.wal_rate = float(fault.param("wal_mb_per_s", 80.0)) * MIB
    session.wait_event_type, session.wait_event = "IO", "WALWrite"


def start_replica_query(world: Any, fault: Any, now: float) -> None:
    """A ``replica_query``: a long query on a replica, holding its snapshot."""
    db = world.databases.get(str(fault.param("replica", "")))
    if db is None or db.standby is None:
        return
    session = _session(world, db, fault, now)
    if session is not None:
        session.query = str(fault.param("query", ""))
        db.standby.queries.append(session)


def _session(world: Any, db: PostgresServer, fault: Any, now: float) -> Any:
    from gameday.world.database import ConnectionRefused

    try:
        b = db.connect(
            str(fault.param("user", "etl")),
            str(fault.param("application", "psql")),
            world.namer.client_addr(),
            now,
        )
    except ConnectionRefused as exc:
        fault.data["refused"] = str(exc)
        return None
    jitter = random.Random(f"{world.seed}:{fault.spec.id}").uniform(0.0, 1.0)
    b.state = "active"
    b.xact_start = b.query_start = b.state_change = now - jitter
    b.backend_start = now - 2.0 - jitter
    b.fault = fault.spec.id
    fault.blocker_pid = b.pid
    return b


def session_alive(world: Any, fault: Any) -> bool:
    """Whether the fault's session still runs (an import, a replica query)."""
    fid = fault.spec.id
    for db in world.databases.values():
        for b in db.sessions:
            if b.fault == fid and b.state == "active":
                return True
    return False


def readers_on_replicas(world: Any, database: str) -> bool:
    """Whether any serving pod reads from a replica of ``database``."""
    for name, svc in world.services.items():
        if svc.reads is None or svc.database != database:
            continue
        if replica_share(world, name, world.serving_pods(name)) > 0:
            return True
    return False
