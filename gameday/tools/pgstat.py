"""PostgreSQL's views of a simulated database: ``pg_stat_activity`` and ``pg_locks``.

Rows come from the world's :class:`~gameday.world.state.Backend` list, plus the psql
session asking (as in real life, your own query shows up as ``active``). A waiter on a
lock is blocked by the session holding it, so ``pg_blocking_pids`` and the classic
blocking-locks join find the head of the queue.

The rows are built when a query first reads them, and only with the columns the query
names (``columns``): a ``SELECT pg_terminate_backend(42)`` builds none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from gameday.world.database import Backend, PostgresServer

ACTIVITY_COLUMNS = (
    "datid",
    "datname",
    "pid",
    "leader_pid",
    "usesysid",
    "usename",
    "application_name",
    "client_addr",
    "client_hostname",
    "client_port",
    "backend_start",
    "xact_start",
    "query_start",
    "state_change",
    "wait_event_type",
    "wait_event",
    "state",
    "backend_xid",
    "backend_xmin",
    "query_id",
    "query",
    "backend_type",
)
LOCK_COLUMNS = (
    "locktype",
    "database",
    "relation",
    "page",
    "tuple",
    "virtualxid",
    "transactionid",
    "classid",
    "objid",
    "objsubid",
    "virtualtransaction",
    "pid",
    "mode",
    "granted",
    "fastpath",
    "waitstart",
)


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:6], "big")


@dataclass
class PgView:
    """One database server as psql sees it at one instant.

    Attributes:
        db: the server's sessions.
        now_ts: ``now()``, the start of the asking transaction.
        self_pid: the asking session's pid (``pg_backend_pid()``).
        ts: ``ts(t, *salt)``, the wall-clock time of sim time ``t`` (with ``salt``,
            plus stable microseconds).
        blocked_by: pid -> pids it waits for (``pg_blocking_pids``).
        relations: oid -> table name (for ``relation::regclass``).
        backends: pid -> the world's backend.
        activity: ``pg_stat_activity`` rows, keyed by column name (built on first use).
        locks: ``pg_locks`` rows (built on first use).
        columns: the ``pg_stat_activity`` columns rows carry; None for all of them.
        user: who asks (the psql session's ``usename``).
        sql: what the psql session runs (its ``query``).
        seed: the drill's seed (oids, ports and xids derive from it).
        now: the sim time of the question.
        asked: the sim time ``now_ts`` stands for (``now`` plus its microseconds): the
            instant the rows are drawn at.
        settings: what the session SET (statement_timeout ...), by name.
        notices: warnings the query raised (``pg_promote`` giving up waiting).
        promote: the standby record ``pg_promote()`` asked to promote, if any.
    """

    db: PostgresServer
    now_ts: datetime
    self_pid: int
    ts: Callable[..., datetime] = field(repr=False)
    blocked_by: dict[int, list[int]] = field(default_factory=dict)
    relations: dict[int, str] = field(default_factory=dict)
    backends: dict[int, Backend] = field(default_factory=dict)
    columns: frozenset[str] | None = None
    user: str = "postgres"
    sql: str = ""
    seed: int = 0
    now: float = 0.0
    asked: float = 0.0
    settings: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # WARNINGs psql prints before the rows
    promote: Any = None  # the standby a pg_promote() asked to promote

    def session_backend(self) -> Backend:
        """The asking psql session as a backend of the server (for work that outlasts it)."""
        return Backend(
            pid=self.self_pid,
            datname=self.db.datname,
            usename=self.user,
            application_name="psql",
            client_addr="10.244.0.17",
            backend_start=self.now,
            query=self.sql,
            superuser=self.user == "postgres",
        )

    @cached_property
    def datid(self) -> int:
        """The database's oid."""
        return 16384 + _h(self.seed, self.db.datname) % 500

    def xid(self, pid: int) -> int:
        """The transaction id a lock-holding backend has."""
        return 700000 + _h(self.seed, "xid", pid) % 90000

    @cached_property
    def activity(self) -> list[dict[str, Any]]:
        """``pg_stat_activity``: the world's backends, then the asking psql session."""
        rows = [self._activity_row(b) for b in self.db.backends_at(self.asked)]
        now_ts = self.now_ts
        row = {
            **{c: None for c in ACTIVITY_COLUMNS},
            "datid": self.datid,
            "datname": self.db.datname,
            "pid": self.self_pid,
            "usename": self.user,
            "usesysid": 10,
            "application_name": "psql",
            "client_addr": "10.244.0.17",
            "client_port": 40000 + _h(self.seed, "self") % 20000,
            "backend_start": now_ts,
            "xact_start": now_ts,
            "query_start": now_ts,
            "state_change": now_ts,
            "state": "active",
            "query": self.sql,
            "backend_type": "client backend",
        }
        rows.append(self._only_wanted(row))
        return rows

    @cached_property
    def _wanted(self) -> tuple[str, ...]:
        want = self.columns
        return tuple(c for c in ACTIVITY_COLUMNS if want is None or c in want)

    def _only_wanted(self, row: dict[str, Any]) -> dict[str, Any]:
        return {c: row[c] for c in self._wanted}

    def _activity_row(self, b: Backend) -> dict[str, Any]:
        want, seed, now_ts = self.columns, self.seed, self.now_ts

        def ts(t: float) -> datetime:  # never after the asker's now() (microsecond rounding)
            return min(self.ts(t), now_ts)

        idle = b.state == "idle"
        row = {
            "datname": b.datname,
            "pid": b.pid,
            "leader_pid": None,
            "usename": b.usename,
            "application_name": b.application_name,
            "client_addr": b.client_addr,
            "client_hostname": None,
            "wait_event_type": b.wait_event_type or ("Client" if idle else None),
            "wait_event": b.wait_event or ("ClientRead" if idle else None),
            "state": b.state,
            "backend_xmin": None,
            "query_id": None,
            "query": b.query,
            "backend_type": "client backend",
        }
        if want is None or "datid" in want:
            row["datid"] = self.datid
        if want is None or "usesysid" in want:
            row["usesysid"] = 16384 + _h(b.usename) % 200
        if want is None or "client_port" in want:
            row["client_port"] = 32768 + _h(seed, "port", b.pid) % 28000
        if want is None or "backend_start" in want:
            row["backend_start"] = ts(b.backend_start)
        if want is None or "xact_start" in want:
            row["xact_start"] = None if b.xact_start is None else ts(b.xact_start)
        if want is None or "query_start" in want or "state_change" in want:
            q, c = b.query_start, b.state_change
            row["query_start"] = None if q is None else ts(q)
            row["state_change"] = None if c is None else ts(c)
        if want is None or "backend_xid" in want:
            row["backend_xid"] = self.xid(b.pid) if b.blocker_of else None
        return self._only_wanted(row)

    @cached_property
    def locks(self) -> list[dict[str, Any]]:
        """``pg_locks``: the blockers' and waiters' locks, then the asking session's."""
        datid, ts = self.datid, self.ts
        oid_of = {name: oid for oid, name in self.relations.items()}
        backends = self.db.backends_at(self.asked)
        blockers = [b for b in backends if b.blocker_of]
        rows = []
        for b in backends:
            if b.blocker_of and b.query.lstrip().upper().startswith("CREATE"):
                # a plain CREATE INDEX: a SHARE lock on the table, writers queue for it
                relation = oid_of.get(b.blocker_of)
                rows.append(_lock(datid, "relation", b.pid, "ShareLock", True, relation=relation))
            elif b.pid in self.blocked_by and b.wait_event == "relation":
                relation = oid_of.get(blockers[0].blocker_of or "")
                wait = None if b.query_start is None else ts(b.query_start)
                rows.append(
                    _lock(
                        datid,
                        "relation",
                        b.pid,
                        "RowExclusiveLock",
                        False,
                        relation=relation,
                        waitstart=wait,
                    )
                )
            elif b.blocker_of:
                xid = self.xid(b.pid)
                relation = oid_of.get(b.blocker_of)
                rows += [
                    _lock(datid, "relation", b.pid, "RowExclusiveLock", True, relation=relation),
                    _lock(datid, "transactionid", b.pid, "ExclusiveLock", True, transactionid=xid),
                ]
            elif b.pid in self.blocked_by:
                relation = oid_of.get(blockers[0].blocker_of or "")
                rows += [
                    _lock(datid, "relation", b.pid, "RowExclusiveLock", True, relation=relation),
                    _lock(
                        datid,
                        "transactionid",
                        b.pid,
                        "ShareLock",
                        False,
                        transactionid=self.xid(blockers[0].pid),
                        waitstart=None if b.query_start is None else ts(b.query_start),
                    ),
                ]
        rows.append(_lock(datid, "virtualxid", self.self_pid, "ExclusiveLock", True))
        return rows


def build_view(
    db: PostgresServer, ctx: Any, user: str, sql: str, columns: frozenset[str] | None = None
) -> PgView:
    """The state of ``db`` now, as seen by ``user`` running ``sql`` from psql.

    Args:
        db: the server.
        ctx: the session (its seed, clock and wall time).
        user: who asks.
        sql: the query (it shows in its own session's row).
        columns: the ``pg_stat_activity`` columns the query reads; None for all.
    """
    seed, now = ctx.seed, ctx.now
    wall_time = ctx.wall_time

    def ts(t: float, *salt: object) -> datetime:
        """Wall-clock time of sim time ``t`` (to the microsecond, as PostgreSQL keeps it);
        with ``salt``, plus stable microseconds (a moment within the second)."""
        at = wall_time(t)
        if salt:
            at += timedelta(microseconds=_h(seed, *salt) % 1_000_000)
        return at

    now_ts = ts(now, "now", round(now, 3))
    asked = now + (now_ts - wall_time(now)).microseconds / 1e6  # the sim time now() stands for
    self_pid = 30000 + _h(seed, "psql", db.name, round(now, 3)) % 9000
    view = PgView(
        db,
        now_ts,
        self_pid,
        ts,
        columns=columns,
        user=user,
        sql=sql,
        seed=seed,
        now=now,
        asked=asked,
    )
    backends = db.backends_at(asked)
    blockers = [b for b in backends if b.blocker_of]
    tables = {b.blocker_of for b in blockers if b.blocker_of}
    view.relations = {16400 + _h(seed, db.name, t) % 9000: str(t) for t in sorted(tables)}
    for b in backends:
        view.backends[b.pid] = b
        if blockers and b.wait_event_type == "Lock" and not b.blocker_of:
            view.blocked_by[b.pid] = [x.pid for x in blockers]
    return view


def _lock(datid: int, locktype: str, pid: int, mode: str, granted: bool, **extra: Any) -> dict:
    row: dict[str, Any] = {c: None for c in LOCK_COLUMNS}
    row.update(
        locktype=locktype,
        pid=pid,
        mode=mode,
        granted=granted,
        fastpath=False,
        virtualtransaction=f"{3 + pid % 60}/{pid % 9973}",
    )
    if locktype == "relation":
        row["database"] = datid
    if locktype == "virtualxid":
        row["virtualxid"] = row["virtualtransaction"]
        row["fastpath"] = True
    row.update(extra)
    return row
