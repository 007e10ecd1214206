"""PostgreSQL's views of a simulated database: ``pg_stat_activity`` and ``pg_locks``.

Rows come from the world's :class:`~gameday.engine.state.Backend` list, plus the psql
session asking (as in real life, your own query shows up as ``active``). A waiter on a
lock is blocked by the session holding it, so ``pg_blocking_pids`` and the classic
blocking-locks join find the head of the queue.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gameday.engine.state import Backend, DatabaseState

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
        activity: ``pg_stat_activity`` rows, keyed by column name.
        locks: ``pg_locks`` rows.
        blocked_by: pid -> pids it waits for (``pg_blocking_pids``).
        relations: oid -> table name (for ``relation::regclass``).
    """

    db: DatabaseState
    now_ts: datetime
    self_pid: int
    activity: list[dict[str, Any]] = field(default_factory=list)
    locks: list[dict[str, Any]] = field(default_factory=list)
    blocked_by: dict[int, list[int]] = field(default_factory=dict)
    relations: dict[int, str] = field(default_factory=dict)
    backends: dict[int, Backend] = field(default_factory=dict)


def build_view(db: DatabaseState, ctx: Any, user: str, sql: str) -> PgView:
    """The state of ``db`` now, as seen by ``user`` running ``sql`` from psql."""
    seed, now = ctx.seed, ctx.now

    def ts(t: float, *salt: object) -> datetime:
        """Wall-clock time of sim time ``t`` with stable microseconds."""
        return ctx.wall_time(t) + timedelta(microseconds=_h(seed, *salt) % 1_000_000)

    now_ts = ts(now, "now", round(now, 3))
    self_pid = 30000 + _h(seed, "psql", db.name, round(now, 3)) % 9000
    view = PgView(db, now_ts, self_pid)
    blockers = [b for b in db.backends if b.blocker_of]
    tables = {b.blocker_of for b in blockers if b.blocker_of}
    view.relations = {16400 + _h(seed, db.name, t) % 9000: str(t) for t in sorted(tables)}
    oid_of = {name: oid for oid, name in view.relations.items()}
    datid = 16384 + _h(seed, db.datname) % 500
    for b in db.backends:
        view.backends[b.pid] = b
        waiting = b.wait_event_type == "Lock" and not b.blocker_of
        if waiting and blockers:
            view.blocked_by[b.pid] = [x.pid for x in blockers]
        idle = b.state == "idle"
        xid = 700000 + _h(seed, "xid", b.pid) % 90000 if b.blocker_of else None
        qstart = ts(b.query_start, b.pid, "q")
        row = {
            "datid": datid,
            "datname": b.datname,
            "pid": b.pid,
            "leader_pid": None,
            "usesysid": 16384 + _h(b.usename) % 200,
            "usename": b.usename,
            "application_name": b.application_name,
            "client_addr": b.client_addr,
            "client_hostname": None,
            "client_port": 32768 + _h(seed, "port", b.pid) % 28000,
            "backend_start": ts(
                min(b.xact_start, b.query_start) - 60 - _h(b.pid) % 3000, b.pid, "b"
            ),
            "xact_start": None if idle else ts(b.xact_start, b.pid, "x"),
            "query_start": qstart,
            "state_change": qstart,
            "wait_event_type": b.wait_event_type or ("Client" if idle else None),
            "wait_event": b.wait_event or ("ClientRead" if idle else None),
            "state": b.state,
            "backend_xid": xid,
            "backend_xmin": None,
            "query_id": None,
            "query": b.query,
            "backend_type": "client backend",
        }
        view.activity.append(row)
        if b.blocker_of:
            view.locks += [
                _lock(
                    datid,
                    "relation",
                    b.pid,
                    "RowExclusiveLock",
                    True,
                    relation=oid_of.get(b.blocker_of),
                ),
                _lock(datid, "transactionid", b.pid, "ExclusiveLock", True, transactionid=xid),
            ]
        elif waiting and blockers:
            held = 700000 + _h(seed, "xid", blockers[0].pid) % 90000
            view.locks += [
                _lock(
                    datid,
                    "relation",
                    b.pid,
                    "RowExclusiveLock",
                    True,
                    relation=oid_of.get(blockers[0].blocker_of or ""),
                ),
                _lock(
                    datid,
                    "transactionid",
                    b.pid,
                    "ShareLock",
                    False,
                    transactionid=held,
                    waitstart=qstart,
                ),
            ]
    view.activity.append(
        {
            **{c: None for c in ACTIVITY_COLUMNS},
            "datid": datid,
            "datname": db.datname,
            "pid": self_pid,
            "usename": user,
            "usesysid": 10,
            "application_name": "psql",
            "client_addr": "10.244.0.17",
            "client_port": 40000 + _h(seed, "self") % 20000,
            "backend_start": now_ts,
            "xact_start": now_ts,
            "query_start": now_ts,
            "state_change": now_ts,
            "state": "active",
            "query": sql,
            "backend_type": "client backend",
        }
    )
    view.locks.append(_lock(datid, "virtualxid", self_pid, "ExclusiveLock", True))
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
