"""Label-set helpers and the Go formatting Prometheus uses in messages."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np

from gameday.tsdb import Labels

NAME = "__name__"
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def lget(ls: Labels, name: str) -> str:
    for k, v in ls:
        if k == name:
            return v
    return ""


def ldrop(ls: Labels, names: Iterable[str]) -> Labels:
    drop = set(names)
    return tuple(kv for kv in ls if kv[0] not in drop)


def lkeep(ls: Labels, names: Iterable[str]) -> Labels:
    keep = set(names)
    return tuple(kv for kv in ls if kv[0] in keep)


def lset(ls: Labels, name: str, value: str) -> Labels:
    """Set (or with an empty value, delete) one label."""
    rest = [kv for kv in ls if kv[0] != name]
    if value != "":
        rest.append((name, value))
    return tuple(sorted(rest))


def drop_name(ls: Labels) -> Labels:
    return tuple(kv for kv in ls if kv[0] != NAME)


def go_quote(s: str) -> str:
    """Go's strconv.Quote for the characters label values usually hold."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def labels_str(ls: Labels) -> str:
    """Prometheus' ``labels.Labels.String()``: ``{a="1", b="2"}``."""
    return "{" + ", ".join(f"{k}={go_quote(v)}" for k, v in ls) + "}"


def format_float_g(v: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'g', -1, 64)`` / ``%v`` for a float64."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "-0" if math.copysign(1, v) < 0 else "0"
    r = repr(float(v))
    mant, _, exp = r.partition("e")
    digits = mant.replace("-", "").replace(".", "").lstrip("0") or "0"
    x = int(exp) if exp else _decimal_exponent(mant)
    if x < -4 or x >= 21:
        # scientific with shortest digits
        sign = "-" if v < 0 else ""
        d = digits.rstrip("0") or "0"
        m = d[0] + ("." + d[1:] if len(d) > 1 else "")
        return f"{sign}{m}e{'+' if x >= 0 else '-'}{abs(x):02d}"
    return np.format_float_positional(v, trim="-")


def _decimal_exponent(mant: str) -> int:
    m = mant.lstrip("-")
    intpart, _, frac = m.partition(".")
    if intpart.strip("0"):
        return len(intpart.lstrip("0")) - 1
    stripped = frac.lstrip("0")
    return -(len(frac) - len(stripped) + 1)


def format_float_f(v: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'f', -1, 64)``."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return np.format_float_positional(v, trim="-")


def format_float_e(v: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'E', -1, 64)`` (as promtool prints samples)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    s = np.format_float_scientific(v, trim="-", exp_digits=2).upper()
    mant, _, exp = s.partition("E")
    if mant.endswith("."):
        mant = mant[:-1]
    return f"{mant}E{exp}"
