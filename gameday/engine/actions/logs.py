"""``kubectl logs``: application log lines generated from the world and its faults.

Lines are generated per second of sim time from a random generator seeded by the seed,
the pod and the second, so the same seed gives the same logs and a line once shown
stays the same when asked again. What a second holds depends on the service's state
then: healthy access logs; HikariCP timeouts while the pool is exhausted (a lock, a leak,
a slow query); leak-detection warnings; GC pressure before an OOM kill; upstream errors
in a caller; the startup, or the failed start, of a container.
"""

from __future__ import annotations

import bisect
import random
from typing import Any

from gameday.durations import parse_duration
from gameday.engine.actions import kube_objects as ko
from gameday.engine.actions.effects import Outcome
from gameday.engine.actions.kubectl import namespace, resource
from gameday.engine.actions.parse import ActionError, Flags
from gameday.engine.state import Pod

NO_TAIL_CAP = 300  # lines shown when neither --tail nor --since limits the output
POOL_FAULTS = ("blocking_query", "connection_leak", "slow_query")


def _ts(ctx: Any, t: float) -> str:
    return ctx.wall_time(t).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class LogWriter:
    """Writes one container's lines for one second at a time."""

    def __init__(self, ctx: Any, pod: Pod) -> None:
        self.ctx, self.pod = ctx, pod
        self.svc = ctx.world.services[pod.service]
        self.java = self.svc.pool is not None
        self.app = "".join(w.capitalize() for w in pod.service.split("-")) + "Application"
        self.history = getattr(ctx, "history", None)

    # -- state at a past time -----------------------------------------------------------

    def faults_at(self, t: float, service: str) -> list[str]:
        """Types of the faults on ``service`` active at ``t``."""
        return [f.type for f in self.ctx.world.faults.values()
                if f.spec.service == service and f.started_at <= t
                and (f.ended_at is None or t < f.ended_at)]

    def error_ratio_at(self, service: str, t: float) -> float:
        """The 5xx ratio of ``service`` at ``t`` (session history when there is one)."""
        samples = self.history.get(service) if isinstance(self.history, dict) else None
        if samples:
            i = bisect.bisect_right([s.t for s in samples], t) - 1
            return samples[max(i, 0)].error_ratio
        now_ratio = self.ctx.world.status[service].error_ratio
        troubled = self.faults_at(t, service) or any(
            self.faults_at(t, c) for c in self.ctx.world.services[service].calls)
        return now_ratio if troubled else min(now_ratio, 0.002)

    # -- lines --------------------------------------------------------------------------

    def line(self, t: float, level: str, msg: str, logger: str = "", thread: str = "") -> str:
        """One log line in the service's format (Spring Boot or logfmt)."""
        if self.java:
            return (f"{_ts(self.ctx, t)} {level:>5} 1 --- [{self.pod.service}] "
                    f"[{thread or 'main':>15}] {logger:<40} : {msg}")
        return f"time={_ts(self.ctx, t)} level={level} {msg}"

    def startup(self, t: float, end: float) -> list[str]:
        """The container's first lines, those written by ``end``."""
        v = self.pod.version
        if not self.java:
            short = [(t, self.line(t, "INFO", f'msg="starting {self.pod.service}" version={v}')),
                     (t + 1.2, self.line(t + 1.2, "INFO", 'msg="listening" addr=:8080'))]
            return [line for when, line in short if when <= end]
        lines = [
            self.line(t, "INFO", f"Starting {self.app} v{v.lstrip('v')} using Java 17.0.10 "
                      "with PID 1", "c.s." + self.app),
            self.line(t + 3.1, "INFO", "Tomcat initialized with port 8080 (http)",
                      "o.s.b.w.embedded.tomcat.TomcatWebServer"),
            self.line(t + 4.0, "INFO", "HikariPool-1 - Starting...",
                      "com.zaxxer.hikari.HikariDataSource"),
            self.line(t + 4.3, "INFO", "HikariPool-1 - Start completed.",
                      "com.zaxxer.hikari.HikariDataSource"),
            self.line(t + 8.4, "INFO", f"Started {self.app} in 8.412 seconds (process running "
                      "for 9.07)", "c.s." + self.app),
        ]
        offsets = (0.0, 3.1, 4.0, 4.3, 8.4)
        return [line for off, line in zip(offsets, lines, strict=True) if t + off <= end]

    def crash(self, t: float) -> list[str]:
        """The lines of a container that fails to start."""
        reason = "Failed to configure a DataSource: 'url' attribute is not specified"
        for f in self.ctx.world.faults.values():
            if f.spec.service == self.pod.service and f.type == "crash_loop":
                reason = str(f.param("reason", reason))
        if not self.java:
            return [self.line(t, "ERROR", f'msg="fatal: startup failed" error="{reason}"')]
        return [self.line(t, "ERROR", "Application run failed", "o.s.boot.SpringApplication"),
                "", "***************************", "APPLICATION FAILED TO START",
                "***************************", "", "Description:", "", reason, ""]

    def second(self, s: int) -> list[str]:
        """Every line the container wrote during second ``s``."""
        ctx, pod, svc = self.ctx, self.pod, self.svc
        rng = random.Random(f"{ctx.seed}:{pod.name}:{s}")
        faults = self.faults_at(s, pod.service)
        err = self.error_ratio_at(pod.service, s)
        st = ctx.world.status[pod.service]
        per_pod = max(st.offered_rps / max(st.ready, 1), 1.0)
        n = min(4, int(per_pod / 40) + (rng.random() < (per_pod / 40) % 1))
        out = []
        for _ in range(n):
            t = s + rng.random()
            thread = f"nio-8080-exec-{rng.randrange(1, 200)}"
            if rng.random() < err:
                out += self.failure(t, rng, faults, thread)
            else:
                out.append(self.access(t, rng, 200, svc.latency * rng.uniform(0.6, 1.8), thread))
        if "connection_leak" in faults and rng.random() < 0.08 and self.java:
            out += self.leak(s + rng.random(), rng)
        if "blocking_query" in faults and rng.random() < 0.15 and self.java:
            out.append(self.line(s + rng.random(), "WARN",
                                 f"Slow query ({rng.randrange(3000, 4999)}ms): UPDATE orders SET "
                                 "status = ?, updated_at = now() WHERE id = ?",
                                 "c.s.orders.repository.QueryTimer",
                                 f"nio-8080-exec-{rng.randrange(1, 200)}"))
        if "memory_leak" in faults and rng.random() < pod.memory_mib / svc.memory_limit_mib / 4:
            used = int(pod.memory_mib * 0.9)
            out.append(self.line(s + rng.random(), "WARN", f"GC pause {rng.randrange(300, 1900)}"
                                 f"ms (G1 Evacuation Pause), heap {used}M->{used - 3}M"
                                 f"({int(svc.memory_limit_mib * 0.9)}M)", "jvm.gc", "GC Thread#0"))
        if self.java and svc.pool is not None and s % 30 == 0:
            size = svc.pool.size
            busy = min(size, round(st.pool_in_use / max(st.ready, 1)))
            waiting = round(st.pool_pending / max(st.ready, 1)) if err > 0.01 else 0
            out.append(self.line(s + 0.001, "DEBUG", f"HikariPool-1 - Pool stats (total={size}, "
                                 f"active={busy}, idle={size - busy}, waiting={waiting})",
                                 "com.zaxxer.hikari.pool.HikariPool", "HikariPool-1 housekeeper"))
        return sorted(out, key=lambda x: x.split(" ", 1)[0])

    def access(self, t: float, rng: random.Random, code: int, latency: float, thread: str) -> str:
        """An access-log line."""
        base = f"/api/{self.pod.service}"
        method, path = rng.choice([("GET", f"{base}/{rng.randrange(10000, 99999)}"),
                                   ("POST", base), ("GET", f"{base}?page={rng.randrange(1, 9)}")])
        ms = int(latency * 1000)
        if self.java:
            return self.line(t, "INFO", f"{method} {path} {code} {ms}ms",
                             "c.s.web.RequestLogFilter", thread)
        level = "INFO" if code < 500 else "ERROR"
        return self.line(t, level, f'msg="request completed" method={method} path={path} '
                         f"status={code} duration_ms={ms}").replace("level=INFO", f"level={level}")

    def failure(self, t: float, rng: random.Random, faults: list[str], thread: str) -> list[str]:
        """The lines of one failed request, by what is failing at the time."""
        timeout = self.svc.pool.timeout if self.svc.pool else 5.0
        if self.java and any(f in POOL_FAULTS for f in faults):
            return [
                self.line(t, "WARN", "SQL Error: 0, SQLState: null",
                          "o.h.engine.jdbc.spi.SqlExceptionHelper", thread),
                self.line(t, "ERROR", "HikariPool-1 - Connection is not available, "
                          f"request timed out after {int(timeout * 1000)}ms.",
                          "o.h.engine.jdbc.spi.SqlExceptionHelper", thread),
                self.access(t, rng, 503, timeout + 0.003, thread),
            ]
        if "traffic_spike" in faults:
            return [self.line(t, "WARN", "Request rejected: executor queue full (max=200)",
                              "o.a.tomcat.util.threads.ThreadPoolExecutor", thread)
                    if self.java else self.line(t, "WARN", 'msg="request rejected: too many '
                                                'concurrent requests" limit=200'),
                    self.access(t, rng, 503, 0.002, thread)]
        callees = [c for c in self.svc.calls if self.ctx.world.status[c].error_ratio > 0.01]
        upstream = callees[0] if callees else "payments-gateway"
        if callees or "dependency_errors" in faults:
            code = 503 if callees else 502
            ms = int((timeout if callees else 1.2) * 1000) + rng.randrange(1, 40)
            msg = (f"Call to {upstream} failed: {code} after {ms}ms" if self.java else
                   f'msg="upstream request failed" upstream={upstream} status={code} '
                   f"duration_ms={ms}")
            return [self.line(t, "ERROR", msg, "c.s.client.UpstreamClient", thread),
                    self.access(t, rng, 502 if code == 502 else 503, ms / 1000, thread)]
        return [self.line(t, "ERROR", "Unhandled exception: java.net.SocketTimeoutException: "
                          "Read timed out", "o.a.c.c.C.[.[.[/].[dispatcherServlet]", thread),
                self.access(t, rng, 500, 1.0, thread)]

    def leak(self, t: float, rng: random.Random) -> list[str]:
        """HikariCP's leak-detection warning with its stack trace."""
        conn = f"org.postgresql.jdbc.PgConnection@{rng.getrandbits(32):x}"
        return [self.line(t, "WARN", f"Connection leak detection triggered for {conn} on thread "
                          f"http-nio-8080-exec-{rng.randrange(1, 200)}, stack trace follows",
                          "com.zaxxer.hikari.pool.ProxyLeakTask", "HikariPool-1 housekeeper"),
                "java.lang.Exception: Apparent connection leak detected",
                "\tat com.shop.orders.repository.OrderRepository.findOpenByCustomer"
                "(OrderRepository.java:88)"]

    def window(self, start: float, end: float, need: int, crashed: bool) -> list[str]:
        """Lines from ``start`` to ``end``, the newest ``need`` of them at most."""
        chunks: list[list[str]] = []
        count = 0
        for s in range(int(end) - 1, int(start) + 9, -1):
            lines = [] if crashed else self.second(s)
            chunks.append(lines)
            count += len(lines)
            if count >= need:
                break
        else:
            chunks.append(self.startup(start, end) if not crashed else
                          self.startup(start, end)[:1] + self.crash(start + 2))
        lines = [line for chunk in reversed(chunks) for line in chunk]
        return lines[-need:] if need else []


def _stamp(ctx: Any, line: str) -> str:
    """``--timestamps``: the kubelet's RFC 3339 receive time before each line."""
    head = line.split(" ", 1)[0].removeprefix("time=")
    if not head[:4].isdigit():
        return line
    return head.replace("Z", "") + "000000Z " + line


def _pick_pod(ctx: Any, words: list[str], flags: Flags) -> tuple[list[Pod], str]:
    ns = namespace(ctx, flags)
    if flags.has("selector"):
        found = [p for p in ko.pods(ctx) if ns == ctx.world.namespace
                 and ko.matches(ko.pod_labels(ctx, p), flags.get("selector"))]
        if not found:
            raise ActionError(f"No resources found in {ns} namespace.")
        return found, ""
    if not words:
        raise ActionError("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.")
    kind, slash, name = words[0].partition("/")
    if slash and resource(kind) == "deployments":
        dep = ko.find_deployment(ctx, name, ns)
        ranked = sorted(dep.pods, key=lambda p: (not p.ready(ctx.now), p.name))
        if not ranked:
            raise ActionError(f"error: timed out waiting for the condition on deployments/{name}")
        note = f"Found {len(ranked)} pods, using pod/{ranked[0].name}" if len(ranked) > 1 else ""
        return ranked[:1], note
    return [ko.find_pod(ctx, name if slash else words[0], ns)], ""


def kubectl_logs(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl logs POD|deploy/NAME|-l SEL [--tail N] [--since 5m] [-c C] [--previous]``."""
    targets, note = _pick_pod(ctx, words, flags)
    tail_raw = flags.get("tail", "10" if flags.has("selector") else "-1")
    try:
        tail = int(tail_raw or "-1")
    except ValueError:
        raise ActionError(f'error: invalid argument "{tail_raw}" for "--tail" flag') from None
    since_raw = flags.get("since")
    since = parse_duration(since_raw) if since_raw else None
    out = [note] if note else []
    for pod in targets:
        dep = ctx.world.deployments[pod.service]
        container = flags.get("container")
        if container and container != dep.container:
            raise ActionError(f"error: container {container} is not valid for pod {pod.name}")
        writer = LogWriter(ctx, pod)
        start = pod.last_termination_at + 1 if pod.last_termination_at else pod.started_at
        end, crashed = ctx.now, pod.phase == "CrashLoopBackOff"
        if flags.has("previous"):
            if not pod.restarts or pod.last_termination_at is None:
                raise ActionError(f'Error from server (BadRequest): previous terminated container '
                                  f'"{dep.container}" in pod "{pod.name}" not found')
            end = pod.last_termination_at
            start = max(pod.started_at, end - (5 if crashed else 600))
        if since is not None:
            start = max(start, ctx.now - since)
        need = tail if tail >= 0 else NO_TAIL_CAP
        lines = writer.window(start, end, need, crashed)
        if flags.has("previous") and pod.last_termination == "OOMKilled":
            lines = lines[1:] + [writer.line(end - 0.2, "WARN", "GC overhead limit approaching: "
                                             "heap 97% used after full GC", "jvm.gc",
                                             "GC Thread#0")]
        if flags.has("timestamps"):
            lines = [_stamp(ctx, line) for line in lines]
        if flags.has("prefix") or flags.has("selector") and len(targets) > 1:
            lines = [f"[pod/{pod.name}/{dep.container}] {line}" for line in lines]
        out += lines
    return Outcome(True, "\n".join(out), "kubectl.logs")
