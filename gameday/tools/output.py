"""Output the way the real tools print it: kubectl tables and ages, psql aligned tables.

kubectl pads columns with three spaces (Go's ``tabwriter``) and prints ages with
``HumanDuration``; psql's aligned format centres headers, right-aligns numbers and
ends with a row count. Values psql prints (intervals, timestamps, booleans, arrays) are
formatted as PostgreSQL's text output does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Interval:
    """A PostgreSQL ``interval``, held as seconds."""

    seconds: float

    def __str__(self) -> str:
        return format_interval(self.seconds)


@dataclass(frozen=True, order=True)
class Lsn:
    """A PostgreSQL ``pg_lsn``: a WAL byte position printed as two hex halves, ``0/3000148``."""

    value: int

    def __str__(self) -> str:
        return f"{self.value >> 32:X}/{self.value & 0xFFFFFFFF:X}"

    def __sub__(self, other: object) -> int:
        if isinstance(other, Lsn):
            return self.value - other.value
        return NotImplemented


def kube_age(seconds: float) -> str:
    """kubectl's age of something ``seconds`` old: ``45s``, ``5m12s``, ``3h5m``, ``5d3h``."""
    if seconds < -1:
        return "<invalid>"
    s = max(0, int(seconds))
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    years, days = hours // (24 * 365), (hours // 24) % 365
    return f"{years}y{days}d" if days and years < 8 else f"{years}y"


def kube_table(headers: Sequence[str], rows: Sequence[Sequence[str]], gap: int = 3) -> str:
    """Columns padded to the widest cell plus ``gap`` spaces, as ``tabwriter`` does."""
    table = [list(headers), *[list(map(str, r)) for r in rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    lines = []
    for row in table:
        cells = [c.ljust(widths[i] + gap) for i, c in enumerate(row[:-1])]
        lines.append(("".join(cells) + row[-1]).rstrip())
    return "\n".join(lines)


def format_interval(seconds: float) -> str:
    """PostgreSQL's text form of an interval: ``00:04:12.345678``, ``1 day 02:00:00``."""
    sign = "-" if seconds < 0 else ""
    micros = round(abs(seconds) * 1_000_000)
    days, micros = divmod(micros, 86_400_000_000)
    secs, frac = divmod(micros, 1_000_000)
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    clock = f"{sign}{h:02d}:{m:02d}:{s:02d}" + (f".{frac:06d}".rstrip("0") if frac else "")
    if days:
        unit = "day" if days == 1 else "days"
        return f"{sign}{days} {unit} {clock}"
    return clock


def format_timestamp(when: datetime) -> str:
    """A ``timestamptz`` as psql prints it in UTC: ``2026-03-10 22:55:12.34+00``."""
    text = when.strftime("%Y-%m-%d %H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text + "+00"


def pg_text(value: Any) -> str:
    """A value as psql shows it in a cell (NULL is empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else str(value)
    if isinstance(value, list | tuple):
        return "{" + ",".join(pg_text(v) for v in value) + "}"
    return str(value)


def _numeric(values: Sequence[Any]) -> bool:
    for v in values:
        if v is not None:
            return isinstance(v, int | float) and not isinstance(v, bool)
    return False


def psql_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """psql's aligned output: centred header, dashed rule, rows, ``(N rows)``."""
    right = [_numeric([r[i] for r in rows]) for i in range(len(columns))]
    cells = [[pg_text(v) for v in r] for r in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    head = []
    for c, w in zip(columns, widths, strict=True):
        pad = w - len(c)
        head.append(" " + " " * (pad // 2) + c + " " * ((pad + 1) // 2) + " ")
    lines = ["|".join(head), "+".join("-" * (w + 2) for w in widths)]
    for r in cells:
        parts = []
        for i, (v, w) in enumerate(zip(r, widths, strict=True)):
            last = i == len(widths) - 1
            text = v.rjust(w) if right[i] else (v if last else v.ljust(w))
            parts.append(" " + text + ("" if last else " "))
        lines.append("|".join(parts))
    n = len(rows)
    lines.append(f"({n} row{'' if n == 1 else 's'})")
    return "\n".join(lines)
