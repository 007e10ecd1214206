"""What psql shows of streaming replication, as PostgreSQL 15 shows it.

On a primary, ``pg_stat_replication`` has a row per walsender (its standby's LSNs and
lags); on a standby it is empty and ``pg_stat_wal_receiver`` has the walreceiver's
row. The recovery functions answer as PostgreSQL does on either side: the
``pg_last_*`` ones are NULL on a primary, ``pg_current_wal_lsn()`` fails during
recovery, ``pg_promote()`` fails outside it and, waiting, gives up after
``wait_seconds`` with a WARNING. LSNs print as ``0/3000148`` (:class:`Lsn`).
"""

from __future__ import annotations

from typing import Any

from gameday.tools.output import Interval, Lsn
from gameday.tools.sql_eval import SqlError, lsn_value
from gameday.world.database.replication import PROMOTED, STREAMING

REPLICATION_COLUMNS = (
    "pid",
    "usesysid",
    "usename",
    "application_name",
    "client_addr",
    "client_hostname",
    "client_port",
    "backend_start",
    "backend_xmin",
    "state",
    "sent_lsn",
    "write_lsn",
    "flush_lsn",
    "replay_lsn",
    "write_lag",
    "flush_lag",
    "replay_lag",
    "sync_priority",
    "sync_state",
    "reply_time",
)
WAL_RECEIVER_COLUMNS = (
    "pid",
    "status",
    "receive_start_lsn",
    "receive_start_tli",
    "written_lsn",
    "flushed_lsn",
    "received_tli",
    "last_msg_send_time",
    "last_msg_receipt_time",
    "latest_end_lsn",
    "latest_end_time",
    "slot_name",
    "sender_host",
    "sender_port",
    "conninfo",
)
CONFLICT_COLUMNS = (
    "datid",
    "datname",
    "confl_tablespace",
    "confl_lock",
    "confl_snapshot",
    "confl_bufferpin",
    "confl_deadlock",
)
IN_RECOVERY = (
    "recovery is in progress\nHINT:  WAL control functions cannot be executed during recovery."
)
NOT_IN_RECOVERY = (
    "recovery is not in progress\n"
    "HINT:  Recovery control functions can only be executed during recovery."
)
FUNCTIONS = frozenset(
    {
        "pg_is_in_recovery",
        "pg_current_wal_lsn",
        "pg_current_wal_insert_lsn",
        "pg_current_wal_flush_lsn",
        "pg_last_wal_receive_lsn",
        "pg_last_wal_replay_lsn",
        "pg_last_xact_replay_timestamp",
        "pg_is_wal_replay_paused",
        "pg_wal_lsn_diff",
        "pg_lsn",
        "pg_promote",
        "pg_size_pretty",
    }
)


def as_lsn(value: Any) -> Lsn | None:
    """A ``pg_lsn`` argument: an LSN, or its text (``'0/3000148'``)."""
    if value is None or isinstance(value, Lsn):
        return value
    return lsn_value(str(value))


def _roles(view: Any) -> tuple[Any, Any, Any]:
    """(the primary's replication, this server's standby record, its primary's replication)."""
    db = view.db
    standby = getattr(db, "standby", None)
    upstream = getattr(db, "upstream", None)
    feed = getattr(upstream, "replication", None) if standby is not None else None
    return getattr(db, "replication", None), standby, feed


def in_recovery(view: Any) -> bool:
    """``pg_is_in_recovery()``."""
    _, standby, _ = _roles(view)
    return standby is not None and standby.state != PROMOTED


def replication_rows(view: Any) -> list[dict[str, Any]]:
    """``pg_stat_replication``: one row per standby still streaming from this server."""
    rep, _, _ = _roles(view)
    if rep is None:
        return []
    rows = []
    for s in rep.standbys.values():
        if s.state != STREAMING:
            continue  # a promoted standby's walreceiver is gone, and its walsender with it
        caught_up = s.replay >= rep.lsn
        replay = rep.small_lag(s, "replay") if caught_up else rep.lag_seconds(s)
        rows.append(
            {
                "pid": s.walsender_pid,
                "usesysid": 16385,
                "usename": "replicator",
                "application_name": s.name,
                "client_addr": s.client_addr,
                "client_hostname": None,
                "client_port": 40000 + s.walsender_pid % 20000,
                "backend_start": view.ts(s.backend_start, "walsender", s.name),
                "backend_xmin": None,
                "state": "streaming",
                "sent_lsn": Lsn(s.sent),
                "write_lsn": Lsn(s.write),
                "flush_lsn": Lsn(s.flush),
                "replay_lsn": Lsn(s.replay),
                "write_lag": Interval(round(rep.small_lag(s, "write"), 6)),
                "flush_lag": Interval(round(rep.small_lag(s, "flush"), 6)),
                "replay_lag": Interval(round(replay, 6)),
                "sync_priority": 0,
                "sync_state": "async",
                "reply_time": view.ts(view.now - 0.4, "reply", s.name),
            }
        )
    return rows


def wal_receiver_rows(view: Any) -> list[dict[str, Any]]:
    """``pg_stat_wal_receiver``: the walreceiver of a standby that still streams."""
    _, s, feed = _roles(view)
    if s is None or feed is None or s.state != STREAMING:
        return []
    host = view.db.upstream.name
    return [
        {
            "pid": s.walsender_pid + 7,
            "status": "streaming",
            "receive_start_lsn": Lsn(s.replay >> 24 << 24),
            "receive_start_tli": 1,
            "written_lsn": Lsn(s.write),
            "flushed_lsn": Lsn(s.flush),
            "received_tli": s.timeline,
            "last_msg_send_time": view.ts(view.now - 0.02, "send", s.name),
            "last_msg_receipt_time": view.ts(view.now - 0.01, "receipt", s.name),
            "latest_end_lsn": Lsn(s.flush),
            "latest_end_time": view.ts(view.now - 0.03, "end", s.name),
            "slot_name": None,
            "sender_host": host,
            "sender_port": 5432,
            "conninfo": (
                f"user=replicator passfile=/var/lib/postgresql/.pgpass channel_binding=prefer "
                f"dbname=replication host={host} port=5432 application_name={s.name} "
                "fallback_application_name=walreceiver sslmode=prefer sslcompression=0 "
                "sslsni=1 ssl_min_protocol_version=TLSv1.2 gssencmode=prefer "
                "krbsrvname=postgres target_session_attrs=any"
            ),
        }
    ]


def conflict_rows(view: Any) -> list[dict[str, Any]]:
    """``pg_stat_database_conflicts``: queries cancelled by recovery, per database."""
    _, s, _ = _roles(view)
    return [
        {
            "datid": view.datid,
            "datname": view.db.datname,
            "confl_tablespace": 0,
            "confl_lock": 0,
            "confl_snapshot": s.conflicts if s is not None else 0,
            "confl_bufferpin": 0,
            "confl_deadlock": 0,
        }
    ]


def call(view: Any, name: str, args: list[Any]) -> Any:
    """The value of replication function ``name`` (one of :data:`FUNCTIONS`).

    Raises:
        SqlError: as PostgreSQL raises it (wrong side of recovery, a bad LSN).
    """
    rep, s, feed = _roles(view)
    recovering = s is not None and s.state != PROMOTED
    if name == "pg_is_in_recovery":
        return recovering
    if name.startswith("pg_current_wal"):
        if recovering:
            raise SqlError(IN_RECOVERY)
        if s is not None:  # a promoted standby writes its own WAL now
            return Lsn(s.end_lsn)
        return Lsn(rep.lsn) if rep is not None else Lsn(0x3000148)
    if name in ("pg_last_wal_receive_lsn", "pg_last_wal_replay_lsn"):
        if s is None:
            return None
        return Lsn(s.flush if name == "pg_last_wal_receive_lsn" else s.replay)
    if name == "pg_last_xact_replay_timestamp":
        return None if s is None or feed is None else view.ts(feed.last_replay(s), "xact", s.replay)
    if name == "pg_is_wal_replay_paused":
        if not recovering:
            raise SqlError(NOT_IN_RECOVERY)
        return False
    if name == "pg_wal_lsn_diff":
        a, b = (as_lsn(v) for v in (args + [None, None])[:2])
        return None if a is None or b is None else a - b
    if name == "pg_lsn":
        return as_lsn(args[0]) if args else None
    if name == "pg_size_pretty":
        return None if not args or args[0] is None else size_pretty(int(args[0]))
    return _promote(view, s, feed, args)


def _promote(view: Any, s: Any, feed: Any, args: list[Any]) -> bool:
    """``pg_promote(wait => true, wait_seconds => 60)``."""
    if s is None or s.state != STREAMING or feed is None:
        raise SqlError(NOT_IN_RECOVERY)
    wait = bool(args[0]) if args else True
    wait_seconds = int(args[1]) if len(args) > 1 else 60
    if wait_seconds <= 0:
        raise SqlError('"wait_seconds" must not be negative or zero')
    view.promote = s
    if not wait:
        return True
    remaining = (s.flush - s.replay) / max(s.replay_rate, 1.0)
    if remaining <= wait_seconds:
        return True
    unit = "second" if wait_seconds == 1 else "seconds"
    view.notices.append(f"WARNING:  server did not promote within {wait_seconds} {unit}")
    return False


def size_pretty(size: int) -> str:
    """``pg_size_pretty(bigint)``: bytes, kB, MB, GB, TB, PB, each below 10240 of itself."""
    limit = 10 * 1024
    if abs(size) < limit:
        return f"{size} bytes"
    size >>= 9  # one extra bit for rounding
    for unit in ("kB", "MB", "GB", "TB"):
        if abs(size) < limit * 2 - 1:
            return f"{_half_rounded(size)} {unit}"
        size >>= 10
    return f"{_half_rounded(size)} PB"


def _half_rounded(x: int) -> int:
    """PostgreSQL's ``half_rounded``: (x + sign) / 2, truncating toward zero."""
    q = (abs(x) + 1) // 2
    return q if x >= 0 else -q
