"""Monte Carlo sweeps: many drills of one scenario, on a process pool or a Dask cluster."""

from gameday.sweep.runner import DrillFigures, SweepSpec, run_one, run_sweep
from gameday.sweep.stats import summarise

__all__ = ["DrillFigures", "SweepSpec", "run_one", "run_sweep", "summarise"]
