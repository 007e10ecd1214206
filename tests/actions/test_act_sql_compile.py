"""The compiled SQL path agrees with the reference one (Evaluator.eval, a comparison sort).

psql's queries run through closures compiled once per statement, ORDER BY keys read once
per row and views built with only the columns a query names; these tests hold each of
those to the slower path it replaced, on the runbooks' queries and on odd ones (NULLs,
mixed types, errors).
"""

from __future__ import annotations

import functools
import random
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gameday.tools.output import Interval
from gameday.tools.pgstat import ACTIVITY_COLUMNS, build_view
from gameday.tools.sql_compile import compile_expr, reference
from gameday.tools.sql_eval import Evaluator, SqlError, pg_type
from gameday.tools.sql_query import (
    Plan,
    _compare,
    _parse,
    _sorted,
    columns_read,
    run_select,
)
from gameday.tools.sql_sources import source_rows

RUNBOOK_QUERIES = [
    "SELECT pid, usename, application_name, state, wait_event_type, now() - query_start AS "
    "duration, left(query, 60) AS query FROM pg_stat_activity WHERE datname = 'orders' "
    "ORDER BY query_start",
    "SELECT pid, pg_blocking_pids(pid) AS blocked_by, left(query, 60) AS query FROM "
    "pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0",
    "SELECT state, count(*) FROM pg_stat_activity WHERE datname = 'orders' GROUP BY state",
    "SELECT pid, now() - pg_stat_activity.query_start AS duration, query FROM pg_stat_activity "
    "WHERE (now() - pg_stat_activity.query_start) > interval '5 minutes'",
    "SELECT blocked_locks.pid AS blocked_pid, blocking_locks.pid AS blocking_pid, "
    "blocking_activity.usename, blocked_activity.query FROM pg_catalog.pg_locks blocked_locks "
    "JOIN pg_catalog.pg_stat_activity blocked_activity ON blocked_activity.pid = "
    "blocked_locks.pid JOIN pg_catalog.pg_locks blocking_locks ON blocking_locks.locktype = "
    "blocked_locks.locktype AND blocking_locks.transactionid IS NOT DISTINCT FROM "
    "blocked_locks.transactionid AND blocking_locks.pid != blocked_locks.pid JOIN "
    "pg_catalog.pg_stat_activity blocking_activity ON blocking_activity.pid = "
    "blocking_locks.pid WHERE NOT blocked_locks.granted",
    "SELECT a.pid AS waiting, b.pid AS blocking, b.usename FROM pg_stat_activity a JOIN "
    "pg_stat_activity b ON b.pid = ANY(pg_blocking_pids(a.pid)) ORDER BY 1",
]
ODD_QUERIES = [
    "SELECT * FROM pg_stat_activity ORDER BY xact_start DESC, pid",
    "SELECT pid, xact_start FROM pg_stat_activity ORDER BY xact_start NULLS FIRST, pid DESC",
    "SELECT pid, wait_event FROM pg_stat_activity ORDER BY wait_event DESC NULLS LAST, 1",
    "SELECT pid, backend_xid FROM pg_stat_activity ORDER BY coalesce(backend_xid, 'x'), pid",
    "SELECT pid, CASE WHEN pid < 19300 THEN pid::text ELSE pid END AS e FROM pg_stat_activity"
    " ORDER BY e, pid",
    "SELECT pid, 'nan'::float AS f FROM pg_stat_activity ORDER BY f, pid",
    "SELECT usename, max(now() - xact_start) AS longest FROM pg_stat_activity WHERE xact_start"
    " IS NOT NULL GROUP BY usename ORDER BY longest DESC",
    "SELECT usename, count(*) AS n FROM pg_stat_activity GROUP BY 1 HAVING count(*) > 1"
    " ORDER BY n DESC, usename",
    "SELECT DISTINCT state, wait_event_type FROM pg_stat_activity ORDER BY 1, 2 LIMIT 3 OFFSET 1",
    "SELECT pid FROM pg_stat_activity WHERE NOT (state = 'active' AND wait_event_type = 'Lock')",
    "SELECT pid FROM pg_stat_activity WHERE wait_event_type IS DISTINCT FROM 'Lock'",
    "SELECT pid FROM pg_stat_activity WHERE state IN ('active', 'idle') AND pid BETWEEN 1 AND 99999",
    "SELECT pid, relation::regclass, mode FROM pg_locks WHERE relation IS NOT NULL",
    "SELECT l.pid, l.mode, a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " ORDER BY state, pid",
    "SELECT pid FROM pg_stat_activity WHERE pid > 'abc'",
    "SELECT pid FROM pg_stat_activity ORDER BY query > 5",
    "SELECT pid FROM pg_stat_activity ORDER BY state::interval",
    "SELECT pid FROM pg_stat_activity ORDER BY 99",
    "SELECT x.pid FROM pg_stat_activity",
    "SELECT datname, count(*) FROM pg_stat_activity WHERE false",
]


def _view(ctx: Any, sql: str, columns: frozenset[str] | None = None) -> Any:
    db = next(iter(ctx.world.databases.values()))
    return build_view(db, ctx, "postgres", sql, columns)


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except (SqlError, TypeError, ValueError, ArithmeticError, IndexError, KeyError) as exc:
        return type(exc).__name__, str(exc)


def _select(ctx: Any, sql: str, plan: Plan, columns: frozenset[str] | None) -> Any:
    calls: list[tuple[int, bool]] = []
    ev = Evaluator(
        _view(ctx, sql, columns), lambda pid, cancel: calls.append((pid, cancel)) or True
    )
    tree = sqlglot.parse_one(sql, read="postgres")
    result = _outcome(lambda: run_select(tree, ev, plan))
    return repr(result if result[0] != "ok" else (result[1].columns, result[1].rows, calls))


@pytest.mark.parametrize("sql", RUNBOOK_QUERIES + ODD_QUERIES)
def test_compiled_select_agrees_with_reference(locked, sql):
    """Compiled, on a view with only the columns named, equals the reference on a full view."""
    want = _select(locked, sql, Plan(reference), None)
    plan = Plan()
    assert _select(locked, sql, plan, columns_read(sql)) == want
    assert _select(locked, sql, plan, columns_read(sql)) == want  # the plan, run again


def test_runbook_queries_return_rows(locked):
    """The comparison above is not vacuous: the runbooks' queries find the waiters."""
    for sql in RUNBOOK_QUERIES:
        tree, plan = _parse(sql)
        result = run_select(tree, Evaluator(_view(locked, sql), lambda pid, cancel: True), plan)
        assert result.columns and result.rows, sql


EXPRESSIONS = [
    "pid",
    "a.pid",
    "b.pid",
    "nope",
    "a.nope",
    "now() - query_start",
    "left(query, 10)",
    "pg_blocking_pids(pid)",
    "cardinality(pg_blocking_pids(pid))",
    "state = 'active'",
    "wait_event_type = 'Lock'",
    "xact_start",
    "backend_xid",
    "pid > 'abc'",
    "query_start > 'abc'",
    "now() - query_start > '5 minutes'",
    "now() - query_start > 300",
    "pid::text",
    "backend_xid::text",
    "state::interval",
    "1.5",
    "'x'",
    "NULL",
    "TRUE",
    "-pid",
    "pid / 7",
    "pid = ANY(pg_blocking_pids(pid))",
    "18000 = ANY(pg_blocking_pids(pid))",
    "query LIKE '%UPDATE%'",
    "usename ILIKE 'REP%'",
    "coalesce(backend_xid, pid)",
    "1 = 1",
    "pid > ANY(pg_blocking_pids(pid))",
    "pid <> ALL(ARRAY[pid, NULL])",
    "pid = ANY('{19081,NULL}')",
    "backend_xid = SOME(ARRAY[1, 2])",
    "pid % 7",
    "pid % 0",
    "NULL AND pid > 0",
    "backend_xid > 0 OR NULL",
]


def _combined() -> list[str]:
    """Each leaf alone, negated and NULL-tested; pairs of them under AND, OR and operators."""
    rng = random.Random(5)
    out = []
    for a in EXPRESSIONS:
        out += [a, f"NOT ({a})", f"({a}) IS NULL", f"({a}) IS NOT NULL"]
        for b in rng.sample(EXPRESSIONS, 4):
            out += [f"({a}) AND ({b})", f"({a}) OR ({b})", f"({a}) {rng.choice(_OPS)} ({b})"]
    return out


_OPS = ["=", "<>", "<", ">=", "+", "-", "*", "%"]


def _agree(ev: Evaluator, envs: list[Any], text: str) -> None:
    e = sqlglot.parse_one(f"SELECT {text}", read="postgres").expressions[0]
    fn = compile_expr(e)
    for env in envs:
        got = _outcome(lambda env=env: fn(ev, env, None))
        assert repr(got) == repr(_outcome(lambda env=env: ev.eval(e, env))), (text, env)


def test_compiled_expressions_agree_with_eval(locked_view):
    """Every row: the closure returns what Evaluator.eval returns, or raises what it raises."""
    for text in _combined():
        _agree(*locked_view, text)


_LEAVES = st.sampled_from(EXPRESSIONS)
_TREES = st.recursive(
    _LEAVES,
    lambda sub: st.one_of(
        st.builds("({}) AND ({})".format, sub, sub),
        st.builds("({}) OR ({})".format, sub, sub),
        st.builds("NOT ({})".format, sub),
        st.builds("({}) IS NOT NULL".format, sub),
        st.builds("({}) {} ({})".format, sub, st.sampled_from(_OPS), sub),
    ),
    max_leaves=6,
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_TREES)
def test_nested_expressions_agree_with_eval(locked_view, text):
    """Random nestings of the same: compiled and walked agree on every row."""
    _agree(*locked_view, text)


@pytest.fixture
def locked_view(locked):
    """An evaluator over the locked database, and pairs of waiter and blocker rows."""
    sql = "SELECT * FROM pg_stat_activity a JOIN pg_stat_activity b ON a.pid = b.pid"
    ev = Evaluator(_view(locked, sql), lambda pid, cancel: True)
    envs = source_rows(sqlglot.parse_one(sql, read="postgres"), ev.view)
    envs += [{"a": row} for row in ev.view.activity]  # single-table rows, NULLs in b's place
    return ev, envs[:12] + envs[-12:]


_VALUES = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.sampled_from([0.5, -1.25, float("nan"), True, False]),
    st.sampled_from(["a", "B", "10", "", "{1,2}"]),
    st.builds(Interval, st.integers(-100, 100)),
    st.builds(lambda s: datetime.fromtimestamp(s, tz=UTC), st.integers(0, 10**6)),
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_VALUES, max_size=12), desc=st.booleans(), nulls_first=st.booleans())
def test_sort_agrees_with_comparison_sort(values, desc, nulls_first):
    """Keys read once sort rows as the comparison sort does, NULLs and NaN too; keys of
    types PostgreSQL never sorts together (integer and text ...) are an error, never
    compared as text."""
    rows = [([v], {}, None) for v in values]
    kinds = {"number" if pg_type(v) in {"integer", "numeric"} else pg_type(v) for v in values}
    if len(kinds - {"unknown"}) > 1 and len(values) > 1:
        with pytest.raises(SqlError, match="operator does not exist"):
            _sorted(rows, lambda r: r[0][0], desc, nulls_first)
        return

    def cmp(a: Any, b: Any) -> int:
        return _compare(a[0][0], b[0][0], desc, nulls_first)

    want = sorted(rows, key=functools.cmp_to_key(cmp))
    got = _sorted(rows, lambda r: r[0][0], desc, nulls_first)
    assert [id(r) for r in got] == [id(r) for r in want]


def test_sort_raises_the_error_a_comparison_sort_meets_first():
    """A key that fails on some rows fails on the same row as the comparison sort did."""
    rng = random.Random(3)
    for _ in range(200):
        rows = [([rng.randrange(8)], {}, None) for _ in range(rng.randrange(2, 9))]

        def value(r: Any) -> int:
            if r[0][0] >= 6:
                raise SqlError(f"bad {r[0][0]}")
            return r[0][0]

        def ids(rows: list[Any]) -> list[int]:
            return [id(r) for r in rows]

        def ref(rows: list[Any] = rows, value: Any = value) -> list[int]:
            return ids(sorted(rows, key=functools.cmp_to_key(_by(value))))

        def new(rows: list[Any] = rows, value: Any = value) -> list[int]:
            return ids(_sorted(rows, value, False, False))

        assert _outcome(new) == _outcome(ref)


def _by(value: Any) -> Any:
    return lambda a, b: _compare(value(a), value(b), False, False)


def test_backend_calls_in_order_by_are_made_once_per_row(locked):
    """ORDER BY pg_terminate_backend(pid) terminates each row's backend once, as in
    PostgreSQL (sort keys are computed once per row, not per comparison)."""
    sql = "SELECT pid FROM pg_stat_activity WHERE usename = 'reporting' OR pid < 19200 " + (
        "ORDER BY pg_terminate_backend(pid)"
    )
    ref = _select(locked, sql, Plan(reference), None)
    assert _select(locked, sql, Plan(), columns_read(sql)) == ref
    tree = sqlglot.parse_one(sql, read="postgres")
    calls: list[int] = []
    ev = Evaluator(_view(locked, sql), lambda pid, cancel: calls.append(pid) or True)
    rows = run_select(tree, ev, Plan()).rows
    assert len(rows) > 1
    assert sorted(calls) == sorted(r[0] for r in rows)  # one call per row


def test_columns_read():
    """Only the columns named are built; ``*`` (not count(*)) wants them all."""
    assert columns_read("SELECT state, count(*) FROM pg_stat_activity") == {"pid", "state"}
    assert columns_read("SELECT a.* FROM pg_stat_activity a") is None
    assert columns_read("SELECT pg_terminate_backend(42)") == {"pid"}
    assert columns_read("SHOW work_mem; SELECT usename FROM x; SELECT 'a") == {"pid", "usename"}


def test_view_rows_with_some_columns_equal_the_full_rows(locked):
    """A view built for some columns has the full view's values in exactly those columns."""
    full = _view(locked, "SELECT 1")
    some = frozenset({"pid", "query_start", "xact_start", "usename", "backend_xid"})
    part = _view(locked, "SELECT 1", some)
    assert len(part.activity) == len(full.activity) > 20
    for a, b in zip(part.activity, full.activity, strict=True):
        assert a == {c: b[c] for c in ACTIVITY_COLUMNS if c in some}
    assert part.locks == full.locks


def test_terminate_builds_no_rows(locked):
    """``SELECT pg_terminate_backend(n)`` reads no view, so none is built."""
    sql = "SELECT pg_terminate_backend(1)"
    ev = Evaluator(_view(locked, sql, columns_read(sql)), lambda pid, cancel: False)
    tree, plan = _parse(sql)
    assert run_select(tree, ev, plan).rows == [[False]]
    assert "activity" not in vars(ev.view) and "locks" not in vars(ev.view)


def test_cached_tree_is_not_changed_by_running(locked):
    """The parse cache hands out its tree uncopied, so running must leave it as it was."""
    for sql in RUNBOOK_QUERIES + ODD_QUERIES:
        tree, plan = _parse(sql)
        before = repr(tree)
        ev = Evaluator(_view(locked, sql), lambda pid, cancel: True)
        _outcome(lambda tree=tree, plan=plan, ev=ev: run_select(tree, ev, plan))
        assert repr(tree) == before
