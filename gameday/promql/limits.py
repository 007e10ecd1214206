"""Limits checked before an expression reaches the native PromQL parser.

promql-parser (Rust) recurses once per level of its syntax tree, on the parser's stack
and again when the tree is handed to Python: 20,000 unary minus signs overflow that
stack (a segfault, exit 139), and a chain of 5,000 ``up +`` takes quadratic time and
gigabytes. The tree's depth is never more than the number of operators and brackets in
the text, which one linear scan counts (string literals skipped), so an expression whose
count is within :data:`MAX_NESTING` is safe to parse. Real rules stay far below it:
the deepest of the bundled and conformance rules has a few dozen. Longer expressions are
cut at their top-level operators first (:mod:`gameday.promql.parsing`), so only what
nests deeply, not what is merely long, is refused.
"""

from __future__ import annotations

MAX_LENGTH = 64 * 1024  # characters; the longest real rule expressions are a few KiB
MAX_NESTING = 256  # operators and brackets: an upper bound of the syntax tree's depth
# Steps of one subquery evaluation (``[100y:1ms]`` is 3e12: Prometheus allocates a point per
# step and dies). 10 million steps cost 80 MB per series here.
MAX_SUBQUERY_STEPS = 10_000_000

_OPERATOR_CHARS = frozenset("+-*/%^=!<>(")
_WORD_OPERATORS = frozenset({"and", "or", "unless", "atan2"})


def nesting(expr: str) -> int:
    """An upper bound of the syntax-tree depth of ``expr``: operators plus open brackets.

    Comparison operators of two characters (``==``, ``!=``, ``<=``, ``>=``, ``=~``,
    ``!~``) count once; quoted strings are skipped.
    """
    count = 0
    i, n = 0, len(expr)
    word_start = -1
    while i < n:
        ch = expr[i]
        if ch in "\"'`":
            end = i + 1
            while end < n and expr[end] != ch:
                end += 2 if expr[end] == "\\" and ch != "`" else 1
            i = end + 1
            continue
        if ch.isalnum() or ch in "_:":
            if word_start < 0:
                word_start = i
            i += 1
            continue
        if word_start >= 0:
            count += expr[word_start:i].lower() in _WORD_OPERATORS
            word_start = -1
        if ch in _OPERATOR_CHARS:
            count += 1
            if i + 1 < n and expr[i + 1] in "=~" and ch in "=!<>":
                i += 1
        i += 1
    if word_start >= 0:
        count += expr[word_start:].lower() in _WORD_OPERATORS
    return count
