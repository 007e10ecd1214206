"""Token types and tokens of the Go template lexer (``text/template/parse/lex.go``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class T(IntEnum):
    """Token types; keywords come after ``KEYWORD``."""

    ERROR = 0
    BOOL = 1
    CHAR = 2
    CHAR_CONSTANT = 3
    COMPLEX = 4
    ASSIGN = 5
    DECLARE = 6
    EOF = 7
    FIELD = 8
    IDENTIFIER = 9
    LEFT_DELIM = 10
    LEFT_PAREN = 11
    NUMBER = 12
    PIPE = 13
    RAW_STRING = 14
    RIGHT_DELIM = 15
    RIGHT_PAREN = 16
    SPACE = 17
    STRING = 18
    TEXT = 19
    VARIABLE = 20
    KEYWORD = 30
    BLOCK = 31
    BREAK = 32
    CONTINUE = 33
    DOT = 34
    DEFINE = 35
    ELSE = 36
    END = 37
    IF = 38
    NIL = 39
    RANGE = 40
    TEMPLATE = 41
    WITH = 42


KEYWORDS = {
    ".": T.DOT,
    "block": T.BLOCK,
    "break": T.BREAK,
    "continue": T.CONTINUE,
    "define": T.DEFINE,
    "else": T.ELSE,
    "end": T.END,
    "if": T.IF,
    "range": T.RANGE,
    "nil": T.NIL,
    "template": T.TEMPLATE,
    "with": T.WITH,
}

LEFT_DELIM = "{{"
RIGHT_DELIM = "}}"
SPACE_CHARS = " \t\r\n"


@dataclass(frozen=True, slots=True)
class Item:
    """One token: its type, byte-ish offset in the input, text and starting line."""

    typ: T
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        from gameday.rules.gotemplate.gofmt import go_quote

        if self.typ == T.EOF:
            return "EOF"
        if self.typ == T.ERROR:
            return self.val
        if self.typ > T.KEYWORD:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)
