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
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError

from gameday.engine.actions.output import Interval, pg_text
from gameday.engine.actions.pgstat import ACTIVITY_COLUMNS
from gameday.engine.actions.sql_eval import AGGREGATES, Env, Evaluator, SqlError
from gameday.engine.actions.sql_funcs import setting
from gameday.engine.actions.sql_sources import SUPPORTED, TABLES, source_rows, tables_of


@dataclass
class QueryResult:
    """Columns and rows of one statement, or a one-line command tag."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)


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


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> exp.Expression:
    """sqlglot's parse of one statement (responders repeat the same few queries)."""
    with quiet_sqlglot():
        return sqlglot.parse_one(text, read="postgres")


def run_sql(sql: str, ev: Evaluator) -> list[QueryResult]:
    """Run each statement of ``sql``.

    Raises:
        SqlError: for a syntax error or something not simulated.
    """
    results = []
    for text in [s.strip() for s in sql.split(";")]:
        if not text:
            continue
        words = text.split()
        if words[0].lower() == "show" and len(words) == 2:
            name = words[1].strip('"')
            results.append(QueryResult([name.lower()], [[setting(ev.view, name)]]))
            continue
        try:
            stmt = _parse(text).copy()  # run_select may annotate the tree; keep the cache clean
        except ParseError as exc:
            near = exc.errors[0].get("highlight") if exc.errors else None
            raise SqlError(f'syntax error at or near "{near or words[0]}"') from None
        except SqlglotError:
            raise SqlError("unterminated quoted string or identifier") from None
        if not isinstance(stmt, exp.Select):
            raise SqlError(f"{words[0].upper()} is not simulated. {SUPPORTED}")
        try:
            results.append(run_select(stmt, ev))
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
    }
    if type(e) in names:
        return names[type(e)]
    if isinstance(e, exp.Anonymous):
        return e.name.lower()
    if isinstance(e, exp.Func):
        return e.sql_name().lower()
    return "?column?"


def _projections(sel: exp.Select, envs: list[Env], tables: list[str]) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    for p in sel.expressions:
        star_table = p.table if isinstance(p, exp.Column) and isinstance(p.this, exp.Star) else None
        if isinstance(p, exp.Star) or star_table:
            for alias, name in tables_of(sel):
                if star_table in (None, alias):
                    out += [exp.column(c, table=alias) for c in TABLES[name]]
        else:
            out.append(p)
    return out


def _sort_key(value: Any) -> Any:
    if isinstance(value, Interval):
        return value.seconds
    if isinstance(value, bool | int | float):
        return value
    return pg_text(value) if not hasattr(value, "timestamp") else value.timestamp()


def run_select(sel: exp.Select, ev: Evaluator) -> QueryResult:
    """The rows of one SELECT."""
    envs = source_rows(sel, ev.view)
    where = sel.args.get("where")
    if where is not None:
        envs = [e for e in envs if ev.eval(where.this, e) is True]
    projs = _projections(sel, envs, [])
    columns = [_name(p) for p in projs]
    by_alias = {_name(p): p.this for p in projs if isinstance(p, exp.Alias)}
    group_by = sel.args.get("group")
    items: list[tuple[Env, list[Env] | None]]
    if group_by is not None or any(p.find(*AGGREGATES) for p in projs):
        keys = [_resolve(k, projs, by_alias) for k in (group_by.expressions if group_by else [])]
        groups: dict[tuple[str, ...], list[Env]] = {}
        for env in envs:
            groups.setdefault(tuple(pg_text(ev.eval(k, env)) for k in keys), []).append(env)
        if not keys:
            groups = {(): envs}
        items = [(g[0] if g else {}, g) for g in groups.values()]
        having = sel.args.get("having")
        if having is not None:
            items = [(e, g) for e, g in items if ev.eval(having.this, e, g) is True]
    else:
        items = [(env, None) for env in envs]
    rows = [([ev.eval(p, env, group) for p in projs], env, group) for env, group in items]
    order = sel.args.get("order")
    for o in reversed(order.expressions if order else []):
        value = _order_value(o.this, columns, ev)
        desc, nulls_first = bool(o.args.get("desc")), bool(o.args.get("nulls_first"))

        def cmp(
            a: Any, b: Any, v: Callable[[Any], Any] = value, d: bool = desc, n: bool = nulls_first
        ) -> int:
            return _compare(v(a), v(b), d, n)

        rows.sort(key=functools.cmp_to_key(cmp))
    out = [r[0] for r in rows]
    if sel.args.get("distinct"):
        unique: dict[tuple[str, ...], list[Any]] = {}
        for r in out:
            unique.setdefault(tuple(map(pg_text, r)), r)
        out = list(unique.values())
    offset, limit = sel.args.get("offset"), sel.args.get("limit")
    start = int(ev.eval(offset.expression, {})) if offset is not None else 0
    out = out[start:]
    if limit is not None:
        out = out[: int(ev.eval(limit.expression, {}))]
    return QueryResult(columns, out)


def _order_value(key: exp.Expression, columns: list[str], ev: Evaluator) -> Callable[[Any], Any]:
    """How to read one ORDER BY key from a (values, env, group) row."""
    if isinstance(key, exp.Literal) and not key.is_string:
        idx = int(key.this) - 1
    elif isinstance(key, exp.Column) and not key.table and key.name in columns:
        idx = columns.index(key.name)
    else:
        return lambda r: ev.eval(key, r[1], r[2])
    if not 0 <= idx < len(columns):
        raise SqlError(f"ORDER BY position {idx + 1} is not in select list")
    return lambda r: r[0][idx]


def _resolve(key: exp.Expression, projs: list[exp.Expression], by_alias: dict) -> exp.Expression:
    if isinstance(key, exp.Literal) and not key.is_string:
        p = projs[int(key.this) - 1]
        return p.this if isinstance(p, exp.Alias) else p
    if (
        isinstance(key, exp.Column)
        and not key.table
        and key.name in by_alias
        and key.name not in ACTIVITY_COLUMNS
    ):
        return by_alias[key.name]
    return key


def _compare(a: Any, b: Any, desc: bool, nulls_first: bool) -> int:
    if a is None or b is None:
        if a is None and b is None:
            return 0
        return (-1 if nulls_first else 1) if a is None else (1 if nulls_first else -1)
    ka, kb = _sort_key(a), _sort_key(b)
    try:
        c = (ka > kb) - (ka < kb)
    except TypeError:
        c = (str(ka) > str(kb)) - (str(ka) < str(kb))
    return -c if desc else c
