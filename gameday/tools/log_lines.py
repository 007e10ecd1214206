"""Application log lines, generated per second of sim time from the world and its faults.

Each second's lines come from a random generator seeded by the seed, the pod and the
second, so a line once shown stays the same when asked again, and the same seed gives
the same logs. Services with a connection pool log like Spring Boot with HikariCP; the
others in logfmt.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from typing import Any

from gameday.tools.log_extra import redis_startup, resilience_lines
from gameday.tools.log_kafka import consumer_lines
from gameday.world.cluster import SimPod as Pod

POOL_FAULTS = ("blocking_query", "connection_leak", "slow_query")


def _rfc3339(ctx: Any, t: float) -> str:
    """Go's ``time.RFC3339`` of sim time ``t``: whole seconds, ``Z``."""
    return str(ctx.wall_time(t).strftime("%Y-%m-%dT%H:%M:%SZ"))


def _ts(ctx: Any, t: float) -> str:
    return ctx.wall_time(t).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class LogWriter:
    """Writes one container's lines for one second at a time."""

    def __init__(self, ctx: Any, pod: Pod) -> None:
        self.ctx, self.pod = ctx, pod
        self.svc = ctx.world.services[pod.service]
        # A JVM service logs as Spring Boot does: one with a pool, a consumer, resilience4j,
        # a heap that a memory_leak fault fills (its lines are the JVM's GC warnings, so
        # the service writing them is a JVM, before the leak as after it), or a DNS cache
        # kept for the life of the process (networkaddress.cache.ttl, a JVM setting).
        leaks = any(  # also a JVM: the one whose DNS cache outlives a vendor's move
            f.service == pod.service
            and (
                f.type == "memory_leak"
                or f.type == "stale_state"
                and f.params.get("what", "dns") == "dns"
            )
            for f in ctx.world.scenario.faults
        )
        self.java = (
            self.svc.pool is not None
            or self.svc.consumes is not None
            or bool(self.svc.resilience)
            or leaks
        )
        self.app = "".join(w.capitalize() for w in pod.service.split("-")) + "Application"
        self.history = getattr(ctx, "history", None)

    # -- state at a past time -----------------------------------------------------------

    def _active(self, t: float, service: str) -> Iterator[Any]:
        """The faults on ``service`` active at ``t`` (started, not yet ended)."""
        for f in self.ctx.world.faults.values():
            ended = f.ended_at is not None and f.ended_at <= t
            if f.spec.service == service and f.started_at <= t and not ended:
                yield f

    def faults_at(self, t: float, service: str) -> list[str]:
        """Types of the faults on ``service`` active at ``t``."""
        return [f.type for f in self._active(t, service)]

    def error_ratio_at(self, service: str, t: float) -> float:
        """The 5xx ratio of ``service`` at ``t`` (session history when there is one)."""
        samples = self.history.get(service) if isinstance(self.history, dict) else None
        if samples:
            i = bisect.bisect_right([s.t for s in samples], t) - 1
            return samples[max(i, 0)].error_ratio
        now_ratio = self.ctx.world.status[service].error_ratio
        troubled = self.faults_at(t, service) or any(
            self.faults_at(t, c) for c in self.ctx.world.services[service].calls
        )
        return now_ratio if troubled else min(now_ratio, 0.002)

    def failing_dependency(self, t: float) -> Any:
        """The ``dependency_errors`` fault on this service active at ``t``, or None."""
        active = self._active(t, self.pod.service)
        return next((f for f in active if f.type == "dependency_errors"), None)

    def stale_address(self, t: float) -> str | None:
        """The outside host this service still calls at an address cached before it moved
        (a ``stale_state`` fault with ``what: dns`` on it, active at ``t``): the host of
        the world's first probe of something outside the cluster; None without one."""
        from urllib.parse import urlsplit

        stale = any(
            f.type == "stale_state" and f.param("what", "dns") == "dns"
            for f in self._active(t, self.pod.service)
        )
        if not stale:
            return None
        for probe in self.ctx.world.scenario.world.probes:
            if probe.service is None:
                return urlsplit(probe.target).hostname or probe.target
        return None

    def expired_cert(self, service: str, t: float) -> float | None:
        """When the certificate ``service`` still served at ``t`` expired (a
        ``stale_state`` fault with ``what: tls`` on it), or None."""
        for f in self._active(t, service):
            if f.type == "stale_state" and f.param("what", "dns") == "tls":
                return float(f.data.get("fixed_at", f.started_at))
        return None

    # -- lines --------------------------------------------------------------------------

    def line(self, t: float, level: str, msg: str, logger: str = "", thread: str = "") -> str:
        """One log line in the service's format (Spring Boot or logfmt).

        Spring Boot's pattern prints the thread as ``%15.15t`` and the logger as
        ``%-40.40logger{39}``: padded to 15 and 40 characters and cut from the left past
        them (``[io-8080-exec-42]``, ``essageListenerContainer$ListenerConsumer``).
        """
        if self.java:
            return (
                f"{_ts(self.ctx, t)} {level:>5} 1 --- [{self.pod.service}] "
                f"[{(thread or 'main')[-15:]:>15}] {logger[-40:]:<40} : {msg}"
            )
        return f"time={_ts(self.ctx, t)} level={level} {msg}"

    def startup(self, t: float, end: float) -> list[str]:
        """The container's first lines, those written by ``end``."""
        v = self.pod.version
        if self.svc.redis is not None:
            return redis_startup(self.ctx, self.pod, t, end)
        if not self.java:
            short = [
                (t, self.line(t, "INFO", f'msg="starting {self.pod.service}" version={v}')),
                (t + 1.2, self.line(t + 1.2, "INFO", 'msg="listening" addr=:8080')),
            ]
            return [line for when, line in short if when <= end]
        lines = [
            self.line(
                t,
                "INFO",
                f"Starting {self.app} v{v.lstrip('v')} using Java 17.0.10 with PID 1",
                "c.s." + self.app,
            ),
            self.line(
                t + 3.1,
                "INFO",
                "Tomcat initialized with port 8080 (http)",
                "o.s.b.w.embedded.tomcat.TomcatWebServer",
            ),
            self.line(
                t + 4.0, "INFO", "HikariPool-1 - Starting...", "com.zaxxer.hikari.HikariDataSource"
            ),
            self.line(
                t + 4.3,
                "INFO",
                "HikariPool-1 - Start completed.",
                "com.zaxxer.hikari.HikariDataSource",
            ),
            self.line(
                t + 8.4,
                "INFO",
                f"Started {self.app} in 8.412 seconds (process running for 9.07)",
                "c.s." + self.app,
            ),
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
        return [
            self.line(t, "ERROR", "Application run failed", "o.s.boot.SpringApplication"),
            "",
            "***************************",
            "APPLICATION FAILED TO START",
            "***************************",
            "",
            "Description:",
            "",
            reason,
            "",
        ]

    def second(self, s: int) -> list[str]:
        """Every line the container wrote during second ``s``."""
        ctx, pod, svc = self.ctx, self.pod, self.svc
        if svc.redis is not None:  # redis-server logs nothing per request
            return []
        rng = random.Random(f"{ctx.seed}:{pod.name}:{s}")
        faults = self.faults_at(s, pod.service)
        err = self.error_ratio_at(pod.service, s)
        st = ctx.world.status[pod.service]
        per_pod = max(st.offered_rps / max(st.ready, 1), 1.0)
        n = min(4, int(per_pod / 40) + (rng.random() < (per_pod / 40) % 1))
        if svc.consumes is not None and st.offered_rps <= 0:
            n = 0  # a consumer serves no HTTP requests: it logs what it consumes
        out = []
        for _ in range(n):
            t = s + rng.random()
            thread = f"nio-8080-exec-{rng.randrange(1, 200)}"
            if rng.random() < err:
                out += self.failure(t, rng, faults, thread)
            else:
                out.append(self.access(t, rng, 200, svc.latency * rng.uniform(0.6, 1.8), thread))
        if svc.consumes is not None:
            out += consumer_lines(self, s)
        if svc.resilience or svc.calls:
            out += resilience_lines(self, s, rng)
        if "connection_leak" in faults and rng.random() < 0.08 and self.java:
            out += self.leak(s + rng.random(), rng)
        if "blocking_query" in faults and rng.random() < 0.15 and self.java:
            out.append(
                self.line(
                    s + rng.random(),
                    "WARN",
                    f"Slow query ({rng.randrange(3000, 4999)}ms): UPDATE orders SET "
                    "status = ?, updated_at = now() WHERE id = ?",
                    "c.s.orders.repository.QueryTimer",
                    f"nio-8080-exec-{rng.randrange(1, 200)}",
                )
            )
        if "memory_leak" in faults and rng.random() < pod.memory_mib / svc.memory_limit_mib / 4:
            used = int(pod.memory_mib * 0.9)
            out.append(
                self.line(
                    s + rng.random(),
                    "WARN",
                    f"GC pause {rng.randrange(300, 1900)}"
                    f"ms (G1 Evacuation Pause), heap {used}M->{used - 3}M"
                    f"({int(svc.memory_limit_mib * 0.9)}M)",
                    "jvm.gc",
                    "GC Thread#0",
                )
            )
        if self.java and svc.pool is not None and s % 30 == 0:
            size = svc.pool.size
            busy = min(size, round(st.pool_in_use / max(st.ready, 1)))
            waiting = round(st.pool_pending / max(st.ready, 1)) if err > 0.01 else 0
            out.append(
                self.line(
                    s + 0.001,
                    "DEBUG",
                    f"HikariPool-1 - Pool stats (total={size}, "
                    f"active={busy}, idle={size - busy}, waiting={waiting})",
                    "com.zaxxer.hikari.pool.HikariPool",
                    "HikariPool-1 housekeeper",
                )
            )
        return sorted(out, key=lambda x: x.split(" ", 1)[0])

    def access(self, t: float, rng: random.Random, code: int, latency: float, thread: str) -> str:
        """An access-log line."""
        base = f"/api/{self.pod.service}"
        method, path = rng.choice(
            [
                ("GET", f"{base}/{rng.randrange(10000, 99999)}"),
                ("POST", base),
                ("GET", f"{base}?page={rng.randrange(1, 9)}"),
            ]
        )
        ms = int(latency * 1000)
        if self.java:
            return self.line(
                t, "INFO", f"{method} {path} {code} {ms}ms", "c.s.web.RequestLogFilter", thread
            )
        level = "INFO" if code < 500 else "ERROR"
        return self.line(
            t,
            level,
            f'msg="request completed" method={method} path={path} status={code} duration_ms={ms}',
        ).replace("level=INFO", f"level={level}")

    def failure(self, t: float, rng: random.Random, faults: list[str], thread: str) -> list[str]:
        """The lines of one failed request, by what is failing at the time."""
        timeout = self.svc.pool.timeout if self.svc.pool else 5.0
        if self.java and any(f in POOL_FAULTS for f in faults):
            return [
                self.line(
                    t,
                    "WARN",
                    "SQL Error: 0, SQLState: null",
                    "o.h.engine.jdbc.spi.SqlExceptionHelper",
                    thread,
                ),
                self.line(
                    t,
                    "ERROR",
                    "HikariPool-1 - Connection is not available, "
                    f"request timed out after {int(timeout * 1000)}ms.",
                    "o.h.engine.jdbc.spi.SqlExceptionHelper",
                    thread,
                ),
                self.access(t, rng, 503, timeout + 0.003, thread),
            ]
        if "traffic_spike" in faults:
            return [
                self.line(
                    t,
                    "WARN",
                    "Request rejected: executor queue full (max=200)",
                    "o.a.tomcat.util.threads.ThreadPoolExecutor",
                    thread,
                )
                if self.java
                else self.line(
                    t, "WARN", 'msg="request rejected: too many concurrent requests" limit=200'
                ),
                self.access(t, rng, 503, 0.002, thread),
            ]
        callees = [c for c in self.svc.calls if self.ctx.world.status[c].error_ratio > 0.01]
        outside = self.failing_dependency(t)
        upstream = (
            callees[0]
            if callees
            else str(outside.param("upstream", "upstream") if outside else "upstream")
        )
        vendor = self.stale_address(t) if "stale_state" in faults else None
        if vendor is not None:  # connecting to the vendor's old address: refused at once
            ms = rng.randrange(12, 40)
            msg = (
                f'Call to {vendor} failed: I/O error on POST request for "https://{vendor}/": '
                "Connection refused"
                if self.java
                else f'msg="upstream request failed" upstream={vendor} error="dial tcp: '
                f'connect: connection refused" duration_ms={ms}'
            )
            return [
                self.line(t, "ERROR", msg, "c.s.client.UpstreamClient", thread),
                self.access(t, rng, 503, ms / 1000, thread),
            ]
        expired = self.expired_cert(upstream, t) if callees else None
        if expired is not None:  # the handshake fails at once: the client's TLS error
            ms = rng.randrange(3, 12)
            msg = (
                f"Call to {upstream} failed: javax.net.ssl.SSLHandshakeException: PKIX path "
                "validation failed: java.security.cert.CertPathValidatorException: validity "
                "check failed"
                if self.java
                else f'msg="upstream request failed" upstream={upstream} error="tls: failed to '
                "verify certificate: x509: certificate has expired or is not yet valid: "
                f'current time {_rfc3339(self.ctx, t)} is after {_rfc3339(self.ctx, expired)}" '
                f"duration_ms={ms}"
            )
            return [
                self.line(t, "ERROR", msg, "c.s.client.UpstreamClient", thread),
                self.access(t, rng, 503, ms / 1000, thread),
            ]
        if callees or "dependency_errors" in faults or "stale_state" in faults:
            code = 503 if callees else 502
            waited = timeout if callees else 1.2  # a caller times out; else the answer's time
            if not callees and outside is not None:
                waited = self.svc.latency + float(outside.param("latency", 0.0))
            ms = int(waited * 1000) + rng.randrange(1, 40)
            msg = (
                f"Call to {upstream} failed: {code} after {ms}ms"
                if self.java
                else f'msg="upstream request failed" upstream={upstream} status={code} '
                f"duration_ms={ms}"
            )
            return [
                self.line(t, "ERROR", msg, "c.s.client.UpstreamClient", thread),
                self.access(t, rng, 502 if code == 502 else 503, ms / 1000, thread),
            ]
        if self.svc.reads is not None:  # a read of a row the replica has not replayed yet
            order = rng.randrange(900000, 999999)
            return [
                self.line(
                    t,
                    "ERROR",
                    "Servlet.service() for servlet [dispatcherServlet] threw exception "
                    "[Request processing failed: org.springframework.dao."
                    "EmptyResultDataAccessException: Incorrect result size: expected 1, actual 0]",
                    "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                    thread,
                ),
                self.line(
                    t,
                    "INFO",
                    f"GET /api/{self.pod.service}/{order} 500 {rng.randrange(8, 30)}ms",
                    "c.s.web.RequestLogFilter",
                    thread,
                ),
            ]
        return [
            self.line(
                t,
                "ERROR",
                "Unhandled exception: java.net.SocketTimeoutException: Read timed out",
                "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                thread,
            ),
            self.access(t, rng, 500, 1.0, thread),
        ]

    def leak(self, t: float, rng: random.Random) -> list[str]:
        """HikariCP's leak-detection warning with its stack trace."""
        conn = f"org.postgresql.jdbc.PgConnection@{rng.getrandbits(32):x}"
        return [
            self.line(
                t,
                "WARN",
                f"Connection leak detection triggered for {conn} on thread "
                f"http-nio-8080-exec-{rng.randrange(1, 200)}, stack trace follows",
                "com.zaxxer.hikari.pool.ProxyLeakTask",
                "HikariPool-1 housekeeper",
            ),
            "java.lang.Exception: Apparent connection leak detected",
            "\tat com.shop.orders.repository.OrderRepository.findOpenByCustomer"
            "(OrderRepository.java:88)",
        ]
