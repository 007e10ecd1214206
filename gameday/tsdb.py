"""An in-memory time-series store with Prometheus' append and staleness rules.

Series are keyed by their sorted label set. Samples of one series must arrive in
increasing time, as in a Prometheus head block: a sample at the same timestamp with the
same value is ignored, one with a different value raises :class:`DuplicateSampleError`,
an older one raises :class:`OutOfOrderSampleError`. Values live in growable numpy buffers
so that appends stay cheap and queries get array views without copying.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from gameday.goregex import GoRegex, compile_anchored

STALE_NAN_BITS = 0x7FF0000000000002
STALE_NAN: float = struct.unpack("<d", struct.pack("<Q", STALE_NAN_BITS))[0]

Labels = tuple[tuple[str, str], ...]


def is_stale(value: float) -> bool:
    """True when ``value`` is Prometheus' staleness marker (a specific NaN)."""
    return value != value and struct.pack("<d", value) == struct.pack("<Q", STALE_NAN_BITS)


def stale_mask(values: np.ndarray) -> np.ndarray:
    """Boolean mask of staleness markers in a float64 array."""
    return values.view(np.uint64) == np.uint64(STALE_NAN_BITS)


def to_labels(labels: Mapping[str, str] | Iterable[tuple[str, str]]) -> Labels:
    """Canonical label tuple: sorted by name, empty values dropped."""
    items = labels.items() if isinstance(labels, Mapping) else labels
    return tuple(sorted((str(k), str(v)) for k, v in items if v != ""))


class SampleAppendError(Exception):
    """A sample the store refused; the message is Prometheus' wording."""


class DuplicateSampleError(SampleAppendError):
    def __init__(self) -> None:
        super().__init__("duplicate sample for timestamp")


class OutOfOrderSampleError(SampleAppendError):
    def __init__(self) -> None:
        super().__init__("out of order sample")


class StoredSeries:
    """One series: its labels and growable timestamp/value buffers.

    Appends go to two Python lists first (cheap: most scraped series are never queried
    between two scrapes); readers of :attr:`t` and :attr:`v` move them into the numpy
    buffers in one slice each.
    """

    __slots__ = (
        "labels",
        "_t",
        "_v",
        "_stored",
        "_pending_t",
        "_pending_v",
        "n",
        "n_stale",
        "_last_t",
        "_last_v",
        "_prev_v",
        "last_drop",
    )

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        self._t = np.empty(64, dtype=np.int64)
        self._v = np.empty(64, dtype=np.float64)
        self._stored = 0  # samples in the numpy buffers
        self._pending_t: list[int] = []
        self._pending_v: list[float] = []
        self.n = 0  # samples held, pending ones included
        self.n_stale = 0  # staleness markers held (readers skip filtering when 0)
        self._last_t = 0  # the last timestamp and value as Python numbers
        self._last_v = 0.0
        self._prev_v: float | None = None  # the last value that is not a staleness marker
        # index of the latest sample lower than the non-stale sample before it (a counter
        # reset), or -1; never lower than the truth, so a window starting at or after it
        # holds no reset and rate() skips looking for one
        self.last_drop = -1

    def _reserve(self, need: int) -> None:
        if need <= len(self._t):
            return
        size = max(need, 2 * len(self._t))
        t = np.empty(size, dtype=np.int64)
        v = np.empty(size, dtype=np.float64)
        t[: self._stored] = self._t[: self._stored]
        v[: self._stored] = self._v[: self._stored]
        self._t, self._v = t, v

    def _flush(self) -> None:
        """Move pending samples into the numpy buffers."""
        k = len(self._pending_t)
        if not k:
            return
        m = self._stored
        self._reserve(m + k)
        self._t[m : m + k] = self._pending_t
        self._v[m : m + k] = self._pending_v
        self._stored = m + k
        self._pending_t.clear()
        self._pending_v.clear()

    def append(self, t_ms: int, value: float) -> None:
        n = self.n
        if n:
            last = self._last_t
            if t_ms < last:
                raise OutOfOrderSampleError()
            if t_ms == last:
                if struct.pack("<d", self._last_v) != struct.pack("<d", float(value)):
                    raise DuplicateSampleError()
                return
        self._pending_t.append(t_ms)
        self._pending_v.append(value)
        self.n = n + 1
        self._last_t = t_ms
        self._last_v = value
        if value != value and is_stale(value):
            self.n_stale += 1
            return
        prev = self._prev_v
        if prev is not None and value < prev:
            self.last_drop = n
        self._prev_v = value

    def extend(self, ts: np.ndarray, vs: np.ndarray) -> None:
        """Append many samples at once; ``ts`` must be increasing and after the last one."""
        if len(ts) == 0:
            return
        if self.n and int(ts[0]) <= self._last_t:
            raise OutOfOrderSampleError()
        self._flush()
        need = self.n + len(ts)
        self._reserve(need)
        self._t[self.n : need] = ts
        self._v[self.n : need] = vs
        self.n = self._stored = need
        self._last_t = int(ts[-1])
        self._last_v = float(vs[-1])
        stale = stale_mask(np.asarray(vs, dtype=np.float64))
        self.n_stale += int(np.count_nonzero(stale))
        real = np.nonzero(~stale)[0]
        if len(real):
            self.last_drop = need - 1  # not worked out: assume a reset anywhere in the block
            self._prev_v = float(vs[real[-1]])

    @property
    def t(self) -> np.ndarray:
        """Timestamps in ms (a view; do not modify)."""
        if self._pending_t:
            self._flush()
        return self._t[: self.n]

    @property
    def v(self) -> np.ndarray:
        """Values, staleness markers included (a view; do not modify)."""
        if self._pending_t:
            self._flush()
        return self._v[: self.n]


@dataclass(frozen=True)
class Matcher:
    """A label matcher; ``op`` is one of ``=``, ``!=``, ``=~``, ``!~`` (regexes anchored)."""

    name: str
    op: str
    value: str

    def compiled(self) -> GoRegex | None:
        """The anchored regex of a ``=~``/``!~`` matcher (``GoRegexError`` when invalid)."""
        if self.op in ("=~", "!~"):
            return compile_anchored(self.value)
        return None

    def matches(self, value: str) -> bool:
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        hit = compile_anchored(self.value).search(value)
        return hit if self.op == "=~" else not hit


class TSDB:
    """In-memory store of float series, queried by label matchers.

    ``types`` holds the metric families' declared types beside the samples, as a
    Prometheus head keeps the metadata its scrapes report (family name to OpenMetrics
    type, see :mod:`gameday.metrictypes`); a family with no declaration is absent.
    """

    def __init__(self) -> None:
        self.types: dict[str, str] = {}
        self._series: dict[Labels, StoredSeries] = {}
        self._by_name: dict[str, dict[Labels, StoredSeries]] = {}
        self._sorted_cache: dict[str, list[StoredSeries]] = {}
        self._select_cache: dict[tuple[Matcher, ...], list[StoredSeries]] = {}

    def _get(self, labels: Labels) -> StoredSeries:
        s = self._series.get(labels)
        if s is None:
            s = StoredSeries(labels)
            self._series[labels] = s
            name = dict(labels).get("__name__", "")
            self._by_name.setdefault(name, {})[labels] = s
            self._sorted_cache.pop(name, None)
            self._sorted_cache.pop("*", None)
            self._select_cache.clear()
        return s

    def append(self, labels: Mapping[str, str] | Labels, t_ms: int, value: float) -> None:
        """Append one sample; see the module doc for the duplicate/out-of-order rules."""
        key = labels if isinstance(labels, tuple) else to_labels(labels)
        self._get(key).append(int(t_ms), float(value))

    def extend(self, labels: Mapping[str, str] | Labels, ts: np.ndarray, vs: np.ndarray) -> None:
        """Append many samples of one series (increasing times after its last sample)."""
        key = labels if isinstance(labels, tuple) else to_labels(labels)
        self._get(key).extend(np.asarray(ts, dtype=np.int64), np.asarray(vs, dtype=np.float64))

    def mark_stale(self, labels: Mapping[str, str] | Labels, t_ms: int) -> None:
        """Write a staleness marker: the series ends at ``t_ms``."""
        self.append(labels, t_ms, STALE_NAN)

    def series(self, labels: Mapping[str, str] | Labels) -> StoredSeries | None:
        """The stored series with exactly these labels, if any."""
        key = labels if isinstance(labels, tuple) else to_labels(labels)
        return self._series.get(key)

    def __len__(self) -> int:
        return len(self._series)

    def all_series(self) -> list[StoredSeries]:
        """Every series, sorted by label set."""
        cached = self._sorted_cache.get("*")
        if cached is None:
            cached = sorted(self._series.values(), key=lambda s: s.labels)
            self._sorted_cache["*"] = cached
        return cached

    def _named(self, name: str) -> list[StoredSeries]:
        cached = self._sorted_cache.get(name)
        if cached is None:
            cached = sorted(self._by_name.get(name, {}).values(), key=lambda s: s.labels)
            self._sorted_cache[name] = cached
        return cached

    def select(self, matchers: Iterable[Matcher]) -> list[StoredSeries]:
        """Series whose labels satisfy every matcher (a missing label reads as "").

        Answers are remembered until a new series is added, so a rule asking the same
        question every evaluation does not match labels again; treat the list as read-only.
        """
        ms = tuple(matchers)
        cached = self._select_cache.get(ms)
        if cached is not None:
            return cached
        candidates: list[StoredSeries] | None = None
        for m in ms:
            if m.name == "__name__" and m.op == "=":
                candidates = self._named(m.value)
                break
        if candidates is None:
            candidates = self.all_series()
        out = []
        for s in candidates:
            d = dict(s.labels)
            if all(m.matches(d.get(m.name, "")) for m in ms):
                out.append(s)
        self._select_cache[ms] = out
        return out
