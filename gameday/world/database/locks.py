"""Heavyweight locks of a simulated server, counted as postgres_exporter counts them.

postgres_exporter's ``pg_locks`` collector counts ``pg_locks`` rows whose ``database``
is set (relation-level locks) per lower-cased mode. Here a statement reading a table
holds ``AccessShareLock`` on it, a writer ``RowExclusiveLock``; a session leaked inside
a transaction keeps the ``AccessShareLock`` of what it read. Waits on another
transaction's row lock are ``transactionid`` locks, which have no database and are not
counted there; ``pg_locks_waiting`` counts the backends waiting on any lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gameday.world.database.server import PostgresServer

#: postgres_exporter's lock modes, in its order
LOCK_MODES = (
    "accesssharelock",
    "rowsharelock",
    "rowexclusivelock",
    "shareupdateexclusivelock",
    "sharelock",
    "sharerowexclusivelock",
    "exclusivelock",
    "accessexclusivelock",
    "sireadlock",
)
_WRITES = ("update", "insert", "delete")


def relation_lock_counts(db: PostgresServer) -> dict[str, int]:
    """Relation-level locks held or awaited now, per exporter mode."""
    counts = dict.fromkeys(LOCK_MODES, 0)
    for pool in db.pools.values():
        u = pool.usage
        counts["rowexclusivelock"] += u.stuck
        counts["accesssharelock"] += u.leaked
        for stmt, n in u.busy:
            write = stmt.text.lstrip().lower().startswith(_WRITES)
            counts["rowexclusivelock" if write else "accesssharelock"] += n
    for b in db.sessions:
        if b.state == "idle" or not b.query:
            continue
        write = b.query.lstrip().lower().startswith(_WRITES)
        counts["rowexclusivelock" if write else "accesssharelock"] += 1
    return counts


def waiting_for_locks(db: PostgresServer) -> int:
    """Backends waiting on a heavyweight lock (``wait_event_type = 'Lock'``)."""
    stuck = sum(pool.usage.stuck for pool in db.pools.values())
    return stuck + sum(1 for b in db.sessions if b.wait_event_type == "Lock")
