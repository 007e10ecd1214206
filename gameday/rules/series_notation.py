"""promtool's input-series notation: ``metric{a="b"} 0+10x5 _ stale 3x2 _x3``.

``a+bxn`` expands to n+1 values a, a+b, ... (added up one step at a time, as Go does),
``axn`` to n+1 copies of a, ``_`` is a missing sample, ``_xn`` n missing samples,
``stale`` a staleness marker.
"""

from __future__ import annotations

import functools
import math
import re
import struct

import numpy as np

from gameday.tsdb import STALE_NAN, Labels

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_UNUM = r"(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d*)?|[iI][nN][fF]|[nN][aA][nN])"
_ITEM = re.compile(rf"^([+-]?{_UNUM}|stale)(?:([+-]{_UNUM}))?(?:x(\d+))?$")
_BLANK = re.compile(r"^_(?:x(\d+))?$")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+")
_OCTAL = re.compile(r"0[0-7]+")
_DECIMAL = re.compile(r"\d+")
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "`": "`",
}


class SeriesParseError(ValueError):
    """The series description does not parse; the message says where."""


class LabelSetError(SeriesParseError):
    """The labels parse but cannot be stored; ``promtool`` is the message promtool gives."""

    def __init__(self, message: str, promtool: str) -> None:
        super().__init__(message)
        self.promtool = promtool


def parse_number(text: str) -> float:
    """A number the way Prometheus' parser reads one (ints in any Go base, floats, Inf, NaN)."""
    s = text
    sign = -1.0 if s.startswith("-") else 1.0
    body = s.lstrip("+-")
    low = body.lower()
    if low == "inf":
        return sign * math.inf
    if low == "nan":
        return math.nan
    clean = body.replace("_", "")
    try:
        if _HEX.fullmatch(clean):
            return sign * float(int(clean, 16))
        if _OCTAL.fullmatch(clean):
            return sign * float(int(clean, 8))
        if _DECIMAL.fullmatch(clean):
            return sign * float(int(clean))
        return sign * float(clean)
    except ValueError:
        raise SeriesParseError(f"bad number or duration syntax: {text!r}") from None


def _quoted(text: str, pos: int) -> tuple[str, int]:
    quote = text[pos]
    i = pos + 1
    out: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\\" and quote != "`" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[nxt]
                out.append(chr(int(text[i + 2 : i + 2 + width], 16)))
                i += 2 + width
                continue
            raise SeriesParseError(f"1:{i + 1}: unknown escape sequence")
        out.append(ch)
        i += 1
    raise SeriesParseError(f"1:{pos + 1}: unterminated quoted string")


def parse_metric(text: str) -> tuple[Labels, int]:
    """Parse ``name{l="v",...}``; returns the labels and the index after them."""
    i = 0
    n = len(text)
    while i < n and text[i] in " \t":
        i += 1
    labels: dict[str, str] = {}
    m = _NAME.match(text, i)
    if m:
        labels["__name__"] = m.group(0)
        i = m.end()
    if i < n and text[i] == "{":
        i += 1
        while True:
            while i < n and text[i] in " \t":
                i += 1
            if i < n and text[i] == "}":
                i += 1
                break
            lm = _LABEL.match(text, i)
            if not lm:
                ch = text[i] if i < n else "end of input"
                raise SeriesParseError(
                    f"1:{i + 1}: parse error: unexpected character inside braces: {ch!r}"
                )
            name = lm.group(0)
            i = lm.end()
            while i < n and text[i] in " \t":
                i += 1
            if i >= n or text[i] != "=":
                raise SeriesParseError(
                    f"1:{i + 1}: parse error: expected '=' after label name {name}"
                )
            i += 1
            while i < n and text[i] in " \t":
                i += 1
            if i >= n or text[i] not in "\"'`":
                raise SeriesParseError(f"1:{i + 1}: parse error: expected a quoted label value")
            value, i = _quoted(text, i)
            if name in labels:
                raise LabelSetError(
                    f"1:{i}: parse error: duplicate label name {name!r}",
                    f'label name "{name}" is not unique: invalid sample',
                )
            labels[name] = value
            while i < n and text[i] in " \t":
                i += 1
            if i < n and text[i] == ",":
                i += 1
                continue
            if i < n and text[i] == "}":
                i += 1
                break
            ch = text[i] if i < n else "end of input"
            raise SeriesParseError(
                f"1:{i + 1}: parse error: unexpected character inside braces: {ch!r}"
            )
    if not labels:
        raise LabelSetError(
            "1:1: parse error: missing metric name or labels", "empty labelset: invalid sample"
        )
    return tuple(sorted((k, v) for k, v in labels.items() if v != "")), i


@functools.lru_cache(maxsize=64)  # the limits check counts what expand_values reads next
def _tokens(text: str) -> tuple[tuple[float | None, float | None, int], ...]:
    """Each value token as (start or None for ``_``, increment or None, how many values)."""
    out: list[tuple[float | None, float | None, int]] = []
    for tok in text.split():
        b = _BLANK.match(tok)
        if b:
            out.append((None, None, int(b.group(1)) if b.group(1) else 1))
            continue
        m = _ITEM.match(tok)
        if not m or _glued_times(m):
            raise SeriesParseError(f"parse error: unexpected {tok!r} in series values")
        start = STALE_NAN if m.group(1) == "stale" else parse_number(m.group(1))
        times = m.group(3)
        if m.group(2) is not None:
            if times is None:
                raise SeriesParseError(f"parse error: unexpected {tok!r} in series values")
            out.append((start, parse_number(m.group(2)), int(times) + 1))
        else:
            out.append((start, None, int(times) + 1 if times is not None else 1))
    return tuple(out)


def _glued_times(m: re.Match[str]) -> bool:
    """``stalex2``, ``Infx2``, ``1+NaNx3``: Prometheus' lexer reads a word and the ``x``
    after it as one identifier (it absorbs letters and digits), so the item is refused."""
    if m.group(3) is None:
        return False
    before = m.group(2) if m.group(2) is not None else m.group(1)
    return before[-1].isalpha()


def count_values(text: str, limit: int | None = None) -> int:
    """How many samples (``_`` excluded) the notation gives among its first ``limit`` values.

    Counted without expanding, so ``0+1x100000000000`` costs nothing.
    """
    seen = present = 0
    for start, _, times in _tokens(text):
        take = times if limit is None else max(0, min(times, limit - seen))
        seen += take
        if start is not None:
            present += take
    return present


def expand_values(
    text: str, limit: int | None = None, first_only: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Indexes and values of the samples among the first ``limit`` values (``_`` skipped).

    ``a+bxn`` adds ``b`` one step at a time as Go does (a cumulative sum is the same
    sequence of additions). ``first_only`` stops at the first sample: with a zero
    ``interval`` every sample has the same timestamp and the first one wins.
    """
    spans: list[tuple[int, int]] = []  # (position, count) of each run of samples
    vals: list[np.ndarray] = []
    made: dict[tuple[bytes, bytes, int], np.ndarray] = {}  # a month repeats its day's items
    pos = 0
    for start, inc, times in _tokens(text):
        take = times if limit is None else max(0, min(times, limit - pos))
        if first_only:
            take = min(take, 1)
        if start is not None and take:
            spans.append((pos, take))
            step = None if inc is None or take == 1 else inc
            key = (_bits(start), b"" if step is None else _bits(step), take)  # -0, NaNs apart
            run = made.get(key)
            if run is None:
                run = made[key] = _run(start, step, take)
            vals.append(run)
            if first_only:
                break
        pos += take
    if not spans:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    first, end = spans[0][0], spans[-1][0] + spans[-1][1]
    if end - first == sum(n for _, n in spans):  # no ``_`` between: one range
        idx = np.arange(first, end, dtype=np.int64)
    else:
        idx = np.concatenate([np.arange(p, p + n, dtype=np.int64) for p, n in spans])
    return idx, np.concatenate(vals)


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _run(start: float, inc: float | None, take: int) -> np.ndarray:
    """``take`` values from ``start`` adding ``inc`` (None: the same value) as Go does."""
    if inc is None:
        return np.full(take, start, dtype=np.float64)
    steps = np.full(take, inc, dtype=np.float64)
    steps[0] = start
    with np.errstate(all="ignore"):
        return np.cumsum(steps)
