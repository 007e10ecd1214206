"""Parse long binary-operator chains without handing them whole to promql-parser.

promtool accepts ``up + up + ... + up`` with 5,000 terms; promql-parser (Rust) recurses
once per operator and its Python binding copies every subtree, so such a chain costs
gigabytes and can overflow the native stack (see :mod:`gameday.promql.limits`). An
expression too long for the native parser is cut at its top-level operators of the
lowest precedence present (``or``; ``and``/``unless``; comparisons; ``+``/``-``;
``*``/``/``/``%``/``atan2``), each operand is parsed on its own (cut again if needed),
and the chain is folded left to right into the same nodes the parser would build. Each
operator, with its ``bool``/``on``/``ignoring``/``group_*`` modifiers, is checked by
parsing it between two placeholders of the operands' types, so type errors read as the
parser's own (with several mistakes in one chain, the first one named may differ: the
native parser names syntax errors before type errors). ``^`` chains (right-associative)
and deep nesting of brackets are not cut: they are refused by the caller's limits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import promql_parser

from gameday.promql.ast import Node, convert

_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "unless": 2,
    "==": 3,
    "!=": 3,
    "<=": 3,
    ">=": 3,
    "<": 3,
    ">": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
    "atan2": 5,
    "^": 6,
}
_WORD_OPS = {"or", "and", "unless", "atan2"}
_MODIFIERS = {"bool", "on", "ignoring", "group_left", "group_right"}
# after these words a sign belongs to what follows (``offset -5m``, ``@ -100``)
_PREFIX_WORDS = {"offset", "by", "without", *_MODIFIERS}
_WORD = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[A-Za-z0-9_]*")
_OPEN = {"(": ")", "[": "]", "{": "}"}


@dataclass
class Chain:
    """Operands (text) and the operators between them (text with modifiers)."""

    operands: list[str]
    operators: list[str]
    precedence: int


def skip_string(expr: str, i: int) -> int:
    quote = expr[i]
    j = i + 1
    while j < len(expr) and expr[j] != quote:
        j += 2 if expr[j] == "\\" and quote != "`" else 1
    return j + 1


def skip_group(expr: str, i: int) -> int:
    """Index after the bracket group opening at ``i`` (strings and comments skipped)."""
    depth = 0
    n = len(expr)
    while i < n:
        ch = expr[i]
        if ch in "\"'`":
            i = skip_string(expr, i)
            continue
        if ch == "#":
            end = expr.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _operator_at(expr: str, i: int) -> str | None:
    two = expr[i : i + 2]
    if two in ("==", "!=", "<=", ">="):
        return two
    if expr[i] in "+-*/%^<>":
        return expr[i]
    return None


def top_level(expr: str) -> Chain | None:
    """The chain of top-level binary operators of the lowest precedence, or None.

    None when there is no binary operator outside brackets, or the lowest one is ``^``.
    """
    pieces: list[tuple[int, int, str, int]] = []  # (start, end, op, precedence)
    i, n = 0, len(expr)
    operand_ended = False  # the last token ends an operand: a sign now is binary
    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "#":
            end = expr.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch in "\"'`":
            i = skip_string(expr, i)
            operand_ended = True
            continue
        if ch in _OPEN:
            i = skip_group(expr, i)
            operand_ended = True
            continue
        number = _NUMBER.match(expr, i) if (ch.isdigit() or ch == ".") else None
        if number:
            i = number.end()
            operand_ended = True
            continue
        word = _WORD.match(expr, i)
        if word:
            text = word.group(0)
            low = text.lower()
            if low in _WORD_OPS and operand_ended:
                end = _modifiers_end(expr, word.end())
                pieces.append((i, end, low, _PRECEDENCE[low]))
                i, operand_ended = end, False
                continue
            i = word.end()
            operand_ended = low not in _PREFIX_WORDS
            continue
        op = _operator_at(expr, i)
        if op is not None and operand_ended:
            end = _modifiers_end(expr, i + len(op))
            pieces.append((i, end, op, _PRECEDENCE[op]))
            i, operand_ended = end, False
            continue
        operand_ended = False  # unary sign, '@', ',' ...
        i += 1
    if not pieces:
        return None
    lowest = min(p[3] for p in pieces)
    if lowest == _PRECEDENCE["^"]:
        return None
    cuts = [p for p in pieces if p[3] == lowest]
    operands, operators = [], []
    start = 0
    for s, e, _, _ in cuts:
        operands.append(expr[start:s])
        operators.append(expr[s:e])
        start = e
    operands.append(expr[start:])
    return Chain(operands, operators, lowest)


def _modifiers_end(expr: str, i: int) -> int:
    """End of ``bool``, ``on(...)``/``ignoring(...)``, ``group_x(...)`` after an operator."""
    n = len(expr)
    while True:
        j = i
        while j < n and expr[j].isspace():
            j += 1
        word = _WORD.match(expr, j)
        if not word or word.group(0).lower() not in _MODIFIERS:
            return i
        k = word.end()
        while k < n and expr[k].isspace():
            k += 1
        takes_labels = word.group(0).lower() != "bool"
        i = skip_group(expr, k) if takes_labels and k < n and expr[k] == "(" else word.end()


def value_type(node: Node) -> str:
    """The PromQL type of a node: ``vector``, ``scalar``, ``string`` or ``matrix``."""
    while node.kind in ("ParenExpr", "UnaryExpr"):
        node = node.expr
    kind = node.kind
    if kind == "NumberLiteral":
        return "scalar"
    if kind == "StringLiteral":
        return "string"
    if kind in ("MatrixSelector", "SubqueryExpr"):
        return "matrix"
    if kind == "Call" and node.func_name in ("scalar", "time", "pi"):
        return "scalar"
    if kind == "BinaryExpr":
        # a chain's type is its left-most operand's when both sides agree; iterate the spine
        while node.kind == "BinaryExpr":
            if value_type(node.rhs) != "scalar":
                return "vector"
            node = node.lhs
        return value_type(node)
    return "vector"


_PLACEHOLDER = {
    "vector": ("__gameday_lhs__", "__gameday_rhs__"),
    "scalar": ("1", "1"),
    "string": ('"l"', '"r"'),
    "matrix": ("__gameday_lhs__[1m]", "__gameday_rhs__[1m]"),
}
_OPERATOR_CACHE: dict[tuple[str, str, str], Node] = {}


def operator_node(op_text: str, lhs_type: str, rhs_type: str) -> Node:
    """The operator (with its modifiers) parsed between placeholders of the given types.

    Raises:
        Exception: the parser's own error (type errors, bad modifiers).
    """
    key = (op_text, lhs_type, rhs_type)
    node = _OPERATOR_CACHE.get(key)
    if node is None:
        text = f"{_PLACEHOLDER[lhs_type][0]} {op_text} {_PLACEHOLDER[rhs_type][1]}"
        node = convert(promql_parser.parse(text))
        if node.kind != "BinaryExpr":  # pragma: no cover - the scan found no operator
            raise ValueError(f"unexpected operator text {op_text!r}")
        _OPERATOR_CACHE[key] = node
    return node


def fold(chain: Chain, parse_piece: Callable[[str], Node]) -> Node:
    """The left-deep tree of ``chain``: each operand parsed by ``parse_piece``."""
    acc = parse_piece(chain.operands[0])
    for op_text, operand in zip(chain.operators, chain.operands[1:], strict=True):
        rhs = parse_piece(operand)
        template = operator_node(op_text.strip(), value_type(acc), value_type(rhs))
        fields = {k: v for k, v in template.__dict__.items() if k != "kind"}
        fields.update(lhs=acc, rhs=rhs)
        acc = Node("BinaryExpr", **fields)
    return acc


def outer_parens(expr: str) -> str | None:
    """The inside of ``( ... )`` when the brackets enclose the whole expression."""
    text = expr.strip()
    if text.startswith("(") and skip_group(text, 0) == len(text):
        return text[1:-1]
    return None
