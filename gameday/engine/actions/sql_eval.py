"""Evaluating SQL expressions, parsed by sqlglot, over rows of PostgreSQL's views.

Values are Python ones: ``int``, ``float``, ``str``, ``bool``, ``None`` (NULL),
``datetime`` (timestamptz), :class:`~gameday.engine.actions.output.Interval` and lists
(arrays). What is not simulated raises :class:`SqlError` with a message saying so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlglot import exp

from gameday.engine.actions.output import Interval, pg_text
from gameday.engine.actions.parse import ActionError
from gameday.engine.actions.pgstat import PgView

Env = dict[str, dict[str, Any]]  # table alias -> row
_UNITS = {
    "us": 1e-6,
    "ms": 1e-3,
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
    "w": 604800,
    "week": 604800,
}
_CMP: dict[type, Callable[[Any, Any], Any]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
}
AGGREGATES = (exp.Count, exp.Max, exp.Min, exp.Sum, exp.Avg)


class SqlError(ActionError):
    """An error psql would print as ``ERROR:  ...``."""


def parse_interval(text: str) -> Interval:
    """``'5 minutes'``, ``'1h30m'``, ``'00:05:00'`` as an :class:`Interval`."""
    s = text.strip().lower()
    clock = re.fullmatch(r"(-?)(\d+):(\d{2})(?::(\d{2}(?:\.\d+)?))?", s)
    if clock:
        sign = -1 if clock[1] else 1
        return Interval(sign * (int(clock[2]) * 3600 + int(clock[3]) * 60 + float(clock[4] or 0)))
    total, pos = 0.0, 0
    for m in re.finditer(r"\s*(-?\d+(?:\.\d+)?)\s*([a-z]+)\s*", s):
        unit = m[2].rstrip("s") if m[2] not in {"s", "ms", "us"} else m[2]
        if m.start() != pos or unit not in _UNITS:
            break
        total += float(m[1]) * _UNITS[unit]
        pos = m.end()
    else:
        if pos == len(s) and s:
            return Interval(total)
    raise SqlError(f'invalid input syntax for type interval: "{text}"')


def _num(value: Any) -> float:
    return value.seconds if isinstance(value, Interval) else value


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    """Make two values comparable the way PostgreSQL's implicit casts would."""
    if isinstance(a, Interval) and isinstance(b, str):
        b = parse_interval(b)
    elif isinstance(b, Interval) and isinstance(a, str):
        a = parse_interval(a)
    if isinstance(b, str) and isinstance(a, int | float) and not isinstance(a, bool):
        a, b = b, a
        swapped = True
    else:
        swapped = False
    if isinstance(a, str) and isinstance(b, int | float) and not isinstance(b, bool):
        if not re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", a):
            raise SqlError(f'invalid input syntax for type integer: "{a}"')
        a = float(a) if "." in a else int(a)
    if swapped:
        a, b = b, a
    if isinstance(a, Interval) or isinstance(b, Interval):
        return _num(a), _num(b)
    return a, b


def _like(value: Any, pattern: Any, flags: int) -> bool | None:
    if value is None or pattern is None:
        return None
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, str(value), flags | re.DOTALL) is not None


class Evaluator:
    """Evaluates expressions for one query against one :class:`PgView`.

    Args:
        view: the database as it is now.
        backend_call: handles ``pg_terminate_backend`` / ``pg_cancel_backend``; takes
            the pid and whether it is a cancel, returns what PostgreSQL would.
    """

    def __init__(self, view: PgView, backend_call: Callable[[int, bool], bool]) -> None:
        self.view = view
        self.backend_call = backend_call

    # -- columns ------------------------------------------------------------------------

    def column(self, col: exp.Column, env: Env) -> Any:
        """The value of a column reference in ``env``."""
        name, table = col.name, col.table
        if table:
            if table not in env:
                raise SqlError(f'missing FROM-clause entry for table "{table}"')
            row = env[table]
            if name not in row:
                raise SqlError(f"column {table}.{name} does not exist")
            return row[name]
        for row in env.values():
            if name in row:
                return row[name]
        raise SqlError(f'column "{name}" does not exist')

    # -- expressions --------------------------------------------------------------------

    def eval(self, e: exp.Expression, env: Env, group: list[Env] | None = None) -> Any:
        """The value of ``e`` for one row (``env``), or one group for aggregates."""
        ev = lambda x: self.eval(x, env, group)  # noqa: E731
        if isinstance(e, AGGREGATES):
            return self._aggregate(e, group if group is not None else [env])
        if isinstance(e, exp.Column):
            return self.column(e, env)
        if isinstance(e, exp.Literal):
            return e.this if e.is_string else (float(e.this) if "." in e.this else int(e.this))
        if isinstance(e, exp.Null):
            return None
        if isinstance(e, exp.Boolean):
            return bool(e.this)
        if isinstance(e, exp.Paren | exp.Alias):
            return ev(e.this)
        if isinstance(e, exp.CurrentTimestamp):
            return self.view.now_ts
        if isinstance(e, exp.Interval):
            unit = e.args.get("unit")
            return parse_interval(f"{ev(e.this)} {unit.name if unit else ''}".strip())
        if isinstance(e, exp.And):
            return bool(ev(e.this)) and bool(ev(e.expression))
        if isinstance(e, exp.Or):
            return bool(ev(e.this)) or bool(ev(e.expression))
        if isinstance(e, exp.Not):
            inner = ev(e.this)
            return None if inner is None else not inner
        if type(e) in _CMP:
            right = e.expression
            if isinstance(right, exp.Any):
                values = ev(right.this) or []
                return ev(e.this) in values
            a, b = _coerce(ev(e.this), ev(right))
            return None if a is None or b is None else _CMP[type(e)](a, b)
        if isinstance(e, exp.NullSafeEQ | exp.NullSafeNEQ):
            same = ev(e.this) == ev(e.expression)
            return same if isinstance(e, exp.NullSafeEQ) else not same
        if isinstance(e, exp.Is):
            value, target = ev(e.this), e.expression
            same = value is None if isinstance(target, exp.Null) else value is ev(target)
            return not same if e.args.get("negate") else same
        if isinstance(e, exp.In):
            if e.args.get("query"):
                raise SqlError("subqueries are not simulated; query pg_stat_activity directly")
            value = ev(e.this)
            return any(_coerce(value, ev(x))[0] == _coerce(value, ev(x))[1] for x in e.expressions)
        if isinstance(e, exp.Between):
            v, lo, hi = ev(e.this), ev(e.args["low"]), ev(e.args["high"])
            if None in (v, lo, hi):
                return None
            return _coerce(lo, v)[0] <= _num(v) <= _coerce(hi, v)[0]
        if isinstance(e, exp.Like | exp.ILike):
            return _like(ev(e.this), ev(e.expression), re.I if isinstance(e, exp.ILike) else 0)
        if isinstance(e, exp.Neg):
            v = ev(e.this)
            return Interval(-v.seconds) if isinstance(v, Interval) else -v
        if isinstance(e, exp.Add | exp.Sub | exp.Mul | exp.Div):
            return self._arith(e, ev(e.this), ev(e.expression))
        return self._function(e, env, group)

    def _arith(self, e: exp.Expression, a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        if isinstance(e, exp.Sub) and isinstance(a, datetime) and isinstance(b, datetime):
            return Interval((a - b).total_seconds())
        if isinstance(a, datetime) and isinstance(b, Interval | str):
            b = parse_interval(b) if isinstance(b, str) else b
            delta = timedelta(seconds=b.seconds)
            return a + delta if isinstance(e, exp.Add) else a - delta
        interval = isinstance(a, Interval) or isinstance(b, Interval)
        x, y = _num(a), _num(b)
        if isinstance(e, exp.Add):
            r = x + y
        elif isinstance(e, exp.Sub):
            r = x - y
        elif isinstance(e, exp.Mul):
            r = x * y
        else:
            if y == 0:
                raise SqlError("division by zero")
            r = x / y if isinstance(x, float) or isinstance(y, float) or interval else x // y
        return Interval(r) if interval else r

    def _aggregate(self, e: exp.Expression, rows: list[Env]) -> Any:
        arg = e.this
        if isinstance(e, exp.Count):
            if isinstance(arg, exp.Star):
                return len(rows)
            if isinstance(arg, exp.Distinct):
                seen = {pg_text(self.eval(arg.expressions[0], r)) for r in rows}
                return len(seen)
            return sum(self.eval(arg, r) is not None for r in rows)
        values = [v for v in (self.eval(arg, r) for r in rows) if v is not None]
        if not values:
            return None
        if isinstance(e, exp.Max):
            return max(values, key=_num)
        if isinstance(e, exp.Min):
            return min(values, key=_num)
        total = sum(_num(v) for v in values)
        if isinstance(e, exp.Avg):
            total /= len(values)
        return Interval(total) if isinstance(values[0], Interval) else total

    def _function(self, e: exp.Expression, env: Env, group: list[Env] | None) -> Any:
        from gameday.engine.actions.sql_funcs import call_function

        return call_function(self, e, env, group)
