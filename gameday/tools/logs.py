"""``kubectl logs``: application log lines generated from the world and its faults.

Lines are generated per second of sim time from a random generator seeded by the seed,
the pod and the second, so the same seed gives the same logs and a line once shown
stays the same when asked again. What a second holds depends on the service's state
then: healthy access logs; HikariCP timeouts while the pool is exhausted (a lock, a leak,
a slow query); leak-detection warnings; GC pressure before an OOM kill; upstream errors
in a caller; the startup, or the failed start, of a container.
"""

from __future__ import annotations

import math
from typing import Any

from gameday.durations import parse_go_duration
from gameday.tools import kube_objects as ko
from gameday.tools.budget import check
from gameday.tools.effects import Outcome
from gameday.tools.kubectl import namespace, resource
from gameday.tools.log_lines import LogWriter
from gameday.tools.parse import ActionError, Flags
from gameday.world.cluster import SimPod

NO_TAIL_CAP = 300  # lines shown when neither --tail nor --since limits the output
# The kubelet rotates a container's log at 10 MiB and serves only the current file (some
# 70 000 of the simulation's lines); the newest 5000 keep a command quick.
LOG_FILE_LINES = 5000


def window(writer: LogWriter, start: float, end: float, need: int, crashed: bool) -> list[str]:
    """Lines from ``start`` to ``end``, the newest ``need`` of them at most."""
    chunks: list[list[str]] = []
    count = 0
    for s in range(int(end) - 1, int(start) + 9, -1):
        check()
        lines = [] if crashed else writer.second(s)
        chunks.append(lines)
        count += len(lines)
        if count >= need:
            break
    else:
        chunks.append(
            writer.startup(start, end)
            if not crashed
            else writer.startup(start, end)[:1] + writer.crash(start + 2)
        )
    # --tail counts the lines of the log file, so an entry with a stack trace is several
    lines = [row for chunk in reversed(chunks) for line in chunk for row in line.split("\n")]
    return lines[-need:] if need else []


def _stamp(ctx: Any, line: str) -> str:
    """``--timestamps``: the kubelet's RFC 3339 receive time before each line."""
    head = line.split(" ", 1)[0].removeprefix("time=")
    if not head[:4].isdigit():
        return line
    return head.replace("Z", "") + "000000Z " + line


def _pick_pod(ctx: Any, words: list[str], flags: Flags) -> tuple[list[SimPod], str]:
    ns = namespace(ctx, flags)
    if flags.has("selector"):
        found = [
            p
            for p in ko.pods(ctx)
            if ns == ctx.world.namespace
            and ko.matches(ko.pod_labels(ctx, p), flags.get("selector"))
        ]
        if not found:
            raise ActionError(f"No resources found in {ns} namespace.")
        return found, ""
    if not words:
        raise ActionError("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.")
    kind, slash, name = words[0].partition("/")
    if slash and resource(kind) == "deployments":
        dep = ko.find_deployment(ctx, name, ns)
        ranked = sorted(ctx.world.cluster.pods_of(dep.metadata.name), key=_by_logging)
        if not ranked:
            raise ActionError(f"error: timed out waiting for the condition on deployments/{name}")
        note = f"Found {len(ranked)} pods, using pod/{ranked[0].name}" if len(ranked) > 1 else ""
        return ranked[:1], note
    return [ko.find_pod(ctx, name if slash else words[0], ns)], ""


def _by_logging(pod: SimPod) -> tuple[bool, int, bool, float, int, float]:
    """kubectl's ``ByLogging``: scheduled, running, ready (longest), most restarts, oldest."""
    return (
        pod.node is None,
        0 if pod.phase() == "Running" else 2,
        not pod.ready,
        pod.ready_since if pod.ready and pod.ready_since is not None else 0.0,
        -pod.restarts,
        pod.created_at,
    )


def kubectl_logs(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl logs POD|deploy/NAME|-l SEL [--tail N] [--since 5m] [-c C] [--previous]``."""
    targets, note = _pick_pod(ctx, words, flags)
    tail_raw = flags.get("tail", "10" if flags.has("selector") else "-1")
    try:
        tail = int(tail_raw or "-1")
    except ValueError:
        raise ActionError(
            f'error: invalid argument "{tail_raw}" for "--tail" flag: strconv.ParseInt: '
            f'parsing "{tail_raw}": invalid syntax'
        ) from None
    if tail < -1:
        raise ActionError("error: --tail must be greater than or equal to -1")
    since_raw = flags.get("since")
    since = None
    if since_raw is not None:
        try:
            since = parse_go_duration(since_raw)  # kubectl's --since is a Go duration
        except ValueError as exc:
            raise ActionError(
                f'error: invalid argument "{since_raw}" for "--since" flag: {exc}'
            ) from None
        if since < 0:
            raise ActionError("error: --since must be greater than 0")
        since = since or None  # --since=0 sets no limit
    out: list[str] = []
    for pod in targets:
        cname = pod.obj.spec.containers[0].name
        container = flags.get("container")
        if container and container != cname:
            raise ActionError(f"error: container {container} is not valid for pod {pod.name}")
        if pod.last_started_at is None and pod.started_at is None:
            raise ActionError(
                f'Error from server (BadRequest): container "{cname}" in pod "{pod.name}" '
                "is waiting to start: ContainerCreating"
            )
        writer = LogWriter(ctx, pod)
        began = pod.started_at if pod.started_at is not None else pod.last_started_at
        start = pod.last_termination_at + 1 if pod.last_termination_at else float(began or 0)
        end = ctx.now
        crashed = pod.waiting == "CrashLoopBackOff" or math.isfinite(pod.crash_at)
        if flags.has("previous"):
            if not pod.restarts or pod.last_termination_at is None:
                raise ActionError(
                    f"Error from server (BadRequest): previous terminated container "
                    f'"{cname}" in pod "{pod.name}" not found'
                )
            end = pod.last_termination_at
            crashed = pod.last_termination == "Error"
            start = max(pod.last_started_at or pod.created_at, end - (5 if crashed else 600))
        if since is not None:
            start = max(start, ctx.now - since)
        need = min(tail, LOG_FILE_LINES) if tail >= 0 else NO_TAIL_CAP
        oom = flags.has("previous") and pod.last_termination == "OOMKilled"
        # The JVM's last words come 0.2 s before the kill: what it wrote after them
        # (none, as the kernel stopped it) is left out so the log stays in time order.
        lines = window(writer, start, end - 0.2 if oom else end, need, crashed)
        if oom:
            lines = lines[1:] + [
                writer.line(
                    end - 0.2,
                    "WARN",
                    "GC overhead limit approaching: heap 97% used after full GC",
                    "jvm.gc",
                    "GC Thread#0",
                )
            ]
        if flags.has("timestamps"):
            lines = [_stamp(ctx, line) for line in lines]
        if flags.has("prefix"):  # only asked for: kubectl's addPrefixIfNeeded
            lines = [f"[pod/{pod.name}/{cname}] {line}" for line in lines]
        out += lines
    return Outcome(True, "\n".join(out), "kubectl.logs", stderr=note)
