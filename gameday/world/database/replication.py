"""Streaming replication of a simulated PostgreSQL 15 primary to its standbys.

The primary's WAL grows every tick by what its writes log (the normal workload plus
any session that writes heavily, such as a bulk import: :attr:`Backend.wal_rate`).
Each standby's walreceiver receives it at once (the network is not the bottleneck
here) and its startup process replays it at the standby's own rate; what it cannot
replay yet is its *lag*, in bytes (``pg_wal_lsn_diff(sent_lsn, replay_lsn)``) and in
seconds (how old the newest replayed WAL is, which is what ``replay_lag`` and
``now() - pg_last_xact_replay_timestamp()`` show while the primary is busy).

A query on a standby holds a snapshot. Without ``hot_standby_feedback`` the primary's
vacuum removes row versions that snapshot may still need; replaying that cleanup
conflicts with the query, and the startup process waits for it up to
``max_standby_streaming_delay`` after the WAL was received (``-1``: forever), then
cancels it with PostgreSQL's message (:data:`CONFLICT_MESSAGE`). Promoting a standby
(``pg_promote()``) stops its walreceiver, replays what it received and ends recovery
on a new timeline; from then on it is a primary of its own that the old one no
longer feeds.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from typing import Any

MIB = 1024 * 1024
#: the text a standby query cancelled by a snapshot conflict fails with (PostgreSQL 15)
CONFLICT_MESSAGE = (
    "ERROR:  canceling statement due to conflict with recovery\n"
    "DETAIL:  User query might have needed to see row versions that must be removed."
)
#: vacuum on the primary removes rows deleted after a standby snapshot about this long after
VACUUM_AFTER = 60.0
END_OF_RECOVERY_BYTES = 0x30  # the end-of-recovery record a promotion writes
STREAMING, PROMOTING, PROMOTED = "streaming", "promoting", "promoted"


def lsn_text(lsn: int) -> str:
    """An LSN as PostgreSQL prints ``pg_lsn``: two hex halves, ``0/3000148``."""
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


def parse_lsn(text: str) -> int:
    """``0/3000148`` as a byte position.

    Raises:
        ValueError: with PostgreSQL's message for text that is no LSN.
    """
    hi, slash, lo = text.strip().partition("/")
    try:
        if not slash or not hi or not lo or len(hi) > 8 or len(lo) > 8:
            raise ValueError
        return int(hi, 16) << 32 | int(lo, 16)
    except ValueError:
        raise ValueError(f'invalid input syntax for type pg_lsn: "{text}"') from None


class WalHistory:
    """Where the primary's WAL insert position was, tick by tick (LagTracker's samples)."""

    def __init__(self, start_lsn: int) -> None:
        self._t: list[float] = [0.0]
        self._lsn: list[int] = [start_lsn]

    def add(self, t: float, lsn: int) -> None:
        if lsn > self._lsn[-1]:  # nothing written: the last WAL stays as old as it is
            self._t.append(t)
            self._lsn.append(lsn)

    @property
    def lsn(self) -> int:
        return self._lsn[-1]

    def time_of(self, lsn: int) -> float:
        """When the primary wrote the WAL at ``lsn`` (interpolated between ticks)."""
        i = bisect.bisect_left(self._lsn, lsn)
        if i >= len(self._lsn):
            return self._t[-1]
        if i == 0 or self._lsn[i] == lsn:
            return self._t[i]
        t0, t1, l0, l1 = self._t[i - 1], self._t[i], self._lsn[i - 1], self._lsn[i]
        return t0 + (t1 - t0) * (lsn - l0) / (l1 - l0)

    def lsn_at(self, t: float) -> int:
        """The insert position at sim time ``t``."""
        i = bisect.bisect_right(self._t, t)
        if i >= len(self._t):
            return self._lsn[-1]
        if i == 0:
            return self._lsn[0]
        t0, t1, l0, l1 = self._t[i - 1], self._t[i], self._lsn[i - 1], self._lsn[i]
        return int(l0 + (l1 - l0) * (t - t0) / (t1 - t0))

    def prune(self, keep_from: int) -> None:
        """Forget samples older than the one before ``keep_from`` (every standby is past)."""
        i = bisect.bisect_left(self._lsn, keep_from) - 1
        if i > 0:
            del self._t[:i]
            del self._lsn[:i]


@dataclass
class Standby:
    """One streaming standby as its primary and itself see it.

    Attributes:
        name: its host name, also the ``application_name`` it connects with.
        replay_rate: bytes of WAL a second its startup process applies.
        hot_standby_feedback: whether it reports its oldest snapshot to the primary.
        max_standby_streaming_delay: seconds replay waits for a conflicting query
            (``-1``: forever).
        client_addr: its address as the primary's walsender sees it.
        walsender_pid: the primary's walsender process for it.
        backend_start: when it connected (sim seconds).
        sent, write, flush, replay: its LSNs (``pg_stat_replication``).
        state: ``streaming``, ``promoting`` or ``promoted``.
        timeline: its timeline (2 once promoted).
        conflicts: queries cancelled by snapshot conflicts (``confl_snapshot``).
        waiting_since: since when replay waits for a conflicting query (None: it does not).
        end_lsn: its own insert position once promoted.
        down_until: it restarts and accepts no connections until then (sim seconds).
    """

    name: str
    replay_rate: float
    hot_standby_feedback: bool = True
    max_standby_streaming_delay: float = 30.0
    client_addr: str = "10.244.0.90"
    walsender_pid: int = 0
    backend_start: float = 0.0
    sent: int = 0
    write: int = 0
    flush: int = 0
    replay: int = 0
    state: str = STREAMING
    timeline: int = 1
    conflicts: int = 0
    waiting_since: float | None = None
    end_lsn: int = 0
    down_until: float = -1.0
    frozen_at: float = 0.0  # once promoted: when the last WAL it replayed was written
    queries: list[Any] = field(default_factory=list)  # its sessions holding snapshots

    @property
    def in_recovery(self) -> bool:
        return self.state != PROMOTED


@dataclass
class Replication:
    """A primary's WAL and the standbys it streams to.

    Attributes:
        base_rate: bytes of WAL a second the normal write workload logs.
        history: the insert position over time.
        standbys: by name.
        seed: the session seed (the small lags' noise derives from it).
    """

    base_rate: float
    history: WalHistory
    standbys: dict[str, Standby] = field(default_factory=dict)
    seed: int = 0
    now: float = 0.0
    wal_rate: float = 0.0  # bytes a second written during the last tick

    @classmethod
    def start(cls, base_rate: float, seed: int, name: str) -> Replication:
        """A primary that has run for weeks: its insert position somewhere past 0x20/0."""
        rng = random.Random(f"{seed}:wal:{name}")
        lsn = (rng.randrange(0x20, 0x9F) << 32) + rng.randrange(1 << 32)
        return cls(base_rate, WalHistory(lsn), seed=seed)

    @property
    def lsn(self) -> int:
        """``pg_current_wal_lsn()``."""
        return self.history.lsn

    def promote(self, s: Standby) -> None:
        """``pg_promote()``: the walreceiver stops; replay finishes what was received."""
        if s.state == STREAMING:
            s.state = PROMOTING

    def attach(self, standby: Standby, now: float) -> None:
        """A standby caught up and streaming at ``now``."""
        standby.sent = standby.write = standby.flush = standby.replay = self.lsn
        self.standbys[standby.name] = standby
        self.history.add(now, self.lsn)

    def advance(self, now: float, dt: float, extra_rate: float) -> None:
        """Write ``dt`` seconds of WAL and let every standby receive and replay its share."""
        self.now = now
        self.wal_rate = self.base_rate + extra_rate
        self.history.add(now, self.lsn + int(self.wal_rate * dt))
        for s in self.standbys.values():
            if s.state == STREAMING and now >= s.down_until:
                s.sent = s.write = s.flush = self.lsn
            if s.state != PROMOTED and now >= s.down_until:
                self._replay(s, now, dt)
            if s.state == PROMOTING and s.replay >= s.flush:
                s.state, s.timeline = PROMOTED, s.timeline + 1
                s.end_lsn = s.flush + END_OF_RECOVERY_BYTES
                s.frozen_at = self.history.time_of(s.replay)
        following = [s.replay for s in self.standbys.values() if s.state != PROMOTED]
        self.history.prune(min(following, default=self.lsn))

    def _replay(self, s: Standby, now: float, dt: float) -> None:
        budget = s.replay_rate * dt
        blocked = self._conflict_lsn(s)
        if blocked is not None and s.replay + budget >= blocked:
            s.replay = max(s.replay, blocked)
            received = self.history.time_of(blocked)
            if s.waiting_since is None:
                s.waiting_since = now
            delay = s.max_standby_streaming_delay
            if delay < 0 or now < received + delay:
                return  # the startup process waits (IPC / RecoveryConflictSnapshot)
            self.cancel_conflicting(s, now)
            budget = max(0.0, budget - (blocked - s.replay))
        s.replay = min(s.flush, s.replay + int(budget))

    def _conflict_lsn(self, s: Standby) -> int | None:
        """The first WAL position whose cleanup conflicts with a query on ``s``."""
        if s.hot_standby_feedback or not s.queries:
            s.waiting_since = None
            return None
        oldest = min(q.query_start for q in s.queries)
        return self.history.lsn_at(oldest + VACUUM_AFTER)

    def cancel_conflicting(self, s: Standby, now: float) -> list[Any]:
        """Cancel the standby's queries that hold snapshots, as the startup process does."""
        cancelled = list(s.queries)
        for q in cancelled:
            q.error = CONFLICT_MESSAGE
            q.state, q.state_change = "idle", now
            q.wait_event_type = q.wait_event = None
        s.queries.clear()
        s.conflicts += len(cancelled)
        s.waiting_since = None
        return cancelled

    # -- what the views show ---------------------------------------------------------------

    def lag_bytes(self, s: Standby) -> int:
        """``pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)`` on the primary."""
        return max(0, self.lsn - s.replay)

    def lag_seconds(self, s: Standby) -> float:
        """How old the newest WAL ``s`` has replayed is: what a read on it misses."""
        if s.state == PROMOTED:
            return max(0.0, self.now - s.frozen_at)
        if s.replay < self.lsn:
            return max(0.0, self.now - self.history.time_of(s.replay))
        return 0.0

    def last_replay(self, s: Standby) -> float:
        """``pg_last_xact_replay_timestamp()``: the last replayed commit's time (sim seconds)."""
        return s.frozen_at if s.state == PROMOTED else self.history.time_of(s.replay)

    def small_lag(self, s: Standby, kind: str) -> float:
        """A caught-up standby's write/flush/replay round trip: well under a millisecond
        to write, a little more to flush and apply (stable per standby and tick)."""
        rng = random.Random(f"{self.seed}:{s.name}:{kind}:{int(self.now)}")
        base = {"write": 0.0003, "flush": 0.0005, "replay": 0.0009}[kind]
        return base * rng.uniform(0.6, 1.8)
