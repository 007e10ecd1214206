"""What a typed command observed: :func:`observe` reads a command as the simulated tools
run it and says what it took from the world, as an :class:`Observation`.

* ``kubectl get|describe|top|logs|rollout history|exec`` (:mod:`.observe_kube`);
* ``psql -c SQL`` and bare SQL: the server it reaches and the relations the statements
  read (parsed by sqlglot, as the simulated psql parses them). A function that reads
  the server's state counts as its relation: ``pg_blocking_pids`` reads the lock table
  ``pg_locks`` shows, the recovery functions (``pg_last_xact_replay_timestamp`` ...) the
  standby's ``recovery`` state. SQL that terminates, cancels or promotes is a change;
* ``redis-cli`` (through ``kubectl exec``): the server, then ``INFO`` sections,
  ``CONFIG GET`` patterns or the command word (``SLOWLOG GET``, ``CLIENT LIST``...);
* ``promtool query instant|range``: the metric names the PromQL selects;
* the Kafka tools: the group or topic described; ``df`` in a pod: the pod's workload.

Changes and commands that cannot run observe nothing (``None``). The answer depends on
the text and the scenario's database servers only, so scoring can ask it of a runbook's
step and of a journal's commands alike.
"""

from __future__ import annotations

from functools import lru_cache

from gameday.runbooks.normalise import mark_placeholders
from gameday.tools.kafka_tools import GROUP_TOOLS, is_kafka_tool, options
from gameday.tools.observation import ANY, Observation, covers
from gameday.tools.observe_kube import observe_kubectl
from gameday.tools.parse import ActionError, split_command
from gameday.tools.psql import invocation, server_index
from gameday.tools.redis_cli import arguments
from gameday.tools.redis_info import DEFAULT as INFO_DEFAULT

__all__ = ["Observation", "covers", "observe"]

Servers = tuple[tuple[str, str], ...]  # (name, datname) of each database server, in order

#: functions that read the server's state, by the relation (or state) they read
STATE_FUNCTIONS = {
    "pg_blocking_pids": "pg_locks",
    "pg_safe_snapshot_blocking_pids": "pg_locks",
    "pg_is_in_recovery": "recovery",
    "pg_is_wal_replay_paused": "recovery",
    "pg_last_wal_receive_lsn": "recovery",
    "pg_last_wal_replay_lsn": "recovery",
    "pg_last_xact_replay_timestamp": "recovery",
}
#: functions that change the server: a statement calling one is not a look
CHANGING_FUNCTIONS = {
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_promote",
    "pg_reload_conf",
    "set_config",
    "pg_wal_replay_pause",
    "pg_wal_replay_resume",
    "pg_switch_wal",
}
#: read-only Redis commands, with the subcommand where it says what is read
_REDIS_READS = {"PING", "DBSIZE", "TTL", "PTTL", "EXISTS", "TYPE", "GET", "SCAN", "KEYS"}
_REDIS_SUBREADS = {
    "CLIENT": {"LIST", "INFO"},
    "SLOWLOG": {"GET", "LEN"},
    "MEMORY": {"USAGE", "STATS", "DOCTOR"},
    "LATENCY": {"LATEST", "HISTORY", "DOCTOR"},
}


def sql_reads(sql: str) -> frozenset[str] | None:
    """The relations (and state) ``sql`` reads; None for a change or unparsable SQL."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    from gameday.tools.sql_query import quiet_sqlglot

    if sql.lstrip().startswith("\\"):
        return None  # psql's meta-commands read the catalogue, not the server's state
    try:
        with quiet_sqlglot():
            statements = sqlglot.parse(mark_placeholders(sql).replace(ANY, "1"), read="postgres")
    except (SqlglotError, RecursionError):
        return None
    reads: set[str] = set()
    for stmt in statements:
        if stmt is None:
            continue
        if isinstance(stmt, exp.Command) and str(stmt.this).upper() == "SHOW":
            reads.add("setting:" + stmt.text("expression").strip().lower())
            continue
        if not isinstance(stmt, (exp.Select, exp.SetOperation)):
            return None
        ctes = {c.alias_or_name.lower() for c in stmt.find_all(exp.CTE)}
        reads |= {t.name.lower() for t in stmt.find_all(exp.Table)} - ctes
        for fn in stmt.find_all(exp.Anonymous):
            name = fn.name.lower()
            if name in CHANGING_FUNCTIONS:
                return None
            if name in STATE_FUNCTIONS:
                reads.add(STATE_FUNCTIONS[name])
    return frozenset(reads) if reads else None


def _sql(sql: str, server: str) -> Observation | None:
    reads = sql_reads(sql)
    return Observation("psql", frozenset({"read"}), server, reads) if reads else None


def _psql(args: list[str], servers: Servers) -> Observation | None:
    try:
        call = invocation(args)
    except ActionError:
        return None
    if call.sql is None:
        return None
    index = server_index(servers, call.host, call.dbname)
    server = servers[index][0] if index is not None else (call.host or call.dbname)
    return _sql(call.sql, server)


def _redis(args: list[str], own: str) -> Observation | None:
    """``redis-cli [-h HOST] [-p PORT] COMMAND ...``: the server, then what it read."""
    try:
        opts, words = arguments(args)  # read as the simulated redis-cli reads them
    except ActionError:
        return None
    host = opts.get("-h", "")
    server = host.split(".")[0] if host not in ("", "127.0.0.1", "localhost") else own
    if "--bigkeys" in opts:
        words = ["--BIGKEYS"]
    if not words:
        return None
    cmd, rest = words[0].upper(), [w.lower() for w in words[1:]]
    if cmd == "INFO":
        named = [s for s in rest if s not in ("default", "all", "everything")]
        wide = len(named) < len(rest) or not rest
        subjects = {f"info:{s}" for s in named} | (
            {f"info:{s}" for s in INFO_DEFAULT} if wide else set()
        )
    elif cmd == "CONFIG" and rest[:1] == ["get"] and rest[1:]:
        subjects = {f"config:{p}" for p in rest[1:]}
    elif cmd in _REDIS_SUBREADS and rest and rest[0].upper() in _REDIS_SUBREADS[cmd]:
        subjects = {f"command:{cmd.lower()} {rest[0]}"}
    elif cmd in _REDIS_READS or cmd == "--BIGKEYS":
        subjects = {f"command:{cmd.lower()}"}
    else:
        return None
    return Observation("redis", frozenset({"read"}), server, frozenset(subjects))


def _kafka(program: str, args: list[str]) -> Observation | None:
    try:
        opts = options(args)  # read as the simulated tool reads them
    except ActionError:
        return None
    if "--reset-offsets" in opts or "--delete" in opts or "--create" in opts or "--alter" in opts:
        return None
    what = "group" if program in GROUP_TOOLS else "topic"
    if "--list" in opts:
        return Observation("kafka", frozenset({"list"}), "", frozenset({what}))
    if "--describe" not in opts:
        return None
    name = opts.get(f"--{what}")
    aspect = next((a[2:] for a in ("--members", "--state") if a in opts), "offsets")
    names = frozenset({f"{what}/{name}"}) if isinstance(name, str) and name else None
    return Observation("kafka", frozenset({aspect}), "", frozenset({what}), names)


def _exec(argv: list[str], ns: str, target: str, servers: Servers) -> Observation | None:
    """The command ``kubectl exec`` runs in a pod of ``target`` (``workload/x``, ``pods/y``)."""
    program = argv[0].rsplit("/", 1)[-1]
    if program == "psql":
        return _psql(argv[1:], servers)
    if program == "redis-cli":
        return _redis(argv[1:], target.split("/", 1)[1])
    if program == "df":
        return Observation(
            "df", frozenset({"read"}), ns, frozenset({"filesystems"}), frozenset({target})
        )
    if is_kafka_tool(program):
        return _kafka(program, argv[1:])
    return None


def _promtool(args: list[str]) -> Observation | None:
    from gameday.promql.ast import walk
    from gameday.promql.errors import PromQLError
    from gameday.promql.parsing import parse

    if args[:1] != ["query"] or args[1:2] not in (["instant"], ["range"]):
        return None
    exprs = [a for a in args[2:] if not a.startswith(("-", "http://", "https://"))]
    if not exprs:
        return None
    try:
        tree = parse(exprs[-1])
    except PromQLError:
        return None
    names: set[str] = set()
    for node in walk(tree):
        if node.kind == "VectorSelector":
            eq = [m.value for m in node.matchers if m.name == "__name__" and m.op == "="]
            names |= {node.name} if node.name else set(eq)
    return Observation("promtool", frozenset({"read"}), "", frozenset(names)) if names else None


@lru_cache(maxsize=4096)
def observe(command: str, servers: Servers = ()) -> Observation | None:
    """What ``command`` reads from the world, or None (a change, an incident verb, a
    command that cannot run). ``servers`` places psql on the scenario's database servers
    as the simulated psql does (the first is the one bare SQL reaches); runbook
    placeholders (``<pod>``, ``$POD``) stand for any name."""
    text = command.strip()
    first = text.split()[0].lower() if text.split() else ""
    if first in ("select", "show", "with", "sql"):
        sql = text[3:] if first == "sql" else text
        return _sql(sql, servers[0][0] if servers else "")
    try:
        cmd = split_command(mark_placeholders(text))
    except ActionError:
        return None
    if cmd.program in ("kubectl", "k"):
        return observe_kubectl(cmd.args, lambda argv, ns, target: _exec(argv, ns, target, servers))
    if cmd.program == "psql":
        return _psql(cmd.args, servers)
    if cmd.program == "promtool":
        return _promtool(cmd.args)
    if is_kafka_tool(cmd.program):
        return _kafka(cmd.program.rsplit("/", 1)[-1], cmd.args)
    return None
