"""The recorded series of an imported incident on disk: written once, read per session.

The folder keeps them as OpenMetrics text (``recorded.om``), the format ``promtool tsdb
create-blocks-from openmetrics`` backfills, so the same file can be loaded into a real
Prometheus. Series are written one metric family at a time, with its ``# TYPE`` line when the
source declared one (an OpenMetrics file's own, or Prometheus' metadata API), each series
in time order, timestamps in seconds with milliseconds, values as Go prints them
(``NaN``, ``+Inf``).

Sessions read it through :func:`load_recording`, which shifts the timestamps to sim time
(0 is the scenario's ``start_time``; history before it is negative) and keeps the parsed
result for the process, so a debrief's counterfactual re-runs do not parse it again.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

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


def write_openmetrics(
    series: Iterable[StoredSeries], out: IO[str], types: Mapping[str, str] | None = None
) -> int:
    """Write ``series`` as OpenMetrics text ending in ``# EOF``; returns samples written.

    Families are written one after another (never interleaved), in name order. A family
    whose type ``types`` declares (see :mod:`gameday.metrictypes`) starts with its
    ``# TYPE`` line, under its OpenMetrics name (a counter's without ``_total``), and
    lists its Metrics (label sets, less a histogram's ``le``, a summary's ``quantile``,
    a state set's state) one after another, each MetricPoint's samples together in time
    order (buckets by ``le``, then count, sum and created, as OpenMetrics orders them).
    A family with no declared type is written as before there were types: each series
    (its own Metric, of type unknown) in label order, its samples in time order.
    """
    families = _families(list(series), types or {})
    written = 0
    for key in sorted(families):
        typ, members = families[key]
        if typ is not None:
            out.write(f"# TYPE {key} {typ}\n")
        for metric in _metrics(members, typ):
            written += _write_metric(metric, out)
    out.write("# EOF\n")
    return written


_Member = tuple[str, StoredSeries]  # (suffix after the family's name, series)


def _families(
    series: list[StoredSeries], types: Mapping[str, str]
) -> dict[str, tuple[str | None, list[_Member]]]:
    """The series by OpenMetrics family name: (declared type or None, members)."""
    from gameday.metrictypes import exposition_name, family_of

    found: list[tuple[str, str | None, str, StoredSeries]] = []
    for s in series:
        name = dict(s.labels).get("__name__", "")
        hit = family_of(name, types)
        if hit is None:
            found.append((name, None, "", s))
        else:
            found.append((hit[0], hit[1], hit[2], s))
    names = {family for family, _, _, _ in found}
    out: dict[str, tuple[str | None, list[_Member]]] = {}
    for family, typ, suffix, s in found:
        key = family if typ is None else exposition_name(family, typ)
        if key != family and key in names:  # ``foo_total`` renamed would clash with ``foo``
            key = family
        out.setdefault(key, (typ, []))[1].append((suffix, s))
    return out


def _metrics(members: list[_Member], typ: str | None) -> list[list[StoredSeries]]:
    """The family's Metrics in label order, each its series in MetricPoint order."""
    from gameday.metrictypes import SUFFIXES

    if typ is None:
        return [[s] for _, s in sorted(members, key=lambda m: m[1].labels)]
    point = {"histogram": "le", "gaugehistogram": "le", "summary": "quantile"}.get(typ)
    order = SUFFIXES[typ]
    by_metric: dict[tuple[tuple[str, str], ...], list[tuple[tuple[Any, ...], StoredSeries]]] = {}
    for suffix, s in members:
        labels = dict(s.labels)
        name = labels.pop("__name__", "")
        state = point or (name if typ == "stateset" else None)
        within = labels.pop(state, "") if state else ""
        rank = order.index(suffix) if suffix in order else len(order)
        by_metric.setdefault(tuple(sorted(labels.items())), []).append(
            ((rank, _bound(within), within, name), s)
        )
    return [[s for _, s in sorted(by_metric[k], key=lambda m: m[0])] for k in sorted(by_metric)]


def _bound(text: str) -> float:
    """A bucket's ``le`` or a quantile as a number, for ordering (not a number: last)."""
    try:
        value = float(text)
    except ValueError:
        return math.inf
    return math.inf if math.isnan(value) else value


def _write_metric(metric: list[StoredSeries], out: IO[str]) -> int:
    """One Metric's MetricPoints in time order, each point's samples in ``metric``'s
    order; how many samples."""
    lines: list[str] = []
    stamps = []
    for s in metric:
        labels = dict(s.labels)
        name = labels.pop("__name__", "")
        inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
        head = f"{name}{{{inner}}}" if inner else name
        pairs = zip(s.t.tolist(), s.v.tolist(), strict=True)
        lines.extend(f"{head} {_value(v)} {_timestamp(t)}\n" for t, v in pairs)
        stamps.append(s.t)
    if len(metric) == 1:
        out.writelines(lines)
    else:
        rank = np.repeat(np.arange(len(metric)), [len(t) for t in stamps])
        order = np.lexsort((rank, np.concatenate(stamps)))
        out.writelines(lines[i] for i in order.tolist())
    return len(lines)


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
    shifted.types.update(raw.types)
    for s in raw.all_series():
        if len(s.t):
            shifted.extend(s.labels, np.asarray(s.t, dtype=np.int64) - start_ms, s.v)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = shifted
    return shifted
