"""Log lines of the components added to the world: Redis's own log, and a caller's
resilience4j events (retries, breaker transitions, calls not permitted).

Redis 7.2 logs ``pid:role day month year time.ms level message`` (role ``C`` while it
reads its config, ``M`` as a master; ``*`` notice, ``#`` warning) and nothing per
request. resilience4j's events read as their ``toString`` (``RetryOnRetryEvent``,
``CircuitBreakerOnStateTransitionEvent``) and ``CallNotPermittedException``'s message.
"""

from __future__ import annotations

import random
from typing import Any

R4J = "c.s.client.ResilientClient"


def redis_startup(ctx: Any, pod: Any, t: float, end: float) -> list[str]:
    """The lines ``redis-server`` writes as it starts (7.2.4), those written by ``end``."""
    spec = ctx.world.services[pod.service].redis

    def stamp(role: str, at: float, level: str, msg: str) -> tuple[float, str]:
        when = ctx.wall_time(at).strftime("%d %b %Y %H:%M:%S.%f")[:-3]
        return at, f"1:{role} {when} {level} {msg}"

    lines = [
        stamp(
            "C",
            t,
            "#",
            "WARNING Memory overcommit must be enabled! Without it, a background "
            "save or replication may fail under low memory condition. To fix this issue add "
            "'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command "
            "'sysctl vm.overcommit_memory=1' for this to take effect.",
        ),
        stamp("C", t, "*", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
        stamp(
            "C",
            t,
            "*",
            f"Redis version={spec.version}, bits=64, commit=00000000, "
            "modified=0, pid=1, just started",
        ),
        stamp("C", t, "*", "Configuration loaded"),
        stamp("M", t + 0.001, "*", "monotonic clock: POSIX clock_gettime"),
        stamp("M", t + 0.002, "*", "Running mode=standalone, port=6379."),
        stamp("M", t + 0.002, "*", "Server initialized"),
        stamp("M", t + 0.003, "*", "Ready to accept connections tcp"),
    ]
    return [line for at, line in lines if at <= end]


def resilience_lines(writer: Any, s: int, rng: random.Random) -> list[str]:
    """A second of a caller's resilience4j events, from what its calls did."""
    world = writer.ctx.world
    out: list[str] = []
    for callee in writer.svc.calls:
        edge = world.calls.edges.get((writer.pod.service, callee))
        if edge is None or not edge.policied:
            continue
        for at, before, after in edge.breaker.transitions:
            if s <= at < s + 1:
                out.append(
                    writer.line(
                        at,
                        "INFO",
                        f"CircuitBreaker '{callee}' changed state "
                        f"from {before.upper()} to {after.upper()}",
                        R4J,
                        "main",
                    )
                )
        got = edge.now
        thread = f"nio-8080-exec-{rng.randrange(1, 200)}"
        t = s + rng.random()
        if _state_at(edge.breaker.transitions, s) == "open" and rng.random() < 0.3:
            out.append(
                writer.line(
                    t,
                    "WARN",
                    f"io.github.resilience4j.circuitbreaker."
                    f"CallNotPermittedException: CircuitBreaker '{callee}' is OPEN "
                    "and does not permit further calls",
                    R4J,
                    thread,
                )
            )
        elif got.sent > got.calls * 1.05 and rng.random() < 0.6:
            policy = edge.base
            wait = policy.backoff if policy is not None else 0.5
            attempt = rng.randrange(2, max(3, (policy.max_attempts if policy else 3) + 1))
            out.append(
                writer.line(
                    t,
                    "WARN",
                    f"Retry '{callee}', waiting PT{wait:g}S until attempt '{attempt}'. "
                    "Last attempt failed with exception 'java.util.concurrent."
                    f"TimeoutException: TimeLimiter '{callee}' recorded a timeout exception.'.",
                    R4J,
                    thread,
                )
            )
    if world.starved_by_any(writer.pod.service) and rng.random() < 0.5:
        out.append(
            writer.line(
                s + rng.random(),
                "WARN",
                "Request rejected: executor queue full (max=200)",
                "o.a.tomcat.util.threads.ThreadPoolExecutor",
                f"nio-8080-exec-{rng.randrange(1, 200)}",
            )
        )
    return out


def _state_at(transitions: list[tuple[float, str, str]], t: float) -> str:
    """The breaker's state at time ``t``, from its transitions."""
    state = "closed"
    for at, _, after in transitions:
        if at > t:
            break
        state = after
    return state
