"""Scenario models of the world's infrastructure components: a Kafka cluster with its
topics, the services that produce to and consume from it, and the cluster's nodes and
zones. :mod:`gameday.scenario.model` holds them under ``world``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from gameday.scenario.model_base import Duration as Seconds
from gameday.scenario.model_base import Strict


class Topic(Strict):
    """A Kafka topic: its partitions are what a consumer group can spread over."""

    name: str = Field(pattern=r"^[a-zA-Z0-9._-]{1,120}$")
    partitions: int = Field(6, ge=1, le=256)
    replication_factor: int = Field(3, ge=1, le=10)
    retention: Seconds = Field(7 * 86400.0, description="retention.ms, as a duration")


class Kafka(Strict):
    """A Kafka cluster as kafka_exporter and the Kafka command-line tools see it."""

    name: str = Field("kafka", pattern=r"^[a-z][a-z0-9-]{0,40}$", description="bootstrap host")
    brokers: int = Field(3, ge=1, le=50)
    topics: list[Topic] = Field(min_length=1)


class Produces(Strict):
    """A service writes one record per request it serves to ``topic``.

    With ``reply_timeout`` the request waits for the consumer's answer (request-reply
    over Kafka): a request whose record is not processed within the timeout fails.
    """

    topic: str
    reply_timeout: Seconds | None = Field(None, description="how long a request waits for a reply")


class Consumes(Strict):
    """Each pod of the service is one consumer of ``group`` reading ``topic``."""

    topic: str
    group: str = Field(pattern=r"^[a-zA-Z0-9._-]{1,120}$")
    rate: float = Field(100.0, gt=0, le=1e6, description="records a second one consumer processes")
    rebalance: Seconds = Field(
        20.0, description="how long a rebalance stops the whole group (eager protocol)"
    )


class Zone(Strict):
    """A failure domain: its nodes carry ``topology.kubernetes.io/zone``."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    nodes: int = Field(1, ge=1, le=50)


class Nodes(Strict):
    """The cluster's worker nodes, spread over zones."""

    cpu: int = Field(4, ge=1, le=256, description="allocatable cores per node")
    memory_gib: int = Field(16, ge=1, le=4096)
    disk_gib: int = Field(100, ge=1, le=100_000, description="the node's root filesystem")
    disk_used: tuple[float, float] = Field(
        (0.4, 0.55), description="share of each root disk used before pods write (drawn per node)"
    )
    zones: list[Zone] = Field(
        default_factory=lambda: [
            Zone(name="eu-west-1a"),
            Zone(name="eu-west-1b"),
            Zone(name="eu-west-1c"),
        ]
    )


class Probe(Strict):
    """A blackbox_exporter probe Prometheus runs against ``target`` with ``module``.

    ``service`` names the deployment whose pods answer (each probe reaches one of them,
    as a Service spreads connections); without it the target is outside the cluster
    and always answers.
    """

    target: str = Field(min_length=1, max_length=300)
    module: Literal["http_2xx", "tcp_tls", "dns_udp"] = "http_2xx"
    service: str | None = Field(None, description="the deployment whose pods answer")
    cert_days: int = Field(90, ge=1, le=3650, description="validity of the served certificate")


def check_kafka_links(services: list[Any], kafka: Kafka | None) -> list[str]:
    """What is wrong with the services' ``produces``/``consumes``: unknown topics, no cluster."""
    problems = []
    topics = {t.name for t in kafka.topics} if kafka else set()
    for svc in services:
        for key in ("produces", "consumes"):
            link = getattr(svc, key, None)
            if link is None:
                continue
            if kafka is None:
                problems.append(f"service {svc.name!r}: {key} needs world.kafka")
            elif link.topic not in topics:
                known = ", ".join(sorted(topics))
                problems.append(
                    f"service {svc.name!r}: {key}.topic {link.topic!r} is not a topic "
                    f"(topics: {known})"
                )
    return problems
