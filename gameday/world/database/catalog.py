"""The tables and indexes of a simulated database, and indexes being built.

Tables come from the scenario (:class:`~gameday.scenario.tables.Table`); indexes can be
added during a drill. ``CREATE INDEX CONCURRENTLY`` builds over sim time in proportion
to the table's rows and the index is used by the planner only once it is valid; a
plain ``CREATE INDEX`` builds faster but holds a SHARE lock on the table, which blocks
its writes, for the whole build.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import cast

from sqlglot import exp, parse_one
from sqlglot.errors import SqlglotError

from gameday.scenario.tables import Table

#: rows a plain CREATE INDEX sorts per second; CONCURRENTLY scans the table twice and
#: waits out older transactions, so it takes about twice as long
BUILD_ROWS_PER_SECOND = 150_000.0
CONCURRENT_SLOWDOWN = 2.0


def parse_sql(text: str) -> exp.Expression:
    """sqlglot's parse of one PostgreSQL statement or expression.

    Raises:
        SqlglotError: when it does not parse.
    """
    return cast(exp.Expression, parse_one(text, read="postgres"))


def normalise_key(key: str) -> str:
    """An index key or predicate side in one canonical SQL spelling."""
    text = key.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    try:
        return parse_sql(text).sql("postgres").lower()
    except SqlglotError:
        return " ".join(text.lower().split())


def key_of(node: exp.Expression) -> str:
    """The canonical spelling of an expression, as :func:`normalise_key` gives it."""
    inner = node.this if isinstance(node, exp.Paren) else node
    return inner.sql("postgres").lower()


@dataclass
class LiveIndex:
    """An index of the running server.

    Attributes:
        name: its name.
        table: the table it indexes.
        keys: its keys, as written (column names or parenthesised expressions).
        unique: a unique index.
        primary: the primary key.
        valid: whether queries may use it (False while building).
        started: when its build started (sim time; None for the scenario's own).
        ready_at: when its build ends.
        concurrently: built with CREATE INDEX CONCURRENTLY.
        builder_pid: the backend building it.
    """

    name: str
    table: str
    keys: list[str]
    unique: bool = False
    primary: bool = False
    valid: bool = True
    started: float | None = None
    ready_at: float | None = None
    concurrently: bool = False
    builder_pid: int | None = None

    @property
    def norm_keys(self) -> list[str]:
        """The keys in canonical spelling."""
        return [normalise_key(k) for k in self.keys]

    def definition(self) -> str:
        """``btree (customer_ref)`` as ``\\d`` prints it after the name."""
        keys = ", ".join(k if not k.startswith("(") else k for k in self.keys)
        return f"btree ({keys})"


@dataclass
class Catalog:
    """The database's tables and live indexes."""

    tables: dict[str, Table] = field(default_factory=dict)
    indexes: list[LiveIndex] = field(default_factory=list)
    version: int = 0  # grows whenever the set of usable indexes changes

    @classmethod
    def from_tables(cls, tables: list[Table]) -> Catalog:
        cat = cls({t.name: t for t in tables})
        for t in tables:
            for i in t.all_indexes():
                cat.indexes.append(LiveIndex(i.name, t.name, list(i.columns), i.unique, i.primary))
        return cat

    def indexes_of(self, table: str, valid_only: bool = True) -> list[LiveIndex]:
        """The indexes of ``table`` (only usable ones unless ``valid_only`` is False)."""
        return [i for i in self.indexes if i.table == table and (i.valid or not valid_only)]

    def index(self, name: str) -> LiveIndex | None:
        return next((i for i in self.indexes if i.name == name), None)

    def build_seconds(self, table: str, concurrently: bool) -> float:
        """How long building an index on ``table`` takes."""
        rows = self.tables[table].rows
        seconds = max(0.5, rows / BUILD_ROWS_PER_SECOND)
        return seconds * (CONCURRENT_SLOWDOWN if concurrently else 1.0)

    def advance(self, now: float) -> list[LiveIndex]:
        """Finish the builds due by ``now``; returns the indexes that became valid."""
        done = []
        for i in self.indexes:
            if not i.valid and i.ready_at is not None and i.ready_at <= now:
                i.valid = True
                done.append(i)
        if done:
            self.version += 1
        return done

    def pages(self, table: str) -> int:
        """Heap pages of ``table`` (8 kB pages, row header and item pointer included)."""
        t = self.tables[table]
        width = sum(c.avg_width for c in t.columns)
        per_page = max(1, 8168 // (width + 28))
        return max(1, math.ceil(t.rows / per_page)) if t.rows else 0
