"""Sessions of a simulated PostgreSQL server: the rows ``pg_stat_activity`` shows.

A :class:`Backend` is one server process serving one client connection. Its times are
sim seconds (``backend_start``, ``xact_start``, ``query_start``, ``state_change``);
psql turns them into wall-clock timestamps. ``state`` is one of PostgreSQL's own
(``active``, ``idle``, ``idle in transaction`` ...) and the wait event uses PostgreSQL's
type/name pairs (``Lock``/``transactionid``, ``IO``/``DataFileRead``,
``Client``/``ClientRead``).
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVE = "active"
IDLE = "idle"
IDLE_IN_TRANSACTION = "idle in transaction"
#: every value ``pg_stat_activity.state`` takes, in postgres_exporter's order
STATES = (
    ACTIVE,
    IDLE,
    IDLE_IN_TRANSACTION,
    "idle in transaction (aborted)",
    "fastpath function call",
    "disabled",
)


@dataclass
class Backend:
    """One row of ``pg_stat_activity`` (a client backend).

    Attributes:
        pid: the backend's process id.
        datname: the database it is connected to.
        usename: the role it logged in as.
        application_name: what the client set (a service name, ``psql`` ...).
        client_addr: the client's IP address (a pod's IP for a pool connection).
        backend_start: when the connection was opened (sim seconds).
        state: ``active``, ``idle``, ``idle in transaction`` ...
        query: the current query, or the last one when not active.
        query_start: when that query started (None: it never ran one).
        xact_start: when the current transaction started (None outside one).
        state_change: when ``state`` last changed.
        wait_event_type: what the backend waits for, e.g. ``Lock`` (None: running).
        wait_event: the wait event's name, e.g. ``transactionid``.
        service: the service whose pool opened the connection, if any.
        pod: the pod whose pool opened the connection, if any.
        blocker_of: the table whose lock this session holds (a blocking_query fault).
        fault: the fault that made this session.
        superuser: whether its role is a superuser.
        wal_rate: bytes of WAL a second its statement writes (a bulk import).
        error: the error its last statement ended with (a recovery conflict ...).
    """

    pid: int
    datname: str
    usename: str
    application_name: str
    client_addr: str | None
    backend_start: float
    state: str = IDLE
    query: str = ""
    query_start: float | None = None
    xact_start: float | None = None
    state_change: float | None = None
    wait_event_type: str | None = None
    wait_event: str | None = None
    service: str | None = None
    pod: str | None = None
    blocker_of: str | None = None
    fault: str | None = None
    superuser: bool = False
    wal_rate: float = 0.0
    error: str | None = None
