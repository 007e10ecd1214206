"""Distributions of sweep figures: median, p90, p99, breach probabilities, paired differences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from gameday.sweep.runner import DrillFigures

FIGURES = ("mttd", "mtta", "mitigate", "score", "pages")
LOW_IS_WORSE = ("score",)  # their p90 and p99 come from the bottom of the distribution


def _values(results: Sequence[DrillFigures], key: str) -> np.ndarray:
    vals = [getattr(r, key) for r in results]
    return np.array([float(v) for v in vals if v is not None], dtype=float)


def distribution(values: np.ndarray, low_is_worse: bool = False) -> dict[str, Any]:
    """Median, p90, p99 and mean; p90 is the figure 90% of drills did no worse than, so
    for a score (``low_is_worse``) it is the 10th percentile."""
    tail = "low" if low_is_worse else "high"
    if values.size == 0:
        return {"n": 0, "median": None, "p90": None, "p99": None, "mean": None, "tail": tail}
    p90, p99 = (10, 1) if low_is_worse else (90, 99)
    return {
        "n": int(values.size),
        "median": round(float(np.percentile(values, 50)), 3),
        "p90": round(float(np.percentile(values, p90)), 3),
        "p99": round(float(np.percentile(values, p99)), 3),
        "mean": round(float(values.mean()), 3),
        "tail": tail,
    }


def summarise(results: Sequence[DrillFigures]) -> dict[str, Any]:
    """Every figure's distribution and the SLA-breach probabilities."""
    n = len(results)
    out: dict[str, Any] = {"runs": n}
    for key in FIGURES:
        out[key] = distribution(_values(results, key), key in LOW_IS_WORSE)
    out["never_acknowledged"] = sum(1 for r in results if r.mtta is None)
    out["never_mitigated"] = sum(1 for r in results if r.mitigate is None)
    out["p_ack_breach"] = round(sum(r.ack_breached for r in results) / n, 4) if n else None
    out["p_mitigate_breach"] = (
        round(sum(r.mitigate_breached for r in results) / n, 4) if n else None
    )
    out["p_pass"] = round(sum(r.passed for r in results) / n, 4) if n else None
    return out


def paired_difference(
    a: Sequence[DrillFigures],
    b: Sequence[DrillFigures],
    key: str,
    seed: int = 0,
    resamples: int = 2000,
) -> dict[str, float | None]:
    """Mean of B - A over seeds both measured, with a 95% bootstrap confidence interval."""
    by_seed = {r.seed: getattr(r, key) for r in a}
    diffs = np.array(
        [
            float(getattr(r, key)) - float(by_seed[r.seed])
            for r in b
            if getattr(r, key) is not None and by_seed.get(r.seed) is not None
        ],
        dtype=float,
    )
    if diffs.size == 0:
        return {"n": 0, "mean": None, "ci_low": None, "ci_high": None}
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, diffs.size, size=(resamples, diffs.size))
    means = diffs[idx].mean(axis=1)
    return {
        "n": int(diffs.size),
        "mean": round(float(diffs.mean()), 3),
        "ci_low": round(float(np.percentile(means, 2.5)), 3),
        "ci_high": round(float(np.percentile(means, 97.5)), 3),
    }
