"""Long operands inside brackets: ``sum(<5000-term chain>)``, ``topk(5, a + b + ...)``.

:mod:`gameday.promql.chains` cuts an expression at its top-level operators, but a long
chain inside a call, an aggregation, a subquery or a unary minus's brackets is not at
the top level, and promtool accepts it all the same. Here each long argument of a
top-level bracket group is parsed on its own (cut again as needed), replaced in the text
by a placeholder of its type, and the outer expression, now short, is parsed with the
placeholders; the arguments' trees then take the placeholders' places. The outer parse
checks the arguments' types (``rate(sum(...))`` fails as it does whole), since each
placeholder has the type of the argument it stands for.
"""

from __future__ import annotations

from collections.abc import Callable

from gameday.promql.ast import Node
from gameday.promql.chains import skip_group, skip_string, value_type
from gameday.promql.limits import nesting

LONG_ARGUMENT = 32  # operators and brackets that make an argument worth parsing apart
_MARK = "__gameday_arg{}__"
_PLACEHOLDER = {
    "vector": "{}",
    "scalar": "scalar({})",
    "string": '"{}"',
    "matrix": "{}[1m]",
}


def _argument_spans(expr: str) -> list[tuple[int, int]]:
    """Spans of the comma-separated arguments of every top-level ``( ... )`` group."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch in "\"'`":
            i = skip_string(expr, i)
        elif ch == "#":
            end = expr.find("\n", i)
            i = n if end < 0 else end
        elif ch in "[{":
            i = skip_group(expr, i)
        elif ch == "(":
            end = skip_group(expr, i)
            if expr[end - 1] == ")":  # an unclosed group is the parser's to report
                spans += _commas(expr, i + 1, end - 1)
            i = end
        else:
            i += 1
    return spans


def _commas(expr: str, start: int, end: int) -> list[tuple[int, int]]:
    """``expr[start:end]`` split at its top-level commas."""
    spans, i, begin = [], start, start
    while i < end:
        ch = expr[i]
        if ch in "\"'`":
            i = skip_string(expr, i)
        elif ch in "([{":
            i = skip_group(expr, i)
        else:
            if ch == ",":
                spans.append((begin, i))
                begin = i + 1
            i += 1
    spans.append((begin, end))
    return spans


def _placeholder_of(node: Node, marks: dict[str, Node]) -> Node | None:
    """The argument tree a placeholder node stands for, or None if it is not one."""
    kind = node.kind
    if kind == "VectorSelector":
        return marks.get(node.name)
    if kind == "StringLiteral":
        return marks.get(node.val)
    if kind == "MatrixSelector":
        return _placeholder_of(node.vector_selector, marks)
    if kind == "Call" and node.func_name == "scalar" and node.args:
        inner = node.args[0]
        return marks.get(inner.name) if inner.kind == "VectorSelector" else None
    return None


def _put_back(root: Node, marks: dict[str, Node]) -> Node:
    """``root`` with every placeholder replaced by its argument's tree (no recursion)."""
    top = _placeholder_of(root, marks)
    if top is not None:
        return top
    stack = [root]
    while stack:
        node = stack.pop()
        for name in ("expr", "lhs", "rhs", "param", "vector_selector"):
            child = node.__dict__.get(name)
            if isinstance(child, Node):
                found = _placeholder_of(child, marks)
                if found is not None:
                    setattr(node, name, found)
                else:
                    stack.append(child)
        args = node.__dict__.get("args")
        if args:
            for k, child in enumerate(args):
                found = _placeholder_of(child, marks)
                if found is not None:
                    args[k] = found
                else:
                    stack.append(child)
    return root


def substitute(expr: str, parse_piece: Callable[[str], Node]) -> Node | None:
    """``expr`` parsed with its long bracketed arguments parsed apart, or None if it has none.

    ``parse_piece`` parses each argument and then the outer text with placeholders.
    """
    long = [(s, e) for s, e in _argument_spans(expr) if nesting(expr[s:e]) > LONG_ARGUMENT]
    if not long:
        return None
    marks: dict[str, Node] = {}
    out: list[str] = []
    last = 0
    for s, e in long:
        node = parse_piece(expr[s:e])
        mark = _MARK.format(len(marks))
        marks[mark] = node
        out += [expr[last:s], " ", _PLACEHOLDER[value_type(node)].format(mark), " "]
        last = e
    out.append(expr[last:])
    return _put_back(parse_piece("".join(out)), marks)
