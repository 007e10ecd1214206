"""Read recorded samples from an OpenMetrics text file into a TSDB.

The input is what ``promtool tsdb create-blocks-from openmetrics`` backfills: OpenMetrics
text ending in ``# EOF``, every sample with a timestamp in seconds (stored as
``int64(ts * 1000)`` milliseconds, as Prometheus' parser does).

Each sample line is parsed by ``prometheus_client``'s OpenMetrics sample parser (names,
labels and their escapes, values, timestamps, exemplars); comment lines must be
``# HELP|TYPE|UNIT name ...`` and the file must end in ``# EOF`` with no blank line, as
promtool's parser demands. A ``# TYPE`` line's type is kept per family (in the TSDB's
``types``): comment lines are rare, so the samples' path does not pay for it. The
library's family parser is not used: it keeps only the
first series of a histogram (or a counter's ``_created``) at each new timestamp of a
MetricPoint group, taking the rest for duplicates, so any history of a histogram would
lose samples; and promtool checks lines, not families (no ``+Inf`` bucket check).
Samples are stored every 200,000 lines, so memory holds that many parsed samples plus
the numpy arrays kept; each series must be in time order across those batches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from prometheus_client.openmetrics import parser as om_parser

from gameday.errors import InputError, Problem
from gameday.files import check_regular
from gameday.metrictypes import TYPES
from gameday.tsdb import TSDB, Labels

_STORE_EVERY = 200_000  # samples held before they are stored


def _metadata(text: str, types: dict[str, str]) -> str | None:
    """What is wrong with a ``# HELP|TYPE|UNIT name ...`` line (None when it is fine);
    a TYPE line's declaration goes into ``types`` (a later one for the same family
    replaces it, as a Prometheus scrape's metadata does)."""
    parts = text.split(" ", 3)
    if len(parts) < 4 or parts[0] != "#" or parts[1] not in ("HELP", "TYPE", "UNIT"):
        return f"Invalid line: {text}"
    if parts[1] == "TYPE":
        if parts[3] not in TYPES:
            return f"Invalid TYPE for metric: {text}"
        types[parts[2]] = parts[3]
    return None


def load_openmetrics(
    path: str | Path,
    db: TSDB,
    keep: Callable[[Labels], bool] | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> tuple[int, int]:
    """Store the samples of ``path`` in ``db``; returns (series stored, samples stored).

    Every family's declared type (its ``# TYPE`` line) goes into ``db.types``, whether or
    not its series are kept.

    Args:
        keep: which series to store (default every one); the rest are parsed and dropped.
        start_ms, end_ms: store only samples in this closed interval.

    Raises:
        InputError: ``path:line: what is wrong`` for the first malformed line, a sample
            without a timestamp, or two different values at one time in one series.
    """
    name = str(path)
    try:
        check_regular(path, limit=None)  # streamed: any size, but not a device or FIFO
        fh = open(path, encoding="utf-8")  # noqa: SIM115 - closed below, errors need the line
    except OSError as exc:
        raise InputError(Problem(name, message=f"cannot read: {exc.strerror or exc}")) from None
    held: dict[Labels, tuple[list[int], list[float]]] = {}
    stored: dict[Labels, int] = {}
    dropped: set[Labels] = set()
    count = [0, 0]  # samples held, samples stored
    number = 0

    def fail(message: str, hint: str | None = None) -> InputError:
        return InputError(Problem(name, number, message=message, hint=hint))

    def store() -> None:
        for labels, (ts, vs) in held.items():
            t, v = _ordered(name, labels, ts, vs)
            last = stored.get(labels)
            if last is not None and len(t) and t[0] <= last:
                raise fail(f"samples of {_shown(labels)} are not in time order across the file")
            db.extend(labels, t, v)
            stored[labels] = int(t[-1])
            count[1] += len(t)
        held.clear()
        count[0] = 0

    eof = False
    try:
        with fh:
            for raw in fh:
                number += 1
                text = raw[:-1] if raw.endswith("\n") else raw
                if eof:
                    raise fail(f"malformed OpenMetrics: Received line after # EOF: {text}")
                if not text:
                    raise fail("malformed OpenMetrics: Received blank line")
                if text == "# EOF":
                    eof = True
                    continue
                if text.startswith("#"):
                    problem = _metadata(text, db.types)
                    if problem:
                        raise fail(f"malformed OpenMetrics: {problem}")
                    continue
                try:
                    sample = om_parser._parse_sample(text)
                except (ValueError, IndexError, KeyError, TypeError) as exc:
                    raise fail(f"malformed OpenMetrics: {_reason(exc, text)}") from None
                if sample.timestamp is None:
                    raise fail(
                        f"expected timestamp for series {sample.name}, got none",
                        "promtool backfills only samples with timestamps",
                    )
                t_ms = int(float(sample.timestamp) * 1000)
                if (start_ms is not None and t_ms < start_ms) or (
                    end_ms is not None and t_ms > end_ms
                ):
                    continue
                labels = tuple(sorted({**sample.labels, "__name__": sample.name}.items()))
                if labels in dropped:
                    continue
                fresh = labels not in held and labels not in stored
                if keep is not None and fresh and not keep(labels):
                    dropped.add(labels)
                    continue
                entry = held.get(labels)
                if entry is None:
                    entry = held[labels] = ([], [])
                entry[0].append(t_ms)
                entry[1].append(float(sample.value))
                count[0] += 1
                if count[0] >= _STORE_EVERY:
                    store()
        if not eof:
            raise fail("malformed OpenMetrics: Missing # EOF at end")
        store()
    except UnicodeDecodeError:
        raise fail("malformed OpenMetrics: not UTF-8 text") from None
    return len(stored), count[1]


def _shown(labels: Labels) -> str:
    return "{" + ", ".join(f'{k}="{x}"' for k, x in labels) + "}"


def _reason(exc: Exception, text: str) -> str:
    return str(exc).strip() or f"Invalid line: {text}"


def _ordered(path: str, labels: Labels, ts: list[int], vs: list[float]) -> tuple[np.ndarray, ...]:
    """Samples sorted by time; equal times must carry equal values (one is kept)."""
    t = np.asarray(ts, dtype=np.int64)
    v = np.asarray(vs, dtype=np.float64)
    if len(t) > 1 and (np.diff(t) <= 0).any():
        order = np.argsort(t, kind="stable")
        t, v = t[order], v[order]
        for i in np.nonzero(t[1:] == t[:-1])[0]:
            a, b = float(v[i]), float(v[i + 1])
            if a != b and not (math.isnan(a) and math.isnan(b)):
                raise InputError(
                    Problem(
                        path,
                        message=f"duplicate sample for timestamp {int(t[i])} in series "
                        + _shown(labels),
                    )
                )
        first = np.ones(len(t), dtype=bool)
        first[1:] = t[1:] != t[:-1]
        t, v = t[first], v[first]
    return t, v
