"""The commands a responder can type: help text, suggestions and completion.

One table lists every command with its usage, what it does and an example; ``help``,
the "did you mean" suggestions for an unknown command (by :mod:`difflib`) and the TUI's
completion all read it.
"""

from __future__ import annotations

import difflib
import shlex
from typing import Any

from gameday.tools.context import ActionContext
from gameday.tools.incident import ROLES, SEVERITIES, STATUS_STATES
from gameday.tools.kubectl import VERBS

# (name, usage, summary, example)
COMMANDS: list[tuple[str, str, str, str]] = [
    (
        "kubectl get",
        "kubectl get pods|deploy|rs|svc|events|nodes [NAME] [-n NS] [-l SEL] "
        "[-o wide|name|json|yaml]",
        "list resources",
        "kubectl get pods -n shop -l app=orders",
    ),
    (
        "kubectl describe",
        "kubectl describe pod|deployment|node [NAME] [-n NS] [-l SEL]",
        "details and events of resources",
        "kubectl describe deployment orders -n shop",
    ),
    (
        "kubectl logs",
        "kubectl logs POD|deploy/NAME [-l SEL] [--tail N] [--since 5m] [-c C] [--previous]",
        "container logs",
        "kubectl logs deployment/orders -n shop --tail=50",
    ),
    (
        "kubectl rollout",
        "kubectl rollout history|status|undo|restart deployment/NAME [--to-revision=N] "
        "[status: --watch=false --timeout=DURATION]",
        "inspect, roll back or restart a deployment",
        "kubectl rollout undo deployment/orders -n shop",
    ),
    (
        "kubectl scale",
        "kubectl scale deployment/NAME --replicas=N",
        "change the replica count",
        "kubectl scale deployment/orders --replicas=6 -n shop",
    ),
    (
        "kubectl top",
        "kubectl top pods|nodes [-n NS] [-l SEL]",
        "CPU and memory use",
        "kubectl top pods -n shop",
    ),
    (
        "kubectl delete",
        "kubectl delete pod NAME... [-l SEL]",
        "delete pods (they are replaced)",
        "kubectl delete pod orders-abc12-xyz9 -n shop",
    ),
    (
        "kubectl set image",
        "kubectl set image deployment/NAME CONTAINER=IMAGE:TAG",
        "deploy another version",
        "kubectl set image deployment/orders orders=registry/orders:v1",
    ),
    (
        "kubectl exec",
        "kubectl exec [-it] POD -- COMMAND ...",
        "psql, redis-cli (in a Redis pod) and the Kafka tools are simulated inside pods",
        'kubectl exec -it orders-abc -n shop -- psql -c "SELECT 1"',
    ),
    (
        "redis-cli",
        "kubectl exec [-it] POD -- redis-cli [-h HOST] [--bigkeys] CMD [ARGS]",
        "INFO [section], DBSIZE, CONFIG GET|SET maxmemory*, TTL, PTTL, EXISTS, TYPE, "
        "MEMORY USAGE, PING, FLUSHALL",
        "kubectl exec -it catalogue-cache-7d9c5-abcde -n shop -- redis-cli INFO stats",
    ),
    (
        "psql",
        'psql -h HOST -U USER -d DB -c "SQL" [-x] [-t] [-A]',
        "query pg_stat_activity / pg_locks, terminate or cancel backends",
        'psql -h orders-db -U postgres -d orders -c "SELECT pid, state FROM pg_stat_activity"',
    ),
    (
        "kafka-consumer-groups.sh",
        "kafka-consumer-groups.sh --bootstrap-server HOST:9092 --list | --describe --group G "
        "[--members|--state] | --group G --topic T[:P,...] --reset-offsets "
        "--shift-by N|--to-offset N|--to-latest|--to-earliest [--execute]",
        "consumer groups: offsets and lag per partition, members, offset resets",
        "kafka-consumer-groups.sh --bootstrap-server kafka:9092 --describe --group payments",
    ),
    (
        "kafka-topics.sh",
        "kafka-topics.sh --bootstrap-server HOST:9092 --list | --describe [--topic T]",
        "topics, partitions, leaders and replicas",
        "kafka-topics.sh --bootstrap-server kafka:9092 --describe --topic orders",
    ),
    (
        "sql",
        "sql SELECT ... | SELECT ...",
        "SQL on the scenario's first database",
        "SELECT state, count(*) FROM pg_stat_activity GROUP BY state",
    ),
    ("ack", "ack [INCIDENT_ID]", "acknowledge the page(s)", "ack"),
    (
        "sev",
        "sev SEV1|SEV2|SEV3|SEV4  (or: declare sev1)",
        "declare or change the severity",
        "sev SEV1",
    ),
    (
        "assign",
        "assign ic|ops|comms|scribe PERSON  (or: ic PERSON)",
        "give someone a role",
        "assign ic amara",
    ),
    (
        "status",
        'status [investigating|identified|monitoring|resolved] "TEXT"',
        "post a status-page / stakeholder update (no text: show the incident)",
        'status investigating "Checkout errors: we are investigating."',
    ),
    ("escalate", "escalate [PERSON]", "page the next escalation level (or a person)", "escalate"),
    ("resolve", "resolve", "resolve the incident and its pages", "resolve"),
    (
        "silence",
        'silence alertname=NAME [label=value ...] --duration 1h --comment "why"',
        "silence alerts in Alertmanager",
        'silence alertname=OrdersDBPoolPending --duration 30m --comment "known, being fixed"',
    ),
    ("note", "note TEXT", "add a note to the incident timeline", "note lock held by archiver"),
    ("alerts", "alerts", "alerts pending or firing now", "alerts"),
    (
        "promtool query",
        "promtool query instant [--time T] [SERVER] EXPR | promtool query range "
        "[--start T] [--end T] [--step D] [SERVER] EXPR",
        "PromQL against the session's Prometheus (an imported incident: what was recorded)",
        "promtool query instant 'sum by (code) (rate(http_requests_total[5m]))'",
    ),
    ("help", "help [COMMAND]", "this list, or one command's usage", "help kubectl logs"),
]
PROGRAMS = (
    "kubectl",
    "k",
    "psql",
    "kafka-consumer-groups.sh",
    "kafka-topics.sh",
    "sql",
    "select",
    "show",
    "ack",
    "sev",
    "declare",
    "assign",
    "ic",
    "status",
    "escalate",
    "resolve",
    "silence",
    "amtool",
    "note",
    "alerts",
    "promtool",
    "help",
)
KUBECTL_VERBS = tuple(v for v in VERBS if v not in ("version", "config"))
KINDS = ("pods", "deployments", "replicasets", "services", "events", "nodes")


def _help_all() -> str:
    width = max(len(c[0]) for c in COMMANDS)
    lines = ["Commands (nothing runs on a real cluster; output comes from the simulation):", ""]
    lines += [f"  {name.ljust(width)}  {summary}" for name, _, summary, _ in COMMANDS]
    lines += [
        "",
        "Pipe into grep, head, tail, wc -l or sort to filter output.",
        "Type 'help COMMAND' for usage and an example.",
    ]
    return "\n".join(lines)


COMMANDS_HELP = _help_all()


def help_for(topic: str) -> str | None:
    """Usage and example of the commands whose name starts with ``topic``."""
    topic = topic.strip().lower()
    hits = [c for c in COMMANDS if c[0].startswith(topic) or topic.startswith(c[0])]
    if not hits:
        return None
    return "\n\n".join(
        f"{name}: {summary}\n  usage:   {usage}\n  example: {example}"
        for name, usage, summary, example in hits
    )


def suggestions(text: str) -> list[str]:
    """The known commands closest to ``text`` (at most three)."""
    words = text.split()
    if not words:
        return []
    out: list[str] = []
    if words[0].lower() not in PROGRAMS:
        for prog in difflib.get_close_matches(words[0].lower(), PROGRAMS, n=1, cutoff=0.6):
            out.append(" ".join([prog, *words[1:]]))
    names = [c[0] for c in COMMANDS]
    head = " ".join(words[:2]).lower()
    out += difflib.get_close_matches(head, names, n=3, cutoff=0.5)
    out += difflib.get_close_matches(text.lower(), [c[3] for c in COMMANDS], n=2, cutoff=0.5)
    seen: list[str] = []
    for s in out:
        if s not in seen:
            seen.append(s)
    return seen[:3]


def _people(ctx: Any) -> list[str]:
    oncall = getattr(getattr(ctx, "pager", None), "oncall", None)
    people = getattr(oncall, "people_by_id", None) or getattr(ctx.pager, "people", None) or []
    return sorted(people)


def _candidates(ctx: Any, words: list[str]) -> list[str]:
    """What may come as the next word after ``words``."""
    world = ctx.world
    pods = sorted(world.cluster.pods)
    deps = sorted(world.cluster.deployments)
    if not words:
        return [p for p in PROGRAMS if p not in ("k", "select", "show")]
    prog, last = words[0], words[-1]
    if last in ("-n", "--namespace"):
        return sorted({world.namespace, "default", "kube-system", "monitoring"})
    if last in ("-l", "--selector"):
        return [f"app={d}" for d in deps]
    if prog in ("kubectl", "k"):
        rest = [w for w in words[1:] if not w.startswith("-")]
        if not rest:
            return list(KUBECTL_VERBS)
        verb = rest[0]
        if verb == "rollout" and len(rest) == 1:
            return ["history", "status", "undo", "restart"]
        if verb in ("get", "describe", "top") and len(rest) == 1:
            return list(KINDS) if verb != "top" else ["pods", "nodes"]
        if verb in ("get", "describe", "delete") and len(rest) == 2:
            return (
                pods if rest[1].startswith("po") else deps if rest[1].startswith("deploy") else []
            )
        if verb in ("logs", "exec") and len(rest) == 1:
            return pods + [f"deployment/{d}" for d in deps]
        if verb in ("rollout", "scale", "set") and len(rest) <= 2:
            return [f"deployment/{d}" for d in deps] + (
                ["-n", "--replicas="] if verb == "scale" else []
            )
        return ["-n", "-l", "--tail=50", "-o", "wide"]
    if prog == "psql":
        if last == "-h":
            return sorted(world.databases)
        if last == "-d":
            return sorted(d.datname for d in world.databases.values())
        if last == "-U":
            return ["postgres"]
        return ["-h", "-U", "-d", "-c"]
    if prog.startswith("kafka-") and world.kafka is not None:
        if last == "--bootstrap-server":
            return [f"{world.kafka.spec.name}:9092"]
        if last == "--group":
            return sorted(world.kafka.groups)
        if last == "--topic":
            return sorted(world.kafka.topics)
        return ["--bootstrap-server", "--describe", "--list", "--group", "--topic"]
    if prog == "assign":
        return list(ROLES) if len(words) == 1 else _people(ctx) if len(words) == 2 else []
    if prog in ("ic", "escalate"):
        return _people(ctx) if len(words) == 1 else []
    if prog in ("sev", "declare"):
        return [s.lower() if prog == "declare" else s for s in SEVERITIES]
    if prog == "status" and len(words) == 1:
        return list(STATUS_STATES)
    if prog == "ack" and ctx.pager is not None:
        return sorted(i for i, inc in ctx.pager.incidents.items() if inc.status == "triggered")
    if prog == "help":
        return sorted(
            {c[0].split()[0] if c[0].startswith("kubectl") else c[0] for c in COMMANDS}
            | {c[0] for c in COMMANDS}
        )
    return []


def _pids(ctx: Any) -> list[str]:
    return sorted({str(b.pid) for db in ctx.world.databases.values() for b in db.backends})


def complete(ctx: ActionContext, partial: str) -> list[str]:
    """Whole-line completions of ``partial``: commands, namespaces, names, pids."""
    try:
        words = shlex.split(partial)
    except ValueError:
        words = partial.split()
    current = "" if not partial or partial[-1].isspace() else (words.pop() if words else "")
    stem = partial[: len(partial) - len(current)]
    if current and current[-1:].isdigit() and "pg_" in partial:
        head = current.rstrip("0123456789")
        digits = current[len(head) :]
        return [stem + head + p for p in _pids(ctx) if p.startswith(digits)]
    if "(" in current and "pg_" in current:
        return [stem + current + p + ")" for p in _pids(ctx)]
    options = _candidates(ctx, words)
    return [stem + o for o in options if o.startswith(current)]
