"""Queries registered on a database, and what each execution costs.

A fault (or a scenario) registers a query a service issues and how much longer than
healthy it holds a connection when the planner has no index for it
(:meth:`Workload.register`). The database answers, per service, the factor by which
its pool hold time grows (:meth:`Workload.hold_factor`): the registered slowdown while
the query's plan is a sequential scan, 1 once a valid index serves it, and only for the
share of pods whose version issues it. Building the right index, or rolling back the
release that sends the query, is what relieves it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import SqlglotError

from gameday.world.database.catalog import Catalog, normalise_key, parse_sql
from gameday.world.database.planner import PlanError, Planner


@dataclass(frozen=True)
class RegisteredQuery:
    """A query one service issues, with its slowdown when it is not index-backed.

    Attributes:
        key: who registered it (a fault id).
        service: the calling service.
        text: the SQL as ``pg_stat_activity`` shows it (``$1`` parameters).
        factor: how many times longer than healthy an execution holds its connection.
        version: the service version that issues it (None: every version).
        fix_index: ``(table, key)`` an index must lead with to serve it; None: worked
            out from the query's WHERE clause.
        base_ms: how long one execution takes when an index serves it.
    """

    key: str
    service: str
    text: str
    factor: float
    version: str | None = None
    fix_index: tuple[str, str] | None = None
    base_ms: float = 5.0


def parse_index_spec(spec: str) -> tuple[str, str]:
    """``orders(customer_ref)`` or ``orders((customer_ref::text))`` as (table, key)."""
    table, _, rest = spec.partition("(")
    if not rest.endswith(")"):
        raise ValueError(f"index {spec!r}: expected TABLE(COLUMN) or TABLE((EXPRESSION))")
    return table.strip(), normalise_key(rest[:-1])


class Workload:
    """The registered queries of one database."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.queries: dict[str, RegisteredQuery] = {}
        self._served: dict[tuple[str, int], bool] = {}

    def register(self, query: RegisteredQuery) -> None:
        self.queries[query.key] = query

    def unregister(self, key: str) -> None:
        self.queries.pop(key, None)

    def served_by_index(self, query: RegisteredQuery) -> bool:
        """Whether a valid index now serves the query's lookup (cached per index set)."""
        key = (query.key, self.catalog.version)
        found = self._served.get(key)
        if found is None:
            found = self._served[key] = self._served_now(query)
        return found

    def _served_now(self, query: RegisteredQuery) -> bool:
        if query.fix_index is not None:
            table, key = query.fix_index
            return any(i.norm_keys[0] == key for i in self.catalog.indexes_of(table))
        try:
            stmt = parse_sql(_bind(query.text))
            plan = Planner(self.catalog).plan(stmt)
        except (SqlglotError, PlanError):
            return False
        return any(n.label.startswith("Index Scan") for n in plan.walk())

    def slow(self, service: str) -> list[RegisteredQuery]:
        """The service's registered queries that no index serves."""
        return [
            q
            for q in self.queries.values()
            if q.service == service and q.factor > 1 and not self.served_by_index(q)
        ]

    def hold_factor(self, service: str, version_share: dict[str, float]) -> float:
        """How many times longer the service's requests hold a connection.

        Args:
            service: the calling service.
            version_share: the share of its serving pods per version.
        """
        factor = 1.0
        for q in self.slow(service):
            share = 1.0 if q.version is None else version_share.get(q.version, 0.0)
            factor *= 1.0 + (q.factor - 1.0) * share
        return factor


def _bind(text: str) -> str:
    """``text`` with ``$n`` parameters replaced by literals, for planning."""
    try:
        tree = parse_sql(text)
    except SqlglotError:
        return text
    for p in list(tree.find_all(exp.Parameter, exp.Placeholder)):
        p.replace(exp.Literal.string("0"))
    return tree.sql("postgres")
