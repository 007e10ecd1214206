"""Strict, located checking of YAML data against a :mod:`gameday.alerting.schema` spec.

This mirrors what ``yaml.UnmarshalStrict`` into Alertmanager's Go structs accepts:
unknown keys are errors, any scalar may fill a string field (``2`` becomes ``"2"``),
booleans must be YAML booleans, durations are Prometheus durations, URLs need an
``http``/``https`` scheme and a host. :func:`check` returns the data normalised to
plain Python values and appends a :class:`~gameday.errors.Problem` for every mistake.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import yaml

from gameday.alerting import schema
from gameday.errors import Problem, did_you_mean
from gameday.yamldoc import Loc, YamlDoc, dotted, guarded_compose

_PROM_DURATION = re.compile(
    r"^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$"
)
_PROM_UNITS = (31536000, 604800, 86400, 3600, 60, 1, 0.001)
_GO_DURATION = re.compile(r"^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$")
_GO_ONLY_BOOLS = {"y": True, "Y": True, "n": False, "N": False}
_TLS_VERSIONS = {"TLS10", "TLS11", "TLS12", "TLS13"}


def prom_duration(text: str) -> float:
    """Seconds in a Prometheus duration (``model.ParseDuration``).

    Raises:
        ValueError: with Prometheus' wording.
    """
    if text == "":
        raise ValueError("empty duration string")
    if text == "0":
        return 0.0
    m = _PROM_DURATION.match(text)
    if not m:
        raise ValueError(f'not a valid duration string: "{text}"')
    groups = m.groups()[1::2]
    return float(sum(int(g) * u for g, u in zip(groups, _PROM_UNITS, strict=True) if g))


def check_url(text: str, need_http: bool = True) -> str:
    """Validate a URL as Alertmanager's ``parseURL`` does.

    Raises:
        ValueError: for an unsupported scheme or a missing host.
    """
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise ValueError(f"parse {text!r}: {exc}") from None
    if not need_http:
        return text
    if parts.scheme not in ("http", "https"):
        raise ValueError(f'unsupported scheme "{parts.scheme}" for URL')
    if not parts.netloc:
        raise ValueError("missing host for URL")
    return text


def check_hostport(text: str) -> str:
    """Validate ``host:port`` as ``net.SplitHostPort`` plus a non-empty port."""
    if text == "":
        return text
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"address {text}: missing ']' in address")
        rest = text[end + 1 :]
        if not rest.startswith(":"):
            raise ValueError(f"address {text}: missing port in address")
        port = rest[1:]
    else:
        if ":" not in text:
            raise ValueError(f"address {text}: missing port in address")
        host, port = text.rsplit(":", 1)
        if ":" in host:
            raise ValueError(f"address {text}: too many colons in address")
    if port == "":
        raise ValueError(f'address "{text}": port cannot be empty')
    return text


def scalar_text(value: Any) -> str | None:
    """The string a Go string field receives from a YAML scalar; None for non-scalars."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return None
    return str(value)


def scan_source(text: str) -> tuple[dict[Loc, str], list[tuple[Loc, int, int]]]:
    """Source facts PyYAML's data loses.

    Returns the text of every plain (unquoted) scalar by its path, and every mapping key
    that repeats an earlier key of its mapping (path, line, column): Go's strict
    unmarshalling refuses those, PyYAML keeps the last value.
    """
    try:
        root = guarded_compose(text)
    except yaml.YAMLError:
        return {}, []
    raw: dict[Loc, str] = {}
    dups: list[tuple[Loc, int, int]] = []
    todo: list[tuple[yaml.Node | None, Loc]] = [(root, ())]
    while todo:
        node, loc = todo.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                if key.value in seen and key.value != "<<":
                    mark = key.start_mark
                    dups.append(((*loc, key.value), mark.line + 1, mark.column + 1))
                seen.add(key.value)
                todo.append((value, (*loc, key.value)))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend((item, (*loc, i)) for i, item in enumerate(node.value))
        elif isinstance(node, yaml.ScalarNode) and node.style is None:
            raw[loc] = node.value
    return raw, dups


class Checker:
    """Walks one document, collecting problems."""

    def __init__(self, doc: YamlDoc, text: str | None = None) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.raw, dups = scan_source(text) if text is not None else ({}, [])
        for loc, line, col in sorted(dups, key=lambda d: (d[1], d[2])):
            message = f'key "{loc[-1]}" already set in this mapping'
            self.problems.append(Problem(doc.path, line, col, dotted(loc), message))

    def fail(self, loc: Loc, message: str, hint: str | None = None) -> None:
        """Record a problem at ``loc``."""
        self.problems.append(self.doc.problem(loc, message, hint))

    def struct(self, data: Any, spec: schema.Spec, loc: Loc) -> dict[str, Any]:
        """Check a mapping against ``spec``; unknown keys are refused."""
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.fail(loc, f"expected a mapping, got {type_name(data)}")
            return {}
        out: dict[str, Any] = {}
        for key, value in data.items():
            here = (*loc, key)
            skey = str(key)
            if skey not in spec:
                later = schema.LATER_KEYS.get(skey)
                hint = f"added in {later}; this is Alertmanager 0.25" if later else None
                self.fail(here, f"unknown key {skey!r}", hint or did_you_mean(skey, spec))
                continue
            if value is None and isinstance(spec[skey], dict):
                continue  # a null sub-section is an absent one (a nil pointer in Go)
            out[skey] = self.value(value, spec[skey], here)
        return out

    def value(self, value: Any, kind: Any, loc: Loc) -> Any:
        """Check one value of type ``kind`` and return it normalised."""
        if isinstance(kind, dict):
            return self.struct(value, kind, loc)
        if isinstance(kind, tuple):
            return self.entries(value, kind[1], kind[2], loc)
        if kind == "routes":
            return self.entries(value, schema.ROUTE, "error", loc)
        if kind == "nullablelist":  # null entries stay None: Go gives them zero values
            items = self.seq(value, loc)
            return [None if v is None else self.string(v, (*loc, i)) for i, v in enumerate(items)]
        if kind == "bool":
            if value is None:
                return False
            plain = self.raw.get(tuple(loc)) == value
            if isinstance(value, str) and plain and value in _GO_ONLY_BOOLS:
                return _GO_ONLY_BOOLS[value]  # yaml.v2 also reads y/Y/n/N as booleans
            if not isinstance(value, bool):
                self.fail(loc, f"expected true or false, got {value!r}")
            return bool(value)
        if kind in ("int", "uint"):
            if value is None:
                return 0
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(loc, f"expected an integer, got {value!r}")
                return 0
            if kind == "uint" and value < 0:
                self.fail(loc, f"expected a non-negative integer, got {value}")
            return value
        if kind == "strlist":
            out = []
            for i, v in enumerate(self.seq(value, loc)):
                out.append(self.string(v, (*loc, i)))
            return out
        if kind == "strmap":
            if value is None:
                return {}
            if not isinstance(value, dict):
                self.fail(loc, f"expected a mapping, got {type_name(value)}")
                return {}
            return {str(k): self.string(v, (*loc, k)) for k, v in value.items()}
        text = self.string(value, loc)
        try:
            return self.typed(text, kind, value)
        except ValueError as exc:
            self.fail(loc, str(exc))
            return text  # keep it present so no "missing ..." error follows

    def typed(self, text: str, kind: str, raw: Any) -> Any:
        """Convert a string field of a special kind (duration, URL, ...)."""
        if kind == "str":
            return text
        if raw is None:
            return None
        if kind == "duration":
            return prom_duration(text)
        if kind == "godur":
            if text != "0" and not _GO_DURATION.match(text):
                raise ValueError(f'time: invalid duration "{text}"')
            return text
        if kind in ("url", "secreturl"):
            return text if kind == "secreturl" and text == "<secret>" else check_url(text)
        if kind == "anyurl":
            return check_url(text, need_http=False)
        if kind == "hostport":
            return check_hostport(text)
        if kind == "tlsversion":
            if text not in _TLS_VERSIONS:
                raise ValueError(f"unknown TLS version: {text}")
            return text
        raise AssertionError(f"unknown spec kind {kind!r}")

    def entries(self, value: Any, spec: schema.Spec, on_null: str, loc: Loc) -> list[Any]:
        """A list of mappings; ``on_null`` decides what a ``null`` entry means."""
        out: list[Any] = []
        for i, item in enumerate(self.seq(value, loc)):
            if item is not None:
                out.append(self.struct(item, spec, (*loc, i)))
            elif on_null == "error":
                self.fail((*loc, i), "null entry (Alertmanager 0.25 crashes on it)")
            elif on_null == "zero":
                out.append({})
            elif on_null == "keep":
                out.append(None)
        return out

    def seq(self, value: Any, loc: Loc) -> list[Any]:
        """A YAML sequence (``null`` is an empty one)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(loc, f"expected a list, got {type_name(value)}")
            return []
        return value

    def string(self, value: Any, loc: Loc) -> str:
        """A scalar as the string a Go string field would hold."""
        if not isinstance(value, str | dict | list) and value is not None:
            raw = self.raw.get(tuple(loc))
            if raw is not None:  # Go keeps the source text: yes, 0x1F, 010, 1_000
                return raw
        text = scalar_text(value)
        if text is None:
            self.fail(loc, f"expected a string, got {type_name(value)}")
            return ""
        return text


def type_name(value: Any) -> str:
    """A YAML-ish name for the type of ``value``."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"
