"""Helpers for backtest tests: OpenMetrics files from Python series, the real CLI entry."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import run_gameday

T0 = 1_793_491_200  # 2026-11-01T00:00:00Z


def write_om(
    path: Path,
    families: dict[str, tuple[str, list[tuple[dict[str, str], Iterable[tuple[float, float]]]]]],
) -> Path:
    """``{family: (type, [(labels with __name__, [(t_s, value), ...]), ...])}`` as OpenMetrics.

    Series are written one after another, except a histogram's, which go time by time.
    """
    out = []
    for family, (typ, series) in families.items():
        out.append(f"# TYPE {family} {typ}")
        rows = []
        for index, (labels, points) in enumerate(series):
            name = labels["__name__"]
            body = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
            for t, v in points:
                line = f"{name}{{{body}}} {v!r} {t!r}" if body else f"{name} {v!r} {t!r}"
                rows.append((t if typ == "histogram" else 0, index, line))
        # a histogram's buckets, count and sum of one time go together (one MetricPoint)
        out.extend(line for _, _, line in sorted(rows, key=lambda r: (r[0], r[1])))
    out.append("# EOF")
    path.write_text("\n".join(out) + "\n")
    return path


def gauge_points(start: float, end: float, step: float, value: Callable[[float], float]) -> list:
    """``[(t, value(t - start))]`` every ``step`` seconds in [start, end)."""
    out = []
    t = start
    while t < end:
        out.append((t, value(t - start)))
        t += step
    return out


run = run_gameday  # (exit status, stdout, stderr) of ``gameday ARGS`` through its entry point


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)
