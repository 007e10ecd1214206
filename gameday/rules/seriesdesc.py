"""promtool's parse errors for an input series, found and worded as Prometheus 2.42 does.

promtool hands each ``SERIES VALUES`` line of a test group to ``parser.ParseSeriesDesc``:
its lexer (``promql/parser/lex.go``, series mode; ported in :mod:`gameday.rules.serieslex`)
and the goyacc parser generated from ``generated_parser.y``. Here the same parser tables
(:mod:`gameday.rules.seriesdesc_tables`) run on goyacc's driver, error recovery included,
so the first error, its message and its ``1:COLUMN`` (a byte offset; the line is always 1
in 2.42) are promtool's. Values are not built here: gameday's own notation reader does
that once the line is known to parse.
"""

from __future__ import annotations

import re

from gameday.rules import seriesdesc_tables as yy
from gameday.rules.serieslex import _KEYWORDS, Item, SeriesLexer, T, go_quote

# A line made only of the plainest pieces (a metric name with an underscore or colon,
# distinct simple labels, decimal values of a few digits, ``a+bxN``, ``_xN``, ``stale``,
# single spaces) always parses; the port below is only asked about the others.
_NUM = r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?"
_TIMES = r"(?:x[1-9][0-9]{0,8})?"
_VALUE = rf"(?:-?{_NUM}(?:[+-]{_NUM})?{_TIMES}|_{_TIMES}|stale)"
_LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="[a-zA-Z0-9_./:-]*"'
_PLAIN = re.compile(rf"([a-zA-Z][a-zA-Z0-9_:]*)(\{{{_LABEL}(?:, ?{_LABEL})*\}})?(?: {_VALUE})+")
_LABEL_NAME = re.compile(_LABEL)


def _plainly_valid(line: str) -> bool:
    m = _PLAIN.fullmatch(line)
    if m is None:
        return False
    name = m.group(1)
    if ("_" not in name and ":" not in name) or name.lower() in _KEYWORDS:
        return False
    labels = _LABEL_NAME.findall(m.group(2) or "")
    return len(set(labels)) == len(labels) and not any(
        n.lower() in _KEYWORDS or n.startswith("__") for n in labels
    )


def _go_number_error(val: str) -> str | None:
    """Go's error from ``strconv.ParseInt(val, 0, 64)`` then ``ParseFloat(val, 64)``."""
    octal = val[0] == "0" and len(val) > 1
    decimal_or_octal = val.isdigit() and (not octal or set(val) <= set("01234567"))
    if decimal_or_octal and int(val, 8 if octal else 10) < 2**63:
        return None
    low = val.lower()
    if low in ("inf", "+inf", "-inf", "infinity", "nan"):
        return None
    try:
        f = float(val)
    except ValueError:
        return f"strconv.ParseFloat: parsing {go_quote(val)}: invalid syntax"
    if f in (float("inf"), float("-inf")):
        return f"strconv.ParseFloat: parsing {go_quote(val)}: value out of range"
    return None


def _go_uint_error(val: str) -> str | None:
    """Go's error from ``strconv.ParseUint(val, 10, 64)``."""
    if not (val.isascii() and val.isdigit()):
        return f"strconv.ParseUint: parsing {go_quote(val)}: invalid syntax"
    if int(val) >= 2**64:
        return f"strconv.ParseUint: parsing {go_quote(val)}: value out of range"
    return None


class _Parser:
    """goyacc's ``yyParse`` on Prometheus' tables; semantic actions only report errors."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lex = SeriesLexer(text)
        self.errors: list[tuple[int, str]] = []  # (character index, message)
        self.lval = Item(0, 0, "")
        self.injected: int | None = T["START_SERIES_DESCRIPTION"]

    def next_token(self) -> int:
        """``parser.Lex`` then goyacc's ``yylex1`` (the item lands in ``lval``)."""
        if self.injected is not None:
            char, self.injected = self.injected, None
        else:
            while True:
                self.lval = self.lex.next_item()
                if self.lval.typ != T["COMMENT"]:
                    break
            char = self.lval.typ
            if char == T["ERROR"]:
                self.errors.append((self.lex.start, self.lval.val))
                char = 0
            elif char == T["EOF"]:
                self.injected = 0
        if char <= 0:
            return yy.TOK_1[0]
        if char < len(yy.TOK_1):
            return yy.TOK_1[char]
        if yy.PRIVATE <= char < yy.PRIVATE + len(yy.TOK_2):
            return yy.TOK_2[char - yy.PRIVATE]
        return yy.TOK_2[1]

    def unexpected(self, context: str, expected: str) -> None:
        if self.lval.typ == T["ERROR"]:
            return
        msg = "unexpected " + self.lval.desc()
        if context:
            msg += " in " + context
        if expected:
            msg += ", expected " + expected
        self.errors.append((self.lval.pos, msg))

    def action(self, rule: int, values: list[Item]) -> None:
        """The error-reporting part of the grammar's actions (rules by number)."""
        messages = {7: ("", ""), 125: ("label set", '"," or "}"'), 127: ("label set", "string"),
                    128: ("label set", '"="'), 129: ("label set", 'identifier or "}"'),
                    134: ("series values", "")}  # fmt: skip
        if rule in messages:
            self.unexpected(*messages[rule])
        elif rule == 140 and values[-1].val != "stale":
            self.unexpected("series values", 'number or "stale"')
        elif rule == 189:
            err = _go_number_error(values[-1].val)
            if err:
                self.errors.append((self.lval.pos, f"error parsing number: {err}"))
        elif rule == 194:
            err = _go_uint_error(values[-1].val)
            if err:
                self.errors.append((values[-1].pos, f"invalid repetition in series values: {err}"))

    def parse(self) -> None:
        """goyacc's ``Parse``: shift, default or exception-table reduce, error recovery."""
        stack: list[tuple[int, Item]] = []
        state, char, errflag, push = 0, -1, 0, True
        val = self.lval
        while True:
            if push:
                stack.append((state, val))
            push = True
            n = yy.PACT[state]
            if n > -1000:
                if char < 0:
                    char = self.next_token()
                n += char
                if 0 <= n < yy.LAST and yy.CHK[yy.ACT[n]] == char:  # shift
                    val, state, char = self.lval, yy.ACT[n], -1
                    errflag = max(0, errflag - 1)
                    continue
            n = yy.DEF[state]
            if n == -2:
                if char < 0:
                    char = self.next_token()
                xi = 0
                while not (yy.EXCA[xi] == -1 and yy.EXCA[xi + 1] == state):
                    xi += 2
                xi += 2
                while yy.EXCA[xi] >= 0 and yy.EXCA[xi] != char:
                    xi += 2
                n = yy.EXCA[xi + 1]
                if n < 0:
                    return  # accept
            if n == 0:  # a syntax error
                if errflag == 3:  # nothing shifted since: drop the token
                    if char == yy.EOF_CODE:
                        return
                    char, push = -1, False
                    continue
                errflag = 3
                while stack:  # find a state that shifts "error"
                    m = yy.PACT[stack[-1][0]] + yy.ERR_CODE
                    if 0 <= m < yy.LAST and yy.CHK[yy.ACT[m]] == yy.ERR_CODE:
                        state = yy.ACT[m]
                        break
                    stack.pop()
                else:
                    return
                continue
            size = yy.R_2[n]
            values = [v for _, v in stack[len(stack) - size :]]
            self.action(n, values)
            if size:
                val = values[0]
                del stack[len(stack) - size :]
            lhs = yy.R_1[n]
            g = yy.PGO[lhs]
            j = g + stack[-1][0] + 1
            state = yy.ACT[g] if j >= yy.LAST else yy.ACT[j]
            if j < yy.LAST and yy.CHK[state] != -lhs:
                state = yy.ACT[g]


def series_error(line: str) -> str | None:
    """promtool's message (``1:COL: parse error: ...``) for one ``SERIES VALUES`` line.

    None when the line parses. A line holding a line break is several lines to promtool;
    it is left to gameday's own reader.
    """
    if "\n" in line or "\r" in line or _plainly_valid(line):
        return None
    parser = _Parser(line)
    parser.parse()
    if not parser.errors:
        return None
    pos, message = parser.errors[0]
    return f"1:{len(line[:pos].encode('utf-8', 'surrogatepass')) + 1}: parse error: {message}"
