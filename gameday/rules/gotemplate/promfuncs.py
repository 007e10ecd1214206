"""Prometheus 2.42's template functions (``template/template.go``), with Go's output."""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any
from urllib.parse import urlsplit

from gameday.goregex import GoRegexError, compile_go
from gameday.rules.gotemplate.funcs import Context, Func, GoError, query_escape
from gameday.rules.gotemplate.gofmt import format_float, format_v
from gameday.rules.gotemplate.gostrconv import go_quote, parse_float
from gameday.rules.gotemplate.values import (
    GoHTML,
    GoTime,
    IfaceMap,
    QueryResult,
    SamplePtr,
    type_name,
)

_NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"


def to_float(v: Any) -> float:
    """Prometheus' ``convertToFloat``."""
    if isinstance(v, float):
        return v
    if type(v) is str:
        try:
            return parse_float(v)
        except ValueError as exc:
            raise GoError(str(exc)) from None
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    raise GoError(f"can't convert {type_name(v)} to float")


def g4(v: float) -> str:
    """``fmt.Sprintf("%.4g", v)``."""
    return format_float(v, "g", 4)


def humanize(_ctx: Context, i: Any) -> str:
    v = to_float(i)
    if v == 0 or math.isnan(v) or math.isinf(v):
        return g4(v)
    prefix = ""
    if abs(v) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return g4(v) + prefix
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return g4(v) + prefix


def humanize1024(_ctx: Context, i: Any) -> str:
    v = to_float(i)
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return g4(v)
    prefix = ""
    for p in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix, v = p, v / 1024
    return g4(v) + prefix


def humanize_duration(_ctx: Context, i: Any) -> str:
    v = to_float(i)
    if math.isnan(v) or math.isinf(v):
        return g4(v)
    if v == 0:
        return g4(v) + "s"
    if abs(v) >= 1:
        sign = ""
        if v < 0:
            sign, v = "-", -v
        duration = int(v) if v < 2**63 else -(2**63)
        seconds = _rem(duration, 60)
        minutes = _rem(_quo(duration, 60), 60)
        hours = _rem(_quo(_quo(duration, 60), 60), 24)
        days = _quo(_quo(_quo(duration, 60), 60), 24)
        if days != 0:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours != 0:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes != 0:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{g4(v)}s"
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return f"{g4(v)}{prefix}s"


def _quo(a: int, b: int) -> int:
    """Go's integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _rem(a: int, b: int) -> int:
    return a - _quo(a, b) * b


def _float_to_time(v: float) -> GoTime | None:
    if math.isnan(v) or math.isinf(v):
        return None
    ts = v * 1e9
    if ts > 2**63 - 1 or ts < -(2**63):
        raise GoError(
            f"{format_v(v)} cannot be represented as a nanoseconds timestamp "
            "since it overflows int64"
        )
    ms = _quo(int(ts), 1_000_000)
    return GoTime(ms * 1_000_000, ptr=True)


def humanize_timestamp(_ctx: Context, i: Any) -> str:
    v = to_float(i)
    tm = _float_to_time(v)
    return g4(v) if tm is None else tm.go_string()


def to_time(_ctx: Context, i: Any) -> GoTime:
    v = to_float(i)
    tm = _float_to_time(v)
    if tm is None:
        raise GoError("value is NaN or Inf")
    return tm


def _split_host_port(hostport: str) -> tuple[str, str] | None:
    i = hostport.rfind(":")
    if i < 0:
        return None
    j = k = 0
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or end + 1 != i:
            return None
        host = hostport[1:end]
        j, k = 1, end + 1
    else:
        host = hostport[:i]
        if ":" in host:
            return None
    if "[" in hostport[j:] or "]" in hostport[k:]:
        return None
    return host, hostport[i + 1 :]


def strip_port(_ctx: Context, hostport: str) -> str:
    split = _split_host_port(hostport)
    return hostport if split is None else split[0]


def _is_ip(host: str) -> bool:
    if "%" in host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def strip_domain(_ctx: Context, hostport: str) -> str:
    split = _split_host_port(hostport)
    host, port = split if split is not None else (hostport, "")
    if _is_ip(host):
        return hostport
    host = host.split(".")[0]
    if port:
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return host


def _backquote(s: str) -> str:
    """Go's ``strconv.Quote`` unless ``strconv.CanBackquote`` (as ``regexp.MustCompile`` does)."""
    if "`" not in s and all(c == "\t" or (c.isprintable() and c != "\ufeff") for c in s):
        return "`" + s + "`"
    return go_quote(s)


def re_replace_all(_ctx: Context, pattern: str, repl: str, text: str) -> str:
    """``reReplaceAll``: ``regexp.MustCompile(pattern).ReplaceAllString(text, repl)``."""
    try:
        rx = compile_go(pattern)
    except GoRegexError as exc:
        raise GoError(f"regexp: Compile({_backquote(pattern)}): {exc}") from None
    return rx.replace_all(text, repl)


def match(_ctx: Context, pattern: str, s: str) -> bool:
    """``match``: Go's ``regexp.MatchString`` (unanchored)."""
    try:
        return compile_go(pattern).search(s)
    except GoRegexError as exc:
        raise GoError(str(exc)) from None


def _rune_map(s: str, fn: Any) -> str:
    out = []
    for c in s:
        m = fn(c)
        out.append(m if len(m) == 1 else c)
    return "".join(out)


def _is_separator(c: str) -> bool:
    if ord(c) <= 0x7F:
        return not (c.isascii() and (c.isalnum() or c == "_"))
    if c.isalpha() or c.isdigit():
        return False
    return c.isspace()


def title(_ctx: Context, s: str) -> str:
    out, prev = [], " "
    for c in s:
        if _is_separator(prev):
            t = c.title()
            out.append(t if len(t) == 1 else c)
        else:
            out.append(c)
        prev = c
    return "".join(out)


def query(ctx: Context, q: str) -> QueryResult:
    if ctx.query is None:
        raise GoError("no query function available to the template")
    try:
        result = ctx.query(q)
    except Exception as exc:  # the engine's error becomes the template's, as in Prometheus
        raise GoError(str(exc)) from exc
    return QueryResult(SamplePtr(dict(s.labels), float(s.value)) for s in result)


def first(_ctx: Context, v: QueryResult | None) -> SamplePtr:
    if v:
        return v[0]
    raise GoError("first() called on vector with no elements")


def _sample(s: SamplePtr | None) -> SamplePtr:
    if s is None:
        raise GoError(_NIL_DEREF)
    return s


def sort_by_label(_ctx: Context, label: str, v: QueryResult | None) -> QueryResult | None:
    if v is not None:
        v.sort(key=lambda s: s.Labels.get(label, "").encode())
    return v


_DURATION = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_UNIT_MS = (365 * 86400000, 7 * 86400000, 86400000, 3600000, 60000, 1000, 1)


def parse_duration(_ctx: Context, d: str) -> float:
    if d == "0":
        return 0.0
    m = _DURATION.match(d)
    if d == "" or m is None:
        raise GoError(f'not a valid duration string: "{d}"')
    total = sum(int(g) * u for g, u in zip(m.groups(), _UNIT_MS, strict=True) if g)
    if total > (2**63 - 1) // 1_000_000:
        raise GoError(f'not a valid duration string: "{d}"')
    return total / 1000


def _args(_ctx: Context, *a: Any) -> IfaceMap:
    return IfaceMap((f"arg{i}", x) for i, x in enumerate(a))


def _path_prefix(ctx: Context) -> str:
    return urlsplit(ctx.external_url).path


def _link(tab: int) -> Any:
    return lambda ctx, expr: f"/graph?g0.expr={query_escape(expr)}&g0.tab={tab}"


PROMETHEUS_FUNCS: dict[str, Func] = {
    "query": Func(query, ("string",)),
    "first": Func(first, ("queryResult",)),
    "label": Func(lambda ctx, lb, s: _sample(s).Labels.get(lb, ""), ("string", "sample")),
    "value": Func(lambda ctx, s: _sample(s).Value, ("sample",)),
    "strvalue": Func(lambda ctx, s: _sample(s).Labels.get("__value__", ""), ("sample",)),
    "args": Func(_args, (), "any"),
    "reReplaceAll": Func(re_replace_all, ("string", "string", "string")),
    "safeHtml": Func(lambda ctx, s: GoHTML(s), ("string",)),
    "match": Func(match, ("string", "string")),
    "title": Func(title, ("string",)),
    "toUpper": Func(lambda ctx, s: _rune_map(s, str.upper), ("string",)),
    "toLower": Func(lambda ctx, s: _rune_map(s, str.lower), ("string",)),
    "graphLink": Func(_link(0), ("string",)),
    "tableLink": Func(_link(1), ("string",)),
    "sortByLabel": Func(sort_by_label, ("string", "queryResult")),
    "stripPort": Func(strip_port, ("string",)),
    "stripDomain": Func(strip_domain, ("string",)),
    "humanize": Func(humanize, ("any",)),
    "humanize1024": Func(humanize1024, ("any",)),
    "humanizeDuration": Func(humanize_duration, ("any",)),
    "humanizePercentage": Func(
        lambda ctx, i: format_float(to_float(i) * 100, "g", 4) + "%", ("any",)
    ),
    "humanizeTimestamp": Func(humanize_timestamp, ("any",)),
    "toTime": Func(to_time, ("any",)),
    "pathPrefix": Func(_path_prefix),
    "externalURL": Func(lambda ctx: ctx.external_url),
    "parseDuration": Func(parse_duration, ("string",)),
}
