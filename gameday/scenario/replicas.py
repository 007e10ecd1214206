"""Streaming replicas of a database, and the services that read from them.

``world.databases[].replicas`` lists a primary's hot standbys (each a host psql can
reach), how fast each replays WAL and its two conflict settings. A service's ``reads``
names the replica its read path uses, the environment variable that switches it (the
pods read from the replica while it is ``true``; ``kubectl set env ... =false`` sends
new pods' reads to the primary) and which of its requests read a row written moments
earlier: those fail (the row is "not found") while the replica lags more than the time
since the write.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from gameday.durations import parse_duration
from gameday.scenario.model_base import Strict


def _seconds(value: Any) -> float:
    return parse_duration(value)


def _delay(value: Any) -> float:
    """``-1`` (wait forever, as PostgreSQL spells it) or a duration."""
    if value in (-1, "-1"):
        return -1.0
    return parse_duration(value)


_DURATION_SCHEMA = {"type": ["string", "number"], "pattern": r"^(\d+(ms|y|w|d|h|m|s))+$|^0$"}
Seconds = Annotated[float, BeforeValidator(_seconds), Field(json_schema_extra=_DURATION_SCHEMA)]


class Replica(Strict):
    """A hot standby streaming from its database (PostgreSQL 15 physical replication)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,40}$", description="its host name")
    replay_mb_per_s: float = Field(
        60.0, gt=0, le=10_000, description="MiB of WAL a second its startup process replays"
    )
    hot_standby_feedback: bool = Field(
        True, description="report its snapshots to the primary (no snapshot conflicts)"
    )
    max_standby_streaming_delay: Annotated[float, BeforeValidator(_delay)] = Field(
        30.0,
        ge=-1,
        description="how long replay waits for a conflicting query (-1: forever)",
        json_schema_extra={"type": ["string", "number"]},
    )


class FreshRead(Strict):
    """Reads of rows written shortly before: they see the row only on a fresh replica."""

    share: float = Field(gt=0, le=1, description="share of the service's requests")
    window: tuple[Seconds, Seconds] = Field(
        description="[soonest, latest] time after the write such a read comes"
    )

    @model_validator(mode="after")
    def _ordered(self) -> FreshRead:
        if self.window[0] > self.window[1]:
            raise ValueError("window is [soonest, latest]: soonest is after latest")
        return self


class ReplicaReads(Strict):
    """A service's read path on a replica of its database."""

    replica: str = Field(description="a replica of the service's database")
    env: str = Field(
        "READ_FROM_REPLICA",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="the container variable that routes reads (true: the replica)",
    )
    after_write: list[FreshRead] = Field(
        default_factory=list, description="reads that look up a row written moments earlier"
    )


def stale_share(reads: ReplicaReads, lag: float) -> float:
    """The share of requests whose row the replica has not replayed, at ``lag`` seconds.

    A read ``w`` seconds after its write misses the row exactly while ``lag > w``; ``w``
    is spread evenly over each class's window.
    """
    total = 0.0
    for fresh in reads.after_write:
        low, high = fresh.window
        if lag <= low:
            continue
        missed = 1.0 if lag >= high or high <= low else (lag - low) / (high - low)
        total += fresh.share * missed
    return min(1.0, total)
