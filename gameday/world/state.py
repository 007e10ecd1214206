"""Deterministic names the world hands out (client addresses, pids) from the seed.

Kubernetes objects live in :mod:`gameday.world.cluster`; the databases' state in
:mod:`gameday.world.database`.
"""

from __future__ import annotations

import random


class Namer:
    """Deterministic backend pids and client addresses from the session seed."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"{seed}:names")
        self._next_pid = 4000 + self._rng.randrange(20000)

    def pid(self) -> int:
        self._next_pid += self._rng.randrange(1, 60)
        return self._next_pid

    def client_addr(self) -> str:
        return f"10.244.{self._rng.randrange(1, 4)}.{self._rng.randrange(2, 250)}"
