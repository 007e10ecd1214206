"""What PostgreSQL checks in a SELECT before it reads a row.

GROUP BY and ORDER BY positions (``GROUP BY 1``), constants that are no position
(``ORDER BY 'x'``), aggregates in GROUP BY, and columns that are neither grouped nor
aggregated in a grouped query. These are parse-analysis errors in PostgreSQL: they are
raised whatever the rows, before WHERE calls a function.
"""

from __future__ import annotations

from sqlglot import exp

from gameday.tools.pgstat import ACTIVITY_COLUMNS
from gameday.tools.sql_eval import AGGREGATES, SqlError
from gameday.tools.sql_sources import TABLES, tables_of


def position(key: exp.Expression, clause: str) -> int | None:
    """The select-list position an integer constant key names (``ORDER BY 2``, ``-1``).

    None for a key that is an expression (``pid``, ``+2``, ``1 + 1``).

    Raises:
        SqlError: for a constant that is no integer (``'x'``, ``1.5``, ``NULL``).
    """
    node, sign = _unparen(key), 1
    if isinstance(node, exp.Neg):
        node, sign = _unparen(node.this), -1
        if not (isinstance(node, exp.Literal) and not node.is_string):
            return None
    if isinstance(node, exp.Literal | exp.Null | exp.Boolean):
        if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
            return sign * int(node.this)
        raise SqlError(f"non-integer constant in {clause}")
    return None


def _unparen(e: exp.Expression) -> exp.Expression:
    while isinstance(e, exp.Paren):
        e = e.this
    return e


def _output(p: exp.Expression) -> exp.Expression:
    return p.this if isinstance(p, exp.Alias) else p


def group_keys(
    group_by: exp.Group | None, projs: list[exp.Expression], names: list[str]
) -> list[exp.Expression]:
    """The expressions GROUP BY groups on: positions and output names resolved.

    Args:
        group_by: the clause, or None.
        projs: the select list (``*`` expanded).
        names: the select list's column names.

    Raises:
        SqlError: for a position out of range or an aggregate in GROUP BY.
    """
    by_alias = {n: p.this for n, p in zip(names, projs, strict=True) if isinstance(p, exp.Alias)}
    keys = []
    for key in group_by.expressions if group_by else []:
        pos = position(key, "GROUP BY")
        if pos is not None:
            if not 1 <= pos <= len(projs):
                raise SqlError(f"GROUP BY position {pos} is not in select list")
            key = _output(projs[pos - 1])
        elif (
            isinstance(key, exp.Column)
            and not key.table
            and key.name in by_alias
            and key.name not in ACTIVITY_COLUMNS
        ):
            key = by_alias[key.name]
        keys.append(key)
    if any(k.find(*AGGREGATES) for k in keys):
        raise SqlError("aggregate functions are not allowed in GROUP BY")
    return keys


def check_grouping(
    sel: exp.Select,
    projs: list[exp.Expression],
    keys: list[exp.Expression],
    order_exprs: list[exp.Expression],
) -> bool:
    """Whether the query is grouped; raises as PostgreSQL does for a column neither
    grouped nor in an aggregate.

    Only for a grouped query (GROUP BY, HAVING or an aggregate) and only when every
    column the statement names exists: a missing column is the error PostgreSQL
    reports first, and evaluation reports it.

    Args:
        sel: the statement.
        projs: the select list (``*`` expanded).
        keys: what :func:`group_keys` returned.
        order_exprs: the ORDER BY keys that are expressions, not output columns.
    """
    having = sel.args.get("having")
    parts = [_output(p) for p in projs] + ([having.this] if having is not None else [])
    parts += order_exprs
    grouped = bool(keys) or having is not None or any(p.find(*AGGREGATES) for p in parts)
    if not grouped:
        return False
    tables = tables_of(sel)
    for part in parts:
        col = _ungrouped(part, keys)
        if col is None:
            continue
        named = [c for e in _clauses(sel) + keys + order_exprs for c in e.find_all(exp.Column)]
        if not all(_owner(c, tables) for c in named):
            return True
        raise SqlError(
            f'column "{_owner(col, tables)}.{col.name}" must appear in the GROUP BY clause'
            " or be used in an aggregate function"
        )
    return True


def _clauses(sel: exp.Select) -> list[exp.Expression]:
    """The parts of ``sel`` but GROUP BY and ORDER BY (whose keys may name outputs)."""
    out: list[exp.Expression] = []
    for name, arg in sel.args.items():
        if name not in {"group", "order"}:
            args = arg if isinstance(arg, list) else [arg]
            out += [a for a in args if isinstance(a, exp.Expression)]
    return out


def _ungrouped(e: exp.Expression, keys: list[exp.Expression]) -> exp.Column | None:
    """The first column of ``e`` outside an aggregate and outside every group key."""
    if any(_same(e, k) for k in keys) or isinstance(e, AGGREGATES):
        return None
    if isinstance(e, exp.Column):
        return None if isinstance(e.this, exp.Star) else e
    for child in e.iter_expressions():
        found = _ungrouped(child, keys)
        if found is not None:
            return found
    return None


def _same(e: exp.Expression, key: exp.Expression) -> bool:
    if isinstance(e, exp.Column) and isinstance(key, exp.Column):
        same_table = not e.table or not key.table or e.table == key.table
        return e.name == key.name and same_table
    return e == key


def _owner(col: exp.Column, tables: list[tuple[str, str]]) -> str | None:
    """The alias of the table ``col`` reads, None when no table has it."""
    if isinstance(col.this, exp.Star):
        return col.table or "*"
    for alias, name in tables:
        if (not col.table or col.table == alias) and col.name in TABLES[name]:
            return alias
    return None
