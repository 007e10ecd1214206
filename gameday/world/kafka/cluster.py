"""A Kafka cluster in sim time: partitions that grow, consumer groups that commit offsets.

Producers append one record per request they serve, spread evenly over a topic's
partitions (keyed records). Each pod of a consuming service is one member of its
group; the group assigns partitions with the range assignor (sorted members, the first
``partitions % members`` take one more), so members beyond the partition count get
nothing and stay idle, as in Kafka. A member processes ``rate`` records a second shared
over its partitions. Any change of membership (a pod that starts or stops) is a
rebalance: with the eager protocol every member gives up its partitions and the whole
group consumes nothing until it is Stable again. A poison record stops its partition at
its offset: the member retries it and commits nothing past it.
"""

from __future__ import annotations

import base64
import math
import random
from dataclasses import dataclass, field
from typing import Any

from gameday.scenario.components import Consumes, Kafka

STEADY_LAG_SECONDS = 0.4  # records in flight on a healthy partition: about this much produce


@dataclass
class Partition:
    """One partition of a topic: its log end, oldest offset and replicas."""

    topic: str
    index: int
    log_end: float
    oldest: int
    leader: int
    replicas: tuple[int, ...]
    rate: float = 0.0  # records a second produced to it in the last tick


@dataclass
class Member:
    """One consumer of a group: a pod's KafkaConsumer."""

    member_id: str
    pod: str
    host: str
    client_id: str
    version: str


@dataclass
class Poison:
    """A record its group cannot process at ``offset`` of ``partition``."""

    fault_id: str
    partition: int
    offset: int
    error: str
    fixed_in: tuple[str, ...]
    attempts: int = 0


@dataclass
class Group:
    """A consumer group: committed offsets per partition, members, assignment, state."""

    name: str
    topic: str
    service: str
    spec: Consumes
    committed: list[float]
    members: list[Member] = field(default_factory=list)
    assignment: dict[int, str] = field(default_factory=dict)  # partition -> member id
    state: str = "Stable"
    rebalance_until: float = 0.0
    generation: int = 1
    paused: float = 0.0  # seconds of the last tick the group consumed nothing
    poisons: list[Poison] = field(default_factory=list)

    def lag(self, partitions: list[Partition]) -> list[int]:
        """Records between each partition's committed offset and its log end."""
        return [
            max(0, int(p.log_end) - int(c)) for p, c in zip(partitions, self.committed, strict=True)
        ]

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.member_id == member_id), None)


class KafkaCluster:
    """Topics, partitions and consumer groups of one scenario's Kafka."""

    def __init__(self, spec: Kafka, services: list[Any], seed: int) -> None:
        self.spec = spec
        self.seed = seed
        rng = random.Random(f"{seed}:kafka")
        self.topic_ids = {t.name: _topic_id(rng) for t in spec.topics}
        self.topics: dict[str, list[Partition]] = {}
        self.configs = {t.name: t for t in spec.topics}
        for t in spec.topics:
            parts = []
            for i in range(t.partitions):
                leader = 1 + (i + rng.randrange(spec.brokers)) % spec.brokers
                rf = min(t.replication_factor, spec.brokers)
                replicas = tuple(1 + (leader - 1 + k) % spec.brokers for k in range(rf))
                end = rng.randrange(2_000_000, 9_000_000)
                parts.append(
                    Partition(
                        t.name,
                        i,
                        float(end),
                        end - rng.randrange(900_000, 1_800_000),
                        leader,
                        replicas,
                    )
                )
            self.topics[t.name] = parts
        self.producers = {s.name: s.produces for s in services if s.produces is not None}
        self.groups: dict[str, Group] = {}
        for s in services:
            if s.consumes is not None:
                parts = self.topics[s.consumes.topic]
                committed = [float(int(p.log_end) - rng.randrange(0, 40)) for p in parts]
                self.groups[s.consumes.group] = Group(
                    s.consumes.group, s.consumes.topic, s.name, s.consumes, committed
                )
        self._client_seq = 0
        self.now = 0.0
        self._uuid = random.Random(f"{seed}:kafka-members")

    def settle(self, pods: dict[str, list[Any]]) -> None:
        """The groups as they stand at the start: every ready pod a member, assigned."""
        for g in self.groups.values():
            self._membership(g, self.now, pods.get(g.service, []))
            g.state, g.rebalance_until = ("Stable", self.now) if g.members else ("Empty", 0.0)
            g.generation = 1
            g.assignment = range_assign(len(g.committed), [m.member_id for m in g.members])

    # -- faults ------------------------------------------------------------------------

    def poison(
        self, fault_id: str, group: str, partition: int, error: str, fixed: list[str]
    ) -> Poison:
        """A poison record is produced now to ``partition``: the next record of its log."""
        g = self.groups[group]
        offset = int(self.topics[g.topic][partition].log_end)
        found = Poison(fault_id, partition, offset, error, tuple(fixed))
        g.poisons.append(found)
        return found

    def poison_pending(self, fault_id: str) -> bool:
        """Whether some group has not yet committed past the fault's poison record."""
        for g in self.groups.values():
            for p in g.poisons:
                if p.fault_id == fault_id and g.committed[p.partition] <= p.offset:
                    return True
        return False

    # -- the tick ----------------------------------------------------------------------

    def step(
        self, now: float, dt: float, produced: dict[str, float], pods: dict[str, list[Any]]
    ) -> None:
        """Advance ``dt`` seconds: append produced records, rebalance, consume.

        ``produced`` is records a second per producing service; ``pods`` the live,
        ready pods of each consuming service (the members that poll).
        """
        for service, link in self.producers.items():
            parts = self.topics[link.topic]
            per = produced.get(service, 0.0) / len(parts)
            for p in parts:
                p.rate = per
                p.log_end += per * dt
        self.now = now
        for g in self.groups.values():
            self._membership(g, now, pods.get(g.service, []))
            self._consume(g, now, dt)

    def _membership(self, g: Group, now: float, pods: list[Any]) -> None:
        """A changed set of members is a rebalance: partitions are reassigned after it."""
        current = {m.pod for m in g.members}
        wanted = {p.name for p in pods}
        if current != wanted:
            kept = [m for m in g.members if m.pod in wanted]
            for pod in sorted(pods, key=lambda p: p.name):
                if pod.name not in current:
                    kept.append(self._member(g, pod))
            g.members = kept
            g.generation += 1
            g.assignment = {}
            if kept:
                g.state = "PreparingRebalance"
                g.rebalance_until = now + g.spec.rebalance
            else:
                g.state = "Empty"
        if g.state == "PreparingRebalance" and now >= g.rebalance_until:
            g.state = "Stable"
            g.assignment = range_assign(len(g.committed), [m.member_id for m in g.members])

    def _member(self, g: Group, pod: Any) -> Member:
        self._client_seq += 1
        client = f"consumer-{g.name}-{self._client_seq}"
        uid = "-".join(
            "".join(self._uuid.choice("0123456789abcdef") for _ in range(n))
            for n in (8, 4, 4, 4, 12)
        )
        return Member(f"{client}-{uid}", pod.name, f"/{pod.ip}", client, str(pod.version))

    def _consume(self, g: Group, now: float, dt: float) -> None:
        parts = self.topics[g.topic]
        start = now - dt
        paused = dt if g.state != "Stable" else max(0.0, min(now, g.rebalance_until) - start)
        g.paused = paused if g.members else dt
        if g.state != "Stable":
            return
        work = dt - paused
        owned: dict[str, int] = {}
        for member_id in g.assignment.values():
            owned[member_id] = owned.get(member_id, 0) + 1
        for index, member_id in g.assignment.items():
            member = g.member(member_id)
            if member is None:
                continue
            capacity = g.spec.rate / owned[member_id]
            target = parts[index].log_end - parts[index].rate * STEADY_LAG_SECONDS
            new = min(max(g.committed[index], target), g.committed[index] + capacity * work)
            for poison in g.poisons:
                if poison.partition != index or g.committed[index] > poison.offset:
                    continue
                if member.version in poison.fixed_in:  # this release dead-letters it
                    continue
                if new >= poison.offset:
                    new = float(poison.offset)
                    poison.attempts += max(1, int(work))  # one retry a second (FixedBackOff 1s)
            g.committed[index] = new

    # -- what callers see --------------------------------------------------------------

    def delay(self, g: Group, index: int) -> float:
        """Seconds a record produced now to partition ``index`` waits to be processed:
        the rest of a rebalance, then the backlog ahead of it at its member's rate
        (infinite with no member, or behind a poison record its member cannot pass)."""
        if not g.members:
            return math.inf
        assignment = g.assignment
        if g.state != "Stable":
            assignment = range_assign(len(g.committed), [m.member_id for m in g.members])
        member_id = assignment.get(index)
        member = g.member(member_id) if member_id else None
        if member is None or self.blocked(g, index, member):
            return math.inf
        owned = sum(1 for v in assignment.values() if v == member_id)
        lag = self.topics[g.topic][index].log_end - g.committed[index]
        wait = max(0.0, g.rebalance_until - self.now) if g.state != "Stable" else 0.0
        return wait + lag / (g.spec.rate / owned)

    def blocked(self, g: Group, index: int, member: Member) -> bool:
        """Whether ``member`` is stuck retrying a poison record on partition ``index``."""
        return any(
            p.partition == index
            and g.committed[index] <= p.offset
            and member.version not in p.fixed_in
            for p in g.poisons
        )

    def reply_failures(self, service: str, dt: float) -> float:
        """The share of ``service``'s requests whose record is not answered in time."""
        link = self.producers.get(service)
        if link is None or link.reply_timeout is None:
            return 0.0
        groups = [g for g in self.groups.values() if g.topic == link.topic]
        if not groups:
            return 1.0
        g = groups[0]
        n = len(self.topics[g.topic])
        paused_share = g.paused / dt if dt > 0 and g.spec.rebalance >= link.reply_timeout else 0.0
        failed = 0.0
        for index in range(n):
            late = self.delay(g, index) > link.reply_timeout
            failed += 1.0 if late else paused_share
        return min(1.0, failed / n)


def range_assign(partitions: int, member_ids: list[str]) -> dict[int, str]:
    """Kafka's RangeAssignor for one topic: members sorted, partitions split in runs;
    the first ``partitions % members`` members take one extra; members beyond the
    partition count get none."""
    members = sorted(member_ids)
    if not members:
        return {}
    per, extra = divmod(partitions, len(members))
    out: dict[int, str] = {}
    start = 0
    for i, m in enumerate(members):
        n = per + (1 if i < extra else 0)
        for p in range(start, start + n):
            out[p] = m
        start += n
    return out


def _topic_id(rng: random.Random) -> str:
    """A topic id as kafka-topics.sh prints it: a UUID in URL-safe base64, no padding."""
    raw = bytes(rng.randrange(256) for _ in range(16))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
