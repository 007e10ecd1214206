"""From typed text to an :class:`ActionResult`: parse, dispatch, filter, judge the effect.

Nothing typed runs on the host. An unknown or malformed command answers with the
closest known commands; every failure is a message for the responder, never a traceback.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from gameday.tools import incident_verbs as iv
from gameday.tools.budget import BudgetExceeded, command_budget
from gameday.tools.catalog import COMMANDS_HELP, KUBECTL_VERBS, help_for, suggestions
from gameday.tools.context import ActionContext
from gameday.tools.effects import Follow, Outcome
from gameday.tools.filters import apply_filters
from gameday.tools.kafka_tools import is_kafka_tool, run_kafka_tool
from gameday.tools.kubectl import BOOLS, RESOURCE_OF, SHORT, VALUES, run_kubectl
from gameday.tools.parse import ActionError, parse_flags, split_command
from gameday.tools.promtool import run_promtool
from gameday.tools.psql import STACK_DEPTH, run_psql, run_query

_SQL_START = re.compile(r"^\s*(select|show|with)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<[^<>\s]+>|\$\{?[A-Za-z_]\w*\}?|\{\{[^}]*\}\}|\{[a-z_]+\}|\[[a-z_ ]+\]")
_VERBS: dict[str, Callable[[Any, list[str], str], Outcome]] = {
    "ack": iv.ack,
    "sev": iv.sev,
    "assign": iv.assign,
    "status": iv.status,
    "escalate": iv.escalate,
    "resolve": iv.resolve,
    "silence": iv.silence,
    "note": iv.note,
    "alerts": iv.alerts,
}


@dataclass(frozen=True)
class ActionResult:
    """What a command did.

    Attributes:
        ok: whether it succeeded.
        output: what the responder sees (as the real tool would print it).
        kind: the normalised verb, e.g. ``kubectl.get.pods``, ``psql.terminate``, ``ack``.
        changed: whether it changed the world or the incident (what that did to the
            incident is the debrief's to tell, by counterfactual).
        follow: what the command goes on printing as sim time passes (a watch such as
            ``kubectl rollout status``), for the session to run; None when it is done.
    """

    ok: bool
    output: str
    kind: str
    changed: bool = False
    follow: Follow | None = None


def _words(text: str) -> list[str]:
    """Words of an incident verb; an apostrophe in free text is not a shell quote."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _guess_kind(text: str) -> str:
    words = text.split()
    if not words:
        return "unknown"
    prog = words[0].lower()
    if prog in ("kubectl", "k"):
        try:
            verbs = parse_flags(_words(text)[1:], SHORT, VALUES, BOOLS).words
        except ActionError:
            verbs = [w for w in words[1:] if not w.startswith("-")]
        if verbs[:1] == ["rollout"] or (verbs[:1] == ["set"] and len(verbs) > 1):
            return "kubectl." + ".".join(verbs[:2])
        full = RESOURCE_OF.get(verbs[1].split("/")[0].lower()) if len(verbs) > 1 else None
        kind = full.split(".")[0] if full else None
        if verbs[:1] in (["get"], ["top"]) and kind:
            return f"kubectl.{verbs[0]}.{kind}"
        if verbs[:1] in (["describe"], ["delete"]) and kind:
            return f"kubectl.{verbs[0]}.{kind.rstrip('s')}"
        return "kubectl." + ".".join(verbs[:1]) if verbs else "kubectl"
    if prog == "promtool":
        return "promtool"
    if prog in ("psql", "sql", "select", "show"):
        low = text.lower()
        return (
            "psql.terminate"
            if "pg_terminate_backend" in low
            else "psql.cancel"
            if "pg_cancel_backend" in low
            else "psql.select"
        )
    if is_kafka_tool(prog):
        return "kafka." + ("topics" if "topics" in prog else "groups")
    return prog if prog in _VERBS or prog in ("help", "declare", "ic") else "unknown"


def _program(text: str) -> str:
    words = text.split()
    return words[0] if words else "gameday"


def _over_budget(text: str, exc: BudgetExceeded) -> Outcome:
    """What the real tool says when the server gives up on a request that runs too long."""
    kind = _guess_kind(text)
    if kind.startswith("psql"):
        return Outcome(False, "ERROR:  canceling statement due to statement timeout", kind)
    if kind.startswith("kubectl"):
        return Outcome(
            False,
            "Error from server (Timeout): the server was unable to return a response in the "
            "time allotted, but may still be processing the request",
            kind,
        )
    return Outcome(False, f"{_program(text)}: stopped: {exc}", kind)


def _unknown(text: str, why: str = "") -> Outcome:
    close = suggestions(text)
    lines = [why or f"unknown command: {text.split()[0] if text.split() else text!r}"]
    if close:
        lines.append("Did you mean: " + " | ".join(close) + " ?")
    lines.append("Type 'help' for the list of commands.")
    return Outcome(False, "\n".join(lines), "unknown")


def _default_db(ctx: Any) -> Any:
    dbs = list(ctx.world.databases.values())
    if not dbs:
        raise ActionError("this scenario has no database to query")
    return dbs[0]


def _not_recorded(text: str) -> Outcome | None:
    """In an imported incident: what only a live cluster or database could answer."""
    first = text.split()[0].lower() if text.split() else ""
    if first in ("kubectl", "k", *_IN_PODS):
        tool = "kubectl" if first == "k" else first
        what = f"{tool}: not available in an imported incident (no cluster was recorded)"
    elif first in ("psql", "sql") or _SQL_START.match(text):
        what = "psql: not available in an imported incident (no database was recorded)"
    else:
        return None
    hint = "what was recorded: promtool query instant 'EXPR', alerts, amtool alert query"
    return Outcome(False, f"{what}\n{hint}", _guess_kind(text))


def _dispatch(ctx: Any, text: str, actor: str) -> Outcome:
    if not text.strip():
        return Outcome(False, "Type a command; 'help' lists them.", "unknown")
    if getattr(ctx, "recorded", False):
        refused = _not_recorded(text)
        if refused is not None:
            return refused
    if _SQL_START.match(text):
        return run_query(ctx, _default_db(ctx), "postgres", text)
    first = text.split()[0].lower()
    if first == "sql":
        return run_query(ctx, _default_db(ctx), "postgres", text.strip()[3:].strip())
    if first in _VERBS or first in ("declare", "ic", "help", "amtool"):
        args = _words(text)[1:]
        if first == "help":
            topic = " ".join(args)
            body = help_for(topic) if topic else COMMANDS_HELP
            return Outcome(
                body is not None, body or f"no command {topic!r}\n\n{COMMANDS_HELP}", "help"
            )
        if first == "declare":
            return iv.sev(ctx, [a for a in args if a.lower() != "incident"], actor)
        if first == "ic":
            return iv.assign(ctx, ["ic", *args], actor)
        if first == "amtool":
            if args[:2] == ["silence", "add"]:
                return iv.silence(ctx, args[2:], actor)
            if args[:2] == ["alert", "query"] or args[:1] == ["alert"]:
                return iv.alerts(ctx, [], actor)
            return _unknown(
                text, "only 'amtool silence add' and 'amtool alert query' are simulated"
            )
        return _VERBS[first](ctx, args, actor)
    cmd = split_command(text)
    if cmd.program in ("kubectl", "k"):
        out = run_kubectl(ctx, cmd.args)
    elif cmd.program == "psql":
        out = run_psql(ctx, cmd.args, actor)
    elif cmd.program == "promtool":
        out = run_promtool(ctx, cmd.args)
    elif is_kafka_tool(cmd.program):
        out = run_kafka_tool(ctx, cmd.program, cmd.args)
    elif cmd.program.rsplit("/", 1)[-1] in _IN_PODS:
        return _in_pod_only(ctx, cmd.program.rsplit("/", 1)[-1], cmd.args)
    else:
        return _unknown(text)
    if out.ok and cmd.filters:
        out.output = apply_filters(out.output, cmd.filters)
        if out.follow is not None:
            out.follow = _piped(out.follow, cmd.filters)
    if out.stderr:  # on the terminal before the output; a pipe never sees it
        out.output = "\n".join(part for part in (out.stderr, out.output) if part)
        out.stderr = ""
    return out


_IN_PODS = ("redis-cli", "df")


def _in_pod_only(ctx: Any, program: str, args: list[str]) -> Outcome:
    """``redis-cli`` or ``df`` typed on the responder's own shell: they run in a pod here,
    so say how (naming a pod that has the program), not "unknown command"."""
    ns = ctx.world.namespace
    cluster = ctx.world.cluster
    if program == "redis-cli":
        servers = sorted(ctx.world.caches.servers)
        pods = [p.name for s in servers for p in cluster.pods_of(s) if p.running]
        where = "a Redis pod"
    else:
        pods = sorted(p.name for p in cluster.pods.values() if p.running)
        where = "a pod"
    pod = pods[0] if pods else "POD"
    lines = [
        f"{program}: not on this host; it runs inside {where}:",
        f"  kubectl exec -it {pod} -n {ns} -- {shlex.join([program, *args])}",
    ]
    if program == "redis-cli" and not servers:
        lines = [f"{program}: not on this host, and no Redis runs in namespace {ns}"]
    return Outcome(False, "\n".join(lines), "unknown")


def _piped(follow: Follow, filters: Any) -> Follow:
    """A watch whose lines go through the pipe too (its errors, on stderr, do not)."""

    def poll() -> tuple[str, bool, bool]:
        line, done, ok = follow.poll()
        return (apply_filters(line, filters) if ok else line), done, ok

    return replace(follow, poll=poll)


def execute(ctx: ActionContext, text: str, actor: str = "you", role: str = "ops") -> ActionResult:
    """Carry out one typed command against the simulated world.

    Args:
        ctx: the session (an :class:`~gameday.tools.context.ActionContext`).
        text: the command as typed.
        actor: who typed it (a person id of the on-call file, or ``you``).
        role: the role they act in (recorded by the session; verbs do not check it).

    Returns:
        The output the real tool would print, the normalised kind and the effect.
    """
    try:
        with command_budget():
            outcome = _dispatch(ctx, text, actor)
    except ActionError as exc:
        outcome = Outcome(False, str(exc), _guess_kind(text))
    except BudgetExceeded as exc:
        outcome = _over_budget(text, exc)
    except RecursionError:  # SQL nested deeper than sqlglot or the evaluator can follow
        kind = _guess_kind(text)
        deep = STACK_DEPTH if kind.startswith("psql") else f"{_program(text)}: nested too deeply"
        outcome = Outcome(False, deep, kind)
    return ActionResult(
        outcome.ok,
        outcome.output,
        outcome.kind,
        changed=outcome.ok and outcome.changed,
        follow=outcome.follow,
    )


def _fill(text: str) -> str:
    """Runbook placeholders (``<pid>``, ``$POD``, ``{{ pod }}``) as plausible values."""
    return _PLACEHOLDER.sub("1", text)


def known_command(text: str) -> bool:
    """Whether :func:`execute` would recognise ``text`` (placeholders allowed).

    Used for runbook-rot checks: no world is needed, only the command's shape.
    """
    text = _fill(text.strip())
    if not text:
        return False
    first = text.split()[0].lower()
    if _SQL_START.match(text) or first == "sql":
        return _sql_known(text[3:] if first == "sql" else text)
    if first in _VERBS or first in ("declare", "ic", "help", "amtool"):
        return True
    try:
        cmd = split_command(text)
        if cmd.program in ("kubectl", "k"):
            flags = parse_flags(cmd.args, SHORT, VALUES, BOOLS)
            words = flags.words
            if not words or words[0] not in KUBECTL_VERBS:
                return False
            if words[0] in ("get", "describe", "top") and len(words) > 1:
                kinds = words[1].split("/")[0].split(",")
                return all(k in RESOURCE_OF or k == "all" for k in kinds)
            if words[0] == "rollout":
                return words[1:2] != [] and words[1] in ("history", "undo", "restart", "status")
            if words[0] == "exec":
                inner = flags.rest or words[2:]
                return bool(inner) and (
                    inner[0].rsplit("/", 1)[-1] in ("psql", "df", "redis-cli")
                    or is_kafka_tool(inner[0])
                )
            return True
        if cmd.program == "promtool":
            return cmd.args[:2] in (["query", "instant"], ["query", "range"])
        if is_kafka_tool(cmd.program):
            return "--bootstrap-server" in " ".join(cmd.args)
        if cmd.program == "psql":
            idx = [i for i, a in enumerate(cmd.args) if a in ("-c", "--command")]
            sql = cmd.args[idx[0] + 1] if idx and idx[0] + 1 < len(cmd.args) else None
            joined = [a.split("=", 1)[1] for a in cmd.args if a.startswith("--command=")]
            sql = sql or (joined[0] if joined else None)
            return sql is not None and _sql_known(sql)
    except ActionError:
        return False
    return False


def _sql_known(sql: str) -> bool:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    from gameday.tools.sql_query import quiet_sqlglot
    from gameday.tools.sql_sources import TABLES

    for stmt_text in [s for s in sql.split(";") if s.strip()]:
        if stmt_text.split()[0].lower() == "show":
            continue
        try:
            with quiet_sqlglot():
                stmt = sqlglot.parse_one(stmt_text, read="postgres")
        except (SqlglotError, RecursionError):
            return False
        if not isinstance(stmt, exp.Select):
            return False
        if any(t.name not in TABLES for t in stmt.find_all(exp.Table)):
            return False
    return True
