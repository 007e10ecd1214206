"""Evaluating SQL expressions, parsed by sqlglot, over rows of PostgreSQL's views.

Values are Python ones: ``int``, ``float``, ``str``, ``bool``, ``None`` (NULL),
``datetime`` (timestamptz), :class:`~gameday.tools.output.Interval` and lists
(arrays). What is not simulated raises :class:`SqlError` with a message saying so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlglot import exp

from gameday.goregex import GoRegex, compile_go, quote_meta
from gameday.tools.output import Interval, Lsn, pg_text
from gameday.tools.parse import ActionError
from gameday.tools.pgstat import PgView
from gameday.world.database.replication import parse_lsn

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
ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_TYPE_NAMES: dict[type, str] = {
    bool: "boolean",
    int: "integer",
    float: "numeric",
    str: "text",
    datetime: "timestamp with time zone",
    Interval: "interval",
    Lsn: "pg_lsn",
    list: "integer[]",
}
_NO_OPERATOR_HINT = (
    "HINT:  No operator matches the given name and argument types. "
    "You might need to add explicit type casts."
)


class SqlError(ActionError):
    """An error psql would print as ``ERROR:  ...``."""


def pg_type(value: Any) -> str:
    """The PostgreSQL type name of a (non-NULL) value, as error messages spell it."""
    return next((n for t, n in _TYPE_NAMES.items() if isinstance(value, t)), "unknown")


def no_operator(a: Any, op: str, b: Any) -> SqlError:
    """PostgreSQL's error for an operator its operand types do not have."""
    return SqlError(f"operator does not exist: {pg_type(a)} {op} {pg_type(b)}\n{_NO_OPERATOR_HINT}")


def _quot(x: int, y: int) -> int:
    """Integer division truncating toward zero, as PostgreSQL's (-7 / 2 is -3)."""
    q = abs(x) // abs(y)
    return q if (x < 0) == (y < 0) else -q


def modulo(a: Any, b: Any) -> Any:
    """``a % b`` for non-NULL numbers: the remainder takes the dividend's sign.

    Raises:
        SqlError: ``division by zero``, or no ``%`` for the operand types.
    """
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
    if not numbers:
        raise no_operator(a, "%", b)
    if b == 0:
        raise SqlError("division by zero")
    if isinstance(a, int) and isinstance(b, int):
        return a - b * _quot(a, b)
    return math.fmod(a, b)


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


def lsn_value(text: str) -> Lsn:
    """``text`` as a ``pg_lsn``; PostgreSQL's error when it is none."""
    try:
        return Lsn(parse_lsn(text))
    except ValueError as exc:
        raise SqlError(str(exc)) from None


def _num(value: Any) -> float:
    return value.seconds if isinstance(value, Interval) else value


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    """Make two values comparable the way PostgreSQL's implicit casts would."""
    if isinstance(a, Lsn) and isinstance(b, str):
        b = lsn_value(b)
    elif isinstance(b, Lsn) and isinstance(a, str):
        a = lsn_value(a)
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


def compare(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """``a op b``: NULL when either side is NULL, else after :func:`_coerce`."""
    if a is None or b is None:
        return None
    a, b = _coerce(a, b)
    return op(a, b)


_TRUE_WORDS = ("true", "yes")
_FALSE_WORDS = ("false", "no")


def truth(value: Any, clause: str) -> bool | None:
    """A condition's truth value: NULL stays unknown (None).

    Args:
        value: what the condition evaluated to.
        clause: where it stands (``AND``, ``WHERE``, ``CASE/WHEN``...), for the error.

    Raises:
        SqlError: for a value that is no boolean, as PostgreSQL says; text is read as
            a boolean literal (``'yes'``, ``'f'``).
    """
    if value is None or isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise SqlError(f"argument of {clause} must be type boolean, not type {pg_type(value)}")
    word = value.strip().lower()
    if word and (any(w.startswith(word) for w in _TRUE_WORDS) or word in ("on", "1")):
        return True
    if word and (any(w.startswith(word) for w in _FALSE_WORDS) or word in ("of", "off", "0")):
        return False
    raise SqlError(f'invalid input syntax for type boolean: "{value}"')


def holds(value: Any, clause: str) -> bool:
    """Whether a WHERE or HAVING condition keeps its row (only when it is true)."""
    if value is True:
        return True
    return value is not False and value is not None and truth(value, clause) is True


def and_rest(first: bool | None, second: Any) -> bool | None:
    """``first AND second`` once ``first`` (its truth value) is known not to be false."""
    b = truth(second, "AND")
    if b is False:
        return False
    return None if first is None or b is None else True


def or_rest(first: bool | None, second: Any) -> bool | None:
    """``first OR second`` once ``first`` (its truth value) is known not to be true."""
    b = truth(second, "OR")
    if b is True:
        return True
    return None if first is None or b is None else False


def quantifier(right: exp.Expression) -> tuple[exp.Expression, bool] | None:
    """``(array, is_all)`` for the right side of ``x op ANY/SOME/ALL (array)``, else None.

    sqlglot parses ``ANY (...)`` as :class:`exp.Any` but ``ALL``/``SOME`` of an array as
    a call of a function of that name.
    """
    if isinstance(right, exp.Any | exp.All):
        return right.this, isinstance(right, exp.All)
    if type(right) is exp.Anonymous and len(right.expressions) == 1:
        name = right.name.lower()
        if name in {"any", "some", "all"}:
            return right.expressions[0], name == "all"
    return None


def check_not_subquery(e: exp.Expression) -> None:
    """Raises for ``ANY (SELECT ...)``: subqueries are not simulated."""
    while isinstance(e, exp.Paren):
        e = e.this
    if isinstance(e, exp.Query | exp.Subquery):
        raise SqlError("subqueries are not simulated; query pg_stat_activity directly")


def array_value(value: Any) -> list[Any] | None:
    """The array ANY/ALL reads: a list, or an array literal such as ``'{1,NULL}'``."""
    if value is None or isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        inner = value[1:-1].strip()
        items = [item.strip().strip('"') for item in inner.split(",")] if inner else []
        return [None if item.upper() == "NULL" else item for item in items]
    raise SqlError("op ANY/ALL (array) requires array on right side")


def quantified(op: Callable[[Any, Any], Any], value: Any, array: Any, every: bool) -> Any:
    """``value op ANY (array)`` (``every`` false) or ``value op ALL (array)``.

    ANY is true when some element compares true, ALL false when some compares false;
    otherwise NULL if a comparison was NULL, else false (ANY) or true (ALL). An empty
    array gives false (ANY) or true (ALL), a NULL array NULL.
    """
    items = array_value(array)
    if items is None:
        return None
    unknown = False
    for item in items:
        result = compare(op, value, item)
        if result is None:
            unknown = True
        elif bool(result) is not every:
            return not every
    return None if unknown else every


def like_regex(pattern: str, ignore_case: bool) -> GoRegex:
    """A LIKE pattern as an RE2 regex (linear: ``'%%%...%ZZZ'`` cannot hang a session).

    ``%`` is any run, ``_`` one character, ``\\`` escapes the next (PostgreSQL's default).

    Raises:
        SqlError: for a pattern ending in the escape character, as PostgreSQL does.
    """
    out: list[str] = ["(?s)" + ("(?i)" if ignore_case else "") + "^"]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 >= len(pattern):
                raise SqlError("LIKE pattern must not end with escape character")
            out.append(quote_meta(pattern[i + 1]))
            i += 2
            continue
        if c == "%":
            if out[-1] != ".*":
                out.append(".*")
        else:
            out.append("." if c == "_" else quote_meta(c))
        i += 1
    out.append("$")
    return compile_go("".join(out))


def _like(value: Any, pattern: Any, flags: int) -> bool | None:
    if value is None or pattern is None:
        return None
    return like_regex(str(pattern), bool(flags & re.IGNORECASE)).search(str(value))


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
            first = truth(ev(e.this), "AND")
            return False if first is False else and_rest(first, ev(e.expression))
        if isinstance(e, exp.Or):
            first = truth(ev(e.this), "OR")
            return True if first is True else or_rest(first, ev(e.expression))
        if isinstance(e, exp.Not):
            inner = truth(ev(e.this), "NOT")
            return None if inner is None else not inner
        if type(e) in _CMP:
            quant = quantifier(e.expression)
            if quant is not None:
                check_not_subquery(quant[0])
                value = ev(e.this)
                return quantified(_CMP[type(e)], value, ev(quant[0]), quant[1])
            return compare(_CMP[type(e)], ev(e.this), ev(e.expression))
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
            value = ev(e.this)  # x IN (a, b) is x = ANY (ARRAY[a, b]): NULL when unsure
            return quantified(_CMP[exp.EQ], value, [ev(x) for x in e.expressions], False)
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
        if isinstance(e, ARITHMETIC):
            return self._arith(e, ev(e.this), ev(e.expression))
        return self._function(e, env, group)

    def _arith(self, e: exp.Expression, a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        if isinstance(e, exp.Mod):
            return modulo(a, b)
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
            r = x / y if isinstance(x, float) or isinstance(y, float) or interval else _quot(x, y)
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
        from gameday.tools.sql_funcs import call_function

        return call_function(self, e, env, group)
