"""A plain-Python copy of a ``promql_parser`` AST.

Attribute access on the Rust-backed nodes builds new Python objects every time; the
evaluator walks trees thousands of times, so each parsed expression is converted once
into these light nodes (with durations already in ms and matchers already compiled).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from gameday.promql.errors import UnsupportedError
from gameday.tsdb import Matcher

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MATCH_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


class Node:
    """One expression node; ``kind`` is the promql_parser class name."""

    def __init__(self, kind: str, **fields: Any) -> None:
        self.kind = kind
        self.__dict__.update(fields)

    if TYPE_CHECKING:  # fields vary by kind; to type checkers each one is Any

        def __getattr__(self, name: str) -> Any: ...

    def children(self) -> list[Node]:
        out = []
        for name in ("expr", "lhs", "rhs", "param", "vector_selector"):
            v = self.__dict__.get(name)
            if isinstance(v, Node):
                out.append(v)
        out.extend(a for a in self.__dict__.get("args", ()) if isinstance(a, Node))
        return out


def td_ms(td: _dt.timedelta | None) -> int:
    """A timedelta as integer milliseconds (0 for None)."""
    if td is None:
        return 0
    return (td.days * 86_400_000) + td.seconds * 1000 + td.microseconds // 1000


def _enum(x: Any) -> str:
    return str(x).rsplit(".", 1)[-1].split("(", 1)[0]


def _at(at: Any) -> tuple[str, int] | None:
    if at is None:
        return None
    kind = _enum(at.type)
    if kind in ("Start", "End"):
        return (kind, 0)
    return ("At", td_ms(at.at - _EPOCH))


def _matchers(vs: Any) -> list[Matcher]:
    out = []
    if vs.name:
        out.append(Matcher("__name__", "=", vs.name))
    ms = vs.matchers
    if ms.or_matchers:
        raise UnsupportedError("'or' inside a label matcher set is not PromQL 2.42")
    for m in ms.matchers:
        out.append(Matcher(m.name, _MATCH_OPS[_enum(m.op)], m.value))
    return out


def convert(node: Any) -> Node:
    """Convert a promql_parser node (recursively)."""
    kind = type(node).__name__
    if kind == "NumberLiteral":
        return Node(kind, val=float(node.val))
    if kind == "StringLiteral":
        return Node(kind, val=str(node.val))
    if kind in ("ParenExpr", "UnaryExpr"):
        return Node(kind, expr=convert(node.expr))
    if kind == "VectorSelector":
        return Node(
            kind,
            name=node.name,
            matchers=_matchers(node),
            offset_ms=td_ms(node.offset),
            at=_at(node.at),
        )
    if kind == "MatrixSelector":
        return Node(kind, vector_selector=convert(node.vector_selector), range_ms=td_ms(node.range))
    if kind == "SubqueryExpr":
        return Node(
            kind,
            expr=convert(node.expr),
            range_ms=td_ms(node.range),
            step_ms=td_ms(node.step),
            offset_ms=td_ms(node.offset),
            at=_at(node.at),
        )
    if kind == "Call":
        return Node(kind, func_name=node.func.name, args=[convert(a) for a in node.args])
    if kind == "AggregateExpr":
        mod = node.modifier
        return Node(
            kind,
            op=str(node.op),
            expr=convert(node.expr),
            param=convert(node.param) if node.param is not None else None,
            grouping=list(mod.labels) if mod is not None else [],
            without=mod is not None and _enum(mod.type) == "Without",
        )
    if kind == "BinaryExpr":
        mod = node.modifier
        card, on, names, include, rb = "OneToOne", False, None, [], False
        if mod is not None:
            card = _enum(mod.card)
            if mod.matching is not None:
                on = _enum(mod.matching.type) == "Include"
                names = list(mod.matching.labels)
            include = list(mod.group_labels or [])
            rb = bool(mod.return_bool)
            fill = getattr(mod, "fill_values", None)
            if fill is not None and (fill.lhs is not None or fill.rhs is not None):
                raise UnsupportedError("fill modifiers on binary operators are not PromQL 2.42")
        return Node(
            kind,
            op=str(node.op),
            lhs=convert(node.lhs),
            rhs=convert(node.rhs),
            card=card,
            on=on,
            names=names,
            include=include,
            return_bool=rb,
        )
    raise UnsupportedError(f"unsupported PromQL construct: {kind}")


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents first (pre-order, without recursion)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(n.children()))
    return out


def depth(node: Node) -> int:
    """How deeply evaluating ``node`` recurses: levels of nesting, where the left operand
    of a binary operator adds none (left-deep chains are evaluated by iteration)."""
    worst = 0
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        worst = max(worst, d)
        for c in n.children():
            same_level = n.kind == "BinaryExpr" and c is n.lhs
            stack.append((c, d if same_level else d + 1))
    return worst
