"""``psql`` against the simulated databases: connection flags, SQL, psql's output.

``psql -h HOST -U USER -d DB -c "SQL"`` (or a ``postgresql://`` URI) picks the database;
the SQL is answered from :mod:`~gameday.tools.pgstat` and printed as psql's
aligned table (``-x`` expanded, ``-t`` tuples only, ``-A`` unaligned). Terminating or
cancelling the session that holds a lock ends its ``blocking_query`` fault.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from gameday.psql_flags import BOOLS, SHORT, VALUES, unbundle
from gameday.tools.effects import Outcome
from gameday.tools.output import pg_text, psql_table
from gameday.tools.parse import ActionError, Flags, parse_flags
from gameday.tools.pgstat import build_view
from gameday.tools.psql_meta import run_meta
from gameday.tools.sql_eval import Evaluator, SqlError
from gameday.tools.sql_query import QueryResult, columns_read, run_sql
from gameday.tools.sql_utility import error_position
from gameday.world.database import PostgresServer
from gameday.world.database.server import SUPERUSERS

SOCKET = "/var/run/postgresql/.s.PGSQL.5432"


def _failed(host: str | None, db: PostgresServer, message: str) -> ActionError:
    """psql's one line for a connection the server refused."""
    where = f'at "{host}" ({db.address}), port 5432' if host else f'on socket "{SOCKET}"'
    return ActionError(f"psql: error: connection to server {where} failed: FATAL:  {message}")


def server_index(servers: Sequence[tuple[str, str]], host: str | None, dbname: str) -> int | None:
    """Which of ``servers`` (``(name, datname)`` in the world's order) psql reaches: the
    one ``host`` names, else the first serving ``dbname``, else the first; None if the
    host resolves to none."""
    if host:
        short = host.split(".")[0]
        return next(
            (i for i, (name, dat) in enumerate(servers) if short in (name, dat, f"{name}-primary")),
            None,
        )
    found = [i for i, (name, dat) in enumerate(servers) if dbname in (dat, name)]
    return found[0] if found else (0 if servers else None)


def _database(ctx: Any, host: str | None, dbname: str, user: str) -> PostgresServer:
    """The server psql connects to; raises psql's error when it cannot connect."""
    dbs = list(ctx.world.databases.values())
    index = server_index([(d.name, d.datname) for d in dbs], host, dbname)
    if index is None and host:
        raise ActionError(
            f'psql: error: could not translate host name "{host}" to address: '
            "Name or service not known"
        )
    if index is None:
        raise ActionError("psql: error: this scenario has no database")
    db: PostgresServer = dbs[index]
    why = db.refusal(superuser=user in SUPERUSERS)
    if why is not None:  # the slot check comes before the database is looked up
        raise _failed(host, db, why)
    if dbname and dbname not in (db.datname, "postgres", "template1"):
        raise _failed(host, db, f'database "{dbname}" does not exist')
    return db


@dataclass(frozen=True)
class Invocation:
    """A ``psql`` command line: where it connects, as whom, and the ``-c`` SQL."""

    host: str | None
    user: str
    dbname: str
    sql: str | None
    flags: Flags


def invocation(args: list[str]) -> Invocation:
    """``psql ARGS`` read as psql reads them (flags, a ``postgresql://`` URI, then the
    positional DBNAME and USER); the database defaults to the user, the user to postgres.

    Raises:
        ActionError: for an unknown flag or a flag missing its value.
    """
    flags = parse_flags(unbundle(args), SHORT, VALUES, BOOLS)
    host, user, dbname = flags.get("host"), flags.get("username"), flags.get("dbname")
    words = list(flags.words)
    if words and "://" in words[0]:
        uri = urlsplit(words.pop(0))
        host, user = uri.hostname or host, uri.username or user
        dbname = uri.path.lstrip("/") or dbname
    if words and dbname is None:
        dbname = words.pop(0)
    if words and user is None:
        user = words.pop(0)
    user = user or "postgres"
    return Invocation(host, user, dbname or user, flags.get("command"), flags)


def _render(
    result: QueryResult, tuples_only: bool, unaligned: bool, expanded: bool, sep: str
) -> str:
    cols, rows = result.columns, result.rows
    if expanded:
        width = max((len(c) for c in cols), default=0)
        blocks = []
        for i, r in enumerate(rows, 1):
            head = f"-[ RECORD {i} ]"
            blocks.append(head + "-" * max(0, width + 1 - len(head)) + "+" + "-" * 8)
            blocks += [f"{c.ljust(width)} | {pg_text(v)}" for c, v in zip(cols, r, strict=True)]
        return "\n".join(blocks) if rows else "(0 rows)"
    if unaligned:
        lines = [] if tuples_only else [sep.join(cols)]
        lines += [sep.join(pg_text(v) for v in r) for r in rows]
        if not tuples_only:
            lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
        return "\n".join(lines)
    table = psql_table(cols, rows)
    if tuples_only:
        return "\n".join(table.split("\n")[2:-1])
    return table


def run_psql(ctx: Any, args: list[str], actor: str) -> Outcome:
    """``psql ARGS``: connect as the flags say and run the ``-c`` SQL."""
    call = invocation(args)
    if call.sql is None:
        return Outcome(
            False,
            'psql: interactive sessions are not simulated; give the query with -c "SELECT ..."',
            "psql",
        )
    db = _database(ctx, call.host, call.dbname, call.user)
    flags = call.flags
    return run_query(
        ctx,
        db,
        call.user,
        call.sql,
        flags.has("tuples-only"),
        flags.has("no-align"),
        flags.has("expanded"),
        flags.get("field-separator", "|") or "|",
    )


# What PostgreSQL answers for an expression nested deeper than its stack allows; the
# dispatcher answers it for SQL nested deeper than the parser or evaluator can follow.
STACK_DEPTH = (
    "ERROR:  stack depth limit exceeded\n"
    'HINT:  Increase the configuration parameter "max_stack_depth" (currently 2048kB), '
    "after ensuring the platform's stack depth limit is adequate."
)


def run_query(
    ctx: Any,
    db: PostgresServer,
    user: str,
    sql: str,
    tuples_only: bool = False,
    unaligned: bool = False,
    expanded: bool = False,
    sep: str = "|",
) -> Outcome:
    """Run ``sql`` on ``db`` as ``user``; terminate and cancel calls take effect."""
    if sql.lstrip().startswith("\\"):
        try:
            return Outcome(True, run_meta(db, sql.strip()), "psql.describe")
        except ActionError as exc:
            return Outcome(False, str(exc), "psql.describe")
    low = sql.lower()
    kind = (
        "psql.terminate"
        if "pg_terminate_backend" in low
        else "psql.cancel"
        if "pg_cancel_backend" in low
        else "psql.show"
        if low.lstrip().startswith("show")
        else "psql.select"
    )
    view = build_view(db, ctx, user, sql, columns_read(sql))
    calls: list[tuple[int, bool]] = []
    warnings: list[str] = []

    def backend_call(pid: int, cancel: bool) -> bool:
        """Record a terminate/cancel of a live backend; warn about others."""
        if pid == view.self_pid or pid in view.backends:
            calls.append((pid, cancel))
            return True
        warnings.append(f"WARNING:  PID {pid} is not a PostgreSQL backend process")
        return False

    try:
        results = run_sql(sql, Evaluator(view, backend_call))
    except SqlError as exc:
        return Outcome(False, f"ERROR:  {exc}{_literal_position(sql, str(exc))}", kind)
    _apply(ctx, view, calls)
    warnings += view.notices
    feed = db.upstream.replication if db.upstream is not None else None
    if view.promote is not None and feed is not None:
        feed.promote(view.promote)
        kind = "psql.promote"
    if any(pid == view.self_pid and not cancel for pid, cancel in calls):
        warnings.append(
            "FATAL:  terminating connection due to administrator command\n"
            "server closed the connection unexpectedly"
        )
    shown = [
        r.tag if r.tag is not None else _render(r, tuples_only, unaligned, expanded, sep) + "\n"
        for r in results
    ]  # psql prints every statement's result, a blank line after each table
    text = "\n".join(shown)
    changed = bool(calls) or view.promote is not None
    return Outcome(True, "\n".join([*warnings, text]).strip("\n"), kind, changed=changed)


def _literal_position(sql: str, message: str) -> str:
    """PostgreSQL points at the literal a type's input function refused, and at the
    token a syntax error is at or near (``LINE 1:`` and a caret)."""
    m = re.match(r'invalid input syntax for type [\w ]+: "(.*)"$', message)
    if m:
        return error_position(sql, f"'{m.group(1)}'")
    m = re.match(r'syntax error at or near "(.+)"$', message)
    return error_position(sql, m.group(1)) if m else ""


def _apply(ctx: Any, view: Any, calls: list[tuple[int, bool]]) -> None:
    """Terminate or cancel backends.

    Cancelling a blocker's statement ends it (its transaction rolls back, its locks go);
    terminating any backend ends its session. A leaked connection terminated from the
    server side is one the pool gets back (until the leak takes it again).
    """
    for pid, cancel in calls:
        backend = view.backends.get(pid)
        if backend is None:
            continue
        if cancel and not backend.blocker_of and backend.state != "active":
            continue  # nothing running to cancel
        if backend.fault and not backend.service:  # a job's statement: the job exits on error
            ctx.world.terminate_backend(pid, ctx.now)
            continue
        if backend.state == "idle in transaction" and backend.service and not cancel:
            pods = [p for p in ctx.world.serving_pods(backend.service) if p.leaked >= 1]
            if pods:
                pods[0].leaked -= 1
        if not cancel or backend.blocker_of:
            ctx.world.terminate_backend(pid, ctx.now)
        elif view.db.abort_build(pid):  # a cancelled CREATE INDEX ends its session's work
            view.db.terminate(pid)
