"""Typed parameters per fault type: unknown keys refused, ranges drawn per seed.

Each fault type has its own pydantic model; ``Fault.params`` is checked against the model
of the fault's ``type`` (a misspelt ``factr: 5`` is an error with a did-you-mean, not a
silently ignored key). A *rate* may be a number or a ``[low, high]`` range: a session
draws the value from the range with its seed (:func:`draw`), so a trainee who plays the
scenario twice sees a leak of a different speed.

Parameters that only the chaos mode reads (``chaos``, ``env``, ``image``,
``memory_limit``, ``workers``, ``seconds``) are accepted on every type.
"""

from __future__ import annotations

import math
import random
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from gameday.durations import parse_duration
from gameday.errors import did_you_mean


def _range(value: Any) -> Any:
    """``[low, high]`` stays a pair; a plain number stays a number."""
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError("a range is [low, high]: two numbers")
        return (value[0], value[1])
    return value


def _ordered(value: float | tuple[float, float]) -> float | tuple[float, float]:
    values = value if isinstance(value, tuple) else (value,)
    if not all(math.isfinite(v) for v in values):
        raise ValueError("must be a finite number")
    if isinstance(value, tuple) and value[0] > value[1]:
        raise ValueError(f"range [{value[0]:g}, {value[1]:g}] has low above high")
    return value


def _duration(value: Any) -> float:
    return parse_duration(value)


Rate = Annotated[
    float | tuple[float, float],
    BeforeValidator(_range),
    AfterValidator(_ordered),
    Field(description="a number, or [low, high]: each seed draws one value from the range"),
]
Seconds = Annotated[float, BeforeValidator(_duration)]


class _Params(BaseModel):
    """Base of every fault's parameters: unknown keys refused; chaos-mode keys accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chaos: str | None = Field(None, description="the cluster operation gameday chaos uses")
    env: dict[str, str] | None = Field(None, description="chaos mode: variables to set")
    image: str | None = Field(None, description="chaos mode: the bad image to set")
    memory_limit: str | None = Field(None, description="chaos mode: the limit that OOMs")
    workers: int | None = Field(None, ge=1, description="chaos mode: CPU burners")
    seconds: int | None = Field(None, ge=1, description="chaos mode: how long to burn CPU")


class BlockingQueryParams(_Params):
    """A session holds a lock; writers queue behind it holding pool connections.

    Carried by the blocking backend: relieved when it is terminated or cancelled.
    """

    table: str = "orders"
    connections: int = Field(25, ge=1, le=10_000, description="waiters it accumulates")
    query: str = ""
    user: str = "reporting"
    application: str = "psql"


class ConnectionLeakParams(_Params):
    """A release leaks pool connections; carried by the pods that run it."""

    version: str = Field("v2.0.0", description="the leaking release, rolled out at onset")
    leak_per_1k: Rate = Field(2.0, description="connections leaked per thousand requests")


class SlowQueryParams(_Params):
    """A query holds its connection ``factor`` times longer.

    Carried by the pods running ``version`` (default: the version serving at onset);
    relieved as they go, or when an index on ``index`` (``table(column)``) exists.
    """

    factor: Rate = Field(20.0, description="connection hold time multiplier")
    query: str = ""
    version: str | None = Field(None, description="the release that issues the query")
    index: str | None = Field(None, description="an index that fixes it, e.g. orders(customer_ref)")


class TrafficSpikeParams(_Params):
    """More traffic; it goes on, and is relieved when capacity serves it."""

    factor: Rate = Field(3.0, description="offered load multiplier")


class MemoryLeakParams(_Params):
    """Heap growth in the pods running ``version`` (default: the version at onset)."""

    mib_per_min: Rate = Field(20.0, description="growth per pod, before per-pod spread")
    spread: float = Field(
        0.35, ge=0, lt=1, description="each pod leaks at rate x (1 +/- spread), drawn per seed"
    )
    version: str | None = Field(None, description="the leaking release")


class CrashLoopParams(_Params):
    """A release that exits at startup; carried by its pods."""

    version: str = Field("v2.0.0", description="the crashing release, rolled out at onset")
    reason: str = ""


class Fallback(BaseModel):
    """How traffic can route around a failing dependency."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service: str | None = Field(
        None, description="a standby deployment: its ready pods take the dependency's calls"
    )
    caller: str | None = Field(None, description="the calling service whose builds can route")
    versions: list[str] = Field(
        default_factory=list, description="caller releases that route around the dependency"
    )


class DependencyErrorsParams(_Params):
    """A dependency fails a share of calls; relieved by routing around it (``fallback``)."""

    error_ratio: Rate = Field(0.5, description="share of calls that fail")
    latency: Seconds = Field(0.0, description="latency added to every call")
    fallback: Fallback | None = None
    upstream: str | None = Field(
        None,
        max_length=200,
        description="the outside API the service calls, as its logs name it "
        "(api.acquirer.example); default: upstream",
    )


class StaleStateParams(_Params):
    """Pods hold state read at startup (a resolved address, a loaded certificate).

    Carried by pods created before ``fixed_at`` (default: the onset): a restart
    replaces them with pods that read the state afresh. ``pods`` limits the fault to
    that many pods, picked per seed.
    """

    what: Literal["dns", "tls"] = "dns"
    error_ratio: Rate = Field(1.0, description="share of calls through a stale pod that fail")
    latency: Seconds = Field(0.0, description="latency added to failing calls")
    fixed_at: Seconds | None = Field(
        None, description="when fresh state became available (default: the onset)"
    )
    pods: int | None = Field(None, ge=1, description="how many pods hold stale state")


class BulkImportParams(_Params):
    """A bulk load on the service's database: its WAL floods the replicas' replay.

    Carried by the importing session while a pod of a service reads from a replica of
    that database: cancelling or terminating the import, or routing the reads to the
    primary, relieves it (the replicas then replay the backlog at their own rate).
    """

    wal_mb_per_s: Rate = Field(80.0, description="MiB of WAL a second the import writes")
    table: str = "orders"
    query: str = ""
    user: str = "etl"
    application: str = "bulk-import"


class ReplicaQueryParams(_Params):
    """A long query on a replica; without hot_standby_feedback its snapshot conflicts
    with replay, which waits up to max_standby_streaming_delay (-1: for ever).

    Carried by the query's session on the replica (``pg_cancel_backend`` ends it).
    """

    replica: str = Field(description="the replica the query runs on")
    query: str = "SELECT customer_id, sum(total_cents) FROM orders GROUP BY customer_id"
    user: str = "analytics"
    application: str = "metabase"


class PoisonMessageParams(_Params):
    """A record no consumer of ``group`` can process: each retries it at its offset.

    Carried by the group's committed offset on the partition: relieved once the group
    is past the record (``--reset-offsets --shift-by 1``, or a release in ``fixed_in``
    whose consumers dead-letter it). The fault's ``service`` is the consuming service.
    """

    topic: str = Field(description="the topic the record is written to")
    partition: int | None = Field(None, ge=0, description="its partition (default: drawn per seed)")
    error: str = Field(
        "org.apache.kafka.common.errors.RecordDeserializationException",
        description="what the consumer throws on it",
    )
    fixed_in: list[str] = Field(
        default_factory=list, description="releases whose consumers dead-letter the record"
    )


class VerboseLoggingParams(_Params):
    """A release logs at ``level`` (``LOG_LEVEL=DEBUG`` left on): each request writes
    ``bytes_per_request`` to the pod's log volume on its node's disk.

    Carried by the pods whose ``variable`` says ``level``: relieved once none runs
    (``kubectl set env ... LOG_LEVEL=info``, or a rollback to a release without it).
    """

    version: str = Field("v2.0.0", description="the release rolled out with the setting")
    variable: str = Field("LOG_LEVEL", description="the environment variable that sets it")
    level: str = Field("DEBUG", description="the verbose level")
    bytes_per_request: Rate = Field(65536.0, description="log bytes per request at that level")


class ZoneOutageParams(_Params):
    """Every node of ``zone`` stops posting status (NotReady); its pods are lost.

    Carried while ``service`` cannot serve its load: relieved when its ready pods
    elsewhere serve it again (rescheduled with headroom, or room made for them).
    """

    zone: str = Field(description="the zone lost, e.g. eu-west-1b")


class CacheFlushParams(_Params):
    """A Redis service loses its data: its pod is evicted (``evict``, a node drain) and
    comes back empty, or a ``FLUSHALL`` empties it in place (``flushall``).

    Carried by the stampede it starts: relieved once the callers' misses no longer
    saturate their pools and the cache answers near its warm hit ratio again.
    """

    how: Literal["evict", "flushall"] = "evict"


class SlowDependencyParams(_Params):
    """A service answers slowly (``latency_ms`` added to every response); the slowness
    goes on. Carried while a caller's request threads are all waiting on it (its
    timeouts, retries and breaker decide how long they wait)."""

    latency_ms: Rate = Field(800.0, description="milliseconds added to every response")


PARAMS: dict[str, type[_Params]] = {
    "verbose_logging": VerboseLoggingParams,
    "zone_outage": ZoneOutageParams,
    "poison_message": PoisonMessageParams,
    "blocking_query": BlockingQueryParams,
    "connection_leak": ConnectionLeakParams,
    "slow_query": SlowQueryParams,
    "traffic_spike": TrafficSpikeParams,
    "memory_leak": MemoryLeakParams,
    "crash_loop": CrashLoopParams,
    "dependency_errors": DependencyErrorsParams,
    "stale_state": StaleStateParams,
    "bulk_import": BulkImportParams,
    "replica_query": ReplicaQueryParams,
    "cache_flush": CacheFlushParams,
    "slow_dependency": SlowDependencyParams,
}
_BOUNDS = {  # (low, high) a drawn rate must respect
    ("verbose_logging", "bytes_per_request"): (0.0, 1e9),
    ("dependency_errors", "error_ratio"): (0.0, 1.0),
    ("stale_state", "error_ratio"): (0.0, 1.0),
    ("slow_query", "factor"): (1.0, 1000.0),
    ("traffic_spike", "factor"): (0.01, 100.0),
    ("connection_leak", "leak_per_1k"): (0.0, 1000.0),
    ("memory_leak", "mib_per_min"): (0.0, 100_000.0),
    ("bulk_import", "wal_mb_per_s"): (0.0, 10_000.0),
    ("slow_dependency", "latency_ms"): (0.0, 600_000.0),
}


def check_params(fault_type: str, params: Any) -> _Params:
    """``params`` as the typed model of ``fault_type``.

    Raises:
        ValidationError: located at the offending key, with a did-you-mean for unknown keys.
    """
    model = PARAMS[fault_type]
    try:
        typed = model.model_validate(params if params is not None else {})
    except ValidationError as exc:
        raise _explained(exc, fault_type, model) from None
    errors: list[InitErrorDetails] = []
    for (kind, key), (low, high) in _BOUNDS.items():
        value = getattr(typed, key, None) if kind == fault_type else None
        if value is None:
            continue
        for v in value if isinstance(value, tuple) else (value,):
            if not low <= v <= high:
                errors.append(
                    InitErrorDetails(
                        type=PydanticCustomError(
                            "param_range", f"must be between {low:g} and {high:g}, not {v:g}"
                        ),
                        loc=(key,),
                        input=v,
                    )
                )
    if errors:
        raise ValidationError.from_exception_data(model.__name__, errors)
    return typed


def _explained(exc: ValidationError, fault_type: str, model: type[_Params]) -> ValidationError:
    """The same errors, unknown keys reworded with the fault type and a did-you-mean."""
    known = list(model.model_fields)
    details: list[InitErrorDetails] = []
    for err in exc.errors():
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            key = str(err["loc"][0])
            hint = did_you_mean(key, known) or f"{fault_type} takes: {', '.join(known[6:])}"
            details.append(
                InitErrorDetails(
                    type=PydanticCustomError(
                        "unknown_param",
                        f"unknown parameter {key!r} of a {fault_type} fault ({hint})",
                    ),
                    loc=err["loc"],
                    input=err["input"],
                )
            )
        else:
            details.append(
                InitErrorDetails(
                    type=PydanticCustomError("param", str(err["msg"])),
                    loc=err["loc"],
                    input=err.get("input"),
                )
            )
    return ValidationError.from_exception_data(model.__name__, details)


def draw(value: float | tuple[float, float], rng: random.Random) -> float:
    """A rate's value for one session: the number, or a uniform draw from the range."""
    if isinstance(value, tuple):
        return rng.uniform(value[0], value[1])
    return float(value)
