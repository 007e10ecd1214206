"""Go's ``fmt.Sprintf``: verbs, flags, width, precision and the ``%!`` error forms."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from gameday.rules.gotemplate.gostrconv import go_is_print, go_quote
from gameday.rules.gotemplate.values import GoTime, SamplePtr, TemplateData, type_name


@dataclass
class _Spec:
    plus: bool = False
    minus: bool = False
    sharp: bool = False
    space: bool = False
    zero: bool = False
    wid: int | None = None
    prec: int | None = None

    def pad(self, s: str, zero_ok: bool = True) -> str:
        if self.wid is None or len(s) >= self.wid:
            return s
        fill = self.wid - len(s)
        if self.minus:
            return s + " " * fill
        if self.zero and zero_ok:
            return "0" * fill + s
        return " " * fill + s


def _bad(verb: str, v: Any) -> str:
    from gameday.rules.gotemplate.gofmt import format_v

    if v is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({type_name(v)}={format_v(v)})"


def _fmt_int(v: int, verb: str, sp: _Spec) -> str:
    if verb == "c":
        return sp.pad(chr(v) if 0 <= v <= 0x10FFFF else "\ufffd")
    if verb == "q":
        c = chr(v) if 0 <= v <= 0x10FFFF else "\ufffd"
        return sp.pad(go_quote(c, "'", ascii_only=sp.plus))
    if verb == "U":
        s = f"U+{v:04X}"
        if sp.sharp and 0 <= v <= 0x10FFFF and go_is_print(chr(v)):
            s += f" '{chr(v)}'"
        return sp.pad(s)
    base = {"d": 10, "v": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}[verb]
    neg = v < 0
    digits = {10: "{:d}", 2: "{:b}", 8: "{:o}", 16: "{:x}"}[base].format(abs(v))
    if verb == "X":
        digits = digits.upper()
    prec = sp.prec
    if prec is None and sp.zero and sp.wid is not None and not sp.minus:
        prec = sp.wid - (1 if (neg or sp.plus or sp.space) else 0)
        if sp.sharp and verb in "xXb":
            prec -= 2
        elif verb == "O" or (sp.sharp and verb == "o"):
            prec -= 1
    if prec is not None:
        if prec == 0 and v == 0:
            digits = ""
        digits = digits.rjust(prec, "0")
    if verb == "O":
        digits = "0o" + digits
    elif sp.sharp:
        if verb == "o" and not digits.startswith("0"):
            digits = "0" + digits
        elif verb in "xX":
            digits = ("0x" if verb == "x" else "0X") + digits
        elif verb == "b":
            digits = "0b" + digits
    sign = "-" if neg else ("+" if sp.plus else (" " if sp.space else ""))
    return sp.pad(sign + digits, zero_ok=False)


def _fmt_float(v: float, verb: str, sp: _Spec) -> str:
    from gameday.rules.gotemplate.gofmt import format_float

    prec = -1 if sp.prec is None else sp.prec
    if verb in "eEfF" and sp.prec is None:
        prec = 6
    s = format_float(v, verb, prec)
    if sp.sharp and verb in "gGv" and not math.isinf(v) and not math.isnan(v):
        s = _sharp_g(v, verb, sp.prec)
    num = s if s[0] in "+-" else "+" + s
    if sp.space and num[0] == "+" and not sp.plus:
        num = " " + num[1:]
    if num[1] in "IN":
        if num[1] == "N" and not sp.space and not sp.plus:
            num = num[1:]
        return sp.pad(num, zero_ok=False)
    if sp.plus or num[0] != "+":
        if sp.zero and not sp.minus and sp.wid is not None and sp.wid > len(num):
            return num[0] + "0" * (sp.wid - len(num)) + num[1:]
        return sp.pad(num, zero_ok=False)
    body = num[1:]
    if sp.zero and not sp.minus and sp.wid is not None:
        return body.rjust(sp.wid, "0")
    return sp.pad(body, zero_ok=False)


def _sharp_g(v: float, verb: str, prec: int | None) -> str:
    p = 6 if prec is None or prec < 0 else max(prec, 1)
    return f"{v:#.{p}{'G' if verb == 'G' else 'g'}}"


def _fmt_str(s: str, verb: str, sp: _Spec) -> str:
    if sp.prec is not None:
        s = s[: sp.prec]
    if verb in "sv":
        return sp.pad(s)
    if verb == "q":
        if sp.sharp and "`" not in s and all(go_is_print(c) or c == "\t" for c in s):
            return sp.pad("`" + s + "`")
        return sp.pad(go_quote(s, ascii_only=sp.plus))
    data = s.encode()
    hexs = data.hex() if verb == "x" else data.hex().upper()
    if sp.space:
        pre = ("0x" if verb == "x" else "0X") if sp.sharp else ""
        hexs = " ".join(pre + hexs[i : i + 2] for i in range(0, len(hexs), 2))
    elif sp.sharp and hexs:
        hexs = ("0x" if verb == "x" else "0X") + hexs
    return sp.pad(hexs)


def format_arg(v: Any, verb: str, sp: _Spec) -> str:
    """Format one operand for one verb (Go's ``printArg``)."""
    from gameday.rules.gotemplate.gofmt import format_v

    if v is None:
        return sp.pad("<nil>") if verb in "vT" else _bad(verb, v)
    if verb == "T":
        return sp.pad(type_name(v))
    if verb == "p":
        return _bad(verb, v)
    if isinstance(v, GoTime):
        if verb in "vsqxX":
            v = v.go_string()
        else:  # Go prints the struct: {wall ext loc}, loc nil for UTC
            secs, nanos = divmod(v.unix_nanos, 1_000_000_000)
            parts = [format_arg(x, verb, sp) for x in (nanos, secs + 62135596800, 0)]
            return ("&{" if v.ptr else "{") + " ".join(parts) + "}"
    if isinstance(v, bool):
        return sp.pad("true" if v else "false") if verb in "tv" else _bad(verb, v)
    if isinstance(v, int):
        return _fmt_int(v, verb, sp) if verb in "bcdoOqxXUv" else _bad(verb, v)
    if isinstance(v, float):
        return _fmt_float(v, verb, sp) if verb in "bveEfFgGxX" else _bad(verb, v)
    if isinstance(v, str):
        return _fmt_str(str.__str__(v), verb, sp) if verb in "vsxXq" else _bad(verb, v)
    if isinstance(v, dict):
        inner = " ".join(
            f"{format_arg(k, verb, sp)}:{format_arg(x, verb, sp)}" for k, x in sorted(v.items())
        )
        return f"map[{inner}]"
    if isinstance(v, list):
        return "[" + " ".join(format_arg(x, verb, sp) for x in v) + "]"
    if isinstance(v, SamplePtr):
        return "&{" + format_arg(v.Labels, verb, sp) + " " + format_arg(v.Value, verb, sp) + "}"
    if isinstance(v, TemplateData):
        fields = (v.Labels, v.ExternalLabels, v.ExternalURL, v.Value)
        return "{" + " ".join(format_arg(f, verb, sp) for f in fields) + "}"
    return sp.pad(format_v(v))


def _parse_num(fmt: str, i: int) -> tuple[int | None, int]:
    start = i
    while i < len(fmt) and "0" <= fmt[i] <= "9":
        i += 1
    if i == start or i - start > 6:
        return None, i
    return int(fmt[start:i]), i


class _Printer:
    """State of one ``Sprintf``: Go's ``pp`` reduced to what templates need."""

    def __init__(self, args: list[Any]) -> None:
        self.args = args
        self.argn = 0
        self.reordered = False
        self.good_argn = True

    def arg_number(self, fmt: str, i: int) -> tuple[int, bool]:
        """Parse an explicit ``[n]`` index at ``fmt[i]``; return new i and afterIndex."""
        if i >= len(fmt) or fmt[i] != "[":
            return i, False
        self.reordered = True
        close = fmt.find("]", i + 1)
        if close < 0:
            self.good_argn = False
            return i + 1, False
        num, end = _parse_num(fmt, i + 1)
        if num is None or end != close:
            self.good_argn = False
            return close + 1, False
        if not 1 <= num <= len(self.args):
            self.good_argn = False
            return close + 1, True
        self.argn = num - 1
        return close + 1, True

    def int_arg(self) -> int | None:
        if self.argn >= len(self.args):
            return None
        a = self.args[self.argn]
        self.argn += 1
        if isinstance(a, int) and not isinstance(a, bool) and abs(a) <= 1_000_000:
            return a
        return None


_Piece = tuple[bool, bool, bool, bool, bool, int | None, int | None, str]


@lru_cache(maxsize=1024)
def _compile(fmt: str) -> tuple[str | _Piece, ...] | None:
    """Pre-parse a format without ``*`` or ``[n]`` into literals and verb specs."""
    if "*" in fmt or "[" in fmt:
        return None
    pieces: list[str | _Piece] = []
    i, end = 0, len(fmt)
    while i < end:
        j = fmt.find("%", i)
        if j < 0:
            pieces.append(fmt[i:])
            break
        if j > i:
            pieces.append(fmt[i:j])
        i = j + 1
        plus = minus = sharp = space = zero = False
        while i < end and fmt[i] in "#0+- ":
            c = fmt[i]
            sharp |= c == "#"
            if c == "0":
                zero = not minus
            plus |= c == "+"
            space |= c == " "
            if c == "-":
                minus, zero = True, False
            i += 1
        wid, i = _parse_num(fmt, i)
        prec = None
        if i + 1 < end and fmt[i] == ".":
            prec, i = _parse_num(fmt, i + 1)
            prec = 0 if prec is None else prec
        if i >= end:
            pieces.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            pieces.append("%")
        else:
            pieces.append((plus, minus, sharp, space, zero, wid, prec, verb))
    return tuple(pieces)


def _sprintf_compiled(pieces: tuple[str | _Piece, ...], args: list[Any]) -> str:
    from gameday.rules.gotemplate.gofmt import format_v

    out: list[str] = []
    argn = 0
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        plus, minus, sharp, space, zero, wid, prec, verb = piece
        if argn >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argn]
        argn += 1
        if (
            verb == "f"
            and type(arg) is float
            and not (plus or minus or sharp or space or zero)
            and wid is None
            and math.isfinite(arg)
        ):
            out.append(f"{arg:.{6 if prec is None else prec}f}")
            continue
        if verb == "v":
            plus = sharp = False
        out.append(format_arg(arg, verb, _Spec(plus, minus, sharp, space, zero, wid, prec)))
    if argn < len(args):
        extra = ", ".join(
            "<nil>" if a is None else f"{type_name(a)}={format_v(a)}" for a in args[argn:]
        )
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def sprintf(fmt: str, args: list[Any]) -> str:  # noqa: C901
    """``fmt.Sprintf(fmt, args...)`` with Go's verbs, argument indexes and error notation."""
    from gameday.rules.gotemplate.gofmt import format_v

    pieces = _compile(fmt)
    if pieces is not None:
        return _sprintf_compiled(pieces, args)

    p = _Printer(args)
    out: list[str] = []
    i, end = 0, len(fmt)
    while i < end:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        p.good_argn = True
        sp = _Spec()
        while i < end and fmt[i] in "#0+- ":
            c = fmt[i]
            sp.sharp |= c == "#"
            if c == "0":
                sp.zero = not sp.minus
            sp.plus |= c == "+"
            sp.space |= c == " "
            if c == "-":
                sp.minus, sp.zero = True, False
            i += 1
        i, after_index = p.arg_number(fmt, i)
        if i < end and fmt[i] == "*":
            i += 1
            sp.wid = p.int_arg()
            if sp.wid is None:
                out.append("%!(BADWIDTH)")
            elif sp.wid < 0:
                sp.minus, sp.zero, sp.wid = True, False, -sp.wid
            after_index = False
        else:
            sp.wid, i = _parse_num(fmt, i)
            if after_index and sp.wid is not None:
                p.good_argn = False
        if i + 1 < end and fmt[i] == ".":
            i += 1
            if after_index:
                p.good_argn = False
            i, after_index = p.arg_number(fmt, i)
            if i < end and fmt[i] == "*":
                i += 1
                sp.prec = p.int_arg()
                if sp.prec is not None and sp.prec < 0:
                    sp.prec = None
                if sp.prec is None:
                    out.append("%!(BADPREC)")
                after_index = False
            else:
                sp.prec, i = _parse_num(fmt, i)
                if sp.prec is None:
                    sp.prec = 0
        if not after_index:
            i, after_index = p.arg_number(fmt, i)
        if i >= end:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
        elif not p.good_argn:
            out.append(f"%!{verb}(BADINDEX)")
        elif p.argn >= len(args):
            out.append(f"%!{verb}(MISSING)")
        else:
            arg = args[p.argn]
            p.argn += 1
            if verb == "v":
                sp.plus = sp.sharp = False
            out.append(format_arg(arg, verb, sp))
    if not p.reordered and p.argn < len(args):
        extra = ", ".join(
            "<nil>" if a is None else f"{type_name(a)}={format_v(a)}" for a in args[p.argn :]
        )
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)
