"""Option types shared by the commands: finite numbers within a stated range."""

from __future__ import annotations

import math
from typing import Any

import click


class FiniteFloat(click.ParamType):
    """A float in ``[low, high]``; ``nan``, ``inf`` and out-of-range values are refused.

    click's ``FloatRange`` lets ``nan`` through (every comparison with it is false), and a
    plain ``float`` takes ``inf``, which made ``gameday oncall --incidents-per-week inf``
    run until memory ran out.
    """

    name = "float"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a valid float.", param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(f"{value} is not in the range {self.low:g}<=x<={self.high:g}.", param, ctx)
        return number

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return f"FLOAT {self.low:g}..{self.high:g}"


# A session played at a table (play, serve, a shadow TUI) gets a new seed unless one is
# given: a trainee who plays a scenario twice meets another incident of the same kind
# (other pod names, pids, timings and noise; see "Seed variants" in the authoring guide),
# not the one they have already solved. Runs that are tests (drill, sweep, a shadow with
# --answers) keep seed 1 so that they repeat. The seed a session used is in its journal
# and in its reports' folder name (``...-seed<N>``), so any session can be played again.
TABLE_SEED_HELP = (
    "Seeds names, pids, noise and delays; the same seed and actions give the same session. "
    "Default: a new seed each session (its reports' folder names it)."
)


def table_seed(seed: int | None) -> int:
    """``seed``, or a new one for a session nobody chose a seed for (1..999999)."""
    if seed is not None:
        return seed
    import secrets

    return secrets.randbelow(999_999) + 1
