"""Which rows a query reads: one view, or a join of the views answered as pairs.

A join of ``pg_stat_activity`` and ``pg_locks`` (the classic blocking-locks queries) is
answered as blocked/blocking pairs: each table alias is worked out to stand for the
waiting or the blocking side, from ``pg_blocking_pids(alias.pid)``, from its name
(``blocked_*``, ``blocking_*``) and from ``a.pid = b.pid`` links.
"""

from __future__ import annotations

from sqlglot import exp

from gameday.tools import pg_replication as rep
from gameday.tools.pgstat import ACTIVITY_COLUMNS, LOCK_COLUMNS, PgView
from gameday.tools.sql_eval import Env, SqlError

TABLES = {
    "pg_stat_activity": ACTIVITY_COLUMNS,
    "pg_locks": LOCK_COLUMNS,
    "pg_stat_replication": rep.REPLICATION_COLUMNS,
    "pg_stat_wal_receiver": rep.WAL_RECEIVER_COLUMNS,
    "pg_stat_database_conflicts": rep.CONFLICT_COLUMNS,
}
#: views read on their own (no joins), by name
REPLICATION_VIEWS = {
    "pg_stat_replication": rep.replication_rows,
    "pg_stat_wal_receiver": rep.wal_receiver_rows,
    "pg_stat_database_conflicts": rep.conflict_rows,
}
SUPPORTED = (
    "Simulated: SELECT over pg_stat_activity and pg_locks (WHERE, GROUP BY, ORDER BY, LIMIT,"
    " count/max/min), their blocking-locks joins, pg_stat_replication, pg_stat_wal_receiver,"
    " pg_stat_database_conflicts, pg_blocking_pids(pid), pg_terminate_backend(pid),"
    " pg_cancel_backend(pid), the replication functions (pg_is_in_recovery,"
    " pg_last_xact_replay_timestamp, pg_wal_lsn_diff ...), SHOW name."
)


def tables_of(sel: exp.Select) -> list[tuple[str, str]]:
    from_ = sel.args.get("from_") or sel.args.get("from")
    tables = [from_.this] if from_ is not None else []
    tables += [j.this for j in sel.args.get("joins") or []]
    out = []
    for t in tables:
        if not isinstance(t, exp.Table):
            raise SqlError(f"subqueries are not simulated. {SUPPORTED}")
        if t.name not in TABLES:
            raise SqlError(
                f'relation "{t.name}" is not simulated (its rows are the application\'s). '
                + SUPPORTED
            )
        out.append((t.alias_or_name, t.name))
    return out


def _roles(sel: exp.Select, tables: list[tuple[str, str]]) -> dict[str, str]:
    """Which alias of a join stands for the waiting side and which for the blocking one."""
    roles: dict[str, str] = {}
    for call in sel.find_all(exp.Anonymous):
        if call.name.lower() == "pg_blocking_pids":
            for col in call.find_all(exp.Column):
                if col.table:
                    roles[col.table] = "blocked"
    for alias, _ in tables:
        low = alias.lower()
        if any(w in low for w in ("blocking", "blocker", "holder", "locker")):
            roles.setdefault(alias, "blocking")
        elif any(w in low for w in ("blocked", "wait")):
            roles.setdefault(alias, "blocked")
    links = []
    for eq in sel.find_all(exp.EQ):
        a, b = eq.this, eq.expression
        if (
            isinstance(a, exp.Column)
            and isinstance(b, exp.Column)
            and a.table
            and b.table
            and a.name == b.name == "pid"
        ):
            links.append((a.table, b.table))
    for _ in range(len(tables)):
        for a, b in links:
            if a in roles and b not in roles:
                roles[b] = roles[a]
            elif b in roles and a not in roles:
                roles[a] = roles[b]
    for alias, _ in tables:
        if alias not in roles:
            roles[alias] = "blocking" if "blocked" in roles.values() else "blocked"
            for a, b in links:  # its pid-linked partner shares the role
                if alias in (a, b):
                    roles.setdefault(b if a == alias else a, roles[alias])
    return roles


def source_rows(sel: exp.Select, view: PgView) -> list[Env]:
    tables = tables_of(sel)
    if not tables:
        return [{}]
    if len(tables) == 1:
        alias, name = tables[0]
        if name in REPLICATION_VIEWS:
            return [{alias: row} for row in REPLICATION_VIEWS[name](view)]
        rows = view.activity if name == "pg_stat_activity" else view.locks
        return [{alias: row} for row in rows]
    joined = [name for _, name in tables if name in REPLICATION_VIEWS]
    if joined:
        raise SqlError(
            f"joins with {joined[0]} are not simulated; select from it alone. {SUPPORTED}"
        )
    roles = _roles(sel, tables)
    activity = {r["pid"]: r for r in view.activity}
    lock_of = {(r["pid"], r["granted"]): r for r in view.locks if r["locktype"] == "transactionid"}
    envs = []
    for waiter, blockers in view.blocked_by.items():
        for blocker in blockers:
            env: Env = {}
            for alias, name in tables:
                pid = waiter if roles[alias] == "blocked" else blocker
                row = (
                    activity[pid]
                    if name == "pg_stat_activity"
                    else lock_of.get((pid, pid == blocker))
                )
                env[alias] = row or {c: None for c in LOCK_COLUMNS}
            envs.append(env)
    return envs
