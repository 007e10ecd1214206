"""Go's ``fmt`` for template values: ``Sprint``, ``Sprintln``, ``Sprintf`` and ``%v``.

Floats follow ``strconv.FormatFloat``: ``%v`` is the shortest representation that
round-trips, in exponent form when the exponent is below -4 or at least 6 (``1e+06``,
``1.23456789e+08``, ``1e-05``), just like Go.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from gameday.rules.gotemplate.gostrconv import go_quote
from gameday.rules.gotemplate.values import (
    GoTime,
    IfaceMap,
    QueryResult,
    SamplePtr,
    TemplateData,
    type_name,
)


def _shortest(v: float) -> tuple[str, int]:
    """Shortest round-tripping digits of ``abs(v)`` (v finite, non-zero) and point position."""
    t = Decimal(repr(abs(v))).as_tuple()
    digits = "".join(map(str, t.digits))
    dp = len(digits) + int(t.exponent)
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    return stripped.rstrip("0") or "0", dp


def _fmt_e(digits: str, dp: int, prec: int, e: str) -> str:
    mant = digits[0] + ("." + digits[1 : prec + 1].ljust(prec, "0") if prec > 0 else "")
    exp = dp - 1 if digits != "0" else 0
    return f"{mant}{e}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fmt_f(digits: str, dp: int, prec: int) -> str:
    if dp > 0:
        whole = digits[:dp].ljust(dp, "0")
        frac = digits[dp:]
    else:
        whole, frac = "0", "0" * -dp + digits
    frac = frac[:prec].ljust(prec, "0")
    return whole + ("." + frac if prec > 0 else "")


def format_float(v: float, verb: str = "v", prec: int = -1) -> str:
    """Format like ``strconv.FormatFloat`` with Go's fmt verb (v, e, E, f, F, g, G, x, X)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    neg = v < 0 or (v == 0 and math.copysign(1.0, v) < 0)
    if verb in "xX":
        return _hex_float(v, prec, verb)
    if verb == "v":
        verb = "g"
    if verb in "fF":
        if prec < 0:
            d, dp = _shortest(v) if v != 0 else ("0", 1)
            s = _fmt_f(d, dp, max(len(d) - dp, 0))
        else:
            s = f"{abs(v):.{prec}f}"
    elif verb in "eE":
        if prec < 0:
            d, dp = _shortest(v) if v != 0 else ("0", 1)
            s = _fmt_e(d, dp, len(d) - 1, verb)
        else:
            s = f"{abs(v):.{prec}{verb}}"
    else:  # g, G
        if prec < 0:
            d, dp = _shortest(v) if v != 0 else ("0", 1)
            exp = dp - 1
            if exp < -4 or exp >= 6:
                s = _fmt_e(d, dp, len(d) - 1, "e" if verb == "g" else "E")
            else:
                s = _fmt_f(d, dp, max(len(d) - dp, 0))
        else:
            s = f"{abs(v):.{prec}{verb}}"
    return ("-" if neg else "") + s


def _hex_float(v: float, prec: int, verb: str) -> str:
    if v == 0:
        mant, exp = "0" + ("." + "0" * prec if prec > 0 else ""), 0
    else:
        h = float.hex(abs(v))  # 0x1.8000000000000p+1
        body, _, e = h[2:].partition("p")
        whole, _, frac = body.partition(".")
        frac = frac.rstrip("0")
        exp = int(e)
        if whole == "0":  # subnormal: normalise
            m = int(whole + frac.ljust(13, "0"), 16)
            while m and m < (1 << 52):
                m <<= 1
                exp -= 1
            frac = f"{m & ((1 << 52) - 1):013x}".rstrip("0")
        if prec >= 0:
            m = int(("1" + frac.ljust(13, "0"))[: 1 + 13], 16)
            shift = 4 * (13 - prec)
            if shift > 0:
                m = (m + (1 << (shift - 1)) - (1 if (m >> shift) & 1 == 0 else 0)) >> shift
                if m >> (4 * prec) >= 2:
                    m >>= 1
                    exp += 1
            frac = f"{m:0{prec + 1}x}"[1:] if prec > 0 else ""
        mant = "1" + ("." + frac if frac else "")
    s = f"0x{mant}p{'-' if exp < 0 else '+'}{abs(exp):02d}"
    s = ("-" if v < 0 else "") + s
    return s.upper() if verb == "X" else s


def _pointer(obj: Any) -> str:
    return f"0xc{id(obj) & 0xFFFFFFFFF:09x}"


def format_v(v: Any, depth: int = 0) -> str:
    """``%v`` of one value, as ``fmt.Sprint`` prints it."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format_float(v)
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, GoTime):
        return v.go_string()
    if isinstance(v, dict):
        items = sorted(v.items())
        inner = " ".join(f"{format_v(k, depth + 1)}:{format_v(x, depth + 1)}" for k, x in items)
        return f"map[{inner}]"
    if isinstance(v, SamplePtr):
        if depth > 0:
            return _pointer(v)
        return "&{" + format_v(v.Labels, 1) + " " + format_float(v.Value) + "}"
    if isinstance(v, list | QueryResult):
        return "[" + " ".join(format_v(x, depth + 1) for x in v) + "]"
    if isinstance(v, TemplateData):
        fields = (v.Labels, v.ExternalLabels, v.ExternalURL, v.Value)
        return "{" + " ".join(format_v(f, depth + 1) for f in fields) + "}"
    if isinstance(v, complex):
        return f"({format_float(v.real)}{'+' if v.imag >= 0 else ''}{format_float(v.imag)}i)"
    return str(v)


def sprint(args: list[Any]) -> str:
    """``fmt.Sprint``: spaces between operands when neither side is a string."""
    out: list[str] = []
    prev_string = False
    for i, a in enumerate(args):
        is_string = isinstance(a, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(format_v(a))
        prev_string = is_string
    return "".join(out)


def sprintln(args: list[Any]) -> str:
    """``fmt.Sprintln``: operands always space-separated, newline appended."""
    return " ".join(format_v(a) for a in args) + "\n"


def print_value(v: Any) -> str:
    """What ``{{ pipeline }}`` writes: like ``%v`` but pointers are dereferenced first."""
    if v is None:
        return "<no value>"
    if isinstance(v, SamplePtr):
        return "{" + format_v(v.Labels, 1) + " " + format_float(v.Value) + "}"
    return format_v(v)


from gameday.rules.gotemplate.printf import sprintf  # noqa: E402

__all__ = ["IfaceMap", "format_float", "format_v", "go_quote", "print_value", "sprint"]
__all__ += ["sprintf", "sprintln", "type_name"]
