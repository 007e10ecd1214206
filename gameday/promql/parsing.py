"""From PromQL text to the evaluator's tree, within limits that keep native code safe.

Short expressions go straight to promql-parser. One whose operators and brackets exceed
:data:`~gameday.promql.limits.MAX_NESTING` (an upper bound of what the native parser can
take safely) is cut at its top-level binary operators (:mod:`gameday.promql.chains`),
unwrapped from enclosing brackets, or has its long bracketed arguments parsed apart
(:mod:`gameday.promql.arguments`), and is parsed piece by piece; what cannot be cut is
refused. The finished tree must not nest deeper than :data:`MAX_DEPTH`, the recursion the
evaluators can afford (a left-deep chain of binary operators counts as one level, since
it is evaluated by iteration).
"""

from __future__ import annotations

from typing import Any

import promql_parser

from gameday.promql.arguments import substitute
from gameday.promql.ast import Node, convert, depth
from gameday.promql.chains import fold, outer_parens, top_level
from gameday.promql.errors import PromQLParseError
from gameday.promql.limits import MAX_LENGTH, MAX_NESTING, nesting

MAX_DEPTH = 128  # nesting levels after chains are flattened; see tests/promql/test_promql_depth.py
_MAX_PIECE_LEVELS = 32  # cuts and unwrappings inside each other
_PARSE_CACHE: dict[str, Node] = {}


def parse(expr: str) -> Any:
    """Parse ``expr`` (cached); errors and refusals become :class:`PromQLParseError`."""
    node = _PARSE_CACHE.get(expr)
    if node is None:
        if len(expr) > MAX_LENGTH:
            raise PromQLParseError(
                f"expression is {len(expr)} characters long; gameday parses at most {MAX_LENGTH}"
            )
        try:
            node = _parse(expr, 0)
        except _CannotCut:
            raise PromQLParseError(
                f"expression nests {nesting(expr)} operators and brackets; gameday parses at "
                f"most {MAX_NESTING} (long chains of binary operators excepted; split it "
                "into recording rules)"
            ) from None
        levels = depth(node)
        if levels > MAX_DEPTH:
            raise PromQLParseError(
                f"expression nests {levels} levels deep; gameday evaluates at most "
                f"{MAX_DEPTH} (long chains of binary operators excepted; split it into "
                "recording rules)"
            )
        _PARSE_CACHE[expr] = node
    return node


class _CannotCut(Exception):
    """Too many operators and brackets for the native parser, and no chain to cut."""


def _native(expr: str) -> Node:
    try:
        raw = promql_parser.parse(expr)
    except Exception as exc:  # the Rust parser raises ValueError and friends
        raise PromQLParseError(str(exc)) from None
    return convert(raw)


def _parse(expr: str, level: int) -> Node:
    count = nesting(expr)
    if count <= MAX_NESTING:
        return _native(expr)
    if level < _MAX_PIECE_LEVELS:
        chain = top_level(expr)
        if chain is not None:
            try:
                return fold(chain, lambda piece: _parse(piece, level + 1))
            except PromQLParseError:
                raise
            except Exception as exc:  # an operator's own parse (type errors, modifiers)
                raise PromQLParseError(str(exc)) from None
        inner = outer_parens(expr)
        if inner is not None:
            return Node("ParenExpr", expr=_parse(inner, level + 1))
        node = substitute(expr, lambda piece: _parse(piece, level + 1))
        if node is not None:
            return node
    raise _CannotCut
