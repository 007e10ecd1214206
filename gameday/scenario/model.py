"""The scenario model: one typed, immutable description of an incident to play.

``scenario.yaml`` is validated against these models (unknown keys refused) and the JSON
Schema shipped for editors is generated from them (``gameday schema``). Durations are
Prometheus style (``30s``, ``5m``, ``1h30m``) and are held as seconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from gameday.durations import format_duration, parse_duration
from gameday.scenario.cache_model import CacheUse, CallPolicy, RedisSpec
from gameday.scenario.components import (
    Consumes,
    Kafka,
    Nodes,
    Probe,
    Produces,
    check_kafka_links,
)
from gameday.scenario.fault_params import PARAMS, check_params
from gameday.scenario.model_base import Duration, Strict
from gameday.scenario.replicas import Replica, ReplicaReads
from gameday.scenario.tables import TableSpec


def _scrape_interval(value: float) -> float:
    if not 1.0 <= value <= 3600.0:
        raise ValueError(
            f"scrape_interval {format_duration(value)} is out of range: at least 1s "
            "(Prometheus scrapes at most once a second) and at most 1h"
        )
    return value


def _run_length(value: float) -> float:
    if not 60.0 <= value <= 86400.0:
        raise ValueError(
            f"duration {format_duration(value)} is out of range: a scenario runs "
            "between 1m and 24h of sim time"
        )
    return value


def _start_time(value: datetime) -> datetime:
    if not 1970 <= value.year <= 2200:
        raise ValueError(f"start_time year {value.year} is out of range (1970 to 2200)")
    return value


class Traffic(Strict):
    """Requests per second offered to a service, with a daily curve and seeded noise."""

    rps: float = Field(
        100.0, gt=0, le=1e7, description="mean requests per second at the daily mean"
    )
    daily_amplitude: float = Field(
        0.3, ge=0, lt=1, description="relative swing of the daily curve (peak at 14:00 local)"
    )
    noise: float = Field(0.05, ge=0, lt=1, description="relative standard deviation per scrape")
    error_ratio: float = Field(0.001, ge=0, lt=1, description="5xx ratio of a healthy service")


class Pool(Strict):
    """A client-side database connection pool (HikariCP-like), per replica."""

    size: int = Field(10, ge=1, description="connections per replica")
    hold: Duration = Field(0.05, description="time a request holds a connection when healthy")
    timeout: Duration = Field(
        5.0, description="how long a request waits for a connection before failing"
    )


class Autoscaler(Strict):
    """A HorizontalPodAutoscaler on the service's average CPU utilisation."""

    min_replicas: int = Field(1, ge=1, le=200)
    max_replicas: int = Field(ge=1, le=200)
    cpu_utilization: int = Field(
        80, ge=1, le=1000, description="target average CPU use, percent of the request"
    )

    @model_validator(mode="after")
    def _range(self) -> Autoscaler:
        if self.min_replicas > self.max_replicas:
            raise ValueError("min_replicas is above max_replicas")
        return self


class Service(Strict):
    """One deployment in the world."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,40}$")
    replicas: int = Field(3, ge=0, le=200)
    version: str = "v1.0.0"
    image: str | None = None
    container: str | None = Field(None, description="container name; defaults to the service name")
    cpu_request: float = Field(0.5, gt=0, description="cores per replica")
    memory_limit_mib: int = Field(512, ge=16)
    memory_base_mib: int = Field(180, ge=1)
    rps_per_replica: float = Field(
        200.0, gt=0, description="requests per second one replica serves before it saturates"
    )
    latency: Duration = Field(0.04, description="median latency when healthy")
    database: str | None = Field(None, description="name of the database it uses")
    pool: Pool | None = None
    calls: list[str] = Field(default_factory=list, description="services this one calls")
    traffic: Traffic | None = Field(None, description="external traffic; None if only called")
    previous_versions: list[str] = Field(
        default_factory=list, description="rollout history, oldest first"
    )
    released: Duration | None = Field(
        None,
        description="how long before the start the running version rolled out (its "
        "ReplicaSet's and pods' age); default 2 to 9 days, drawn per seed",
    )
    autoscaler: Autoscaler | None = Field(
        None, description="a HorizontalPodAutoscaler (autoscaling/v2) on CPU utilisation"
    )
    reads: ReplicaReads | None = Field(None, description="a read path on a replica of its database")
    max_surge: Annotated[int, Field(ge=0)] | Annotated[str, Field(pattern=r"^\d+%$")] = Field(
        "25%",
        description="the Deployment's rollingUpdate.maxSurge (a count or a percentage)",
    )
    max_unavailable: Annotated[int, Field(ge=0)] | Annotated[str, Field(pattern=r"^\d+%$")] = Field(
        "25%",
        description="the Deployment's rollingUpdate.maxUnavailable (a count or a percentage)",
    )
    produces: Produces | None = Field(None, description="a Kafka topic it writes a record to")
    consumes: Consumes | None = Field(None, description="a Kafka topic its pods consume")
    redis: RedisSpec | None = Field(
        None, description="this service runs redis-server (a cache); see cache: on its callers"
    )
    cache: CacheUse | None = Field(
        None, description="cache-aside reads through a redis service; misses query the database"
    )
    resilience: dict[str, CallPolicy] = Field(
        default_factory=dict,
        description="per callee: the client's timeout, retries and circuit breaker",
    )


class Database(Strict):
    """A PostgreSQL database as postgres_exporter sees it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,40}$")
    datname: str = Field(description="the database name in pg_stat_activity")
    max_connections: int = Field(100, ge=1, description="the server's max_connections")
    superuser_reserved_connections: int = Field(
        3, ge=0, description="slots of max_connections only superusers may take"
    )
    tables: list[TableSpec] = Field(
        default_factory=lambda: [TableSpec.model_validate({"name": "orders"})],
        description="table names (a default table each) or full definitions",
    )
    replicas: list[Replica] = Field(
        default_factory=list, description="hot standbys streaming from this primary"
    )
    wal_mb_per_s: float = Field(
        0.5, ge=0, le=10_000, description="MiB of WAL a second the normal workload writes"
    )

    @model_validator(mode="after")
    def _reserved_below_max(self) -> Database:
        if self.superuser_reserved_connections >= self.max_connections:
            raise ValueError(
                f"superuser_reserved_connections ({self.superuser_reserved_connections}) "
                f"must be less than max_connections ({self.max_connections})"
            )
        return self


class World(Strict):
    """Services, databases and how they connect."""

    namespace: str = Field("default", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    cluster: str = "prod-eu-west-1"
    services: list[Service] = Field(
        default_factory=list, description="at least one, unless the scenario is recorded"
    )
    databases: list[Database] = Field(default_factory=list)
    kafka: Kafka | None = Field(None, description="a Kafka cluster and its topics")
    nodes: Nodes | None = Field(None, description="worker nodes per zone (default 3 in 3 zones)")
    probes: list[Probe] = Field(default_factory=list, description="blackbox_exporter probes")

    @model_validator(mode="after")
    def _kafka_links(self) -> World:
        problems = check_kafka_links(self.services, self.kafka)
        if problems:
            raise ValueError("; ".join(problems))
        return self


FaultType = Literal[
    "blocking_query",
    "connection_leak",
    "slow_query",
    "traffic_spike",
    "memory_leak",
    "crash_loop",
    "dependency_errors",
    "stale_state",
    "bulk_import",
    "replica_query",
    "poison_message",
    "verbose_logging",
    "zone_outage",
    "cache_flush",
    "slow_dependency",
]


class Fault(Strict):
    """Something that goes wrong at ``at`` (sim time) and lasts ``duration`` or until fixed.

    ``at`` may be a window ``[earliest, latest]`` (or ``at`` plus ``onset_jitter``): each
    seed draws the onset inside it. ``params`` are typed per ``type``
    (:mod:`gameday.scenario.fault_params`): unknown keys are refused, and a rate may be a
    ``[low, high]`` range drawn per seed. A ``background`` fault is noise the team lives
    with: it runs in the world but is not the incident and is not scored.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    type: FaultType
    at: Duration
    onset_jitter: Duration = Field(
        0.0, description="the onset falls in [at, at + onset_jitter], drawn per seed"
    )
    service: str
    duration: Duration | None = Field(None, description="None: until a responder fixes it")
    description: str = ""
    background: bool = Field(False, description="noise, not the incident: never scored")
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _window(cls, data: Any) -> Any:
        """``at: [earliest, latest]`` is ``at: earliest``, ``onset_jitter: latest - earliest``."""
        if isinstance(data, dict) and isinstance(data.get("at"), list):
            window = data["at"]
            if len(window) != 2:
                raise ValueError("at: a window is [earliest, latest]")
            if "onset_jitter" in data:
                raise ValueError("give the onset as a window or with onset_jitter, not both")
            earliest, latest = parse_duration(window[0]), parse_duration(window[1])
            if latest < earliest:
                raise ValueError(f"at: window {window} ends before it starts")
            data = {**data, "at": earliest, "onset_jitter": latest - earliest}
        return data

    @field_validator("params", mode="before")
    @classmethod
    def _typed(cls, value: Any, info: ValidationInfo) -> Any:
        """Checked against the fault type's parameter model; the keys given are kept."""
        kind = info.data.get("type")
        if kind not in PARAMS or not isinstance(value, dict):
            return value
        typed = check_params(kind, value)
        return typed.model_dump(include=set(value), exclude_none=False)

    def typed_params(self) -> Any:
        """The parameters as the typed model of :attr:`type` (defaults filled in)."""
        return check_params(self.type, self.params)


class Mitigation(Strict):
    """Deprecated: a command pattern once said to fix a fault.

    Faults are now relieved by the world (see ``docs/scenario-authoring.md``); the key
    is still read so old scenarios load, ``gameday validate`` warns, and nothing uses it.
    """

    fault: str
    command: str = Field(description="normalised command prefix, e.g. 'kubectl rollout undo'")
    effect: str = ""


class RedHerring(Strict):
    """A command that looks like a fix and is not, with why (shown in the debrief)."""

    command: str
    why: str = ""

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, data: Any) -> Any:
        """A plain string is a command without a why (the older form)."""
        return {"command": data} if isinstance(data, str) else data


class Truth(Strict):
    """The hidden truth the debrief reveals."""

    root_cause: str
    severity: Literal["SEV1", "SEV2", "SEV3", "SEV4"] = "SEV2"
    trigger: str = ""
    contributing_factors: list[str] = Field(default_factory=list)
    red_herrings: list[RedHerring] = Field(
        default_factory=list,
        description="commands that look helpful but do not mitigate, each with its why",
    )
    impact: str = ""


class Targets(Strict):
    """Per-scenario overrides of the severity table's targets (seconds)."""

    detect: Duration | None = None
    ack: Duration | None = None
    incident_commander: Duration | None = None
    status_page: Duration | None = None
    update_every: Duration | None = None
    mitigate: Duration | None = None
    resolve: Duration | None = None
    escalate_after: Duration | None = None
    pass_score: float = Field(70.0, ge=0, le=100)
    slo: float = Field(0.999, gt=0, lt=1, description="availability SLO of the entry service")
    weights: dict[str, Annotated[float, Field(ge=0, le=1000)]] = Field(default_factory=dict)


#: What an expectation may ask for: an incident verb, or any ``command``.
ExpectedAction = Literal[
    "status", "note", "escalate", "assign", "sev", "ack", "resolve", "silence", "command"
]


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be longer than 0s: the team needs some time to answer")
    return value


def _go_regex(value: str | None) -> str | None:
    if value is not None:
        from gameday.goregex import GoRegexError, compile_go

        try:
            compile_go(value)
        except GoRegexError as exc:
            raise ValueError(str(exc)) from None
    return value


class Expectation(Strict):
    """What the team should do once an inject fires, and how soon.

    Met by the first successful action of kind ``action`` (``status`` posts a status
    update, ``escalate`` pages a person or the next level, ``assign``/``sev`` set an
    incident field, ``command`` is any command) typed within ``within`` of the inject,
    whose command line contains a match of ``matching`` (RE2, as Prometheus reads
    regexes; ``(?i)`` ignores case) when one is given. Scored under "Injects answered".
    """

    action: ExpectedAction = Field(description="the kind of action that answers the inject")
    matching: Annotated[str | None, AfterValidator(_go_regex)] = Field(
        None, description="RE2 pattern the command as typed must contain a match of"
    )
    within: Annotated[Duration, AfterValidator(_positive)] = Field(
        description="how long after the inject fires the answer counts"
    )
    why: str = Field("", description="shown in the debrief when the answer is missing")


class Inject(Strict):
    """A facilitator's hot inject: something that happens when triggered from the menu.

    With ``at`` it also fires by itself, ``at`` after the first page (or after the start,
    with ``relative_to: start``), unless the facilitator fired it before: drills and
    tabletops without a facilitator at the keys get it too. ``expect`` says what the
    team should do about it, and how soon.
    """

    id: str
    title: str
    kind: Literal["message", "unreachable", "fault"] = "message"
    text: str = ""
    person: str | None = None
    fault: str | None = None
    at: Duration | None = Field(
        None, description="fires by itself this long after the first page (or the start)"
    )
    relative_to: Literal["page", "start"] = Field(
        "page", description="what ``at`` counts from: the first page, or the start"
    )
    expect: list[Expectation] = Field(
        default_factory=list, description="what the team should do once it fires (scored)"
    )


class Hint(Strict):
    """One rung of the hint ladder, phrased as a question."""

    question: str
    cost: float = Field(5.0, ge=0)


class Files(Strict):
    """The files a scenario brings, relative to its folder (or absolute)."""

    rules: list[str] = Field(default_factory=list, description="Prometheus rule files")
    alertmanager: str | None = "alertmanager.yml"
    oncall: str | None = "oncall.yaml"
    runbooks: list[str] = Field(default_factory=list, description="Markdown runbooks")
    solution: str | None = "solution.yaml"


class Recorded(Strict):
    """An imported incident: recorded series replayed instead of a simulated world.

    Written by ``gameday import``; the samples keep their recorded timestamps, so rules
    see exactly what the real Prometheus saw from ``start_time`` on.
    """

    metrics: str = Field(
        "recorded.om",
        description="OpenMetrics text (as promtool backfills) with the window's samples",
    )
    history: Duration = Field(
        0.0, description="recorded time before start_time in the file, for the rules' ranges"
    )
    timeline: str | None = Field(
        None, description="the real team's timeline (CSV or JSON): the ghost responder"
    )
    source: str = Field("", description="where the samples were read from")


def _empty_world() -> World:
    return World(services=[])


class Scenario(Strict):
    """A complete incident: world, faults on a timeline, the truth, targets and files."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    summary: str = ""
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    tags: list[str] = Field(default_factory=list)
    duration: Annotated[Duration, AfterValidator(_run_length)] = Field(
        3600.0, description="how long the sim runs at most"
    )
    start_time: Annotated[datetime, AfterValidator(_start_time)] = Field(
        datetime.fromisoformat("2026-03-10T14:00:00+00:00"),
        description="wall-clock time at sim time 0 (timezone-aware)",
    )
    scrape_interval: Annotated[Duration, AfterValidator(_scrape_interval)] = 15.0
    entry_service: str | None = Field(None, description="the user-facing service (SLO, impact)")
    recorded: Recorded | None = Field(
        None, description="an imported incident's recorded series (then world has no services)"
    )
    world: World = Field(default_factory=_empty_world, validate_default=True)
    faults: list[Fault] = Field(default_factory=list)
    truth: Truth
    targets: Targets = Field(default_factory=Targets)
    files: Files = Field(default_factory=Files)
    injects: list[Inject] = Field(default_factory=list)
    hints: list[Hint] = Field(default_factory=list)
    mitigations: list[Mitigation] = Field(
        default_factory=list, description="deprecated and ignored: the world decides fixes"
    )

    @field_validator("world")
    @classmethod
    def _simulated_or_recorded(cls, world: World, info: ValidationInfo) -> World:
        """A simulated scenario needs services; a recorded one has none to simulate."""
        recorded = info.data.get("recorded")
        if recorded is None and not world.services:
            raise ValueError(
                "a scenario needs at least one service in world.services "
                "(only an imported incident, with recorded:, has none)"
            )
        if recorded is not None and world.services:
            raise ValueError(
                "an imported incident (recorded:) replays its metrics: it has no simulated services"
            )
        return world

    @property
    def start_ms(self) -> int:
        """``start_time`` in Unix milliseconds: sim time 0 on the wall clock."""
        return int(round(self.start_time.timestamp() * 1000))

    def service(self, name: str) -> Service:
        """The service called ``name`` (KeyError if there is none)."""
        for svc in self.world.services:
            if svc.name == name:
                return svc
        raise KeyError(name)


class TimedAction(Strict):
    """One step of an expert solution or a responder script."""

    at: Duration
    do: str = Field(description="the command as a responder types it")
    role: Literal["ic", "ops", "comms", "scribe"] = "ops"
    why: str = ""
    after_inject: str | None = Field(
        None,
        description="``at`` counts from when this inject fires; not played if it never does",
    )


class Solution(Strict):
    """The expert's timed actions (``solution.yaml``) or a script for ``script:FILE``.

    Times count from the moment the responder is engaged: the first page that reaches
    them (``relative_to: page``, the default, as a real responder acts when paged) or
    the start of the scenario (``relative_to: start``).
    """

    relative_to: Literal["page", "start"] = "page"
    actions: list[TimedAction]
