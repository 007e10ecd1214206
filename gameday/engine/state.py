"""The mutable state of the simulated world: deployments and pods.

The world model (``world.py``) advances these every scrape interval; actions read them to
answer ``kubectl`` commands and change them to apply a responder's fix. The databases' state
lives in :mod:`gameday.engine.database`.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field

_POD_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


@dataclass
class Pod:
    """One pod of a deployment."""

    name: str
    service: str
    version: str
    started_at: float
    node: str
    ip: str
    ready_at: float
    restarts: int = 0
    phase: str = "Running"  # Running | CrashLoopBackOff | Terminating
    memory_mib: float = 0.0
    last_termination: str | None = None  # e.g. OOMKilled, Error
    last_termination_at: float | None = None
    crash_looping: bool = False
    next_crash: float = 0.0
    terminate_at: float = math.inf  # set when a rolling update replaces this pod
    stuck: float = 0.0  # pool connections waiting on a lock
    leaked: float = 0.0  # pool connections leaked and never returned

    def ready(self, now: float) -> bool:
        """Whether the pod serves traffic at ``now``."""
        return self.phase == "Running" and now >= self.ready_at


@dataclass
class Revision:
    """One entry of ``kubectl rollout history``."""

    number: int
    version: str
    change_cause: str


@dataclass
class Deployment:
    """A deployment and its pods, as kube-state-metrics and kubectl see it."""

    name: str
    namespace: str
    image: str
    container: str
    replicas: int
    version: str
    history: list[Revision]
    pods: list[Pod] = field(default_factory=list)
    rollout_until: float = 0.0  # a rolling update finishes at this sim time

    @property
    def revision(self) -> int:
        return self.history[-1].number


class Namer:
    """Deterministic Kubernetes-looking names from the session seed."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"{seed}:names")
        self._seed = seed
        self._used: set[str] = set()
        self._next_pid = 4000 + self._rng.randrange(20000)

    def template_hash(self, service: str, version: str) -> str:
        """The ReplicaSet hash for a service's pod template at ``version``."""
        digest = hashlib.sha256(f"{self._seed}:{service}:{version}".encode()).digest()
        return "".join(_POD_ALPHABET[b % len(_POD_ALPHABET)] for b in digest[:9])[:9]

    def pod_name(self, service: str, version: str) -> str:
        while True:
            suffix = "".join(self._rng.choice(_POD_ALPHABET) for _ in range(5))
            name = f"{service}-{self.template_hash(service, version)}-{suffix}"
            if name not in self._used:
                self._used.add(name)
                return name

    def pod_ip(self) -> str:
        return f"10.244.{self._rng.randrange(1, 4)}.{self._rng.randrange(2, 250)}"

    def node(self) -> str:
        return f"worker-{self._rng.randrange(1, 4)}"

    def pid(self) -> int:
        self._next_pid += self._rng.randrange(1, 60)
        return self._next_pid

    def client_addr(self) -> str:
        return f"10.244.{self._rng.randrange(1, 4)}.{self._rng.randrange(2, 250)}"
