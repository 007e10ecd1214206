"""SQL functions and casts the simulated PostgreSQL knows.

The lock-hunting ones (``pg_blocking_pids``, ``pg_terminate_backend``,
``pg_cancel_backend``), the string and time helpers runbooks use around them (``left``,
``substring``, ``age``, ``extract``, ``date_trunc``, ``coalesce``, ``CASE``) and casts
to ``interval``, ``text``, ``int`` and ``regclass``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from gameday.tools import pg_replication as replication
from gameday.tools.output import Interval, pg_text
from gameday.tools.sql_eval import SqlError, array_value, parse_interval, truth

if TYPE_CHECKING:
    from gameday.tools.sql_eval import Env, Evaluator

SETTINGS = {
    "max_connections": None,  # the database's own value
    "statement_timeout": "0",
    "lock_timeout": "0",
    "idle_in_transaction_session_timeout": "0",
    "deadlock_timeout": "1s",
    "server_version": "15.6",
    "shared_buffers": "4GB",
    "work_mem": "4MB",
    "timezone": "UTC",
    "log_lock_waits": "off",
    "superuser_reserved_connections": None,  # the database's own value
    "max_parallel_workers_per_gather": "0",
    "random_page_cost": "4",
    "seq_page_cost": "1",
}
VERSION = (
    "PostgreSQL 15.6 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit"
)
_INTERVAL_PARTS = {"epoch": 1, "second": 1, "minute": 60, "hour": 3600, "day": 86400}


def setting(view: Any, name: str) -> str:
    """A server setting as ``SHOW`` prints it.

    Raises:
        SqlError: for a setting the simulation does not know.
    """
    key = name.lower()
    if key in getattr(view, "settings", {}):
        return str(view.settings[key])
    if key == "max_connections":
        return str(view.db.max_connections)
    if key == "superuser_reserved_connections":
        return str(view.db.superuser_reserved_connections)
    if key in SETTINGS:
        return str(SETTINGS[key])
    raise SqlError(f'unrecognized configuration parameter "{name}"')


def cast_kind(to: exp.Expression) -> str:
    """The type name a cast is to, as :func:`cast_value` takes it."""
    return to.sql(dialect="postgres").lower()


def cast_value(value: Any, kind: str, view: Any) -> Any:
    """``value::kind``.

    Raises:
        SqlError: for a type the simulation does not cast to.
    """
    if value is None:
        return None
    if kind.endswith("[]"):
        if not isinstance(value, list) and not str(value).startswith("{"):
            raise SqlError(f'malformed array literal: "{value}"')
        items = array_value(value if isinstance(value, list) else str(value))
        return [cast_value(v, kind[:-2], view) for v in items or []]
    if kind == "interval":
        return value if isinstance(value, Interval) else parse_interval(str(value))
    if kind in {"text", "varchar", "char", "name"}:
        return pg_text(value)
    if kind in {"int", "integer", "bigint", "smallint", "int4", "int8"}:
        return int(value.seconds if isinstance(value, Interval) else float(value))
    if kind in {"numeric", "float", "double precision", "real", "decimal"}:
        return float(value.seconds if isinstance(value, Interval) else value)
    if kind == "pg_lsn":
        return replication.as_lsn(value)
    if kind == "regclass":
        return view.relations.get(value, str(value))
    if kind in {"timestamptz", "timestamp", "timestamp with time zone"}:
        return value
    raise SqlError(f"casting to {kind} is not simulated")


def _extract(part: str, value: Any) -> Any:
    part = part.lower()
    if value is None:
        return None
    if isinstance(value, Interval):
        if part == "epoch":
            return round(value.seconds, 6)
        if part in _INTERVAL_PARTS:
            whole = int(value.seconds // _INTERVAL_PARTS[part])
            return whole % (60 if part in {"second", "minute"} else 24 if part == "hour" else 10**9)
    if isinstance(value, datetime):
        if part == "epoch":
            return round(value.timestamp(), 6)
        if part in {"second", "minute", "hour", "day", "month", "year"}:
            return getattr(value, part)
    raise SqlError(f'unit "{part}" not supported for this value')


def _trunc(unit: str, value: Any) -> Any:
    step = _INTERVAL_PARTS.get(unit.lower())
    if step is None:
        raise SqlError(f'unit "{unit}" not recognized')
    if isinstance(value, Interval):
        return Interval(value.seconds // step * step)
    if isinstance(value, datetime):
        return datetime.fromtimestamp(value.timestamp() // step * step, tz=value.tzinfo)
    return value


def call_function(ev: Evaluator, e: exp.Expression, env: Env, group: list[Env] | None) -> Any:
    """The value of function call ``e``.

    Raises:
        SqlError: for a function that is not simulated.
    """
    val = lambda x: ev.eval(x, env, group)  # noqa: E731
    view = ev.view
    if isinstance(e, exp.Left):
        s, n = val(e.this), val(e.expression)
        return None if s is None else str(s)[: int(n)]
    if isinstance(e, exp.Substring):
        s = val(e.this)
        start = int(val(e.args["start"])) if e.args.get("start") else 1
        length = e.args.get("length")
        if s is None:
            return None
        return str(s)[start - 1 : start - 1 + int(val(length))] if length else str(s)[start - 1 :]
    if isinstance(e, exp.Coalesce):
        for x in [e.this, *e.expressions]:
            v = val(x)
            if v is not None:
                return v
        return None
    if isinstance(e, exp.Case):
        for branch in e.args.get("ifs", []):
            if truth(val(branch.this), "CASE/WHEN"):
                return val(branch.args["true"])
        default = e.args.get("default")
        return val(default) if default is not None else None
    if isinstance(e, exp.Cast | exp.TryCast):
        return cast_value(val(e.this), cast_kind(e.to), view)
    if isinstance(e, exp.Extract):
        return _extract(e.this.name, val(e.expression))
    if isinstance(e, exp.TimestampTrunc):
        return _trunc(e.args["unit"].name, val(e.this))
    if isinstance(e, exp.Array):
        return [val(x) for x in e.expressions]
    if isinstance(e, exp.ArraySize):
        arr = val(e.this)
        return len(arr) if arr else None
    if isinstance(e, exp.Upper | exp.Lower | exp.Length):
        s = val(e.this)
        if s is None:
            return None
        return (
            len(s)
            if isinstance(e, exp.Length)
            else (s.upper() if isinstance(e, exp.Upper) else s.lower())
        )
    if isinstance(e, exp.DPipe | exp.Concat):
        parts = [e.this, e.expression] if isinstance(e, exp.DPipe) else e.expressions
        return "".join(pg_text(val(p)) for p in parts)
    if isinstance(e, exp.CurrentDatabase):
        return view.db.datname
    if isinstance(e, exp.CurrentVersion):
        return VERSION
    if isinstance(e, exp.Anonymous):
        return named_function(ev, e.name.lower(), [val(a) for a in e.expressions])
    raise SqlError(f"{e.sql(dialect='postgres')[:60]}: this expression is not simulated")


def named_function(ev: Evaluator, name: str, args: list[Any]) -> Any:
    """The value of function ``name`` (sqlglot does not know it) called with ``args``.

    Raises:
        SqlError: for a function that is not simulated.
    """
    view = ev.view
    if name == "pg_blocking_pids":
        return list(view.blocked_by.get(args[0], [])) if args else []
    if name == "cardinality":
        return len(args[0]) if args and args[0] is not None else None
    if name in {"pg_terminate_backend", "pg_cancel_backend"}:
        if not args or args[0] is None:
            return None
        return ev.backend_call(int(args[0]), name == "pg_cancel_backend")
    if name == "pg_backend_pid":
        return view.self_pid
    if name in {"clock_timestamp", "statement_timestamp", "transaction_timestamp", "now"}:
        return view.now_ts
    if name == "age" and args:
        start = args[-1]
        end = args[0] if len(args) == 2 else view.now_ts
        return None if start is None or end is None else Interval((end - start).total_seconds())
    if name == "current_setting" and args:
        return setting(view, str(args[0]))
    if name == "inet_client_addr":
        return "10.244.0.17"
    if name in replication.FUNCTIONS:
        return replication.call(view, name, args)
    raise SqlError(
        f"function {name}() is not simulated; try pg_blocking_pids, pg_terminate_backend, "
        "pg_cancel_backend, left, substring, age, extract, date_trunc, coalesce, "
        "pg_is_in_recovery, pg_last_xact_replay_timestamp, pg_wal_lsn_diff, pg_promote"
    )
