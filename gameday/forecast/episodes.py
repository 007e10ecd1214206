"""Alert episodes: when each alerting rule's condition holds, drawn from Poisson processes.

An episode says "the condition of rule ``rule`` is true for the series ``labels`` from
``start`` to ``end``". Real incidents hold a critical rule's condition for a while, and
often other rules' conditions with it (symptoms come together); noise holds any rule's
condition briefly, and a flapping episode switches it on and off several times. Whether
a page follows is the rules' business (``for``, ``keep_firing_for``), then
Alertmanager's and the pager's.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WEEK = 7 * 86400.0


@dataclass(frozen=True)
class Episode:
    """Rule ``rule``'s condition holds for ``labels`` from ``start`` to ``end`` (sim seconds).

    A flapping episode (``flaps`` > 1) splits its time into ``flaps`` equal cycles and
    holds the condition for the first half of each.
    """

    start: float
    end: float
    rule: str
    labels: tuple[tuple[str, str], ...]
    actionable: bool
    flaps: int = 1

    def holds(self, t: float) -> bool:
        """Whether the condition is true at ``t``."""
        if not self.start <= t < self.end:
            return False
        if self.flaps == 1:
            return True
        cycle = (self.end - self.start) / self.flaps
        return (t - self.start) % cycle < cycle / 2


def generate_episodes(
    rules: Sequence[Mapping[str, str]],
    services: Sequence[str],
    days: int,
    seed: int,
    incidents_per_week: float = 0.5,
    noise_per_day: float = 1.0,
    flapping_share: float = 0.2,
    cofire: float = 0.5,
) -> list[Episode]:
    """Seeded episodes per service: incidents on critical rules, noise on any rule.

    Args:
        rules: one mapping per alerting rule with ``alertname`` and, when it has one,
            ``severity`` (incidents pick the ``critical`` ones, or any rule if none is).
        services: the value of the ``service`` label of each series.
        days: the horizon.
        seed: the random seed (the same seed draws the same episodes).
        incidents_per_week: real incidents per service per week.
        noise_per_day: non-actionable episodes per service per day.
        flapping_share: the share of noise that flaps.
        cofire: the chance that each other rule's condition holds during an incident too
            (symptoms come together: a saturated pool also burns the error budget).
    """
    rng = random.Random(f"{seed}:forecast")
    horizon = days * 86400.0
    names = [r["alertname"] for r in rules]
    critical = [r["alertname"] for r in rules if r.get("severity") == "critical"] or names
    out: list[Episode] = []
    for service in services:
        labels = (("service", service),)
        t = rng.expovariate(incidents_per_week / WEEK) if incidents_per_week > 0 else horizon
        while t < horizon:
            rule = rng.choice(critical)
            length = min(rng.lognormvariate(7.3, 0.5), 4 * 3600.0)  # median about 25 minutes
            out.append(Episode(t, t + length, rule, labels, True))
            for other in names:
                if other != rule and rng.random() < cofire:
                    lag = rng.uniform(0.0, min(300.0, length / 2))
                    out.append(Episode(t + lag, t + length, other, labels, True))
            t += rng.expovariate(incidents_per_week / WEEK)
        t = rng.expovariate(noise_per_day / 86400.0) if noise_per_day > 0 else horizon
        while t < horizon:
            rule = rng.choice(names)
            flapping = rng.random() < flapping_share
            length = rng.uniform(120.0, 600.0)
            flaps = rng.randint(3, 6) if flapping else 1
            out.append(Episode(t, t + length * flaps, rule, labels, False, flaps))
            t += rng.expovariate(noise_per_day / 86400.0)
    return sorted(out, key=lambda e: (e.start, e.rule, e.labels))
