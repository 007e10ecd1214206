"""What differs between the runs of a sweep: ``gameday sweep --vary seed,start,...``.

Each run has its own seed. The dimensions named in ``--vary`` take that seed into account:

``seed``
    the session seed: pod names, pids, scrape noise, ack delays, the responders' jitter.
    Without it every run plays with the sweep's first seed.
``start``
    when the incident happens: the scenario's start moves to a random minute of the week
    that follows it, so the daily traffic curve, the person on call, time-based routes
    and support hours vary. (Bot responders keep their solution's timing at any hour.)
``fault-time``
    every fault begins earlier or later by one offset per run (up to half the first
    fault's lead time either way), keeping the faults' order and spacing.
``load``
    every service's external traffic is scaled by one factor between 0.7 and 1.3.

A variation is drawn from the run's seed alone (never from the order runs finish in), so
every backend plays the same runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from gameday.errors import UsageError, did_you_mean

DIMENSIONS = ("seed", "start", "fault-time", "load")
DEFAULT = ("seed",)
WEEK_MINUTES = 7 * 24 * 60
MIN_FAULT_AT = 60.0  # a fault never starts in the first minute
LOAD_RANGE = (0.7, 1.3)


def parse_vary(text: str) -> tuple[str, ...]:
    """``"seed,start"`` -> ``("seed", "start")``, in the canonical order.

    Raises:
        UsageError: an unknown dimension (with the closest known one) or an empty list.
    """
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(f"--vary: name at least one of {', '.join(DIMENSIONS)}")
    for name in names:
        if name not in DIMENSIONS:
            hint = did_you_mean(name, DIMENSIONS)
            raise UsageError(
                f"--vary {name!r}: not a dimension; choose from {', '.join(DIMENSIONS)}"
                + (f" ({hint})" if hint else "")
            )
    return tuple(d for d in DIMENSIONS if d in names)


def refuse_for_recording(scenario: Any, vary: tuple[str, ...]) -> None:
    """An imported incident replays its recording: only ``seed`` can vary.

    Its traffic, faults and clock are what was recorded, so ``start``, ``fault-time`` and
    ``load`` would change nothing a run measures; asking for them is refused rather than
    ignored.

    Raises:
        UsageError: ``vary`` names one of them and ``scenario`` is recorded.
    """
    if getattr(scenario, "recorded", None) is None:
        return
    fixed = [d for d in vary if d != "seed"]
    if fixed:
        raise UsageError(
            f"--vary {','.join(fixed)}: {scenario.id} is an imported incident, which replays "
            "its recorded traffic, faults and clock as they were; only 'seed' can vary"
        )


@dataclass(frozen=True)
class Variation:
    """One run's draw: the session seed and the changes to the scenario."""

    session_seed: int
    start_shift_min: int = 0
    fault_shift_s: float = 0.0
    load_factor: float = 1.0

    def describe(self) -> dict[str, Any]:
        """The draw as JSON-ready values (what a sweep's report lists per run)."""
        return {
            "session_seed": self.session_seed,
            "start_shift_min": self.start_shift_min,
            "fault_shift_s": self.fault_shift_s,
            "load_factor": self.load_factor,
        }


def draw(scenario: Any, seed: int, first_seed: int, vary: tuple[str, ...]) -> Variation:
    """The variation of the run with ``seed`` (``first_seed`` plays when seeds are fixed)."""
    rng = random.Random(f"gameday-vary:{seed}")
    start_shift = rng.randrange(WEEK_MINUTES)
    fault_unit = rng.uniform(-1.0, 1.0)
    load = round(rng.uniform(*LOAD_RANGE), 3)
    return Variation(
        session_seed=seed if "seed" in vary else first_seed,
        start_shift_min=start_shift if "start" in vary else 0,
        fault_shift_s=_fault_shift(scenario, fault_unit) if "fault-time" in vary else 0.0,
        load_factor=load if "load" in vary else 1.0,
    )


def _fault_shift(scenario: Any, unit: float) -> float:
    """Whole seconds to move every fault by, inside the sim's time."""
    if not scenario.faults:
        return 0.0
    first = min(f.at for f in scenario.faults)
    last = max(f.at for f in scenario.faults)
    early = max(0.0, min(first / 2, first - MIN_FAULT_AT))
    late = max(0.0, min(first / 2, scenario.duration - 300.0 - last))
    return float(round(unit * (late if unit > 0 else early)))


def apply(scenario: Any, v: Variation) -> Any:
    """The scenario with ``v``'s changes (the same object when nothing changes)."""
    update: dict[str, Any] = {}
    if v.start_shift_min:
        update["start_time"] = scenario.start_time + timedelta(minutes=v.start_shift_min)
    if v.fault_shift_s:
        update["faults"] = [
            f.model_copy(update={"at": f.at + v.fault_shift_s}) for f in scenario.faults
        ]
    if v.load_factor != 1.0:
        services = []
        for s in scenario.world.services:
            if s.traffic is not None:
                traffic = s.traffic.model_copy(update={"rps": s.traffic.rps * v.load_factor})
                s = s.model_copy(update={"traffic": traffic})
            services.append(s)
        update["world"] = scenario.world.model_copy(update={"services": services})
    return scenario.model_copy(update=update) if update else scenario
