"""The parts of Go's ``strconv`` that templates rely on: quoting, unquoting, numbers."""

from __future__ import annotations

import math
import re

from gameday.rules.gotemplate.nodes import NumberNode

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES["\v"] = "\\v"
_UNESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_UNESCAPES["\\"] = "\\"


def go_is_print(c: str) -> bool:
    """Approximate Go's ``unicode.IsPrint`` (letters, marks, numbers, punct, symbols, ' ')."""
    return c == " " or (c.isprintable() and not c.isspace())


def go_quote(s: str, quote: str = '"', ascii_only: bool = False) -> str:
    """Return ``strconv.Quote(s)`` (or QuoteToASCII / QuoteRune with ``quote="'"``)."""
    out = [quote]
    for c in s:
        if c == quote or c == "\\":
            out.append("\\" + c)
        elif c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif go_is_print(c) and not (ascii_only and ord(c) >= 0x80):
            out.append(c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) < 0x10000:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    out.append(quote)
    return "".join(out)


def _unquote_char(s: str, i: int, quote: str) -> tuple[str, int]:
    """Decode one (possibly escaped) character of a quoted literal starting at ``s[i]``."""
    c = s[i]
    if c != "\\":
        if c == quote:
            raise ValueError("invalid syntax")
        return c, i + 1
    if i + 1 >= len(s):
        raise ValueError("invalid syntax")
    e = s[i + 1]
    if e in _UNESCAPES:
        return _UNESCAPES[e], i + 2
    if e == quote and quote in "'\"":
        return e, i + 2
    size = {"x": 2, "u": 4, "U": 8}.get(e)
    if size is not None:
        digits = s[i + 2 : i + 2 + size]
        if len(digits) != size or not re.fullmatch(r"[0-9a-fA-F]+", digits):
            raise ValueError("invalid syntax")
        v = int(digits, 16)
        if v > 0x10FFFF or 0xD800 <= v < 0xE000:
            raise ValueError("invalid syntax")
        return chr(v), i + 2 + size
    if "0" <= e <= "7":
        digits = s[i + 1 : i + 4]
        if len(digits) != 3 or not re.fullmatch(r"[0-7]{3}", digits) or int(digits, 8) > 255:
            raise ValueError("invalid syntax")
        return chr(int(digits, 8)), i + 4
    raise ValueError("invalid syntax")


def unquote(s: str) -> str:
    """Return ``strconv.Unquote(s)`` for "…", `…` and '…' literals; ValueError("invalid syntax")."""
    if len(s) < 2 or s[0] != s[-1] or s[0] not in "\"'`":
        raise ValueError("invalid syntax")
    q, body = s[0], s[1:-1]
    if q == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        return body.replace("\r", "")
    if "\n" in body:
        raise ValueError("invalid syntax")
    out, i = [], 0
    while i < len(body):
        c, i = _unquote_char(body, i, q)
        out.append(c)
    if q == "'" and len(out) != 1:
        raise ValueError("invalid syntax")
    return "".join(out)


_DEC_FLOAT = re.compile(r"[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d[\d_]*)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](_?[0-9a-fA-F]+)*\.?[0-9a-fA-F_]*[pP][+-]?\d+")
_SPECIAL = {"inf": math.inf, "infinity": math.inf, "nan": math.nan}


def underscore_ok(s: str) -> bool:
    """Go's ``underscoreOK``: underscores only between digits (or after a base prefix)."""
    saw, i = "^", 0
    if s[:1] in ("+", "-") and s:
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for c in s[i:]:
        if "0" <= c <= "9" or (hexa and "a" <= c.lower() <= "f"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def parse_float(s: str) -> float:
    """Go's ``strconv.ParseFloat(s, 64)``; ValueError carries Go's message."""
    low = s.lower()
    sign = -1.0 if low.startswith("-") else 1.0
    bare = low.lstrip("+-") if low[:1] in "+-" and low[1:2] not in "+-" else low
    if bare in _SPECIAL and (bare != "nan" or bare == low):
        return sign * _SPECIAL[bare]
    if "_" in s and not underscore_ok(s):
        raise ValueError(f"strconv.ParseFloat: parsing {go_quote(s)}: invalid syntax")
    if _DEC_FLOAT.fullmatch(s):
        v = float(s.replace("_", ""))
    elif _HEX_FLOAT.fullmatch(s):
        v = sign * float.fromhex(low.lstrip("+-").replace("_", ""))
    else:
        raise ValueError(f"strconv.ParseFloat: parsing {go_quote(s)}: invalid syntax")
    if math.isinf(v):
        raise ValueError(f"strconv.ParseFloat: parsing {go_quote(s)}: value out of range")
    return v


def _parse_int0(text: str) -> int:
    """``strconv.ParseInt(text, 0, 64)`` without the range check; ValueError if malformed."""
    s = text
    neg = s.startswith("-")
    if s[:1] in "+-":
        s = s[1:]
    base, digits = 10, s
    low = s.lower()
    if low.startswith(("0x", "0b", "0o")):
        base, digits = {"x": 16, "b": 2, "o": 8}[low[1]], s[2:]
    elif len(s) > 1 and s[0] == "0":
        base, digits = 8, s[1:]
    if not digits or ("_" in text and not underscore_ok(text)):
        raise ValueError(text)
    v = int(digits.replace("_", ""), base)
    return -v if neg else v


def parse_number(pos: int, text: str, is_char: bool, is_complex: bool) -> NumberNode:
    """Build a NumberNode the way Go's ``newNumber`` classifies a numeric literal."""
    node = NumberNode(pos, text)
    if is_char:
        try:
            r = unquote(text)
        except ValueError:
            raise ValueError(f"malformed character constant: {text}") from None
        node.is_int = node.is_uint = node.is_float = True
        node.int_value, node.float_value = ord(r), float(ord(r))
        return node
    if is_complex or text.endswith("i"):
        try:
            node.complex_value = complex(text.replace("i", "j").replace("_", ""))
        except ValueError:
            raise ValueError(f"illegal number syntax: {go_quote(text)}") from None
        node.is_complex = True
        if node.complex_value.imag == 0:
            node.is_float, node.float_value = True, node.complex_value.real
            if node.float_value == int(node.float_value):
                node.is_int, node.int_value = True, int(node.float_value)
        return node
    try:
        i = _parse_int0(text)
    except ValueError:
        i = None
    if i is not None and -(2**63) <= i < 2**64:
        node.is_int = i < 2**63
        node.is_uint = i >= 0
        node.int_value, node.float_value, node.is_float = i, float(i), True
        return node
    try:
        f = parse_float(text)
    except ValueError:
        raise ValueError(f"illegal number syntax: {go_quote(text)}") from None
    if not any(c in text for c in ".eEpP"):
        raise ValueError(f"integer overflow: {go_quote(text)}")
    node.is_float, node.float_value = True, f
    if math.isfinite(f) and f == int(f) and -(2**63) <= f < 2**63:
        node.is_int, node.int_value = True, int(f)
        node.is_uint = f >= 0
    return node
