"""promtool's input-series notation: ``metric{a="b"} 0+10x5 _ stale 3x2 _x3``.

``a+bxn`` expands to n+1 values a, a+b, ... (added up one step at a time, as Go does),
``axn`` to n+1 copies of a, ``_`` is a missing sample, ``_xn`` n missing samples,
``stale`` a staleness marker.
"""

from __future__ import annotations

import math
import re

from gameday.engine.tsdb import STALE_NAN, Labels

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_UNUM = r"(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d*)?|[iI][nN][fF]|[nN][aA][nN])"
_ITEM = re.compile(rf"^([+-]?{_UNUM}|stale)(?:([+-]{_UNUM}))?(?:x(\d+))?$")
_BLANK = re.compile(r"^_(?:x(\d+))?$")
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
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", clean):
            return sign * float(int(clean, 16))
        if re.fullmatch(r"0[0-7]+", clean):
            return sign * float(int(clean, 8))
        if re.fullmatch(r"\d+", clean):
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
                raise SeriesParseError(f"1:{i}: parse error: duplicate label name {name!r}")
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
        raise SeriesParseError("1:1: parse error: missing metric name or labels")
    return tuple(sorted((k, v) for k, v in labels.items() if v != "")), i


def parse_values(text: str, limit: int | None = None) -> list[float | None]:
    """Expand the value notation; None marks an omitted sample.

    With ``limit``, at most that many values are produced (the rest are still checked).
    """
    out: list[float | None] = []
    room = (lambda k: k) if limit is None else (lambda k: max(0, min(k, limit - len(out))))
    for tok in text.split():
        b = _BLANK.match(tok)
        if b:
            out.extend([None] * room(int(b.group(1)) if b.group(1) else 1))
            continue
        m = _ITEM.match(tok)
        if not m:
            raise SeriesParseError(f"parse error: unexpected {tok!r} in series values")
        start = STALE_NAN if m.group(1) == "stale" else parse_number(m.group(1))
        times = m.group(3)
        if m.group(2) is not None:
            if times is None:
                raise SeriesParseError(f"parse error: unexpected {tok!r} in series values")
            inc = parse_number(m.group(2))
            v = start
            for _ in range(room(int(times) + 1)):
                out.append(v)
                v += inc
        elif times is not None:
            out.extend([start] * room(int(times) + 1))
        elif room(1):
            out.append(start)
    return out


def parse_series(
    series: str, values: str, limit: int | None = None
) -> tuple[Labels, list[float | None]]:
    """Labels and expanded values (at most ``limit``) of one ``input_series`` entry."""
    labels, end = parse_metric(series)
    rest = series[end:].strip()
    if rest:
        raise SeriesParseError(f"1:{end + 1}: parse error: unexpected {rest!r} after the metric")
    return labels, parse_values(str(values), limit)
