"""The incident's recorded timeline: who did what, when (the ghost responder's moves).

Two forms, chosen by the file's suffix:

- **CSV** (``.csv``): a header row naming the columns ``time``, ``who``, ``what`` and,
  optionally, ``kind``, in any order; then one row per happening. Quoting is RFC 4180's
  (``"a, b"``, ``""`` for a quote).
- **JSON** (``.json``): a list of objects with the keys ``time``, ``who``, ``what`` and
  optionally ``kind`` (or ``{"timeline": [...]}``).

``time`` is RFC 3339 with an offset (``2026-11-04T18:07:00Z``, ``...+01:00``) or an offset
from the window's start (``+7m``, ``+1h2m30s``). ``kind`` is one of :data:`KINDS`; when it
is left out (or empty), the first word of ``what`` decides it the way a responder types
it in gameday (``ack`` -> acknowledged, ``sev SEV1`` -> severity, ``status monitoring
fix deployed`` -> status, ``resolve`` -> resolved, ``mitigated ...``, ``detected ...``),
and anything else is a ``note``.

Every problem is reported at ``path:line:col: key: what is wrong`` (all of them, not the
first only), as :class:`~gameday.errors.InputError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from gameday.errors import InputError, Problem
from gameday.files import read_text

KINDS = (
    "detected",
    "acknowledged",
    "severity",
    "status",
    "mitigated",
    "resolved",
    "escalated",
    "action",
    "note",
)
"""What a row records. The debrief compares detection, acknowledgement, mitigation and
each status update; the others are shown on the ghost's timeline."""

FIELDS = ("time", "who", "what", "kind")
_FIRST_WORD = {
    "ack": "acknowledged",
    "acknowledge": "acknowledged",
    "acknowledged": "acknowledged",
    "sev": "severity",
    "declare": "severity",
    "status": "status",
    "resolve": "resolved",
    "resolved": "resolved",
    "mitigated": "mitigated",
    "mitigate": "mitigated",
    "detected": "detected",
    "escalate": "escalated",
    "escalated": "escalated",
    "note": "note",
}
_OFFSET = re.compile(r"^\+\s*((?:\d+(?:ms|[smhdw]))+)$")
_TIME_HINT = "RFC 3339 with an offset, like 2026-11-04T18:07:00Z, or +7m from the window's start"
MAX_ROWS = 10_000
MAX_FIELD = 4_000


@dataclass(frozen=True)
class GhostEntry:
    """One happening of the recorded incident, at ``t`` seconds from the window's start."""

    t: float
    who: str
    what: str
    kind: str
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (the session's ``ghost`` events and result.json)."""
        return {"t": round(self.t, 3), "who": self.who, "what": self.what, "kind": self.kind}


def detection_entry(entries: Sequence[GhostEntry]) -> GhostEntry | None:
    """When the real team knew: the timeline's first ``detected`` row, else its first row.

    The one definition of the ghost's detection: the debrief's milestone and the start of
    an imported incident (:meth:`gameday.scoring.evidence.Stream.incident_start`) use it.
    """
    found = next((e for e in entries if e.kind == "detected"), None)
    return found if found is not None else (entries[0] if entries else None)


def infer_kind(what: str) -> str:
    """The kind a row without one records, from the first word of ``what``."""
    words = what.split()
    return _FIRST_WORD.get(words[0].lower().rstrip(":"), "note") if words else "note"


def _seconds(text: str, start: datetime) -> float:
    """Seconds from ``start`` for an RFC 3339 time or a ``+DURATION`` offset.

    Raises:
        ValueError: what is wrong with ``text``.
    """
    from gameday.durations import parse_duration

    raw = text.strip()
    offset = _OFFSET.match(raw)
    if offset:
        return parse_duration(offset.group(1))
    try:
        when = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"not a time: {text!r}") from None
    if when.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (add Z or +HH:MM)")
    return (when - start).total_seconds()


class _Rows:
    """Collects entries and problems while a file is read."""

    def __init__(self, path: str, start: datetime, length_s: float) -> None:
        self.path = path
        self.start = start
        self.length_s = length_s
        self.entries: list[GhostEntry] = []
        self.problems: list[Problem] = []

    def fail(
        self,
        line: int | None,
        col: int | None,
        key: str | None,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.problems.append(Problem(self.path, line, col, key, message, hint))

    def add(
        self,
        values: dict[str, Any],
        where: Mapping[str, tuple[int | None, int | None]],
        line: int,
        key_prefix: str,
        col: int = 1,
    ) -> None:
        """Check one row's values and keep it as an entry when it is good."""
        bad = False
        texts: dict[str, str] = {}
        for name in FIELDS:
            value = values.get(name)
            at_line, at_col = where.get(name, (line, col))
            key = f"{key_prefix}{name}"
            if value is None or (isinstance(value, str) and not value.strip()):
                if name != "kind":
                    self.fail(at_line, at_col, key, "missing: every row needs time, who and what")
                    bad = True
                continue
            if not isinstance(value, str):
                self.fail(at_line, at_col, key, f"expected text, found {type(value).__name__}")
                bad = True
                continue
            if len(value) > MAX_FIELD:
                self.fail(at_line, at_col, key, f"longer than {MAX_FIELD} characters")
                bad = True
                continue
            texts[name] = value.strip()
        kind = texts.get("kind", "").lower()
        if kind and kind not in KINDS:
            from gameday.errors import did_you_mean

            at_line, at_col = where.get("kind", (line, 1))
            hint = did_you_mean(kind, KINDS) or "one of " + ", ".join(KINDS)
            self.fail(at_line, at_col, f"{key_prefix}kind", f"unknown kind {kind!r}", hint)
            bad = True
        t = None
        if "time" in texts:
            at_line, at_col = where.get("time", (line, 1))
            try:
                t = _seconds(texts["time"], self.start)
            except ValueError as exc:
                self.fail(at_line, at_col, f"{key_prefix}time", str(exc), _TIME_HINT)
                bad = True
            else:
                if not 0.0 <= t <= self.length_s:
                    self.fail(
                        at_line,
                        at_col,
                        f"{key_prefix}time",
                        _outside(t, self.length_s),
                        "widen the window (--from/--to) or leave the row out",
                    )
                    bad = True
        if bad or t is None:
            return
        what = texts["what"]
        self.entries.append(GhostEntry(t, texts["who"], what, kind or infer_kind(what), line))

    def result(self) -> list[GhostEntry]:
        if not self.problems and len(self.entries) > MAX_ROWS:
            self.fail(None, None, None, f"more than {MAX_ROWS} rows")
        if self.problems:
            raise InputError(sorted(self.problems, key=lambda p: (p.line or 0, p.col or 0)))
        if not self.entries:
            raise InputError(
                Problem(
                    self.path,
                    message="the timeline has no rows",
                    hint="a header row, then one row per happening",
                )
            )
        return sorted(self.entries, key=lambda e: (e.t, e.line))


def _outside(t: float, length_s: float) -> str:
    from gameday.durations import format_duration

    if t < 0:
        return f"{format_duration(-t)} before the window's start"
    return f"{format_duration(t - length_s)} after the window's end"


def _csv_fields(line: str) -> list[tuple[str, int]]:
    """The fields of one CSV line with the 1-based column each starts at (RFC 4180)."""
    fields: list[tuple[str, int]] = []
    i, n = 0, len(line)
    while True:
        start = i
        if i < n and line[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise ValueError((start + 1, "unterminated quoted field"))
                if line[i] == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(line[i])
                i += 1
            if i < n and line[i] != ",":
                raise ValueError((i + 1, "text after a closing quote (double a quote inside one)"))
            fields.append(("".join(buf), start + 1))
        else:
            j = line.find(",", i)
            j = n if j < 0 else j
            value = line[i:j]
            if '"' in value:
                raise ValueError((i + value.index('"') + 1, "a quote inside an unquoted field"))
            fields.append((value, start + 1))
            i = j
        if i >= n:
            return fields
        i += 1  # the comma
        if i == n:
            fields.append(("", i + 1))
            return fields


def _read_csv(text: str, rows: _Rows) -> None:
    lines = text.split("\n")
    header: list[str] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line.strip() or (header is None and line.lstrip().startswith("#")):
            continue
        try:
            fields = _csv_fields(line)
        except ValueError as exc:
            col, message = exc.args[0]
            rows.fail(number, col, None, f"CSV: {message}")
            continue
        if header is None:
            header = [name.strip().lower() for name, _ in fields]
            for (name, col), key in zip(fields, header, strict=True):
                if key not in FIELDS:
                    from gameday.errors import did_you_mean

                    hint = did_you_mean(key, FIELDS) or "columns: time, who, what and kind"
                    rows.fail(number, col, None, f"unknown column {name.strip()!r}", hint)
            missing = [k for k in FIELDS[:3] if k not in header]
            if missing:
                rows.fail(
                    number,
                    1,
                    None,
                    "the header row lacks " + ", ".join(missing),
                    "the first row names the columns: time,who,what[,kind]",
                )
            if len(set(header)) != len(header):
                rows.fail(number, 1, None, "a column is named twice")
            if rows.problems:
                return
            continue
        if len(fields) != len(header):
            col = fields[len(header)][1] if len(fields) > len(header) else fields[-1][1]
            rows.fail(
                number,
                col,
                None,
                f"{len(fields)} fields, the header has {len(header)}",
                'quote a field holding a comma: "like, this"',
            )
            continue
        values = {name: value for name, (value, _) in zip(header, fields, strict=True)}
        where = {name: (number, col) for name, (_, col) in zip(header, fields, strict=True)}
        rows.add(values, where, number, "")
    if header is None:
        rows.fail(1, 1, None, "no header row", "the first row names the columns: time,who,what")


def _read_json(text: str, rows: _Rows) -> None:
    from gameday.yamldoc import dotted, parse_yaml

    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        rows.fail(exc.lineno, exc.colno, None, f"JSON: {exc.msg}")
        return
    except RecursionError:
        rows.fail(None, None, None, "JSON nested too deeply to read")
        return
    doc = parse_yaml(text, rows.path)  # JSON is YAML: this gives every key's position
    data: Any = doc.data
    base: tuple[str, ...] = ()
    if isinstance(data, dict) and set(data) == {"timeline"}:
        data, base = data["timeline"], ("timeline",)
    if not isinstance(data, list):
        line, col = doc.where(base)
        rows.fail(
            line,
            col,
            None,
            "expected a list of {time, who, what} objects",
            'or {"timeline": [...]}',
        )
        return
    for i, item in enumerate(data):
        loc: tuple[str | int, ...] = (*base, i)
        line, col = doc.where(loc)
        prefix = dotted(loc) + "."
        if not isinstance(item, dict):
            rows.fail(line, col, prefix[:-1], "expected an object with time, who and what")
            continue
        for key in item:
            if key not in FIELDS:
                from gameday.errors import did_you_mean

                kl, kc = doc.where((*loc, str(key)))
                rows.fail(
                    kl,
                    kc,
                    f"{prefix}{key}",
                    "unknown key",
                    did_you_mean(str(key), FIELDS) or "keys: time, who, what, kind",
                )
        where = {name: doc.where((*loc, name)) for name in FIELDS if name in item}
        rows.add(item, where, line or 0, prefix, col or 1)


def load_timeline(path: str | Path, start: datetime, length_s: float) -> list[GhostEntry]:
    """The rows of a timeline file, in time order.

    Args:
        path: a ``.csv`` or ``.json`` file.
        start: the window's start (time 0; ``+DURATION`` offsets count from it).
        length_s: the window's length; every row must fall inside it.

    Raises:
        InputError: every problem at ``path:line:col``; an unreadable file; no rows.
    """
    name = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise InputError(
            Problem(
                name,
                message="a timeline is a .csv or a .json file",
                hint="see 'gameday import --help'",
            )
        )
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise InputError(Problem(name, message=f"cannot read: {why}")) from None
    rows = _Rows(name, start, length_s)
    if text.startswith("\ufeff"):
        text = text[1:]  # a spreadsheet's byte-order mark
    (_read_csv if suffix == ".csv" else _read_json)(text, rows)
    return rows.result()
