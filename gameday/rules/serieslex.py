"""Prometheus 2.42's PromQL lexer (``promql/parser/lex.go``) in series-description mode.

A line such as ``up{job="a"} 0+1x5 _ stale`` is cut into the same items, at the same
positions and with the same error items, as ``parser.ParseSeriesDesc`` sees them; the
states are methods named after lex.go's functions (``lexValueSequence`` is
:meth:`SeriesLexer.value_sequence`). Positions are character indexes here; the caller
turns them into byte columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gameday.rules import seriesdesc_tables as yy


def go_quote(s: str, quote: str = '"') -> str:
    """Go's ``strconv.Quote`` for messages, imported when first needed: it lives in the
    template package, which a line that parses never needs."""
    from gameday.rules.gotemplate.gostrconv import go_quote as quoted

    return quoted(s, quote=quote)


T = yy.TOKENS
_KEYWORDS = {
    **{w: T[w.upper()] for w in ("sum", "avg", "count", "min", "max", "group", "stddev")},
    **{w: T[w.upper()] for w in ("stdvar", "topk", "bottomk", "count_values", "quantile")},
    **{w: T[w.upper()] for w in ("offset", "by", "without", "on", "ignoring", "bool")},
    **{w: T[w.upper()] for w in ("group_left", "group_right", "start", "end", "atan2")},
    "and": T["LAND"],
    "or": T["LOR"],
    "unless": T["LUNLESS"],
}
_TYPE_TEXT = {T[k]: v for k, v in {
    "LEFT_PAREN": "(", "RIGHT_PAREN": ")", "LEFT_BRACE": "{", "RIGHT_BRACE": "}",
    "LEFT_BRACKET": "[", "RIGHT_BRACKET": "]", "COMMA": ",", "EQL": "=", "COLON": ":",
    "SEMICOLON": ";", "BLANK": "_", "TIMES": "x", "SPACE": "<space>", "SUB": "-", "ADD": "+",
    "MUL": "*", "MOD": "%", "DIV": "/", "EQLC": "==", "NEQ": "!=", "LTE": "<=", "LSS": "<",
    "GTE": ">=", "GTR": ">", "EQL_REGEX": "=~", "NEQ_REGEX": "!~", "POW": "^"}.items()}  # fmt: skip
_TYPE_TEXT.update({t: w for w, t in _KEYWORDS.items()})
_KEYWORDS.update(inf=T["NUMBER"], nan=T["NUMBER"])
_DESC = {T["ERROR"]: "error", T["EOF"]: "end of input", T["COMMENT"]: "comment",
         T["IDENTIFIER"]: "identifier", T["METRIC_IDENTIFIER"]: "metric identifier",
         T["STRING"]: "string", T["NUMBER"]: "number", T["DURATION"]: "duration"}  # fmt: skip
_EOF = ""  # what next() returns at the end of the input


@dataclass
class Item:
    """One token: its type, its start (a character index) and its text."""

    typ: int
    pos: int
    val: str

    def text(self) -> str:
        """Go's ``Item.String``."""
        t = self.typ
        if t == T["EOF"]:
            return "EOF"
        if t == T["ERROR"]:
            return self.val
        if t in (T["IDENTIFIER"], T["METRIC_IDENTIFIER"]):
            return go_quote(self.val)
        if T["keywordsStart"] < t < T["keywordsEnd"]:
            return f"<{self.val}>"
        if T["operatorsStart"] < t < T["operatorsEnd"]:
            return f"<op:{self.val}>"
        if T["aggregatorsStart"] < t < T["aggregatorsEnd"]:
            return f"<aggr:{self.val}>"
        if len(self.val) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)

    def desc(self) -> str:
        """Go's ``Item.desc``: how an unexpected token is named."""
        if self.typ in _TYPE_TEXT:
            return self.text()
        if self.typ == T["EOF"]:
            return "end of input"
        kind = _DESC.get(self.typ, go_quote(f"<Item {self.typ}>"))
        return f"{kind} {self.text()}"


def _alpha(c: str) -> bool:
    return c == "_" or ("a" <= c <= "z") or ("A" <= c <= "Z")


def _digit(c: str) -> bool:
    return "0" <= c <= "9"


def _space(c: str) -> bool:
    return c in (" ", "\t", "\n", "\r")


class SeriesLexer:
    """``lex.go`` in series-description mode, one item at a time (``NextItem``)."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = self.start = self.width = 0
        self.brace_open = self.bracket_open = self.got_colon = False
        self.paren_depth = 0
        self.string_open = ""
        self.item: Item | None = None
        self.state: Any = self.statements  # a state is a method returning the next one

    # -- the Lexer's primitives
    def next(self) -> str:
        if self.pos >= len(self.input):
            self.width = 0
            return _EOF
        self.width = 1
        self.pos += 1
        return self.input[self.pos - 1]

    def peek(self) -> str:
        c = self.next()
        self.pos -= self.width
        return c

    def backup(self) -> None:
        self.pos -= self.width

    def emit(self, typ: int) -> None:
        self.item = Item(typ, self.start, self.input[self.start : self.pos])
        self.start = self.pos

    def accept(self, valid: str) -> bool:
        c = self.next()
        if c and c in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while True:
            c = self.next()
            if not c or c not in valid:
                break
        self.backup()

    def errorf(self, message: str) -> Any:
        """An error item; the scan stops (the next state is None)."""
        self.item = Item(T["ERROR"], self.start, message)
        return None

    def next_item(self) -> Item:
        self.item = None
        if self.state is None:
            self.emit(T["EOF"])
        while self.item is None and self.state is not None:
            self.state = self.state()
        assert self.item is not None
        return self.item

    # -- states
    def statements(self) -> object:
        if self.brace_open:
            return self.inside_braces
        if self.input.startswith("#", self.pos):
            return self.line_comment
        r = self.next()
        if r == _EOF:
            if self.paren_depth:
                return self.errorf("unclosed left parenthesis")
            if self.bracket_open:
                return self.errorf("unclosed left bracket")
            self.emit(T["EOF"])
            return None
        simple = {",": "COMMA", "*": "MUL", "/": "DIV", "%": "MOD", "+": "ADD", "-": "SUB",
                  "^": "POW", "@": "AT"}  # fmt: skip
        if r in simple:
            self.emit(T[simple[r]])
        elif _space(r):
            return self.space
        elif r == "=":
            t = self.peek()
            if t == "=":
                self.next()
                self.emit(T["EQLC"])
            elif t == "~":
                return self.errorf(f"unexpected character after '=': {_rune(t)}")
            else:
                self.emit(T["EQL"])
        elif r == "!":
            t = self.next()
            if t != "=":
                return self.errorf(f"unexpected character after '!': {_rune(t)}")
            self.emit(T["NEQ"])
        elif r in "<>":
            if self.peek() == "=":
                self.next()
                self.emit(T["LTE" if r == "<" else "GTE"])
            else:
                self.emit(T["LSS" if r == "<" else "GTR"])
        elif _digit(r) or (r == "." and _digit(self.peek())):
            self.backup()
            return self.number_or_duration
        elif r in "\"'`":
            return self.quoted(r)
        elif (_alpha(r) or r == ":") and not self.bracket_open:
            self.backup()
            return self.keyword_or_identifier
        elif _alpha(r) or r == ":":
            if self.got_colon:
                return self.errorf(f"unexpected colon {_rune(r)}")
            self.emit(T["COLON"])
            self.got_colon = True
        elif r == "(":
            self.emit(T["LEFT_PAREN"])
            self.paren_depth += 1
        elif r == ")":
            self.emit(T["RIGHT_PAREN"])
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.errorf(f"unexpected right parenthesis {_rune(r)}")
        elif r == "{":
            self.emit(T["LEFT_BRACE"])
            self.brace_open = True
            return self.inside_braces
        elif r == "[":
            if self.bracket_open:
                return self.errorf(f"unexpected left bracket {_rune(r)}")
            self.got_colon = False
            self.emit(T["LEFT_BRACKET"])
            while _space(self.peek()):
                self.next()
            self.start = self.pos
            self.bracket_open = True
            return self.duration
        elif r == "]":
            if not self.bracket_open:
                return self.errorf(f"unexpected right bracket {_rune(r)}")
            self.emit(T["RIGHT_BRACKET"])
            self.bracket_open = False
        else:
            return self.errorf(f"unexpected character: {_rune(r)}")
        return self.statements

    def inside_braces(self) -> object:
        if self.input.startswith("#", self.pos):
            return self.line_comment
        r = self.next()
        if r == _EOF:
            return self.errorf("unexpected end of input inside braces")
        if _space(r):
            return self.space
        if _alpha(r):
            self.backup()
            return self.identifier
        if r == ",":
            self.emit(T["COMMA"])
        elif r in "\"'`":
            return self.quoted(r)
        elif r == "=":
            if self.next() == "~":
                self.emit(T["EQL_REGEX"])
            else:
                self.backup()
                self.emit(T["EQL"])
        elif r == "!":
            nr = self.next()
            if nr == "~":
                self.emit(T["NEQ_REGEX"])
            elif nr == "=":
                self.emit(T["NEQ"])
            else:
                return self.errorf(f"unexpected character after '!' inside braces: {_rune(nr)}")
        elif r == "{":
            return self.errorf(f"unexpected left brace {_rune(r)}")
        elif r == "}":
            self.emit(T["RIGHT_BRACE"])
            self.brace_open = False
            return self.value_sequence
        else:
            return self.errorf(f"unexpected character inside braces: {_rune(r)}")
        return self.inside_braces

    def value_sequence(self) -> object:
        r = self.next()
        if r == _EOF:
            return self.statements
        if _space(r):
            self.emit(T["SPACE"])
            self.space()
        elif r in "+-x_":
            self.emit(T[{"+": "ADD", "-": "SUB", "x": "TIMES", "_": "BLANK"}[r]])
        elif _digit(r) or (r == "." and _digit(self.peek())):
            self.backup()
            self.number()
        elif _alpha(r):
            self.backup()
            return self.keyword_or_identifier
        else:
            return self.errorf(f"unexpected character in series sequence: {_rune(r)}")
        return self.value_sequence

    def quoted(self, quote: str) -> object:
        """After an opening quote: a raw string for a backquote, else an escaped one."""
        self.string_open = quote
        return self.raw_string if quote == "`" else self.string

    def string(self) -> object:
        while True:
            c = self.next()
            if c == "\\":
                return self.escape
            if c in (_EOF, "\n"):
                return self.errorf("unterminated quoted string")
            if c == self.string_open:
                break
        self.emit(T["STRING"])
        return self.statements

    def raw_string(self) -> object:
        while True:
            c = self.next()
            if c == _EOF:
                self.errorf("unterminated raw string")
                return self.raw_string
            if c == self.string_open:
                break
        self.emit(T["STRING"])
        return self.statements

    def escape(self) -> object:
        ch = self.next()
        if ch in ("a", "b", "f", "n", "r", "t", "v", "\\", self.string_open) and ch:
            return self.string
        if ch == _EOF:
            self.errorf("escape sequence not terminated")
            return self.string
        widths = {"x": (2, 16, 255), "u": (4, 16, 0x10FFFF), "U": (8, 16, 0x10FFFF)}
        if ch in "01234567":
            n, base, top = 3, 8, 255
        elif ch in widths:
            n, base, top = widths[ch]
            ch = self.next()
        else:
            self.errorf(f"unknown escape sequence U+{ord(ch):04X} {_rune(ch)}")
            return self.string
        x = 0
        while n > 0:
            d = int(ch, 16) if ch and ch in "0123456789abcdefABCDEF" else 16
            if d >= base:
                if ch == _EOF:
                    self.errorf("escape sequence not terminated")
                else:
                    self.errorf(f"illegal character U+{ord(ch):04X} {_rune(ch)} in escape sequence")
                return self.string
            x = x * base + d
            n -= 1
            if n > 0:
                ch = self.next()
        if x > top or 0xD800 <= x < 0xE000:
            self.errorf("escape sequence is an invalid Unicode code point")
        return self.string

    def space(self) -> object:
        while _space(self.peek()):
            self.next()
        self.start = self.pos
        return self.statements

    def line_comment(self) -> object:
        self.pos += 1
        while True:
            r = self.next()
            if r in ("\r", "\n", _EOF):
                break
        self.backup()
        self.emit(T["COMMENT"])
        return self.statements

    def duration(self) -> object:
        if self.scan_number():
            return self.errorf("missing unit character in duration")
        if not self.remaining_duration():
            return self.errorf(
                f"bad duration syntax: {go_quote(self.input[self.start : self.pos])}"
            )
        self.backup()
        self.emit(T["DURATION"])
        return self.statements

    def number(self) -> object:
        if not self.scan_number():
            return self.errorf(f"bad number syntax: {go_quote(self.input[self.start : self.pos])}")
        self.emit(T["NUMBER"])
        return self.statements

    def number_or_duration(self) -> object:
        if self.scan_number():
            self.emit(T["NUMBER"])
            return self.statements
        if self.remaining_duration():
            self.backup()
            self.emit(T["DURATION"])
            return self.statements
        text = go_quote(self.input[self.start : self.pos])
        return self.errorf(f"bad number or duration syntax: {text}")

    def remaining_duration(self) -> bool:
        if not self.accept("smhdwy"):
            return False
        self.accept("s")
        while self.accept("0123456789"):
            while self.accept("0123456789"):
                pass
            if not self.accept("smhdw"):
                return False
            self.accept("s")
        c = self.next()
        return not (c and (_alpha(c) or _digit(c)))

    def scan_number(self) -> bool:
        digits = "0123456789"  # hexadecimal is off in series descriptions
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if self.accept("eE"):
            self.accept("+-")
            self.accept_run(digits)
        r = self.peek()
        return r == "x" or not (r and (_alpha(r) or _digit(r)))

    def identifier(self) -> object:
        while True:
            c = self.next()
            if not (c and (_alpha(c) or _digit(c))):
                break
        self.backup()
        self.emit(T["IDENTIFIER"])
        return self.statements

    def keyword_or_identifier(self) -> object:
        while True:
            c = self.next()
            if not (c and (_alpha(c) or _digit(c) or c == ":")):
                break
        self.backup()
        word = self.input[self.start : self.pos]
        kw = _KEYWORDS.get(word.lower())
        if kw is not None:
            self.emit(kw)
        else:
            self.emit(T["IDENTIFIER"] if ":" not in word else T["METRIC_IDENTIFIER"])
        return self.value_sequence if self.peek() != "{" else self.statements


def _rune(c: str) -> str:
    """Go's ``%q`` of a rune (``'x'``); the end of input, rune -1, prints as U+FFFD."""
    return go_quote(c or "\ufffd", quote="'")
