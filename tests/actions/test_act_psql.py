"""psql against the simulated orders database."""

from __future__ import annotations

from gameday.tools import execute

PSQL = 'psql -h orders-db -U postgres -d orders -c "{}"'
ACTIVITY = (
    "SELECT pid, usename, application_name, state, wait_event_type, now() - query_start AS "
    "duration, left(query, 60) AS query FROM pg_stat_activity WHERE datname = 'orders' "
    "ORDER BY query_start"
)
WIKI_BLOCKING = """SELECT blocked_locks.pid AS blocked_pid,
 blocked_activity.usename AS blocked_user,
 blocking_locks.pid AS blocking_pid, blocking_activity.usename AS blocking_user,
 blocked_activity.query AS blocked_statement,
 blocking_activity.query AS current_statement_in_blocking_process
FROM pg_catalog.pg_locks blocked_locks
JOIN pg_catalog.pg_stat_activity blocked_activity ON blocked_activity.pid = blocked_locks.pid
JOIN pg_catalog.pg_locks blocking_locks ON blocking_locks.locktype = blocked_locks.locktype
 AND blocking_locks.transactionid IS NOT DISTINCT FROM blocked_locks.transactionid
 AND blocking_locks.pid != blocked_locks.pid
JOIN pg_catalog.pg_stat_activity blocking_activity ON blocking_activity.pid = blocking_locks.pid
WHERE NOT blocked_locks.granted"""


def blocker_pid(ctx) -> int:
    return next(f.blocker_pid for f in ctx.world.faults.values() if f.type == "blocking_query")


def rows(output: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("|")] for line in output.splitlines()[2:-1]]


def test_activity_shows_blocker_and_waiters(locked):
    """pg_stat_activity shows the archiver's UPDATE and ~25 sessions waiting on a Lock."""
    r = execute(locked, PSQL.format(ACTIVITY))
    assert r.ok and r.kind == "psql.select" and not r.changed
    table = rows(r.output)
    waiting = [row for row in table if row[4] == "Lock"]
    assert 22 <= len(waiting) <= 26
    blocker = [row for row in table if row[1] == "reporting"]
    assert blocker[0][0] == str(blocker_pid(locked))
    assert blocker[0][2] == "nightly-archiver" and blocker[0][3] == "active"
    assert blocker[0][5].startswith("00:10:")
    assert r.output.splitlines()[-1] == f"({len(table)} rows)"


def test_psql_aligned_format(locked):
    """Output is psql's aligned table: centred header, rule, right-aligned numbers."""
    r = execute(locked, PSQL.format("SHOW max_connections"))
    assert r.output == " max_connections \n-----------------\n 200\n(1 row)"
    r = execute(
        locked,
        PSQL.format("SELECT state, count(*) FROM pg_stat_activity GROUP BY state ORDER BY 2 DESC"),
    )
    lines = r.output.splitlines()
    assert lines[0] == " state  | count "
    assert lines[1] == "--------+-------"
    assert lines[2].startswith(" active |    ")
    assert lines[-1] == "(2 rows)"


def test_blocking_pids_name_the_head(locked):
    """pg_blocking_pids points every waiter at the blocker."""
    sql = (
        "SELECT pid, pg_blocking_pids(pid) AS blocked_by FROM pg_stat_activity "
        "WHERE cardinality(pg_blocking_pids(pid)) > 0"
    )
    table = rows(execute(locked, PSQL.format(sql)).output)
    assert len(table) >= 22
    assert {row[1] for row in table} == {f"{{{blocker_pid(locked)}}}"}


def test_classic_blocking_locks_join(locked):
    """The PostgreSQL wiki's blocking-locks query pairs waiters with the blocker."""
    r = execute(
        locked, f"psql -h orders-db -d orders -c '{WIKI_BLOCKING}'".replace("'orders'", "orders")
    )
    assert r.ok, r.output
    header = [c.strip() for c in r.output.splitlines()[0].split("|")]
    assert header[:4] == ["blocked_pid", "blocked_user", "blocking_pid", "blocking_user"]
    table = rows(r.output)
    assert len(table) >= 22
    assert {row[2] for row in table} == {str(blocker_pid(locked))}
    assert {row[3] for row in table} == {"reporting"}


def test_terminating_the_blocker_removes_what_carries_the_fault(locked):
    """Terminating the blocker pid ends its session: nothing carries the lock queue now."""
    from gameday.world.carriers import carried

    pid = blocker_pid(locked)
    fault = locked.world.faults["lock-holder"]
    assert carried(locked.world, fault)
    r = execute(locked, PSQL.format(f"SELECT pg_terminate_backend({pid})"))
    assert r.ok and r.kind == "psql.terminate" and r.changed
    assert r.output == " pg_terminate_backend \n----------------------\n t\n(1 row)"
    assert pid not in {b.pid for b in locked.world.databases["orders-db"].backends}
    assert not carried(locked.world, fault)


def test_terminating_a_waiter_has_no_effect(locked):
    """Terminating a waiting (not blocking) backend ends it; the lock holder stays."""
    from gameday.world.carriers import carried

    waiter = next(
        b.pid for b in locked.world.databases["orders-db"].backends if b.wait_event_type == "Lock"
    )
    r = execute(locked, PSQL.format(f"SELECT pg_terminate_backend({waiter})"))
    assert r.ok and r.changed
    assert carried(locked.world, locked.world.faults["lock-holder"])


def test_cancel_of_the_blocker_also_mitigates(locked):
    """pg_cancel_backend on the blocker aborts its statement and releases the lock."""
    from gameday.world.carriers import carried

    r = execute(locked, PSQL.format(f"SELECT pg_cancel_backend({blocker_pid(locked)})"))
    assert r.kind == "psql.cancel" and r.changed
    assert not carried(locked.world, locked.world.faults["lock-holder"])


def test_unknown_pid_warns_and_returns_false(locked):
    """A pid that is not a backend gives psql's WARNING and 'f'."""
    r = execute(locked, PSQL.format("SELECT pg_terminate_backend(1)"))
    assert r.output.startswith("WARNING:  PID 1 is not a PostgreSQL backend process")
    assert " f" in r.output.splitlines() and not r.changed


def test_interval_filter_and_limit(locked):
    """WHERE now() - query_start > interval, ORDER BY ... DESC and LIMIT work together."""
    sql = (
        "SELECT pid, now() - query_start AS duration FROM pg_stat_activity "
        "WHERE state != 'idle' AND now() - query_start > interval '5 minutes' "
        "ORDER BY duration DESC LIMIT 3"
    )
    table = rows(execute(locked, PSQL.format(sql)).output)
    assert len(table) == 3 and table[0][0] == str(blocker_pid(locked))
    assert table[0][1] >= table[1][1] >= table[2][1]


def test_unsupported_sql_explains(locked):
    """Querying an application table or writing gives a clear 'not simulated' error."""
    r = execute(locked, PSQL.format("SELECT * FROM orders"))
    assert not r.ok and r.output.startswith('ERROR:  relation "orders" is not simulated')
    assert "pg_stat_activity" in r.output
    r = execute(locked, PSQL.format("DELETE FROM pg_stat_activity"))
    assert not r.ok and "Simulated:" in r.output


def test_connection_errors(locked):
    """An unknown host or database fails as psql does."""
    r = execute(locked, 'psql -h nope-db -c "SELECT 1"')
    assert not r.ok and 'could not translate host name "nope-db"' in r.output
    r = execute(locked, 'psql -h orders-db -d shop -c "SELECT 1"')
    assert 'FATAL:  database "shop" does not exist' in r.output


def test_bare_sql_and_expanded(locked):
    """SQL typed on its own runs on the scenario's database; -x prints records."""
    r = execute(locked, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    assert r.ok and int(rows(r.output)[0][0]) >= 22
    r = execute(
        locked,
        f'psql -h orders-db -x -c "SELECT pid, usename FROM pg_stat_activity '
        f'WHERE pid = {blocker_pid(locked)}"',
    )
    assert r.output.splitlines()[0].startswith("-[ RECORD 1 ]")
    assert "usename | reporting" in r.output
