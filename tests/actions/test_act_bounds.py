"""Bounded work in a session: real tools' messages for bad values, budgets, nesting, LIKE."""

from __future__ import annotations

import time

import pytest

from gameday.tools import budget, execute

STACK = (
    "ERROR:  stack depth limit exceeded\n"
    'HINT:  Increase the configuration parameter "max_stack_depth" (currently 2048kB), '
    "after ensuring the platform's stack depth limit is adequate."
)
LOGS = "kubectl logs -l app=orders -n shop"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            f"{LOGS} --since=abc",
            'error: invalid argument "abc" for "--since" flag: time: invalid duration "abc"',
        ),
        (f"{LOGS} --since=-5m", "error: --since must be greater than 0"),
        (
            f"{LOGS} --since 1d",
            'error: invalid argument "1d" for "--since" flag: time: unknown unit "d" in duration "1d"',
        ),
        (
            f"{LOGS} --since=5",
            'error: invalid argument "5" for "--since" flag: time: missing unit in duration "5"',
        ),
        (f"{LOGS} --tail=-5", "error: --tail must be greater than or equal to -1"),
        (
            f"{LOGS} --tail=x",
            'error: invalid argument "x" for "--tail" flag: strconv.ParseInt: parsing "x": invalid syntax',
        ),
        ("kubectl get pods -n shop | grep -A x orders", "grep: x: invalid context length argument"),
        (
            'silence alertname=X --duration soon --comment "c"',
            'amtool: error: not a valid duration string: "soon"',
        ),
        (
            'silence alertname=X --duration 0s --comment "c"',
            "amtool: error: silence duration must be greater than 0",
        ),
        (
            'silence alertname=X --duration 300y --comment "c"',
            'amtool: error: not a valid duration string: "300y"',
        ),
        ("SELECT 'a' LIKE 'a\\'", "ERROR:  LIKE pattern must not end with escape character"),
    ],
)
def test_bad_values_answer_like_the_real_tool(locked, command: str, message: str) -> None:
    """kubectl, grep, amtool and psql refusals in their own words; the session goes on."""
    r = execute(locked, command)
    assert (r.ok, r.output) == (False, message)
    assert execute(locked, "kubectl get pods -n shop").ok


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT " + "(" * 3000 + "1" + ")" * 3000,
        "SELECT " + "1+" * 5000 + "1",
        "SELECT " + "NOT " * 3000 + "true",
        "SELECT pid FROM pg_stat_activity WHERE " + "(" * 2000 + "true" + ")" * 2000,
    ],
)
def test_deep_sql_is_refused_as_postgres_does(locked, sql: str) -> None:
    """SQL nested past the parser's depth answers with PostgreSQL's stack depth error."""
    assert execute(locked, sql).output == STACK
    assert execute(locked, f'psql -h orders-db -U postgres -d orders -c "{sql}"').output == STACK


def test_like_is_linear_and_reads_escapes(locked) -> None:
    """``'%%%...%ZZZ'`` returns at once; ``\\%`` is a literal percent sign."""
    t0 = time.perf_counter()
    r = execute(locked, "SELECT repeat_me LIKE '" + "%" * 5000 + "ZZZ' FROM (SELECT 'x') t")
    hostile = execute(
        locked, "SELECT query LIKE '" + "%_" * 3000 + "ZZZ' AS m FROM pg_stat_activity"
    )
    assert time.perf_counter() - t0 < 2.0
    assert hostile.ok and " t\n" not in hostile.output, r.output
    ok = execute(
        locked, "SELECT '50%' LIKE '50\\%' AS a, '500' LIKE '50\\%' AS b, 'ABC' ILIKE 'a_c' AS c"
    )
    assert ok.output.splitlines()[2].split() == ["t", "|", "f", "|", "t"]


def test_huge_tail_is_bounded_by_the_log_file(locked) -> None:
    """``--tail=99999999999`` returns the newest lines of the (rotated) log, quickly."""
    t0 = time.perf_counter()
    r = execute(locked, "kubectl logs deploy/orders -n shop --tail=99999999999 | wc -l")
    found, count = r.output.splitlines()  # kubectl's "Found 3 pods" is on stderr: uncounted
    assert found.startswith("Found 3 pods") and r.ok and 0 < int(count) <= 5000
    assert time.perf_counter() - t0 < budget.CPU_SECONDS + 1


def test_over_budget_commands_answer_like_a_timeout(locked, monkeypatch) -> None:
    """Out of CPU budget: psql's statement timeout, kubectl's server timeout; then on as usual."""
    monkeypatch.setattr(budget, "CPU_SECONDS", -1.0)
    sql = execute(locked, "SELECT pid FROM pg_stat_activity")
    assert (sql.ok, sql.output) == (False, "ERROR:  canceling statement due to statement timeout")
    logs = execute(locked, "kubectl logs deploy/orders -n shop --tail=5")
    assert logs.output.startswith("Error from server (Timeout): the server was unable to return")
    grep = execute(locked, "kubectl get pods -n shop | grep orders")
    assert not grep.ok
    monkeypatch.setattr(budget, "CPU_SECONDS", 2.0)
    assert execute(locked, "SELECT pid FROM pg_stat_activity").ok
