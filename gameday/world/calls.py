"""Retries, timeouts and circuit breakers on the calls between services.

A caller's client policy for a callee (:class:`~gameday.scenario.cache_model.CallPolicy`,
the knobs of resilience4j 2.x) turns what the callee did last tick into what the caller
sends and waits for this tick. Each attempt fails when the callee errors or answers
after the attempt's timeout (``TimeLimiter``); a failed attempt is retried up to
``max_attempts`` calls in all, after ``backoff`` x ``backoff_multiplier`` ** (k - 1), so a
callee that fails every attempt receives ``max_attempts`` times the calls. The retry
wraps the circuit breaker (resilience4j's aspect order), so every attempt is a breaker
call: once the failure rate of a window of calls reaches the threshold the breaker opens
and calls fail at once without reaching the callee; after ``wait_duration_in_open_state``
it lets ``permitted_number_of_calls_in_half_open_state`` calls through and closes or
opens again by their failure rate.

Pods read their policy from the deployment's environment, as Spring Boot binds
``resilience4j.retry.instances.<name>.max-attempts`` from
``RESILIENCE4J_RETRY_INSTANCES_<NAME>_MAXATTEMPTS`` (the name upper-cased, dashes
dropped), so ``kubectl set env`` changes the policy of the pods it rolls out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from gameday.durations import parse_duration
from gameday.scenario.cache_model import BreakerSpec, CallPolicy

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
STATES = (CLOSED, OPEN, HALF_OPEN)


def env_name(callee: str) -> str:
    """The instance name as it appears in an environment variable."""
    return callee.upper().replace("-", "")


def policy_for(base: CallPolicy | None, env: dict[str, str], callee: str) -> CallPolicy | None:
    """The policy a pod with environment ``env`` applies to calls to ``callee``."""
    name = env_name(callee)
    retry = f"RESILIENCE4J_RETRY_INSTANCES_{name}_"
    limiter = f"RESILIENCE4J_TIMELIMITER_INSTANCES_{name}_"
    breaker = f"RESILIENCE4J_CIRCUITBREAKER_INSTANCES_{name}_"
    found = {k: v for k, v in env.items() if k.startswith((retry, limiter, breaker))}
    if not found:
        return base
    policy = base or CallPolicy()
    update: dict[str, object] = {}
    for key, value in found.items():
        try:
            if key == retry + "MAXATTEMPTS":
                update["max_attempts"] = max(1, min(20, int(value)))
            elif key == retry + "WAITDURATION":
                update["backoff"] = parse_duration(value)
            elif key == retry + "EXPONENTIALBACKOFFMULTIPLIER":
                update["backoff_multiplier"] = max(1.0, float(value))
            elif key == limiter + "TIMEOUTDURATION":
                update["timeout"] = max(0.001, parse_duration(value))
        except ValueError:
            continue  # Spring would refuse to start; the sim keeps the old value
    spec = policy.breaker
    fields: dict[str, tuple[str, Callable[[str], object]]] = {
        "FAILURERATETHRESHOLD": ("failure_rate_threshold", float),
        "SLIDINGWINDOWSIZE": ("sliding_window_size", int),
        "MINIMUMNUMBEROFCALLS": ("minimum_number_of_calls", int),
        "WAITDURATIONINOPENSTATE": ("wait_duration_in_open_state", parse_duration),
        "PERMITTEDNUMBEROFCALLSINHALFOPENSTATE": (
            "permitted_number_of_calls_in_half_open_state",
            int,
        ),
    }
    changes: dict[str, object] = {}
    for suffix, (attr, cast) in fields.items():
        if breaker + suffix in found:
            try:
                changes[attr] = cast(found[breaker + suffix])
            except ValueError:
                continue
    if changes:
        merged = {**(spec or BreakerSpec()).model_dump(), **changes}
        update["breaker"] = BreakerSpec.model_validate(merged)
    return policy.model_copy(update=update)


@dataclass
class Attempts:
    """What one attempt costs and how often it fails, from the callee's last tick."""

    fail: float  # share of attempts that fail (error or timeout)
    seconds: float  # mean time an attempt takes, cut at the timeout


def attempt(
    policy: CallPolicy,
    error_ratio: float,
    within_timeout: float,
    ok_latency: float,
    fail_latency: float,
) -> Attempts:
    """One attempt against a callee that errs ``error_ratio`` of the time and answers
    ``within_timeout`` of its requests (successful or not) within the timeout."""
    fast_err = error_ratio if fail_latency < policy.timeout else 0.0
    fail = min(1.0, max(0.0, 1.0 - within_timeout + fast_err))
    slow = max(0.0, fail - fast_err)
    ok = 1.0 - fail
    seconds = ok * min(ok_latency, policy.timeout) + slow * policy.timeout + fast_err * fail_latency
    return Attempts(fail, seconds)


@dataclass
class CallOutcome:
    """What the policy made of one caller's calls to one callee this tick."""

    sent: float = 0.0  # attempts per second that reached the callee
    calls: float = 0.0  # calls per second the caller made (before retries)
    failed: float = 0.0  # share of calls that failed after every attempt
    not_permitted: float = 0.0  # share refused by an open breaker
    seconds: float = 0.0  # mean time a call held the caller's thread
    retried_ok: float = 0.0  # share of calls that succeeded after a retry


def outcome(policy: CallPolicy, calls: float, a: Attempts, permitted: float) -> CallOutcome:
    """Calls through retries: attempts sent, time waited, failures left."""
    n = policy.max_attempts
    f = a.fail
    tries = sum(f**k for k in range(n))  # expected attempts per call
    backoff = sum(f**k * policy.backoff * policy.backoff_multiplier ** (k - 1) for k in range(1, n))
    failed = f**n
    return CallOutcome(
        sent=calls * permitted * tries,
        calls=calls,
        failed=permitted * failed + (1 - permitted),
        not_permitted=1 - permitted,
        seconds=permitted * (tries * a.seconds + backoff),
        retried_ok=permitted * f * (1 - f ** (n - 1)) if n > 1 else 0.0,
    )


@dataclass
class Breaker:
    """One caller's circuit breaker for one callee; transitions kept for the logs."""

    state: str = CLOSED
    since: float = 0.0
    transitions: list[tuple[float, str, str]] = field(default_factory=list)

    def permitted(self, spec: BreakerSpec | None, now: float) -> float:
        """The share of calls let through this tick (OPEN turns HALF_OPEN after its wait)."""
        if spec is None:
            if self.state != CLOSED:
                self._move(CLOSED, now)
            return 1.0
        if self.state == OPEN and now - self.since >= spec.wait_duration_in_open_state:
            self._move(HALF_OPEN, now)
        if self.state == OPEN:
            return 0.0
        return 1.0

    def record(self, spec: BreakerSpec | None, attempts: float, fail: float, now: float) -> None:
        """Judge this tick's attempts: open at the threshold; half-open decides on its
        permitted calls."""
        if spec is None:
            return
        rate = fail * 100.0
        if self.state == HALF_OPEN:
            self._move(OPEN if rate >= spec.failure_rate_threshold else CLOSED, now)
        elif self.state == CLOSED:
            enough = attempts >= min(spec.minimum_number_of_calls, spec.sliding_window_size)
            if enough and rate >= spec.failure_rate_threshold:
                self._move(OPEN, now)

    def _move(self, to: str, now: float) -> None:
        if to != self.state:
            self.transitions.append((now, self.state, to))
            self.state, self.since = to, now


def half_open_share(spec: BreakerSpec, calls_in_tick: float) -> float:
    """The share of a tick's calls a half-open breaker lets through."""
    if calls_in_tick <= 0:
        return 1.0
    return min(1.0, spec.permitted_number_of_calls_in_half_open_state / calls_in_tick)


def amplification(policy: CallPolicy, fail: float) -> float:
    """Attempts per call: 1 + f + f^2 + ... (max_attempts terms)."""
    return float(sum(fail**k for k in range(policy.max_attempts))) if not math.isnan(fail) else 1.0
