"""Client connection pools as the server sees them: one :class:`PodPool` per pod.

A HikariCP pool opens all its connections when the application starts
(``minimumIdle`` defaults to ``maximumPoolSize``) and keeps each open until the pod
goes. What its connections do changes every tick: some wait on a lock, some were
leaked inside a transaction, some run a query, the rest sit idle. The pool keeps those
counts (cheap, every tick) and builds the ``pg_stat_activity`` rows only when someone
reads them, with times drawn from a generator seeded by the pid and the instant, so
the same instant always shows the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from gameday.world.database.sessions import ACTIVE, IDLE, IDLE_IN_TRANSACTION, Backend


@dataclass(frozen=True)
class Statement:
    """A query an application runs, and what it waits on while it runs.

    Attributes:
        text: the SQL as ``pg_stat_activity.query`` shows it (``$1`` parameters).
        wait_event_type: e.g. ``IO`` for a query reading the heap from disk.
        wait_event: e.g. ``DataFileRead``.
    """

    text: str
    wait_event_type: str | None = None
    wait_event: str | None = None


@dataclass
class Usage:
    """What one pod's pool connections are doing during the current tick.

    Attributes:
        stuck: connections waiting on a lock.
        leaked: connections borrowed and never returned, idle inside a transaction.
        busy: connections running a statement, per statement.
        hold: how long one execution holds a connection (seconds).
        idle_gap: about how long an idle connection has waited since its last query.
        lock_query: what the stuck connections run.
        lock_wait: the lock they wait for: ``transactionid`` (a row another transaction
            holds) or ``relation`` (a table lock, e.g. a plain CREATE INDEX's).
    """

    stuck: int = 0
    leaked: int = 0
    busy: list[tuple[Statement, int]] = field(default_factory=list)
    hold: float = 0.05
    idle_gap: float = 1.0
    lock_query: str = ""
    lock_wait: str = "transactionid"

    @property
    def active(self) -> int:
        """Connections running (or waiting inside) a statement."""
        return self.stuck + sum(n for _, n in self.busy)


@dataclass
class PodPool:
    """The sessions one pod's pool holds open on one server.

    Attributes:
        service: the service the pod belongs to.
        pod: the pod's name.
        client_addr: the pod's IP.
        usename: the role the pool logs in as.
        size: how many connections the pool wants (its ``maximumPoolSize``).
        pids: the pids of the connections it holds, oldest first.
        opened: when each was opened.
        stuck_since: when each stuck connection started waiting, oldest first.
        leaked_since: when each leaked connection was last used, oldest first.
        usage: what they do now.
        refused: connection attempts the server refused, since the pod started.
    """

    service: str
    pod: str
    client_addr: str
    usename: str
    size: int
    pids: list[int] = field(default_factory=list)
    opened: list[float] = field(default_factory=list)
    stuck_since: list[float] = field(default_factory=list)
    leaked_since: list[float] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    refused: int = 0

    @property
    def open(self) -> int:
        """Connections the pool holds."""
        return len(self.pids)

    def use(self, usage: Usage, now: float, salt: str) -> None:
        """Take this tick's usage, capped by the connections the pool holds."""
        stuck = min(usage.stuck, self.open)
        leaked = min(usage.leaked, self.open - stuck)
        room = self.open - stuck - leaked
        busy = []
        for stmt, n in usage.busy:
            n = min(n, room)
            room -= n
            if n > 0:
                busy.append((stmt, n))
        self.usage = Usage(
            stuck, leaked, busy, usage.hold, usage.idle_gap, usage.lock_query, usage.lock_wait
        )
        _track(self.stuck_since, stuck, now, f"{salt}:{self.pod}:stuck")
        _track(self.leaked_since, leaked, now, f"{salt}:{self.pod}:leaked")

    def rows(self, datname: str, now: float, salt: str, app_query: str) -> list[Backend]:
        """This pool's ``pg_stat_activity`` rows at ``now``."""
        u = self.usage
        kinds: list[tuple[str, Statement | None, float | None]] = []
        kinds += [("stuck", None, t) for t in self.stuck_since]
        kinds += [("leaked", None, t) for t in self.leaked_since]
        for running, n in u.busy:
            kinds += [("busy", running, None)] * n
        rows = []
        for i, (pid, opened) in enumerate(zip(self.pids, self.opened, strict=True)):
            kind, stmt, since = kinds[i] if i < len(kinds) else ("idle", None, None)
            rng = random.Random(f"{salt}:{pid}:{round(now, 3)}")
            b = Backend(
                pid=pid,
                datname=datname,
                usename=self.usename,
                application_name=self.service,
                client_addr=self.client_addr,
                backend_start=opened,
                service=self.service,
                pod=self.pod,
            )
            if kind == "stuck" and since is not None:
                b.state, b.query = ACTIVE, u.lock_query or app_query
                b.wait_event_type, b.wait_event = "Lock", u.lock_wait
                b.query_start = b.state_change = max(opened, since)
                b.xact_start = b.query_start
            elif kind == "leaked" and since is not None:
                b.state, b.query = IDLE_IN_TRANSACTION, app_query
                b.wait_event_type, b.wait_event = "Client", "ClientRead"
                b.state_change = max(opened, since)
                b.query_start = max(opened, b.state_change - u.hold)
                b.xact_start = max(opened, b.query_start - rng.uniform(0.0, 0.01))
            elif kind == "busy" and stmt is not None:
                b.state, b.query = ACTIVE, stmt.text
                b.wait_event_type, b.wait_event = stmt.wait_event_type, stmt.wait_event
                b.query_start = max(opened, now - rng.uniform(0.0, u.hold))
                b.xact_start = b.state_change = b.query_start
            else:
                b.state, b.query = IDLE, app_query
                b.wait_event_type, b.wait_event = "Client", "ClientRead"
                b.state_change = max(opened, now - rng.uniform(0.0, u.idle_gap))
                b.query_start = max(opened, b.state_change - u.hold)
            rows.append(b)
        return rows


def _track(since: list[float], n: int, now: float, salt: str) -> None:
    """Grow or shrink ``since`` to ``n`` entries; new ones started within the last tick."""
    if len(since) > n:
        del since[n:]
    while len(since) < n:
        rng = random.Random(f"{salt}:{len(since)}:{round(now, 3)}")
        since.append(now - rng.uniform(0.0, 10.0))
