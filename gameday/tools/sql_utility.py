"""psql's statements that are not queries over the views: EXPLAIN, SET, SHOW, CREATE INDEX.

Each returns a :class:`UtilityResult`: rows (EXPLAIN, SHOW) or a command tag (``SET``,
``CREATE INDEX``), and how long the statement ran, so ``statement_timeout`` can cancel
it as PostgreSQL does (``ERROR:  canceling statement due to statement timeout``).
Settings made with SET last for the psql session (one ``psql -c``), as in PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError

from gameday.tools.sql_eval import SqlError
from gameday.tools.sql_funcs import SETTINGS
from gameday.world.database.catalog import parse_sql
from gameday.world.database.planner import PlanError, Planner, explain_lines

_TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "min": 60_000.0, "h": 3_600_000.0}
_TIME_UNITS["d"] = 86_400_000.0
TIME_SETTINGS = {"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"}
_UNIT_HINT = 'HINT:  Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".'
RESTART_ONLY = {"max_connections", "superuser_reserved_connections", "shared_buffers"}
MS_PER_COST = 0.0215  # a cost unit's milliseconds on the simulated server's hardware


@dataclass
class UtilityResult:
    """A utility statement's answer.

    Attributes:
        columns: result columns (empty for a command tag).
        rows: result rows.
        tag: the command tag psql prints (``SET``), or None for rows.
        seconds: how long the statement ran.
    """

    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    tag: str | None = None
    seconds: float = 0.0


def show_time(ms: float) -> str:
    """A time setting as SHOW prints it: the largest unit that divides it exactly."""
    if ms == 0:
        return "0"
    for unit in ("d", "h", "min", "s"):
        size = _TIME_UNITS[unit]
        if ms % size == 0:
            return f"{int(ms // size)}{unit}"
    return f"{ms:g}ms"


def parse_time(name: str, value: str) -> float:
    """A time setting's value in milliseconds (a bare number is milliseconds).

    Raises:
        SqlError: PostgreSQL's error for a value or unit it does not take.
    """
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*", value.lower())
    if not m:
        raise SqlError(f'invalid value for parameter "{name}": "{value}"')
    number, unit = float(m.group(1)), m.group(2) or "ms"
    if unit not in _TIME_UNITS:
        raise SqlError(f'invalid value for parameter "{name}": "{value}"\n{_UNIT_HINT}')
    ms = number * _TIME_UNITS[unit]
    if ms < 0:
        raise SqlError(
            f'{ms:g} ms is outside the valid range for parameter "{name}" (0 .. 2147483647)'
        )
    return float(round(ms))


def run_set(text: str, session: dict[str, str], known: set[str]) -> UtilityResult:
    """``SET name = value`` / ``SET name TO value`` for this session."""
    m = re.fullmatch(r"(?is)set\s+(?:session\s+)?(\w+)\s*(?:=|\bto\b)\s*(.+?)\s*", text)
    if not m:
        raise SqlError(f'syntax error at or near "{text.split()[-1]}"')
    name, value = m.group(1).lower(), m.group(2).strip()
    if value.startswith("'") and value.endswith("'"):
        value = value[1:-1]
    if name not in known:
        raise SqlError(f'unrecognized configuration parameter "{name}"')
    if name in RESTART_ONLY:
        raise SqlError(f'parameter "{name}" cannot be changed without restarting the server')
    if name in TIME_SETTINGS:
        value = show_time(parse_time(name, value))
    session[name] = value
    return UtilityResult(tag="SET")


def timeout_ms(session: dict[str, str], name: str) -> float:
    """A session's time setting in milliseconds (0: none)."""
    return parse_time(name, session.get(name, "0"))


def split_explain(text: str) -> tuple[bool, str] | None:
    """``(analyze, statement)`` of an ``EXPLAIN [ANALYZE] [VERBOSE] statement``, else None."""
    m = re.match(r"(?is)explain\s+(?:\(([^)]*)\)\s*)?((?:analyze\s+|verbose\s+)*)(.*)", text)
    if not m:
        return None
    options = (m.group(1) or "").lower() + " " + m.group(2).lower()
    analyze = "analyze" in options and "analyze false" not in options
    return analyze, m.group(3)


def error_position(sql: str, token: str | None, start: int = 0) -> str:
    """psql's ``LINE 1: ...`` and caret lines under an error at ``token`` (libpq's rule:
    at most 60 characters shown, the caret at least 10 from the right edge)."""
    if not token:
        return ""
    m = re.search(rf"(?<![\w$]){re.escape(token)}(?!\w)", sql[start:], re.IGNORECASE)
    if m is None or "\n" in sql:
        return ""
    loc = start + m.start()
    begin, end = 0, len(sql)
    if end > 60 and loc + 10 > 60:
        begin = loc + 10 - 60
    if end - begin > 60:
        end = begin + 60
    shown = ("..." if begin else "") + sql[begin:end] + ("..." if end < len(sql) else "")
    caret = " " * (len("LINE 1: ") + (3 if begin else 0) + loc - begin) + "^"
    return f"\nLINE 1: {shown}\n{caret}"


def run_explain(text: str, db: Any, analyze: bool, full: str = "") -> UtilityResult:
    """EXPLAIN (ANALYZE) of a statement over the scenario's tables; ``full`` is the whole
    EXPLAIN statement, for the error position."""
    try:
        stmt = parse_sql(text)
    except SqlglotError:
        raise SqlError(
            f'syntax error at or near "{text.split()[0] if text.split() else text}"'
        ) from None
    try:
        plan = Planner(db.catalog).plan(stmt)
    except PlanError as exc:
        where = error_position(full or text, exc.token, len(full) - len(text) if full else 0)
        raise SqlError(str(exc) + where) from None
    if not analyze:
        return UtilityResult(["QUERY PLAN"], [[line] for line in explain_lines(plan)])
    ms = registered_ms(db, stmt) or plan.total * MS_PER_COST
    actual = []
    for depth, node in enumerate(plan.walk()):
        end = ms * (1 - 0.0004 * depth)
        actual.append((end * (0.9999 if node.child is not None else 0.001), end, node.rows))
    lines = explain_lines(plan, actual)
    lines += ["Planning Time: 0.112 ms", f"Execution Time: {ms + 0.021:.3f} ms"]
    return UtilityResult(["QUERY PLAN"], [[line] for line in lines], seconds=ms / 1000.0)


def registered_ms(db: Any, stmt: exp.Expression) -> float | None:
    """The execution time of a statement shaped like a registered (slow) query, in ms."""
    shape = _shape(stmt)
    for q in db.workload.queries.values():
        try:
            theirs = _shape(parse_sql(q.text))
        except SqlglotError:
            continue
        if theirs == shape:
            slow = not db.workload.served_by_index(q)
            return q.base_ms * (q.factor if slow else 1.0)
    return None


def _shape(stmt: exp.Expression) -> str:
    tree = stmt.copy()
    for node in list(tree.find_all(exp.Literal, exp.Parameter, exp.Placeholder)):
        node.replace(exp.Placeholder())
    return tree.sql("postgres").lower()


def index_expression(node: exp.Expression) -> str:
    """An index expression as ``\\d`` prints it: ``customer_ref::text``, ``lower(email)``."""
    if isinstance(node, exp.Paren):
        return index_expression(node.this)
    if isinstance(node, exp.Cast):
        inner = index_expression(node.this)
        if not isinstance(node.this, exp.Column):
            inner = f"({inner})"
        return f"{inner}::{node.to.sql('postgres').lower()}"
    if isinstance(node, exp.Column):
        return node.name
    return node.sql("postgres").lower()


def run_create_index(text: str, view: Any, now: float) -> UtilityResult:
    """``CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON table (keys)``."""
    try:
        stmt = parse_sql(text)
    except SqlglotError:
        raise SqlError('syntax error at or near "INDEX"') from None
    index = stmt.this if isinstance(stmt, exp.Create) else None
    if not isinstance(index, exp.Index) or index.args.get("table") is None:
        raise SqlError("CREATE INDEX needs a name and ON TABLE (COLUMNS) here")
    db = view.db
    name, table = index.name, index.args["table"].name
    if not name:
        raise SqlError("CREATE INDEX without a name is not simulated; name the index")
    if table not in db.catalog.tables:
        raise SqlError(f'relation "{table}" does not exist')
    if db.catalog.index(name) is not None or name in db.catalog.tables:
        if stmt.args.get("exists"):
            return UtilityResult(tag="CREATE INDEX")
        raise SqlError(f'relation "{name}" already exists')
    params = index.args.get("params")
    keys = []
    for col in params.args.get("columns", []) if params else []:
        node = col.this if isinstance(col, exp.Ordered) else col
        if isinstance(node, exp.Column):
            if node.name not in {c.name for c in db.catalog.tables[table].columns}:
                raise SqlError(f'column "{node.name}" does not exist')
            keys.append(node.name)
        else:
            keys.append(f"({index_expression(node)})")
    concurrently = bool(stmt.args.get("concurrently"))
    seconds = db.catalog.build_seconds(table, concurrently)
    limit = timeout_ms(view.settings, "statement_timeout")
    if limit and seconds * 1000 > limit:
        raise SqlError("canceling statement due to statement timeout")
    lock_limit = timeout_ms(view.settings, "lock_timeout")
    if lock_limit and not concurrently and any(b.blocker_of == table for b in db.sessions):
        raise SqlError("canceling statement due to lock timeout")
    builder = view.session_backend()
    db.create_index(name, table, keys, bool(stmt.args.get("unique")), concurrently, builder, now)
    return UtilityResult(tag="CREATE INDEX", seconds=seconds)


def run_utility(text: str, view: Any) -> UtilityResult | None:
    """Run ``text`` if it is EXPLAIN, SET or CREATE INDEX; None for anything else."""
    words = text.split()
    lead = words[0].lower()
    if lead == "explain":
        split = split_explain(text)
        if split is not None:
            return run_explain(split[1], view.db, split[0], text)
    if lead == "set":
        return run_set(text, view.settings, set(SETTINGS))
    if lead == "create" and "index" in [w.lower() for w in words[1:3]]:
        return run_create_index(text, view, view.now)
    return None
