"""A planner for the scenario's tables, with PostgreSQL 15's cost model and plan text.

It plans one-table ``SELECT``, ``UPDATE`` and ``DELETE`` statements: a ``Seq Scan``
with a ``Filter``, or an ``Index Scan`` when a valid index's first key is compared for
equality (``Index Cond``), under ``Sort`` and ``Limit`` nodes for ``ORDER BY`` and
``LIMIT``. Costs follow PostgreSQL's formulas (``seq_page_cost`` 1,
``random_page_cost`` 4, ``cpu_tuple_cost`` 0.01, ``cpu_index_tuple_cost`` 0.005,
``cpu_operator_cost`` 0.0025; btree descent; bounded heap sort), so the numbers read
like a real server's. The server runs with ``max_parallel_workers_per_gather = 0``,
so plans have no Gather nodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import cast

from sqlglot import exp

from gameday.scenario.tables import Column, Table
from gameday.world.database.catalog import Catalog, LiveIndex, key_of

SEQ_PAGE, RANDOM_PAGE = 1.0, 4.0
CPU_TUPLE, CPU_INDEX_TUPLE, CPU_OPERATOR = 0.01, 0.005, 0.0025
DEFAULT_EQ_SELECTIVITY = 0.005
_TEXT_WIDTH = 32


class PlanError(Exception):
    """PostgreSQL's error for a statement it cannot plan; ``token`` locates it."""

    def __init__(self, message: str, token: str | None = None) -> None:
        super().__init__(message)
        self.token = token


@dataclass
class Node:
    """One plan node, with its estimates and the lines under it."""

    label: str
    startup: float
    total: float
    rows: int
    width: int
    details: list[str] = field(default_factory=list)
    child: Node | None = None

    def walk(self) -> list[Node]:
        """This node and those under it, top first."""
        out: list[Node] = [self]
        while out[-1].child is not None:
            out.append(out[-1].child)
        return out


def explain_lines(root: Node, actual: list[tuple[float, float, int]] | None = None) -> list[str]:
    """The plan as EXPLAIN prints it; ``actual`` gives (start ms, end ms, rows) per node."""
    lines = []
    for depth, node in enumerate(root.walk()):
        head = "" if depth == 0 else " " * (6 * depth - 4) + "->  "
        text = f"{head}{node.label}  (cost={node.startup:.2f}..{node.total:.2f} "
        text += f"rows={node.rows} width={node.width})"
        if actual is not None:
            a, b, n = actual[depth]
            text += f" (actual time={a:.3f}..{b:.3f} rows={n} loops=1)"
        lines.append(text)
        pad = " " * (6 * depth + 2)
        lines += [pad + d for d in node.details]
    return lines


@dataclass
class _Qual:
    node: exp.Expression
    key: str | None  # the compared side's canonical spelling, for an equality
    selectivity: float
    cost: float
    text: str


class Planner:
    """Plans statements against one database's catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def plan(self, stmt: exp.Expression) -> Node:
        """The cheapest plan of ``stmt``.

        Raises:
            PlanError: for an unknown relation or column, a ``$n`` parameter, or a
                statement shape the simulation does not plan.
        """
        param = stmt.find(exp.Parameter, exp.Placeholder)
        if param is not None:
            name = param.sql("postgres")
            raise PlanError(f"there is no parameter {name}", name)
        if isinstance(stmt, exp.Select):
            return self._select(stmt)
        if isinstance(stmt, exp.Update | exp.Delete):
            return self._modify(stmt)
        raise PlanError("EXPLAIN of this statement is not simulated (SELECT, UPDATE, DELETE are)")

    def _table(self, stmt: exp.Expression) -> Table:
        tables = list(stmt.find_all(exp.Table))
        if len(tables) != 1:
            raise PlanError("EXPLAIN is simulated for statements over one table")
        name = tables[0].name
        if name not in self.catalog.tables:
            raise PlanError(f'relation "{name}" does not exist', name)
        return self.catalog.tables[name]

    def _select(self, sel: exp.Select) -> Node:
        table = self._table(sel)
        width = self._width(table, sel.expressions)
        scan = self._scan(table, sel.args.get("where"), width)
        node = scan
        order = sel.args.get("order")
        limit = sel.args.get("limit")
        n_limit = _int(limit.expression) if limit is not None else None
        if order is not None:
            node = self._sort(table, node, order, n_limit)
        if n_limit is not None:
            node = _limit(node, n_limit)
        return node

    def _modify(self, stmt: exp.Update | exp.Delete) -> Node:
        table = self._table(stmt)
        kind = "Update" if isinstance(stmt, exp.Update) else "Delete"
        width = 6
        if isinstance(stmt, exp.Update):
            for e in stmt.expressions:
                if isinstance(e, exp.EQ) and isinstance(e.this, exp.Column):
                    width += self._column(table, e.this.name).avg_width
        scan = self._scan(table, stmt.args.get("where"), width)
        return Node(f"{kind} on {table.name}", scan.startup, scan.total, 0, 0, [], scan)

    def _column(self, table: Table, name: str) -> Column:
        for c in table.columns:
            if c.name == name:
                return c
        raise PlanError(f'column "{name}" does not exist', name)

    def _width(self, table: Table, projections: list[exp.Expression]) -> int:
        width = 0
        for p in projections:
            if isinstance(p, exp.Star):
                width += sum(c.avg_width for c in table.columns)
            elif isinstance(p, exp.Column):
                width += self._column(table, p.name).avg_width
            else:
                for col in p.find_all(exp.Column):
                    self._column(table, col.name)
                width += _TEXT_WIDTH
        return width

    def _quals(self, table: Table, where: exp.Where | None) -> list[_Qual]:
        if where is None:
            return []
        parts: list[exp.Expression] = (
            [cast(exp.Expression, p) for p in where.this.flatten()]
            if isinstance(where.this, exp.And)
            else [where.this]
        )
        quals = []
        for part in parts:
            for ref in part.find_all(exp.Column):
                self._column(table, ref.name)
            key, sel = None, DEFAULT_EQ_SELECTIVITY
            if isinstance(part, exp.EQ):
                left = part.this
                key = key_of(left)
                inner = left.this if isinstance(left, exp.Cast) else left
                if isinstance(inner, exp.Column):  # a cast keeps the column's statistics
                    stats = self._column(table, inner.name)
                    unique = any(
                        i.unique and i.norm_keys == [key]
                        for i in self.catalog.indexes_of(table.name)
                    )
                    if unique:
                        sel = 1.0 / max(table.rows, 1)
                    elif stats.distinct:
                        sel = 1.0 / stats.distinct
            casts = len(list(part.find_all(exp.Cast)))
            cost = CPU_OPERATOR * (1 + 2 * casts)
            quals.append(_Qual(part, key, sel, cost, deparse(part, table)))
        return quals

    def _scan(self, table: Table, where: exp.Where | None, width: int) -> Node:
        quals = self._quals(table, where)
        n = table.rows
        sel = math.prod(q.selectivity for q in quals) if quals else 1.0
        rows = max(1, round(n * sel)) if n else 0
        pages = self.catalog.pages(table.name)
        seq_total = pages * SEQ_PAGE + n * (CPU_TUPLE + sum(q.cost for q in quals))
        best = Node(f"Seq Scan on {table.name}", 0.0, seq_total, rows, width)
        filt = _and(quals)
        if filt:
            best.details.append(f"Filter: {filt}")
        for index in self.catalog.indexes_of(table.name):
            cond = [q for q in quals if q.key is not None and q.key == index.norm_keys[0]]
            if not cond:
                continue
            node = self._index_scan(table, index, cond, quals, rows, width, pages)
            if node.total < best.total:
                best = node
        return best

    def _index_scan(
        self,
        table: Table,
        index: LiveIndex,
        cond: list[_Qual],
        quals: list[_Qual],
        rows: int,
        width: int,
        pages: int,
    ) -> Node:
        n = max(table.rows, 1)
        leaves = n / 350.0
        height = 0 if leaves <= 1 else math.ceil(math.log(leaves) / math.log(300.0))
        startup = math.ceil(math.log2(n)) * CPU_OPERATOR + (height + 1) * 50 * CPU_OPERATOR
        matched = max(1, round(n * math.prod(q.selectivity for q in cond)))
        heap_pages = min(matched, pages)
        rest = [q for q in quals if q not in cond]
        total = (
            startup
            + RANDOM_PAGE * (1 + heap_pages)
            + matched * (CPU_INDEX_TUPLE + CPU_TUPLE + sum(q.cost for q in quals))
        )
        node = Node(f"Index Scan using {index.name} on {table.name}", startup, total, rows, width)
        node.details.append(f"Index Cond: {_and(cond)}")
        if rest:
            node.details.append(f"Filter: {_and(rest)}")
        return node

    def _sort(self, table: Table, child: Node, order: exp.Order, limit: int | None) -> Node:
        keys = []
        for o in order.expressions:
            for col in o.find_all(exp.Column):
                self._column(table, col.name)
            keys.append(deparse(o.this, table) + (" DESC" if o.args.get("desc") else ""))
        n = max(child.rows, 2)
        if limit is not None and 2 * limit < n:
            compare = 2.0 * CPU_OPERATOR * n * math.log2(2 * limit)
        else:
            compare = 2.0 * CPU_OPERATOR * n * math.log2(n)
        startup = child.total + compare
        node = Node("Sort", startup, startup + CPU_OPERATOR * child.rows, child.rows, child.width)
        node.details.append("Sort Key: " + ", ".join(keys))
        node.child = child
        return node


def _limit(child: Node, limit: int) -> Node:
    rows = min(limit, child.rows)
    span = child.total - child.startup
    total = child.startup + (span * rows / child.rows if child.rows else 0.0)
    return Node("Limit", child.startup, total, rows, child.width, [], child)


def _and(quals: list[_Qual]) -> str:
    if not quals:
        return ""
    if len(quals) == 1:
        return quals[0].text
    ordered = sorted(quals, key=lambda q: q.cost)  # the planner runs cheap quals first
    return "(" + " AND ".join(q.text for q in ordered) + ")"


def _int(node: exp.Expression) -> int:
    try:
        return int(node.name if isinstance(node, exp.Literal) else node.sql())
    except ValueError:
        raise PlanError("LIMIT must be a number here") from None


def deparse(node: exp.Expression, table: Table) -> str:
    """An expression as EXPLAIN prints it: ``((customer_ref)::text = 'x'::text)``."""
    types = {c.name: c.type for c in table.columns}

    def typed(e: exp.Expression) -> str | None:
        if isinstance(e, exp.Column):
            return types.get(e.name)
        if isinstance(e, exp.Cast):
            return e.to.sql("postgres").lower()
        return None

    def show(e: exp.Expression, other: str | None = None) -> str:
        if isinstance(e, exp.Paren):
            return show(e.this, other)
        if isinstance(e, exp.Column):
            return e.name
        if isinstance(e, exp.Cast):
            inner = show(e.this)
            if not isinstance(e.this, exp.Column):
                inner = inner if inner.startswith("(") else f"({inner})"
            else:
                inner = f"({inner})"
            return f"{inner}::{e.to.sql('postgres').lower()}"
        if isinstance(e, exp.Literal):
            if e.is_string:
                kind = other if other not in (None, "bigint", "integer", "smallint") else "text"
                return f"'{e.name}'::{kind}"
            return e.name
        if isinstance(e, exp.Boolean):
            return "true" if e.this else "false"
        if isinstance(e, exp.Not):
            return f"(NOT {show(e.this)})"
        if isinstance(e, exp.Binary):
            op = {
                exp.EQ: "=",
                exp.NEQ: "<>",
                exp.GT: ">",
                exp.GTE: ">=",
                exp.LT: "<",
                exp.LTE: "<=",
            }
            for op_type, sym in op.items():
                if isinstance(e, op_type):
                    left, right = e.this, e.expression
                    return f"({show(left, typed(right))} {sym} {show(right, typed(left))})"
            if isinstance(e, exp.And | exp.Or):
                word = "AND" if isinstance(e, exp.And) else "OR"
                return f"({show(e.this)} {word} {show(e.expression)})"
        if isinstance(e, exp.Is):
            return f"({show(e.this)} IS NULL)"
        return e.sql("postgres")

    return show(node)
