"""Python stand-ins for the Go values a Prometheus template handles.

Plain Python values map onto Go types: ``None`` is an invalid (untyped nil) value, ``bool``,
``int`` (Go ``int``), ``float`` (``float64``), ``str`` (``string``) and ``dict``
(``map[string]string``). The classes here cover the rest: ``map[string]interface{}``
(from ``args``), ``template.HTML``, Prometheus' ``*sample`` and ``queryResult`` and
``time.Time``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class IfaceMap(dict[str, Any]):
    """A ``map[string]interface{}``: missing keys read as nil, not as ""."""


class GoHTML(str):
    """``html/template.HTML``: a string type, but not assignable to ``string``."""

    __slots__ = ()


@dataclass(eq=False)
class SamplePtr:
    """Prometheus' ``*sample``: a query result element with ``.Labels`` and ``.Value``."""

    Labels: dict[str, str] = field(default_factory=dict)
    Value: float = 0.0


class QueryResult(list["SamplePtr"]):
    """Prometheus' ``queryResult`` (``[]*sample``)."""


@dataclass(frozen=True)
class GoTime:
    """A ``time.Time`` in UTC with nanosecond precision (``ptr`` marks ``*time.Time``)."""

    unix_nanos: int
    ptr: bool = False

    def go_string(self) -> str:
        """``time.Time.String()``: ``2006-01-02 15:04:05.999999999 -0700 MST``."""
        secs, nanos = divmod(self.unix_nanos, 1_000_000_000)
        days, rem = divmod(secs, 86400)
        y, m, d = civil_from_days(days)
        frac = f".{nanos:09d}".rstrip("0") if nanos else ""
        year = f"{y:04d}" if y >= 0 else f"-{-y:04d}"
        clock = f"{rem // 3600:02d}:{rem // 60 % 60:02d}:{rem % 60:02d}"
        return f"{year}-{m:02d}-{d:02d} {clock}{frac} +0000 UTC"


def civil_from_days(z: int) -> tuple[int, int, int]:
    """Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's method)."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def type_name(v: Any) -> str:
    """Go's ``%T`` of a value."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, GoHTML):
        return "template.HTML"
    if isinstance(v, str):
        return "string"
    if isinstance(v, IfaceMap):
        return "map[string]interface {}"
    if isinstance(v, dict):
        return "map[string]string"
    if isinstance(v, SamplePtr):
        return "*template.sample"
    if isinstance(v, QueryResult):
        return "template.queryResult"
    if isinstance(v, GoTime):
        return "*time.Time" if v.ptr else "time.Time"
    if isinstance(v, complex):
        return "complex128"
    if isinstance(v, list):
        return "[]interface {}"
    if isinstance(v, TemplateData):
        return TemplateData.TYPE
    return type(v).__name__


def kind(v: Any) -> str:
    """Go's reflect kind, reduced to what templates need."""
    if v is None:
        return "invalid"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, complex):
        return "complex"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "slice"
    if isinstance(v, SamplePtr) or (isinstance(v, GoTime) and v.ptr):
        return "ptr"
    return "struct"


def is_true(v: Any) -> bool:
    """Go template truth: the value is not the zero value of its type."""
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float | complex):
        return v != 0  # NaN is true: NaN != 0
    if isinstance(v, str | dict | list):
        return len(v) > 0
    return True


class TemplateData:
    """The data Prometheus gives alert templates: an anonymous struct."""

    TYPE = (
        "struct { Labels map[string]string; ExternalLabels map[string]string; "
        "ExternalURL string; Value float64 }"
    )

    __slots__ = ("Labels", "ExternalLabels", "ExternalURL", "Value")

    def __init__(self, labels: dict[str, str], ext: dict[str, str], url: str, value: float):
        self.Labels, self.ExternalLabels, self.ExternalURL, self.Value = labels, ext, url, value


TYPE_NAMES = {
    "string": "string", "float64": "float64", "int": "int", "bool": "bool",
    "sample": "*template.sample", "queryResult": "template.queryResult",
}  # fmt: skip


FIELDS = {
    TemplateData: ("Labels", "ExternalLabels", "ExternalURL", "Value"),
    SamplePtr: ("Labels", "Value"),
}


def go_type_name(v: Any) -> str:
    """Go's ``%T``, including the template data struct."""
    return TemplateData.TYPE if isinstance(v, TemplateData) else type_name(v)
