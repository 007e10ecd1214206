"""The recorded series of an imported incident on disk: written once, read per session.

The folder keeps them as OpenMetrics text (``recorded.om``), the format ``promtool tsdb
create-blocks-from openmetrics`` backfills, so the same file can be loaded into a real
Prometheus. Series are written one metric family at a time, each series in time order,
timestamps in seconds with milliseconds, values as Go prints them (``NaN``, ``+Inf``).

Sessions read it through :func:`load_recording`, which shifts the timestamps to sim time
(0 is the scenario's ``start_time``; history before it is negative) and keeps the parsed
result for the process, so a debrief's counterfactual re-runs do not parse it again.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import numpy as np

from gameday.tsdb import TSDB, StoredSeries

_CACHE: dict[tuple[str, int, int, int], TSDB] = {}
_CACHE_SIZE = 4


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _value(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(v) if v != int(v) or abs(v) >= 1e15 else str(int(v))


def _timestamp(t_ms: int) -> str:
    sign = "-" if t_ms < 0 else ""
    t = abs(int(t_ms))
    return f"{sign}{t // 1000}.{t % 1000:03d}"


def write_openmetrics(series: Iterable[StoredSeries], out: IO[str]) -> int:
    """Write ``series`` as OpenMetrics text ending in ``# EOF``; returns samples written.

    Series are grouped by metric name (a family's samples must not be interleaved with
    another's), then sorted by their labels, each in time order.
    """
    written = 0
    ordered = sorted(series, key=lambda s: (dict(s.labels).get("__name__", ""), s.labels))
    for s in ordered:
        labels = dict(s.labels)
        name = labels.pop("__name__", "")
        inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
        head = f"{name}{{{inner}}}" if inner else name
        pairs = zip(s.t.tolist(), s.v.tolist(), strict=True)
        lines = [f"{head} {_value(v)} {_timestamp(t)}\n" for t, v in pairs]
        out.writelines(lines)
        written += len(lines)
    out.write("# EOF\n")
    return written


def load_recording(path: str | Path, start_ms: int) -> TSDB:
    """The samples of ``path`` with timestamps in sim milliseconds (``t - start_ms``).

    The result is shared between sessions of one process (counterfactual re-runs, sweeps):
    callers copy what they append to their own store and never change it.

    Raises:
        InputError: ``path:line: ...`` for a malformed file (see
            :func:`~gameday.openmetrics.load_openmetrics`).
    """
    from gameday.openmetrics import load_openmetrics

    resolved = os.path.realpath(path)
    try:
        st = os.stat(resolved)
        key = (resolved, st.st_mtime_ns, st.st_size, start_ms)
    except OSError:
        key = (resolved, 0, -1, start_ms)
    found = _CACHE.get(key)
    if found is not None:
        return found
    raw = TSDB()
    load_openmetrics(path, raw, None)
    shifted = TSDB()
    for s in raw.all_series():
        if len(s.t):
            shifted.extend(s.labels, np.asarray(s.t, dtype=np.int64) - start_ms, s.v)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = shifted
    return shifted
