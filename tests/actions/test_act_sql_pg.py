"""psql answers what PostgreSQL 15 answers: NULL logic, ANY/ALL, positions, grouping.

Each expected answer below was checked against a real PostgreSQL 15 server (the same
query, or one of the same shape over its own pg_stat_activity); the tests need no
server. Every query runs through both the reference evaluator and the compiled
closures, which must agree.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlglot

from gameday.tools import execute
from gameday.tools.pgstat import build_view
from gameday.tools.sql_compile import reference
from gameday.tools.sql_eval import Evaluator, SqlError
from gameday.tools.sql_query import Plan, _sorted, columns_read, run_select

PSQL = 'psql -h orders-db -U postgres -d orders -c "{}"'


def _run(ctx: Any, sql: str, plan: Plan, calls: list[int]) -> Any:
    db = next(iter(ctx.world.databases.values()))
    view = build_view(db, ctx, "postgres", sql, columns_read(sql))
    ev = Evaluator(view, lambda pid, cancel: calls.append(pid) or True)
    try:
        result = run_select(sqlglot.parse_one(sql, read="postgres"), ev, plan)
    except SqlError as exc:
        return f"ERROR:  {exc}"
    return result.rows


def answer(ctx: Any, sql: str) -> Any:
    """The rows of ``sql`` (or its ``ERROR:  ...``), the same by both paths."""
    want = _run(ctx, sql, Plan(reference), [])
    assert _run(ctx, sql, Plan(), []) == want, sql
    return want


def count(ctx: Any, where: str) -> int:
    """How many pg_stat_activity rows ``where`` keeps."""
    rows = answer(ctx, f"SELECT count(*) FROM pg_stat_activity WHERE {where}")
    assert isinstance(rows, list), rows
    return int(rows[0][0])


# -- 1. three-valued logic ----------------------------------------------------------------


def test_and_or_not_with_null(locked):
    """NULL AND false is false, NULL OR true is true, NOT NULL is NULL, the rest unknown."""
    sql = (
        "SELECT NULL AND false AS a, NULL AND true AS b, NULL OR true AS c, NULL OR false AS d,"
        " NOT NULL AS e, false AND NULL AS f, true OR NULL AS g"
    )
    assert answer(locked, sql) == [[False, None, True, None, None, False, True]]


def test_where_keeps_only_true_rows(locked):
    """WHERE drops rows whose condition is NULL, and NOT of NULL stays NULL."""
    every = count(locked, "true")
    assert every > 20
    assert count(locked, "NULL OR pid > 0") == every
    assert count(locked, "NULL AND pid > 0") == 0
    assert count(locked, "NOT (NULL AND pid > 0)") == 0  # NOT NULL
    assert count(locked, "NOT (NULL AND pid < 0)") == every  # NOT false
    assert count(locked, "NOT (pid < 0 OR NULL)") == 0
    # wait_event = 'x' is false or NULL, OR NULL makes it NULL, NOT keeps it NULL
    idle = count(locked, "state = 'idle'")
    assert idle > 0
    assert count(locked, "state = 'idle' AND NOT (wait_event = 'x' OR NULL)") == 0
    assert count(locked, "state = 'idle' AND (wait_event = 'x' OR true)") == idle


@pytest.mark.parametrize(
    ("sql", "error"),
    [
        ("SELECT NULL AND 1", "argument of AND must be type boolean, not type integer"),
        ("SELECT 1.5 OR true", "argument of OR must be type boolean, not type numeric"),
        (
            "SELECT NOT now()",
            "argument of NOT must be type boolean, not type timestamp with time zone",
        ),
        (
            "SELECT pid FROM pg_stat_activity WHERE now() - query_start",
            "argument of WHERE must be type boolean, not type interval",
        ),
        (
            "SELECT pg_blocking_pids(pid) AND true FROM pg_stat_activity",
            "argument of AND must be type boolean, not type integer[]",
        ),
        (
            "SELECT CASE WHEN 1 THEN 2 END",
            "argument of CASE/WHEN must be type boolean, not type integer",
        ),
        ("SELECT 'x' AND true", 'invalid input syntax for type boolean: "x"'),
        (
            "SELECT pid FROM pg_stat_activity WHERE 'x'",
            'invalid input syntax for type boolean: "x"',
        ),
    ],
)
def test_conditions_must_be_boolean(locked, sql, error):
    """A condition that is no boolean is an error (was: Python's truthiness)."""
    assert answer(locked, sql) == f"ERROR:  {error}"


def test_text_conditions_read_as_boolean_literals(locked):
    """'yes', 'off', 'T' are boolean literals; an AND column is named ?column?."""
    sql = "SELECT 'yes' AND true, NOT 'off', 'T' OR false"
    assert answer(locked, sql) == [[True, True, True]]
    r = execute(locked, PSQL.format("SELECT true AND NULL"))
    assert r.output.splitlines()[0].strip() == "?column?"
    assert count(locked, "NULL") == 0


# -- 2. ANY / ALL --------------------------------------------------------------------------


def test_any_all_compare_with_the_operator(locked):
    """``>`` ANY/ALL compares with ``>``, not membership; NULLs as PostgreSQL treats them."""
    sql = (
        "SELECT 5 > ANY(ARRAY[1,9]) a, 5 > ALL(ARRAY[1,9]) b, 5 > ANY(ARRAY[NULL,1]) c,"
        " 5 > ANY(ARRAY[NULL,9]) d, 5 > ALL(ARRAY[NULL,1]) e, 5 > ALL(ARRAY[NULL,9]) f,"
        " NULL = ANY(ARRAY[1]) g, 1 = ANY('{}'::int[]) h, 1 = ALL('{}'::int[]) i,"
        " NULL = ANY('{}'::int[]) j, 1 = ANY(NULL::int[]) k"
    )
    want = [[True, False, True, None, None, False, None, False, True, False, None]]
    assert answer(locked, sql) == want
    sql = (
        "SELECT 5 <> ALL(ARRAY[1,2]) a, 5 = ANY('{1,5}') b, 5 = ANY('{1,NULL}') c,"
        " 5 = ANY('{5,NULL}') d, 'a' = ANY(ARRAY['a','b']) e, 'c' < ALL(ARRAY['d','e']) f,"
        " 5 = SOME(ARRAY[5]) g"
    )
    assert answer(locked, sql) == [[True, True, None, True, True, True, True]]


def test_any_all_over_rows(locked):
    """pid > ANY/ALL of an array with a NULL: ANY is true, ALL unknown (the row dropped)."""
    every = count(locked, "true")
    assert count(locked, "pid > ANY(ARRAY[0, NULL])") == every
    assert count(locked, "pid > ALL(ARRAY[0, NULL])") == 0
    assert count(locked, "pid > ALL(ARRAY[0])") == every
    assert count(locked, "NOT (pid = ANY(ARRAY[NULL::int]))") == 0
    waiters = count(locked, "cardinality(pg_blocking_pids(pid)) > 0")
    assert waiters > 20
    # the pool connected days ago, the reporting job minutes ago: its pid is the larger
    assert count(locked, "pid < ANY(pg_blocking_pids(pid))") == waiters
    assert count(locked, "pid > ANY(pg_blocking_pids(pid))") == 0
    assert count(locked, "pid <> ALL(pg_blocking_pids(pid))") == every


def test_in_with_null(locked):
    """x IN (list) is NULL when no element matches and one is NULL; NOT IN too."""
    sql = "SELECT 1 IN (2, NULL) a, 1 NOT IN (2, NULL) b, NULL IN (1) c, 1 IN (1, NULL) d"
    assert answer(locked, sql) == [[None, None, None, True]]
    assert count(locked, "pid NOT IN (1, NULL)") == 0
    assert count(locked, "pid NOT IN (1, 2)") == count(locked, "true")


def test_any_needs_an_array(locked):
    """A scalar on the right of ANY is PostgreSQL's error; a subquery is not simulated."""
    assert answer(locked, "SELECT 1 = ANY(1)") == (
        "ERROR:  op ANY/ALL (array) requires array on right side"
    )
    assert "subqueries are not simulated" in answer(locked, "SELECT 1 = ANY(SELECT 1)")
    assert answer(locked, "SELECT 'x'::int[]") == 'ERROR:  malformed array literal: "x"'


# -- 3. GROUP BY / ORDER BY positions ------------------------------------------------------


def test_group_by_position(locked):
    """GROUP BY 1 groups on the first output column, as GROUP BY state does."""
    by_name = answer(locked, "SELECT state, count(*) FROM pg_stat_activity GROUP BY state")
    by_pos = answer(locked, "SELECT state, count(*) FROM pg_stat_activity GROUP BY 1")
    assert sorted(by_pos) == sorted(by_name) and len(by_pos) == 2


@pytest.mark.parametrize(
    ("clause", "error"),
    [
        ("GROUP BY 0", "GROUP BY position 0 is not in select list"),
        ("GROUP BY 3", "GROUP BY position 3 is not in select list"),
        ("GROUP BY -1", "GROUP BY position -1 is not in select list"),
        ("GROUP BY (3)", "GROUP BY position 3 is not in select list"),
        ("GROUP BY 1.5", "non-integer constant in GROUP BY"),
        ("GROUP BY 'x'", "non-integer constant in GROUP BY"),
        ("GROUP BY NULL", "non-integer constant in GROUP BY"),
        ("GROUP BY 2", "aggregate functions are not allowed in GROUP BY"),
        ("GROUP BY 1 ORDER BY 5", "ORDER BY position 5 is not in select list"),
        ("GROUP BY 1 ORDER BY 0", "ORDER BY position 0 is not in select list"),
        ("GROUP BY 1 ORDER BY -(2)", "ORDER BY position -2 is not in select list"),
        ("GROUP BY 1 ORDER BY 1.5", "non-integer constant in ORDER BY"),
        ("GROUP BY 1 ORDER BY 'x'", "non-integer constant in ORDER BY"),
        ("GROUP BY 1 ORDER BY true", "non-integer constant in ORDER BY"),
    ],
)
def test_bad_positions_are_errors(locked, clause, error):
    """Positions out of range and constants that are no position, as PostgreSQL says."""
    sql = f"SELECT state, count(*) FROM pg_stat_activity {clause}"
    assert answer(locked, sql) == f"ERROR:  {error}"


def test_order_by_position_forms(locked):
    """ORDER BY (1) is position 1; 1 + 1 is a constant expression (no order).

    (PostgreSQL takes ``+2`` as an expression too, but sqlglot drops the ``+``.)
    """
    plain = answer(locked, "SELECT pid FROM pg_stat_activity")
    assert answer(locked, "SELECT pid FROM pg_stat_activity ORDER BY (1) DESC") == sorted(
        plain, reverse=True
    )
    assert answer(locked, "SELECT pid FROM pg_stat_activity ORDER BY 1 + 1") == plain


def test_positions_are_checked_before_where_runs(locked):
    """A bad position fails the statement before WHERE terminates anyone."""
    calls: list[int] = []
    sql = "SELECT pid FROM pg_stat_activity WHERE pg_terminate_backend(pid) ORDER BY 2"
    assert _run(locked, sql, Plan(), calls) == "ERROR:  ORDER BY position 2 is not in select list"
    assert calls == []


# -- 4. columns beside aggregates ----------------------------------------------------------

_NOT_GROUPED = (
    'ERROR:  column "{}" must appear in the GROUP BY clause or be used in an aggregate function'
)


@pytest.mark.parametrize(
    ("sql", "column"),
    [
        ("SELECT pid, count(*) FROM pg_stat_activity", "pg_stat_activity.pid"),
        ("SELECT pid, count(*) FROM pg_stat_activity WHERE false", "pg_stat_activity.pid"),
        ("SELECT a.pid, count(*) FROM pg_stat_activity a", "a.pid"),
        (
            "SELECT pid, state, count(*) FROM pg_stat_activity GROUP BY state",
            "pg_stat_activity.pid",
        ),
        ("SELECT count(*) FROM pg_stat_activity ORDER BY pid", "pg_stat_activity.pid"),
        ("SELECT count(*) FROM pg_stat_activity HAVING pid > 1", "pg_stat_activity.pid"),
        ("SELECT pid FROM pg_stat_activity HAVING true", "pg_stat_activity.pid"),
    ],
)
def test_bare_column_beside_aggregate_is_an_error(locked, sql, column):
    """A column neither grouped nor aggregated fails the query, whatever the rows."""
    assert answer(locked, sql) == _NOT_GROUPED.format(column)


def test_grouped_columns_and_expressions_are_fine(locked):
    """Grouped columns, expressions over them and grouped expressions are allowed."""
    rows = answer(locked, "SELECT upper(state), count(*) FROM pg_stat_activity GROUP BY state")
    assert sorted(r[0] for r in rows) == ["ACTIVE", "IDLE"]
    sql = "SELECT state, count(*) AS n FROM pg_stat_activity GROUP BY state ORDER BY n DESC, state"
    assert [r[0] for r in answer(locked, sql)] == ["active", "idle"]
    sql = (
        "SELECT now() - query_start AS d, count(*) FROM pg_stat_activity"
        " GROUP BY now() - query_start ORDER BY 1 LIMIT 1"
    )
    assert isinstance(answer(locked, sql), list)
    assert len(answer(locked, "SELECT a.pid FROM pg_stat_activity a GROUP BY pid")) > 20
    assert answer(locked, "SELECT count(*) FROM pg_stat_activity WHERE false") == [[0]]


def test_missing_column_is_reported_before_grouping(locked):
    """PostgreSQL names the missing column, not the grouping, first."""
    assert answer(locked, "SELECT nope, count(*) FROM pg_stat_activity") == (
        'ERROR:  column "nope" does not exist'
    )


# -- 5. ORDER BY with side effects ---------------------------------------------------------


def test_order_by_cancel_calls_once_per_row(locked):
    """ORDER BY pg_cancel_backend(pid) cancels each row's backend once."""
    for plan in (Plan(reference), Plan()):
        calls: list[int] = []
        sql = "SELECT pid FROM pg_stat_activity WHERE state = 'active' ORDER BY pg_cancel_backend(pid)"
        rows = _run(locked, sql, plan, calls)
        assert len(rows) > 20
        assert sorted(calls) == sorted(r[0] for r in rows)


# -- 6. sorting mixed types ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "error"),
    [
        (
            "CASE WHEN pid < 19300 THEN pid::text ELSE pid END",
            "CASE types integer and text cannot be matched",
        ),
        (
            "CASE WHEN pid < 19300 THEN pid ELSE pid::text END",
            "CASE types text and integer cannot be matched",
        ),
        ("coalesce(backend_xid::text, pid)", "COALESCE types text and integer cannot be matched"),
        (
            "CASE WHEN pid < 19300 THEN pid ELSE 'x' END",
            'invalid input syntax for type integer: "x"',
        ),
    ],
)
def test_mixed_types_are_not_sorted_as_text(locked, order, error):
    """A key that mixes integer and text is PostgreSQL's error, not a text sort."""
    sql = f"SELECT pid FROM pg_stat_activity ORDER BY {order}"
    assert answer(locked, sql) == f"ERROR:  {error}"


def test_mixed_keys_without_case_are_no_operator():
    """Keys of two types from elsewhere: PostgreSQL's missing-operator error and hint."""
    rows = [([v], {}, None) for v in (10, "9", None)]
    with pytest.raises(SqlError) as err:
        _sorted(rows, lambda r: r[0][0], False, False)
    assert str(err.value) == (
        "operator does not exist: integer > text\nHINT:  No operator matches the given name"
        " and argument types. You might need to add explicit type casts."
    )


def test_arrays_sort_element_by_element():
    """{9} before {10} (not as text), a NULL element after any value, a prefix first."""
    values = [[10], [9], [9, 1], [None], [1, None]]
    rows = [([v], {}, None) for v in values]
    got = [r[0][0] for r in _sorted(rows, lambda r: r[0][0], False, False)]
    assert got == [[1, None], [9], [9, 1], [10], [None]]


# -- 7. modulo -----------------------------------------------------------------------------


def test_modulo(locked):
    """Integer % keeps the dividend's sign; numeric % too; / truncates toward zero."""
    sql = "SELECT 7 % 3 a, -7 % 3 b, 7 % -3 c, 5.5 % 2 d, NULL % 2 e, -7 / 2 f, 7 / -2 g"
    assert answer(locked, sql) == [[1, -1, 1, 1.5, None, -3, -3]]
    assert answer(locked, "SELECT 2 + 3 % 2 * 4 a, (2 + 3) % 2 b") == [[6, 1]]
    assert answer(locked, "SELECT -7.5 % 2") == [[-1.5]]
    rows = answer(locked, "SELECT pid % 2, count(*) FROM pg_stat_activity GROUP BY 1 ORDER BY 1")
    assert [r[0] for r in rows] == [0, 1]


def test_modulo_errors(locked):
    """Division by zero, and no % for an interval, as PostgreSQL says."""
    assert answer(locked, "SELECT 7 % 0") == "ERROR:  division by zero"
    assert answer(locked, "SELECT 7.5 % 0") == "ERROR:  division by zero"
    assert answer(locked, "SELECT interval '5 min' % 2") == (
        "ERROR:  operator does not exist: interval % integer\nHINT:  No operator matches the"
        " given name and argument types. You might need to add explicit type casts."
    )


def test_psql_prints_the_errors(locked):
    """The psql command prints these errors as psql does, ``ERROR:  `` first."""
    r = execute(locked, PSQL.format("SELECT pid, count(*) FROM pg_stat_activity"))
    assert not r.ok
    assert r.output == _NOT_GROUPED.format("pg_stat_activity.pid")
    r = execute(locked, PSQL.format("SELECT state FROM pg_stat_activity ORDER BY 5"))
    assert r.output == "ERROR:  ORDER BY position 5 is not in select list"
