"""Running a responder's SQL against the simulated ``pg_stat_activity`` and ``pg_locks``.

sqlglot parses the statement; this module picks the rows (one view, or a join of the
views, which is how the classic blocking-locks queries are written), filters, groups,
projects, orders and limits them. A join is answered as blocked/blocking pairs: each
table alias is worked out to stand for the waiting or the blocking side.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError

from gameday.tools.budget import check
from gameday.tools.output import Interval, pg_text
from gameday.tools.sql_checks import check_grouping, group_keys, position
from gameday.tools.sql_compile import Fn, compile_expr
from gameday.tools.sql_eval import (
    Env,
    Evaluator,
    SqlError,
    holds,
    no_operator,
    pg_type,
)
from gameday.tools.sql_funcs import cast_kind, setting
from gameday.tools.sql_sources import SUPPORTED, TABLES, source_rows, tables_of
from gameday.tools.sql_utility import run_utility, timeout_ms


@dataclass
class QueryResult:
    """Columns and rows of one statement, or a one-line command tag."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    tag: str | None = None  # a command's tag (SET, CREATE INDEX) instead of rows


@contextmanager
def quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning when it falls back to a generic command; psql would not."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


class Plan:
    """How to evaluate the expressions of one parsed statement.

    Compiles each node on first use (:func:`compile_expr`) and remembers what
    :func:`run_select` works out from the tree alone, so a statement run again skips
    both. ``Plan(reference)`` walks the tree for every row, as :meth:`Evaluator.eval`
    does; tests check the two agree.

    Args:
        compile: turns a node into ``fn(ev, env, group)``.
    """

    def __init__(self, compile: Callable[[exp.Expression], Fn] = compile_expr) -> None:
        self._compile = compile
        self._fns: dict[int, tuple[exp.Expression, Fn]] = {}
        self._memo: dict[str, Any] = {}

    def fn(self, node: exp.Expression) -> Fn:
        """The compiled ``node`` (the entry keeps the node alive, so its id stays unique)."""
        hit = self._fns.get(id(node))
        if hit is None:
            hit = self._fns[id(node)] = (node, self._compile(node))
        return hit[1]

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, worked out once; an exception is raised again on the next run."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> tuple[exp.Expression, Plan]:
    """sqlglot's parse of one statement (responders repeat the same few queries).

    Nothing mutates the tree, so the cached one is run as it is, with its plan.
    """
    with quiet_sqlglot():
        return cast(exp.Expression, sqlglot.parse_one(text, read="postgres")), Plan()


@functools.lru_cache(maxsize=256)
def columns_read(sql: str) -> frozenset[str] | None:
    """The column names the statements of ``sql`` name (None when one selects ``*``).

    ``pid`` is always in: joins match rows on it.
    """
    names = {"pid"}
    for text in [s.strip() for s in sql.split(";")]:
        words = text.split()
        if not words or (words[0].lower() == "show" and len(words) == 2):
            continue
        try:
            tree = _parse(text)[0]
        except SqlglotError:
            break  # the statement fails when it runs; the ones after it never do
        for p in tree.expressions if isinstance(tree, exp.Select) else []:
            if isinstance(p, exp.Star) or (
                isinstance(p, exp.Column) and isinstance(p.this, exp.Star)
            ):
                return None
        names.update(c.name for c in tree.find_all(exp.Column))
    return frozenset(names)


# The words a PostgreSQL statement can start with (the SQL Commands reference); another
# first word is a syntax error at that word, whatever follows it.
_STATEMENTS = frozenset(
    [
        "abort",
        "alter",
        "analyze",
        "begin",
        "call",
        "checkpoint",
        "close",
        "cluster",
        "comment",
        "commit",
        "copy",
        "create",
        "deallocate",
        "declare",
        "delete",
        "discard",
        "do",
        "drop",
        "end",
        "execute",
        "explain",
        "fetch",
        "grant",
        "import",
        "insert",
        "listen",
        "load",
        "lock",
        "merge",
        "move",
        "notify",
        "prepare",
        "reassign",
        "refresh",
        "reindex",
        "release",
        "reset",
        "revoke",
        "rollback",
        "savepoint",
        "security",
        "select",
        "set",
        "show",
        "start",
        "table",
        "truncate",
        "unlisten",
        "update",
        "vacuum",
        "values",
        "with",
    ]
)


def run_sql(sql: str, ev: Evaluator) -> list[QueryResult]:
    """Run each statement of ``sql``.

    Raises:
        SqlError: for a syntax error or something not simulated.
    """
    results = []
    for text in [s.strip() for s in sql.split(";")]:
        if not text:
            continue
        check()  # gameday.tools.budget: many statements may not outlast the command's budget
        words = text.split()
        if words[0].lower() == "show" and len(words) == 2:
            name = words[1].strip('"')
            results.append(QueryResult([name.lower()], [[setting(ev.view, name)]]))
            continue
        done = run_utility(text, ev.view)
        if done is not None:
            limit = timeout_ms(ev.view.settings, "statement_timeout")
            if limit and done.seconds * 1000 > limit and done.tag != "SET":
                raise SqlError("canceling statement due to statement timeout")
            results.append(QueryResult(done.columns, done.rows, done.tag))
            continue
        if words[0].lower().lstrip("(") not in _STATEMENTS and not words[0].startswith("("):
            raise SqlError(f'syntax error at or near "{words[0]}"')
        try:
            stmt, plan = _parse(text)
        except ParseError as exc:
            near = exc.errors[0].get("highlight") if exc.errors else None
            raise SqlError(f'syntax error at or near "{near or words[0]}"') from None
        except SqlglotError:
            raise SqlError("unterminated quoted string or identifier") from None
        while isinstance(stmt, exp.Subquery) and not stmt.alias:  # (SELECT ...) is a SELECT
            stmt = stmt.this
        if not isinstance(stmt, exp.Select):
            sets = (exp.Union, exp.Intersect, exp.Except)
            what = stmt.key if isinstance(stmt, sets) else words[0].lstrip("(")
            raise SqlError(f"{what.upper()} is not simulated. {SUPPORTED}")
        try:
            results.append(run_select(stmt, ev, plan))
        except (TypeError, ValueError, ArithmeticError, IndexError, KeyError) as exc:
            if isinstance(exc, SqlError):
                raise
            raise SqlError(f"cannot evaluate this query here ({exc}). {SUPPORTED}") from None
    return results


def _name(e: exp.Expression) -> str:
    if isinstance(e, exp.Alias):
        return e.alias
    if isinstance(e, exp.Column):
        return e.name
    if isinstance(e, exp.Cast | exp.Paren):
        inner = _name(e.this)
        return (
            inner
            if inner != "?column?"
            else e.to.sql().lower()
            if isinstance(e, exp.Cast)
            else inner
        )
    names: dict[type, str] = {
        exp.CurrentTimestamp: "now",
        exp.ArraySize: "array_length",
        exp.TimestampTrunc: "date_trunc",
        exp.CurrentVersion: "version",
        exp.Explode: "unnest",
    }
    if type(e) in names:
        return names[type(e)]
    if isinstance(e, exp.Connector):  # AND, OR: operators, not functions
        return "?column?"
    if isinstance(e, exp.Anonymous):
        return e.name.lower()
    if isinstance(e, exp.Func):
        return e.sql_name().lower()
    return "?column?"


def _projections(sel: exp.Select, envs: list[Env], tables: list[str]) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    srf = from_unnest(sel)
    for p in sel.expressions:
        star_table = p.table if isinstance(p, exp.Column) and isinstance(p.this, exp.Star) else None
        if srf is not None and (isinstance(p, exp.Star) or star_table):
            out.append(exp.column(srf[1], table=srf[0]))
        elif isinstance(p, exp.Star) or star_table:
            for alias, name in tables_of(sel):
                if star_table in (None, alias):
                    out += [exp.column(c, table=alias) for c in TABLES[name]]
        else:
            out.append(p)
    return out


def _sort_key(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, Interval):
        return value.seconds
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):  # element by element, NULL elements last
        return tuple((1, 0) if v is None else (0, _sort_key(v)) for v in value)
    return pg_text(value) if not hasattr(value, "timestamp") else value.timestamp()


def run_select(sel: exp.Select, ev: Evaluator, plan: Plan | None = None) -> QueryResult:
    """The rows of one SELECT.

    Args:
        sel: the statement.
        ev: the view it reads and the backend calls it makes.
        plan: ``sel``'s compiled expressions (a fresh :class:`Plan` if None).
    """
    plan = plan or Plan()
    srf = from_unnest(sel)
    envs = unnest_rows(sel, ev, plan, srf) if srf is not None else source_rows(sel, ev.view)
    projs: list[exp.Expression] = plan.memo("projs", lambda: _projections(sel, envs, []))
    srfs: list[tuple[int, exp.Expression]] = plan.memo(
        "srfs", lambda: [(i, a) for i, p in enumerate(projs) if (a := _set_returning(p))]
    )
    if srfs:  # unnest() in the select list: its elements become a column of extra rows
        projs = plan.memo("srf_projs", lambda: _srf_columns(projs, [i for i, _ in srfs]))
    columns: list[str] = plan.memo("columns", lambda: [_name(p) for p in projs])
    order = sel.args.get("order")
    order_keys = [o.this for o in order.expressions] if order else []
    indexes: list[int | None] = plan.memo(
        "order", lambda: [_order_index(k, columns) for k in order_keys]
    )
    group_by = sel.args.get("group")
    group_exprs = plan.memo("keys", lambda: group_keys(group_by, projs, columns))
    grouped = plan.memo(
        "grouped",
        lambda: check_grouping(
            sel,
            projs,
            group_exprs,
            [k for k, i in zip(order_keys, indexes, strict=True) if i is None],
        ),
    )
    where = sel.args.get("where")
    if where is not None:
        test = plan.fn(where.this)
        envs = [e for e in envs if holds(test(ev, e, None), "WHERE")]
    if srfs:
        envs = _expand(envs, [(i, plan.fn(a)) for i, a in srfs], ev)
    items: list[tuple[Env, list[Env] | None]]
    if grouped:
        keys = [plan.fn(k) for k in group_exprs]
        groups: dict[tuple[str, ...], list[Env]] = {}
        for env in envs:
            groups.setdefault(tuple(pg_text(k(ev, env, None)) for k in keys), []).append(env)
        if not keys:
            groups = {(): envs}
        items = [(g[0] if g else {}, g) for g in groups.values()]
        having = sel.args.get("having")
        if having is not None:
            test = plan.fn(having.this)
            items = [(e, g) for e, g in items if holds(test(ev, e, g), "HAVING")]
    else:
        items = [(env, None) for env in envs]
    fns = [plan.fn(p) for p in projs]
    rows = [([f(ev, env, group) for f in fns], env, group) for env, group in items]
    for o, idx in reversed(list(zip(order.expressions if order else [], indexes, strict=True))):
        value = _order_value(o.this, idx, ev, plan)
        source = o.this if idx is None else projs[idx]
        desc, nulls_first = bool(o.args.get("desc")), bool(o.args.get("nulls_first"))
        rows = _sorted(rows, value, desc, nulls_first, source)
    out = [r[0] for r in rows]
    if sel.args.get("distinct"):
        unique: dict[tuple[str, ...], list[Any]] = {}
        for r in out:
            unique.setdefault(tuple(map(pg_text, r)), r)
        out = list(unique.values())
    offset, limit = sel.args.get("offset"), sel.args.get("limit")
    start = int(plan.fn(offset.expression)(ev, {}, None)) if offset is not None else 0
    out = out[start:]
    if limit is not None:
        out = out[: int(plan.fn(limit.expression)(ev, {}, None))]
    return QueryResult(columns, out)


Row = tuple[list[Any], Env, "list[Env] | None"]  # (values, env, group)


def _set_returning(p: exp.Expression) -> exp.Expression | None:
    """The array an ``unnest(...)`` in the select list expands, else None."""
    node = p.this if isinstance(p, exp.Alias) else p
    return node.this if isinstance(node, exp.Explode) else None


_SRF = "\x00unnest"  # the env entry holding a row's unnest() elements


def _srf_columns(projs: list[exp.Expression], sets: list[int]) -> list[exp.Expression]:
    """The projections with each unnest() read from the expanded rows' elements."""
    out: list[exp.Expression] = []
    for i, p in enumerate(projs):
        if i in sets:
            name = p.alias if isinstance(p, exp.Alias) else "unnest"
            out.append(cast(exp.Expression, exp.alias_(exp.column(f"e{i}", table=_SRF), name)))
        else:
            out.append(p)
    return out


def _expand(envs: list[Env], sets: list[tuple[int, Fn]], ev: Evaluator) -> list[Env]:
    """One row per element of the select list's unnest()s, as PostgreSQL 10+ does:
    several run in lockstep, the shorter padded with NULLs; an empty array gives none."""
    out: list[Env] = []
    for env in envs:
        arrays = [(i, fn(ev, env, None)) for i, fn in sets]
        longest = max((len(a) for _, a in arrays if isinstance(a, list)), default=0)
        for n in range(longest):
            elements = {
                f"e{i}": a[n] if isinstance(a, list) and n < len(a) else None for i, a in arrays
            }
            out.append({**env, _SRF: elements})
    return out


def from_unnest(sel: exp.Select) -> tuple[str, str] | None:
    """``(alias, column)`` of ``FROM unnest(ARRAY[...]) [AS t(x)]``, else None."""
    from_ = sel.args.get("from_") or sel.args.get("from")
    if from_ is None or not isinstance(from_.this, exp.Unnest):
        return None
    alias = from_.this.args.get("alias")
    if alias is None:
        return "unnest", "unnest"
    columns = alias.args.get("columns") or []
    return alias.name, columns[0].name if columns else alias.name


def unnest_rows(sel: exp.Select, ev: Evaluator, plan: Plan, srf: tuple[str, str]) -> list[Env]:
    """The rows of ``FROM unnest(array)``: one per element, in order."""
    from_ = sel.args.get("from_") or sel.args.get("from")
    source = from_.this if from_ is not None else None
    arrays = [plan.fn(e)(ev, {}, None) for e in (source.expressions if source else [])]
    if len(arrays) != 1:
        raise SqlError(f"unnest() of several arrays is not simulated. {SUPPORTED}")
    items = arrays[0] if isinstance(arrays[0], list) else []
    return [{srf[0]: {srf[1]: v}} for v in items]


def _order_index(key: exp.Expression, columns: list[str]) -> int | None:
    """The output column ORDER BY ``key`` names (a position or a name), else None.

    Raises:
        SqlError: for a position out of range or a constant that is no position.
    """
    pos = position(key, "ORDER BY")
    if pos is not None:
        if not 1 <= pos <= len(columns):
            raise SqlError(f"ORDER BY position {pos} is not in select list")
        return pos - 1
    if isinstance(key, exp.Column) and not key.table and key.name in columns:
        return columns.index(key.name)
    return None


def _order_value(
    key: exp.Expression, idx: int | None, ev: Evaluator, plan: Plan
) -> Callable[[Row], Any]:
    """How to read ORDER BY ``key`` from a row: output column ``idx``, or the expression."""
    if idx is None:
        fn = plan.fn(key)
        return lambda r: fn(ev, r[1], r[2])
    return lambda r: r[0][idx]


def _sorted(
    rows: list[Row],
    value: Callable[[Row], Any],
    desc: bool,
    nulls_first: bool,
    source: exp.Expression | None = None,
) -> list[Row]:
    """``rows`` stably sorted on one key, in the order :func:`_compare` defines.

    Each row's key is read once (a key that terminates backends terminates each once),
    in the order a comparison sort first reads them (the second row, the first, then
    the rest), so that the first error a key raises is the same. NULLs go last (first
    with NULLS FIRST) whichever way the rest is sorted.

    Raises:
        SqlError: when the keys are of types PostgreSQL would never sort together
            (``source``, the key's expression, says which error PostgreSQL gives).
    """
    if len(rows) < 2:
        return rows
    values: list[Any] = [None] * len(rows)
    for i in (1, 0, *range(2, len(rows))):
        values[i] = value(rows[i])
    _check_one_type(values, source)
    keyed = [(_sort_key(v), r) for v, r in zip(values, rows, strict=True) if v is not None]
    keys = [k for k, _ in keyed]
    numbers = all(isinstance(k, int | float) and k == k for k in keys)  # no NaN
    if not numbers and not all(isinstance(k, str) for k in keys):
        # NaN and arrays: keep the comparison function
        def by_key(a: tuple[Any, Row], b: tuple[Any, Row]) -> int:
            return _compare(a[0], b[0], desc, nulls_first)

        pairs = sorted(zip(values, rows, strict=True), key=functools.cmp_to_key(by_key))
        return [r for _, r in pairs]
    keyed.sort(key=lambda kr: kr[0], reverse=desc)
    nulls = [r for v, r in zip(values, rows, strict=True) if v is None]
    ordered = [r for _, r in keyed]
    return nulls + ordered if nulls_first else ordered + nulls


def _check_one_type(values: list[Any], source: exp.Expression | None) -> None:
    """Raises unless the non-NULL ``values`` share a type (integers and numerics do).

    A column of PostgreSQL has one type; here CASE or coalesce can mix them, which
    PostgreSQL rejects before it runs the query.
    """
    kinds: dict[str, Any] = {}
    for v in values:
        if v is not None:
            kinds.setdefault(_kind(v), v)
    if len(kinds) < 2:
        return
    a, b = list(kinds.values())[:2]
    node = source.this if isinstance(source, exp.Alias) else source
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Case | exp.Coalesce):
        branches = _branches(node)
        for branch in branches:  # a quoted literal takes the type of the others
            if isinstance(branch, exp.Literal) and branch.is_string and branch.this in (a, b):
                other = b if a == branch.this else a
                raise SqlError(f'invalid input syntax for type {pg_type(other)}: "{branch.this}"')
        a, b = _branch_order(branches, a, b)
        word = "CASE" if isinstance(node, exp.Case) else "COALESCE"
        raise SqlError(f"{word} types {pg_type(a)} and {pg_type(b)} cannot be matched")
    raise no_operator(a, ">", b)


def _kind(value: Any) -> str:
    """A value's type, integers and numerics as one."""
    name = pg_type(value)
    return "number" if name in {"integer", "numeric"} else name


def _static_kind(e: exp.Expression) -> str | None:
    """What :func:`_kind` says of ``e``'s values when the tree tells (a cast, a number)."""
    if isinstance(e, exp.Cast):
        name = cast_kind(e.to)
        if name in {"text", "varchar", "char", "name"}:
            return "text"
        if name in {"int", "integer", "bigint", "smallint", "int4", "int8", "numeric"}:
            return "number"
        return None
    if isinstance(e, exp.Literal) and not e.is_string:
        return "number"
    return None


def _branches(node: exp.Case | exp.Coalesce) -> list[exp.Expression]:
    """The results of a CASE (ELSE first, then the THENs, as PostgreSQL reads them) or
    the arguments of coalesce."""
    if isinstance(node, exp.Case):
        out = [node.args.get("default"), *(i.args["true"] for i in node.args["ifs"])]
    else:
        out = [node.this, *node.expressions]
    return [b for b in out if b is not None]


def _branch_order(branches: list[exp.Expression], a: Any, b: Any) -> tuple[Any, Any]:
    """``a`` and ``b`` in the order PostgreSQL names their types for CASE/coalesce.

    The first branch whose type the tree tells puts its type first if it is the first
    branch, else second (the branches before it gave the other type).
    """
    for n, branch in enumerate(branches):
        kind = _static_kind(branch)
        if kind in (_kind(a), _kind(b)):
            mine, other = (a, b) if kind == _kind(a) else (b, a)
            return (mine, other) if n == 0 else (other, mine)
    return a, b


def _compare(a: Any, b: Any, desc: bool, nulls_first: bool) -> int:
    if a is None or b is None:
        if a is None and b is None:
            return 0
        return (-1 if nulls_first else 1) if a is None else (1 if nulls_first else -1)
    ka, kb = _sort_key(a), _sort_key(b)
    try:
        c = (ka > kb) - (ka < kb)
    except TypeError:
        raise no_operator(a, ">", b) from None  # never as text
    return -c if desc else c
