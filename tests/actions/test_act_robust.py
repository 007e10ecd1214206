"""More SQL shapes, and no traceback for any input."""

from __future__ import annotations

import random

from gameday.tools import complete, execute, known_command

WORDS = [
    "kubectl",
    "psql",
    "get",
    "pods",
    "deploy/orders",
    "-n",
    "shop",
    "-l",
    "app=orders",
    "--tail",
    "x",
    "5",
    "logs",
    "describe",
    "rollout",
    "undo",
    "restart",
    "scale",
    "--replicas=",
    "|",
    "grep",
    "-A",
    "head",
    "'",
    '"',
    "SELECT",
    "pid",
    "FROM",
    "pg_stat_activity",
    "WHERE",
    "state",
    "=",
    "'idle'",
    "ORDER BY",
    "LIMIT",
    "count(*)",
    "GROUP BY",
    "now()",
    "-",
    "query_start",
    ">",
    "interval",
    "'5 min'",
    "pg_terminate_backend(",
    "1",
    ")",
    ";",
    "-c",
    "-h",
    "orders-db",
    "ack",
    "sev",
    "status",
    "escalate",
    "silence",
    "note",
    "alerts",
    "help",
    "sql",
    "select",
    "show",
    "&&",
    "\\",
    "--to-revision=",
    "-o",
    "json",
    "top",
    "exec",
    "--",
    "set",
    "image",
    "delete",
    "pod",
    "::interval",
    "'abc",
    "left(query,",
    "case when",
    "is",
    "null",
    "not",
    "between",
    "0",
]


def table(output: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("|")] for line in output.splitlines()[2:-1]]


def test_any_input_gives_a_result(locked):
    """Random word salad never raises: execute, complete and known_command all answer."""
    rng = random.Random(4)
    for _ in range(400):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 12)))
        result = execute(locked, text)
        assert isinstance(result.output, str) and result.kind
        assert isinstance(complete(locked, text), list)
        assert isinstance(known_command(text), bool)


def test_grouped_max_with_is_not_null(locked):
    """GROUP BY with max(interval) over rows WHERE xact_start IS NOT NULL, ordered by alias."""
    r = execute(
        locked,
        "SELECT usename, max(now() - xact_start) AS longest FROM pg_stat_activity"
        " WHERE xact_start IS NOT NULL GROUP BY usename ORDER BY longest DESC",
    )
    rows = table(r.output)
    assert rows[0][0] == "reporting" and rows[0][1].startswith("00:10:")
    assert [row[0] for row in rows][-1] == "postgres"


def test_self_join_on_blocking_pids(locked):
    """A self-join ON b.pid = ANY(pg_blocking_pids(a.pid)) pairs waiter and blocker."""
    r = execute(
        locked,
        "SELECT a.pid AS waiting, b.pid AS blocking, b.usename FROM "
        "pg_stat_activity a JOIN pg_stat_activity b ON "
        "b.pid = ANY(pg_blocking_pids(a.pid))",
    )
    rows = table(r.output)
    assert len(rows) >= 22 and {row[2] for row in rows} == {"reporting"}


def test_pg_locks_waiting(locked):
    """pg_locks shows each waiter's ungranted ShareLock on the blocker's transaction."""
    r = execute(locked, "SELECT locktype, mode, granted FROM pg_locks WHERE NOT granted")
    rows = table(r.output)
    assert len(rows) >= 22 and rows[0] == ["transactionid", "ShareLock", "f"]


def test_type_errors_read_like_postgres(locked):
    """Comparing a pid to text fails as PostgreSQL 15 says it, pointing at the literal."""
    r = execute(locked, "SELECT pid FROM pg_stat_activity WHERE pid > 'abc'")
    assert r.output == (
        'ERROR:  invalid input syntax for type integer: "abc"\n'
        "LINE 1: SELECT pid FROM pg_stat_activity WHERE pid > 'abc'\n"
        "                                                     ^"
    )
