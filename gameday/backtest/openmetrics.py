"""Read recorded samples from an OpenMetrics text file into a TSDB.

The input is what ``promtool tsdb create-blocks-from openmetrics`` backfills: OpenMetrics
text ending in ``# EOF``, every sample with a timestamp in seconds (stored as
``int64(ts * 1000)`` milliseconds, as Prometheus' parser does). Parsing is
``prometheus_client``'s OpenMetrics parser, fed line by line so that a malformed file is
reported at its line. Metric families arrive one at a time and each is stored before the
next is read, so memory holds one family's parsed lines plus the numpy arrays kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import numpy as np
from prometheus_client.openmetrics.parser import text_fd_to_metric_families

from gameday.engine.tsdb import TSDB, Labels
from gameday.errors import InputError, Problem


class _CountingLines:
    """Iterates a text file's lines and remembers the number of the last one read."""

    def __init__(self, fh: IO[str]) -> None:
        self.fh = fh
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        for text in self.fh:
            self.line += 1
            yield text


def load_openmetrics(
    path: str | Path,
    db: TSDB,
    keep: Callable[[Labels], bool] | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> tuple[int, int]:
    """Store the samples of ``path`` in ``db``; returns (series stored, samples stored).

    Args:
        keep: which series to store (default every one); the rest are parsed and dropped.
        start_ms, end_ms: store only samples in this closed interval.

    Raises:
        InputError: ``path:line: what is wrong`` for the first malformed line, a sample
            without a timestamp, or two different values at one time in one series.
    """
    name = str(path)
    try:
        fh = open(path, encoding="utf-8")  # noqa: SIM115 - closed below, errors need the line
    except OSError as exc:
        raise InputError(Problem(name, message=f"cannot read: {exc.strerror or exc}")) from None
    lines = _CountingLines(fh)
    series = samples = 0
    family_start = 1  # the parser reads a family's first line before yielding the last one
    try:
        for family in text_fd_to_metric_families(lines):
            per_series: dict[Labels, tuple[list[int], list[float]]] = {}
            for index, s in enumerate(family.samples):
                if s.timestamp is None:
                    raise InputError(
                        Problem(
                            name,
                            _sample_line(path, family_start, index),
                            message=f"expected timestamp for series {s.name}, got none",
                            hint="promtool backfills only samples with timestamps",
                        )
                    )
                t_ms = int(float(s.timestamp) * 1000)
                if (start_ms is not None and t_ms < start_ms) or (
                    end_ms is not None and t_ms > end_ms
                ):
                    continue
                labels = tuple(sorted({**s.labels, "__name__": s.name}.items()))
                ts, vs = per_series.setdefault(labels, ([], []))
                ts.append(t_ms)
                vs.append(float(s.value))
            for labels, (ts, vs) in sorted(per_series.items()):
                if keep is not None and not keep(labels):
                    continue
                t, v = _ordered(name, labels, ts, vs)
                db.extend(labels, t, v)
                series += 1
                samples += len(t)
            family_start = lines.line
    except InputError:
        raise
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise InputError(
            Problem(name, lines.line, message=f"malformed OpenMetrics: {_reason(exc)}")
        ) from None
    finally:
        fh.close()
    return series, samples


def _sample_line(path: str | Path, start: int, index: int) -> int:
    """Line number of the ``index``-th sample line from line ``start`` on (error path only)."""
    with open(path, encoding="utf-8") as fh:
        seen = -1
        for number, text in enumerate(fh, start=1):
            if number < start or text.startswith("#"):
                continue
            seen += 1
            if seen == index:
                return number
    return start


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return text or "invalid line"


def _ordered(path: str, labels: Labels, ts: list[int], vs: list[float]) -> tuple[np.ndarray, ...]:
    """Samples sorted by time; equal times must carry equal values (one is kept)."""
    t = np.asarray(ts, dtype=np.int64)
    v = np.asarray(vs, dtype=np.float64)
    if len(t) > 1 and (np.diff(t) <= 0).any():
        order = np.argsort(t, kind="stable")
        t, v = t[order], v[order]
        same = np.nonzero(t[1:] == t[:-1])[0]
        for i in same:
            a, b = float(v[i]), float(v[i + 1])
            if a != b and not (math.isnan(a) and math.isnan(b)):
                shown = "{" + ", ".join(f'{k}="{x}"' for k, x in labels) + "}"
                raise InputError(
                    Problem(
                        path,
                        message=f"duplicate sample for timestamp {int(t[i])} in series {shown}",
                    )
                )
        first = np.ones(len(t), dtype=bool)
        first[1:] = t[1:] != t[:-1]
        t, v = t[first], v[first]
    return t, v
