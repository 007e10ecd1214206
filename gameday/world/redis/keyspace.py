"""One cache-aside key family in a Redis keyspace: which items are cached, when they expire.

Items are ranked by popularity (Zipf with exponent ``skew``) and grouped in geometric
rank bins; within a bin every key is equally hot. The state is how many keys of each bin
are cached and, in a ring of expiry slots, when they expire. A cache-aside client SETs a
key with its TTL only on a miss, so keys written together expire together: after a flush
the whole hot set is refilled within a minute and expires again one TTL later (a wave),
unless the TTL is jittered. A key is filled once a database fetch for it succeeds; until
then every request for it misses and, without single-flight, fetches too (the dogpile).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BINS = 24  # rank bins: 1, 2, 3-4, ... geometric up to the number of keys
EXACT_RANKS = 2000  # popularity mass summed exactly up to this rank, integrated beyond


def zipf_mass(edges: np.ndarray, skew: float) -> np.ndarray:
    """Share of requests for ranks in each ``(edges[i], edges[i+1]]`` under Zipf(skew)."""
    head = np.arange(1, EXACT_RANKS + 1, dtype=float) ** -skew
    cum_head = np.concatenate(([0.0], np.cumsum(head)))

    def cum(n: float) -> float:  # sum of i**-skew for i = 1..n
        if n <= EXACT_RANKS:
            return float(cum_head[int(n)])
        lo, hi = EXACT_RANKS + 0.5, n + 0.5
        tail = (
            math.log(hi / lo) if skew == 1 else (hi ** (1 - skew) - lo ** (1 - skew)) / (1 - skew)
        )
        return float(cum_head[EXACT_RANKS]) + tail

    sums = np.array([cum(float(e)) for e in edges])
    mass = np.diff(sums)
    return mass / sums[-1]


@dataclass
class Demand:
    """What one tick of requests did to the key family (rates per second)."""

    hits: float = 0.0
    misses: float = 0.0
    fetches: float = 0.0  # database queries the misses caused


class Keyspace:
    """The cached keys of one key family, by rank bin and expiry slot."""

    def __init__(self, keys: int, skew: float, slot: float, max_ttl: float) -> None:
        edges = np.unique(np.round(np.geomspace(1, keys, BINS)).astype(np.int64))
        self.edges = np.concatenate(([0], edges))
        self.size = np.diff(self.edges).astype(float)  # keys per bin
        self.mass = zipf_mass(self.edges, skew)
        self.slot = slot
        self.ring = np.zeros((int(math.ceil(max_ttl / slot)) + 3, len(self.size)))
        self.cached = np.zeros(len(self.size))
        self.next_slot = 0  # the first slot not expired yet (absolute index)
        self.expired = 0.0  # keys expired since the start (INFO stats expired_keys)
        self._asked = np.zeros(len(self.size))
        self._pending = np.zeros(len(self.size))  # uncached keys requested this tick
        self._tries = np.ones(len(self.size))  # database fetches per such key

    @property
    def total(self) -> float:
        """Keys held now."""
        return float(self.cached.sum())

    def hit_ratio(self) -> float:
        """The share of requests the cache would answer now."""
        return float((self.mass * self.cached / self.size).sum())

    def flush(self) -> None:
        """FLUSHALL, or a restart without persistence: nothing is cached."""
        self.ring[:] = 0.0
        self.cached[:] = 0.0

    def warm(self, now: float, rate: float, ttl: float, jitter: float, share: float) -> None:
        """The steady state of a cache that has served ``rate`` requests/s for days.

        A key stays cached for its TTL after a miss and uncached until its next request,
        so a bin's cached share is ``ttl / (ttl + 1/r)``; expiries are spread evenly.
        """
        per_key = rate * self.mass / self.size
        held = self.size * (ttl * per_key) / (ttl * per_key + 1.0) * share
        self.flush()
        span = ttl * (1 + jitter)
        n = max(1, int(span // self.slot))
        for i in range(n):
            self._add(now + (i + 0.5) * span / n, held / n)

    def expire(self, now: float) -> float:
        """Drop every key whose TTL ran out by ``now``; return how many."""
        upto = int(now // self.slot)
        gone = 0.0
        rows = len(self.ring)
        while self.next_slot <= upto:
            row = self.ring[self.next_slot % rows]
            if row.any():
                take = np.minimum(row, self.cached)
                self.cached -= take
                gone += float(take.sum())
                row[:] = 0.0
            self.next_slot += 1
        self.expired += gone
        return gone

    def demand(
        self,
        rate: float,
        dt: float,
        fetch_time: float,
        failed: float,
        flight: float = math.inf,
        coalesced: float = 0.0,
    ) -> Demand:
        """Serve ``rate`` requests/s for ``dt`` s against the cached keys.

        Args:
            rate: GETs per second.
            dt: the tick.
            fetch_time: how long a miss's database fetch takes (pool wait included).
            failed: the share of fetches that fail (the pool turns them away).
            flight: with single-flight, at most this many fetches per uncached key at
                once (one per pod that coalesces).
            coalesced: the share of requests served by pods that coalesce.
        """
        if rate <= 0 or dt <= 0:
            self._asked = self._pending = np.zeros(len(self.size))
            self._tries = np.ones(len(self.size))
            return Demand()
        per_key = rate * self.mass / self.size
        uncached = np.maximum(self.size - self.cached, 0.0)
        ok = max(1e-6, 1.0 - failed)
        asked = 1.0 - np.exp(-per_key * dt)  # an uncached key is requested in the tick
        burst = 1.0 + per_key * fetch_time  # requests while its fetch runs: all miss
        all_in_tick = per_key * dt
        misses = uncached * np.minimum(all_in_tick, asked * burst / ok)
        fetches = misses
        if coalesced > 0:
            shared = uncached * np.minimum(all_in_tick, asked * np.minimum(burst, flight) / ok)
            fetches = misses * (1 - coalesced) + shared * coalesced
        self._asked = uncached * asked
        self._tries = np.maximum(fetches / np.maximum(self._asked, 1e-12), 1.0)
        self._pending = self._asked
        miss = float(misses.sum()) / dt
        return Demand(hits=max(0.0, rate - miss), misses=miss, fetches=float(fetches.sum()) / dt)

    def settle(self, refused: float) -> None:
        """The pool refused ``refused`` of this tick's fetches: a requested key is filled
        when at least one of its fetches got through (1 - refused ** tries)."""
        refused = min(1.0, max(0.0, refused))
        self._pending = self._asked * (1.0 - refused**self._tries)

    def fill(
        self, now: float, ttl: float, jitter: float, room: float = math.inf, share: float = 1.0
    ) -> float:
        """SET ``share`` of the keys whose fetch succeeded this tick (see :meth:`settle`),
        each with its TTL (spread over ``ttl x (1 +/- jitter)``); at most ``room`` keys; the
        rest of the share is dropped (a refused write). Returns how many were written."""
        new = self._pending * share
        self._pending = self._pending - new
        total = float(new.sum())
        if total <= 0:
            return 0.0
        if total > room:
            new = new * (max(room, 0.0) / total)
            total = float(new.sum())
        if jitter <= 0:
            self._add(now + ttl, new)
        else:
            lo, hi = ttl * (1 - jitter), ttl * (1 + jitter)
            n = max(2, int((hi - lo) // self.slot) + 1)
            for i in range(n):
                self._add(now + lo + (i + 0.5) * (hi - lo) / n, new / n)
        return total

    def evict(self, count: float, policy: str) -> float:
        """Evict up to ``count`` keys as ``maxmemory-policy`` picks them; return how many.

        LRU/LFU take the coldest bins first (the long tail is least recently used),
        random evenly, volatile-ttl the keys closest to expiring.
        """
        count = min(count, self.total)
        if count <= 0:
            return 0.0
        if policy.endswith("random"):
            share = self.cached * (count / self.total)
            self._remove_by_bin(share)
        elif policy == "volatile-ttl":
            left = count
            rows = len(self.ring)
            for k in range(rows):
                row = self.ring[(self.next_slot + k) % rows]
                take = min(left, float(row.sum()))
                if take > 0:
                    part = row * (take / float(row.sum()))
                    row -= part
                    self.cached -= part
                    left -= take
                if left <= 0:
                    break
        else:
            rest = count
            taken = np.zeros_like(self.cached)
            for b in range(len(self.cached) - 1, -1, -1):
                t = min(rest, float(self.cached[b]))
                taken[b] = t
                rest -= t
                if rest <= 0:
                    break
            self._remove_by_bin(taken)
        return count

    def wave(self) -> float:
        """The largest share of the cache's hits that expires within one slot: about
        0.03 for keys spread over a 10-minute TTL, the hot set's share after a refill
        that wrote it within a minute without jitter."""
        held = self.hit_ratio()
        if held <= 0:
            return 0.0
        per_slot = self.ring @ (self.mass / self.size)
        return float(per_slot.max()) / held

    def expiring_within(self, now: float, window: float) -> float:
        """Keys whose TTL runs out in ``(now, now + window]``."""
        first = int(now // self.slot) + 1
        last = int((now + window) // self.slot)
        rows = len(self.ring)
        return float(sum(self.ring[i % rows].sum() for i in range(first, last + 1)))

    def ttl_of(self, rank: int, now: float) -> float | None:
        """The TTL left of the key of popularity ``rank`` (1 = hottest), or None if not
        cached: a bin's cached keys are its hottest, expiring in slot order."""
        b = int(np.searchsorted(self.edges, rank, side="left")) - 1
        b = min(max(b, 0), len(self.size) - 1)
        within = rank - self.edges[b]
        if within > self.cached[b] + 1e-9:
            return None
        rows = len(self.ring)
        seen = 0.0
        for k in range(rows):
            index = self.next_slot + k
            seen += float(self.ring[index % rows][b])
            if seen + 1e-9 >= within:
                return max(1.0, (index + 1) * self.slot - now)
        return max(1.0, (self.next_slot + rows) * self.slot - now)

    def _add(self, expire_at: float, counts: np.ndarray) -> None:
        index = max(int(expire_at // self.slot), self.next_slot)
        rows = len(self.ring)
        index = min(index, self.next_slot + rows - 1)
        self.ring[index % rows] += counts
        self.cached += counts

    def _remove_by_bin(self, take: np.ndarray) -> None:
        """Remove ``take`` keys per bin, from every expiry slot in proportion."""
        held = np.where(self.cached > 0, self.cached, 1.0)
        keep = 1.0 - np.clip(take / held, 0.0, 1.0)
        self.ring *= keep
        self.cached *= keep
