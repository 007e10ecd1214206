"""SQL expressions compiled into Python closures, once per statement.

:meth:`Evaluator.eval <gameday.tools.sql_eval.Evaluator.eval>` walks the sqlglot
tree for every row and tests each node's type against some twenty cases.
:func:`compile_expr` does that dispatch once: it returns ``fn(ev, env, group)`` that
computes what ``ev.eval(e, env, group)`` computes (the same value, the same error, the
same order of evaluation). The node types the lock-hunting queries use are specialised;
the others fall back to ``ev.eval``, which stays the reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlglot import exp

from gameday.tools.output import Interval
from gameday.tools.sql_eval import (
    _CMP,
    AGGREGATES,
    ARITHMETIC,
    Env,
    Evaluator,
    SqlError,
    _coerce,
    _like,
    and_rest,
    check_not_subquery,
    or_rest,
    quantified,
    quantifier,
    truth,
)
from gameday.tools.sql_funcs import cast_kind, cast_value, named_function

Fn = Callable[[Evaluator, Env, "list[Env] | None"], Any]
_PLAIN = (int, str, float, datetime)  # types _coerce passes through when both sides share one


def reference(e: exp.Expression) -> Fn:
    """``ev.eval(e, ...)`` as a closure: the tree walked for every row."""
    return lambda ev, env, group: ev.eval(e, env, group)


def _literal(e: exp.Literal) -> Fn:
    try:
        value = e.this if e.is_string else (float(e.this) if "." in e.this else int(e.this))
    except ValueError:  # raised per row, as the reference does
        return reference(e)
    return lambda ev, env, group: value


def _column(col: exp.Column) -> Fn:
    name, table = col.name, col.table
    if table:

        def qualified(ev: Evaluator, env: Env, group: list[Env] | None) -> Any:
            try:
                return env[table][name]
            except KeyError:
                return ev.column(col, env)  # raises the reference's error

        return qualified

    def bare(ev: Evaluator, env: Env, group: list[Env] | None) -> Any:
        for row in env.values():
            if name in row:
                return row[name]
        raise SqlError(f'column "{name}" does not exist')

    return bare


def _comparison(e: exp.Expression) -> Fn:
    left, op = compile_expr(e.this), _CMP[type(e)]
    quant = quantifier(e.expression)
    if quant is not None:
        array, every = compile_expr(quant[0]), quant[1]

        def any_all(ev: Evaluator, env: Env, group: list[Env] | None) -> Any:
            check_not_subquery(quant[0])
            value = left(ev, env, group)
            return quantified(op, value, array(ev, env, group), every)

        return any_all
    other = compile_expr(e.expression)

    def compare(ev: Evaluator, env: Env, group: list[Env] | None) -> Any:
        a, b = left(ev, env, group), other(ev, env, group)
        if a is None or b is None:
            return None
        if type(a) is type(b) and type(a) in _PLAIN:
            return op(a, b)
        a, b = _coerce(a, b)  # makes no NULL of a value
        return op(a, b)

    return compare


def _logic(e: exp.Expression) -> Fn | None:
    """AND, OR (three-valued), NOT and the IS family, or None for another node."""
    if isinstance(e, exp.And):
        a, b = compile_expr(e.this), compile_expr(e.expression)

        def both(ev: Evaluator, env: Env, group: list[Env] | None) -> bool | None:
            first = truth(a(ev, env, group), "AND")
            return False if first is False else and_rest(first, b(ev, env, group))

        return both
    if isinstance(e, exp.Or):
        a, b = compile_expr(e.this), compile_expr(e.expression)

        def either(ev: Evaluator, env: Env, group: list[Env] | None) -> bool | None:
            first = truth(a(ev, env, group), "OR")
            return True if first is True else or_rest(first, b(ev, env, group))

        return either
    if isinstance(e, exp.Not):
        inner = compile_expr(e.this)

        def negate(ev: Evaluator, env: Env, group: list[Env] | None) -> Any:
            value = truth(inner(ev, env, group), "NOT")
            return None if value is None else not value

        return negate
    if isinstance(e, exp.Is):
        value, target = compile_expr(e.this), e.expression
        flip = bool(e.args.get("negate"))
        if isinstance(target, exp.Null):
            return lambda ev, env, group: (value(ev, env, group) is None) is not flip
        other = compile_expr(target)
        return lambda ev, env, group: (value(ev, env, group) is other(ev, env, group)) is not flip
    return None


def _function(e: exp.Expression) -> Fn:
    """The function calls the runbooks use; others go to the reference."""
    if isinstance(e, exp.Left):
        text, count = compile_expr(e.this), compile_expr(e.expression)

        def left(ev: Evaluator, env: Env, group: list[Env] | None) -> Any:
            s, n = text(ev, env, group), count(ev, env, group)
            return None if s is None else str(s)[: int(n)]

        return left
    if isinstance(e, exp.Cast):  # TryCast too, as call_function treats them
        inner, kind = compile_expr(e.this), cast_kind(e.to)
        return lambda ev, env, group: cast_value(inner(ev, env, group), kind, ev.view)
    if type(e) is exp.Anonymous:
        name, args = e.name.lower(), [compile_expr(a) for a in e.expressions]
        return lambda ev, env, group: named_function(ev, name, [a(ev, env, group) for a in args])
    return reference(e)


def compile_expr(e: exp.Expression) -> Fn:
    """A closure computing ``ev.eval(e, env, group)`` without walking the tree.

    The cases are tried in the order :meth:`Evaluator.eval` tries them.
    """
    if isinstance(e, AGGREGATES):
        return reference(e)
    if isinstance(e, exp.Column):
        return _column(e)
    if isinstance(e, exp.Literal):
        return _literal(e)
    if isinstance(e, exp.Null):
        return lambda ev, env, group: None
    if isinstance(e, exp.Boolean):
        flag = bool(e.this)
        return lambda ev, env, group: flag
    if isinstance(e, exp.Paren | exp.Alias):
        return compile_expr(e.this)
    if isinstance(e, exp.CurrentTimestamp):
        return lambda ev, env, group: ev.view.now_ts
    if isinstance(e, exp.Interval):
        return reference(e)
    logic = _logic(e) if isinstance(e, exp.And | exp.Or | exp.Not) else None
    if logic is not None:
        return logic
    if type(e) in _CMP:
        return _comparison(e)
    if isinstance(e, exp.NullSafeEQ | exp.NullSafeNEQ | exp.In | exp.Between):
        return reference(e)
    if isinstance(e, exp.Is):
        return _logic(e) or reference(e)
    if isinstance(e, exp.Like | exp.ILike):
        value, pattern = compile_expr(e.this), compile_expr(e.expression)
        flags = re.I if isinstance(e, exp.ILike) else 0
        return lambda ev, env, group: _like(value(ev, env, group), pattern(ev, env, group), flags)
    if isinstance(e, exp.Neg):
        inner = compile_expr(e.this)

        def neg(ev: Evaluator, env: Env, group: list[Env] | None) -> Any:
            v = inner(ev, env, group)
            return Interval(-v.seconds) if isinstance(v, Interval) else -v

        return neg
    if isinstance(e, ARITHMETIC):
        a, b = compile_expr(e.this), compile_expr(e.expression)
        return lambda ev, env, group: ev._arith(e, a(ev, env, group), b(ev, env, group))
    return _function(e)
