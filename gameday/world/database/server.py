"""A simulated PostgreSQL 15 server: its settings, its connection slots, its sessions.

The world asks the server for capacity every tick: each pod's pool says how many
connections it wants (:meth:`PostgresServer.sync_pools`) and gets what the server's
free slots allow, then says what those connections do (:meth:`PostgresServer.use`).
Slots are PostgreSQL's: ``max_connections`` in all, of which the last
``superuser_reserved_connections`` only superusers may take. A connection refused
fails as PostgreSQL fails it (:class:`ConnectionRefused`, with the server's ``FATAL``
text). ``pg_stat_activity`` rows are built from the pools' counts only when read
(:attr:`PostgresServer.backends`).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from gameday.scenario.model import Database
from gameday.world.database.catalog import Catalog, LiveIndex
from gameday.world.database.pools import PodPool, Statement, Usage
from gameday.world.database.replication import Replication, Standby
from gameday.world.database.sessions import ACTIVE, IDLE_IN_TRANSACTION, STATES, Backend
from gameday.world.database.workload import Workload

TOO_MANY = "sorry, too many clients already"
RESERVED = "remaining connection slots are reserved for non-replication superuser connections"
SUPERUSERS = frozenset({"postgres"})
#: the last query postgres_exporter's settings collector runs each scrape
EXPORTER_LAST_QUERY = (
    "SELECT name, setting, COALESCE(unit, ''), short_desc, vartype FROM pg_settings "
    "WHERE vartype IN ('bool', 'integer', 'real');"
)


class ConnectionRefused(Exception):  # noqa: N818 - named for what the server does
    """The server refused a new connection; ``str()`` is its FATAL message."""


@dataclass(frozen=True)
class PoolDemand:
    """A pod's pool asking for connections.

    Attributes:
        service: the service the pod belongs to.
        pod: the pod's name.
        client_addr: the pod's IP.
        size: connections the pool keeps open.
        since: when the pod's application opened its pool (its first connections).
    """

    service: str
    pod: str
    client_addr: str
    size: int
    since: float


@dataclass
class PostgresServer:
    """One PostgreSQL server (one database of the scenario) and its sessions.

    Attributes:
        name: the server's host name (the scenario's database name).
        datname: the database clients connect to.
        max_connections: the server's ``max_connections``.
        superuser_reserved_connections: slots only superusers may take.
        catalog: the database's tables and indexes.
        seed: the session seed (pids derive from it).
        pools: each pod's pool, by pod name, in the order they connected.
        sessions: other client sessions (a reporting job, a migration ...).
        now: the sim time of the last tick.
    """

    name: str
    datname: str
    max_connections: int
    superuser_reserved_connections: int = 3
    catalog: Catalog = field(default_factory=Catalog)
    seed: int = 0
    pools: dict[str, PodPool] = field(default_factory=dict)
    sessions: list[Backend] = field(default_factory=list)
    now: float = 0.0
    replication: Replication | None = None  # a primary's WAL and its standbys
    standby: Standby | None = None  # a standby's own replication state
    upstream: PostgresServer | None = None  # the primary a standby streams from
    _rng: random.Random = field(init=False, repr=False)
    _next_pid: int = field(init=False, repr=False)
    _cache: tuple[tuple[object, ...], list[Backend]] | None = field(
        default=None, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self._rng = random.Random(f"{self.seed}:pg:{self.name}")
        self._next_pid = 4000 + self._rng.randrange(20000)
        self.workload = Workload(self.catalog)
        if not self.sessions:
            self.sessions.append(self._exporter_session())

    def _exporter_session(self) -> Backend:
        """postgres_exporter's own connection: open for days, idle between scrapes."""
        rng = self._rng
        started = -rng.uniform(2 * 86400, 9 * 86400)
        last = -rng.uniform(0.5, 14.0)
        return Backend(
            pid=4000 + rng.randrange(1000),
            datname=self.datname,
            usename="postgres_exporter",
            application_name="",
            client_addr=f"10.244.0.{rng.randrange(20, 60)}",
            backend_start=started,
            query=EXPORTER_LAST_QUERY,
            query_start=last - 0.002,
            state_change=last,
            wait_event_type="Client",
            wait_event="ClientRead",
        )

    @classmethod
    def from_spec(cls, spec: Database, seed: int) -> PostgresServer:
        """The server a scenario's ``world.databases`` entry describes."""
        return cls(
            spec.name,
            spec.datname,
            spec.max_connections,
            spec.superuser_reserved_connections,
            Catalog.from_tables(list(spec.tables)),
            seed,
        )

    @property
    def address(self) -> str:
        """The ClusterIP of the server's Kubernetes Service (``kubectl get svc`` shows it)."""
        return (
            f"10.96.{stable(self.seed, self.name) % 250}.{stable(self.name, self.seed) % 250 + 2}"
        )

    # -- connection slots ---------------------------------------------------------------

    def new_pid(self) -> int:
        """The next backend's pid (the postmaster forks in increasing order)."""
        self._next_pid += self._rng.randrange(1, 60)
        return self._next_pid

    @property
    def connections(self) -> int:
        """Client backends connected now."""
        return sum(p.open for p in self.pools.values()) + len(self.sessions)

    def refusal(self, superuser: bool) -> str | None:
        """Why a new connection would be refused now (the FATAL text), or None."""
        used = self.connections
        if used >= self.max_connections:
            return TOO_MANY
        if not superuser and used >= self.max_connections - self.superuser_reserved_connections:
            return RESERVED
        return None

    def connect(
        self, usename: str, application_name: str, client_addr: str | None, now: float
    ) -> Backend:
        """Open a session outside any pool (a job, a migration, a responder's psql).

        Raises:
            ConnectionRefused: when the server has no slot for ``usename``.
        """
        superuser = usename in SUPERUSERS
        why = self.refusal(superuser)
        if why is not None:
            raise ConnectionRefused(why)
        backend = Backend(
            pid=self.new_pid(),
            datname=self.datname,
            usename=usename,
            application_name=application_name,
            client_addr=client_addr,
            backend_start=now,
            superuser=superuser,
        )
        self.sessions.append(backend)
        self._cache = None
        return backend

    # -- pools, every tick --------------------------------------------------------------

    def sync_pools(self, now: float, demands: list[PoolDemand]) -> dict[str, int]:
        """Close the pools of pods that are gone and open connections for the rest.

        Pools already connected keep what they hold and are topped up first; a pool
        the server cannot fill keeps retrying every tick. Returns the connections
        each pod's pool holds, by pod name.
        """
        self.now = now
        for index in self.catalog.advance(now):
            self.sessions = [b for b in self.sessions if b.pid != index.builder_pid]
        wanted = {d.pod: d for d in demands}
        for pod in [p for p in self.pools if p not in wanted]:
            del self.pools[pod]
        for d in demands:
            if d.pod not in self.pools:
                usename = f"{d.service.replace('-', '_')}_app"
                self.pools[d.pod] = PodPool(d.service, d.pod, d.client_addr, usename, d.size)
            pool = self.pools[d.pod]
            pool.size = d.size
            if pool.open > d.size:  # a smaller pool closes its newest connections
                del pool.pids[d.size :]
                del pool.opened[d.size :]
        for pool in self.pools.values():
            first = not pool.pids and not pool.refused
            opened_at = min(now, wanted[pool.pod].since) if first else now
            while pool.open < pool.size:
                if self.refusal(superuser=False) is not None:
                    pool.refused += 1
                    break
                pool.pids.append(self.new_pid())
                pool.opened.append(opened_at - self._rng.uniform(0.0, 1.0))
        self._cache = None
        return {pod: pool.open for pod, pool in self.pools.items()}

    def use(self, pod: str, usage: Usage) -> None:
        """What the connections of ``pod``'s pool do during this tick."""
        pool = self.pools.get(pod)
        if pool is not None:
            pool.use(usage, self.now, f"{self.seed}:{self.name}")
            self._cache = None

    def app_statement(self, service: str) -> Statement:
        """The query a service's requests run when nothing is wrong."""
        table = next(iter(self.catalog.tables), "orders")
        return Statement(f"SELECT * FROM {table} WHERE id = $1")

    # -- indexes ------------------------------------------------------------------------

    def create_index(
        self,
        name: str,
        table: str,
        keys: list[str],
        unique: bool,
        concurrently: bool,
        builder: Backend,
        now: float,
    ) -> LiveIndex:
        """Start building an index; it becomes usable when the build ends.

        ``builder`` (the session that asked) stays active, running the statement, until
        then. A plain build holds a SHARE lock on ``table``: writes to it wait.
        """
        seconds = self.catalog.build_seconds(table, concurrently)
        index = LiveIndex(name, table, keys, unique, False, False, now, now + seconds)
        index.concurrently = concurrently
        index.builder_pid = builder.pid
        self.catalog.indexes.append(index)
        builder.state = ACTIVE
        builder.xact_start = builder.query_start = builder.state_change = now
        if not concurrently:  # its SHARE lock on the table: writers queue behind it
            builder.blocker_of = table
        if builder not in self.sessions:
            self.sessions.append(builder)
        self._cache = None
        return index

    def write_locked_tables(self) -> set[str]:
        """Tables a plain CREATE INDEX holds a SHARE lock on now (their writes wait)."""
        return {
            i.table
            for i in self.catalog.indexes
            if not i.valid and not i.concurrently and i.ready_at is not None
        }

    # -- what psql and the exporter read ------------------------------------------------

    @property
    def backends(self) -> list[Backend]:
        """Every client backend at the last tick: pool sessions, then the others."""
        return self.backends_at(self.now)

    def backends_at(self, now: float) -> list[Backend]:
        """Every client backend as ``pg_stat_activity`` shows it at ``now`` (not before
        the last tick): what the pools' connections do is the last tick's, their times
        are drawn back from ``now``, so a query asked between ticks sees an 80 ms query
        started within 80 ms of its own ``now()``, as PostgreSQL shows it."""
        now = max(now, self.now)
        key = (now, self.now, len(self.sessions), id(self.sessions[-1]) if self.sessions else 0)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        salt = f"{self.seed}:{self.name}"
        rows: list[Backend] = []
        for pool in self.pools.values():
            query = self.app_statement(pool.service).text
            rows += pool.rows(self.datname, now, salt, query)
        rows += self.sessions
        self._cache = (key, rows)
        return rows

    def state_counts(self) -> dict[str, int]:
        """Client backends per ``state`` (every state, zero when none), without rows."""
        counts = dict.fromkeys(STATES, 0)
        for pool in self.pools.values():
            u = pool.usage
            counts[ACTIVE] += u.active
            counts["idle in transaction"] += u.leaked
            counts["idle"] += pool.open - u.active - u.leaked
        for b in self.sessions:
            counts[b.state] = counts.get(b.state, 0) + 1
        return counts

    def oldest_transactions(self) -> dict[str, float]:
        """Per ``state``, how long the oldest open transaction has run (0 when none)."""
        now = self.now
        oldest = dict.fromkeys(STATES, 0.0)
        for pool in self.pools.values():
            u = pool.usage
            if pool.stuck_since:
                oldest[ACTIVE] = max(oldest[ACTIVE], now - pool.stuck_since[0])
            elif u.busy:
                oldest[ACTIVE] = max(oldest[ACTIVE], min(u.hold, now - pool.opened[0]))
            if pool.leaked_since:
                age = now - pool.leaked_since[0] + u.hold
                oldest[IDLE_IN_TRANSACTION] = max(oldest[IDLE_IN_TRANSACTION], age)
        for b in self.sessions:
            if b.xact_start is not None:
                oldest[b.state] = max(oldest.get(b.state, 0.0), now - b.xact_start)
        return oldest

    def abort_build(self, pid: int) -> bool:
        """End the index build ``pid`` runs, if any: a plain build's index is dropped, a
        concurrent one's stays behind INVALID (it must be dropped by hand), as in
        PostgreSQL. Returns whether ``pid`` was building one."""
        for index in self.catalog.indexes:
            if index.builder_pid == pid and not index.valid:
                if index.concurrently:
                    index.ready_at = None
                    index.builder_pid = None
                else:
                    self.catalog.indexes.remove(index)
                return True
        return False

    def terminate(self, pid: int) -> Backend | None:
        """``pg_terminate_backend(pid)``: the session ends; a pool loses one connection.

        The pool opens a replacement at its next tick (HikariCP refills to its size).
        """
        for b in self.sessions:
            if b.pid == pid:
                self.abort_build(pid)
                self.sessions.remove(b)
                if self.standby is not None:
                    self.standby.queries = [q for q in self.standby.queries if q is not b]
                self._cache = None
                return b
        for b in self.backends:
            if b.pid == pid and b.pod is not None:
                pool = self.pools[b.pod]
                i = pool.pids.index(pid)
                del pool.pids[i]
                del pool.opened[i]
                if b.state == "idle in transaction" and pool.leaked_since:
                    pool.leaked_since.pop()
                    pool.usage.leaked -= 1
                elif b.wait_event_type == "Lock" and pool.stuck_since:
                    pool.stuck_since.pop()
                    pool.usage.stuck -= 1
                self._cache = None
                return b
        return None


def stable(*parts: object) -> int:
    """A number that depends only on ``parts`` (oids, ports, addresses)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:6], "big")
