"""Lexer for Go's text/template language (Go 1.19 semantics).

Turns template text into a list of :class:`Item` tokens, handling ``{{-``/``-}}`` trim
markers and ``{{/* comments */}}`` entirely here, the way ``text/template/parse/lex.go``
does, so the parser never sees trimmed space or comments.
"""

from __future__ import annotations

import re
import unicodedata

from gameday.rules.gotemplate.tokens import KEYWORDS, LEFT_DELIM, RIGHT_DELIM, SPACE_CHARS, Item, T


def _is_space(c: str) -> bool:
    return c in SPACE_CHARS and c != ""


def _is_alnum(c: str) -> bool:
    return c == "_" or (c != "" and (c.isalpha() or unicodedata.category(c) == "Nd"))


def _go_rune(c: str) -> str:
    """Format a rune the way Go's %#U does: U+0041 'A'."""
    return f"U+{ord(c):04X} '{c}'" if c.isprintable() else f"U+{ord(c):04X}"


_ALNUM_RUN = re.compile(r"[^\W]*")  # Go's isAlphaNumeric: '_', letters, digits
_SPACE_RUN = re.compile(r"[ \t\r\n]*")


class _Lexer:
    def __init__(self, text: str) -> None:
        self.input = text
        self.end = len(text)
        self.pos = 0
        self.start = 0
        self.paren_depth = 0
        self.items: list[Item] = []
        self._line_pos = 0  # line numbers are counted lazily up to this offset
        self._line = 1

    # -- helpers -------------------------------------------------------------
    def peek(self) -> str:
        return self.input[self.pos] if self.pos < self.end else ""

    def next(self) -> str:
        if self.pos >= self.end:
            return ""
        self.pos += 1
        return self.input[self.pos - 1]

    def backup(self) -> None:
        self.pos -= 1

    def line_at(self, offset: int) -> int:
        """1 + the number of newlines before ``offset`` (offsets only grow)."""
        if offset > self._line_pos:
            self._line += self.input.count("\n", self._line_pos, offset)
            self._line_pos = offset
        return self._line

    def emit(self, typ: T) -> None:
        line = self.line_at(self.start)
        self.items.append(Item(typ, self.start, self.input[self.start : self.pos], line))
        self.start = self.pos

    def ignore(self) -> None:
        self.start = self.pos

    def error(self, msg: str) -> None:
        self.items.append(Item(T.ERROR, self.start, msg, self.line_at(self.start)))

    def has_left_trim(self, at: int) -> bool:
        s = self.input
        return at + 1 < len(s) and s[at] == "-" and s[at + 1] in SPACE_CHARS

    def has_right_trim(self, at: int) -> bool:
        s = self.input
        return at + 1 < len(s) and s[at] in SPACE_CHARS and s[at + 1] == "-"

    def at_right_delim(self) -> tuple[bool, bool]:
        if self.has_right_trim(self.pos) and self.input.startswith(RIGHT_DELIM, self.pos + 2):
            return True, True
        return self.input.startswith(RIGHT_DELIM, self.pos), False

    def at_terminator(self) -> bool:
        c = self.peek()
        return c == "" or _is_space(c) or c in ".,|:)(" or c == RIGHT_DELIM[0]

    # -- states --------------------------------------------------------------
    def run(self) -> list[Item]:
        state = self.lex_text
        while state is not None:
            state = state()
        return self.items

    def lex_text(self):  # noqa: ANN201
        x = self.input.find(LEFT_DELIM, self.pos)
        if x >= 0:
            self.pos = x
            trim = 0
            if self.has_left_trim(x + len(LEFT_DELIM)):
                seg = self.input[self.start : x]
                trim = len(seg) - len(seg.rstrip(SPACE_CHARS))
            self.pos -= trim
            if self.pos > self.start:
                self.emit(T.TEXT)
            self.pos += trim
            self.ignore()
            return self.lex_left_delim
        self.pos = len(self.input)
        if self.pos > self.start:
            self.emit(T.TEXT)
        self.emit(T.EOF)
        return None

    def lex_left_delim(self):  # noqa: ANN201
        self.pos += len(LEFT_DELIM)
        after = 2 if self.has_left_trim(self.pos) else 0
        if self.input.startswith("/*", self.pos + after):
            self.pos += after
            self.ignore()
            return self.lex_comment
        self.emit(T.LEFT_DELIM)
        self.pos += after
        self.ignore()
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self):  # noqa: ANN201
        self.pos += 2
        i = self.input.find("*/", self.pos)
        if i < 0:
            return self.error("unclosed comment")
        self.pos = i + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.error("comment ends before closing delimiter")
        if trim:
            self.pos += 2
        self.pos += len(RIGHT_DELIM)
        if trim:
            rest = self.input[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(SPACE_CHARS))
        self.ignore()
        return self.lex_text

    def lex_right_delim(self):  # noqa: ANN201
        trim = self.has_right_trim(self.pos)
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += len(RIGHT_DELIM)
        self.emit(T.RIGHT_DELIM)
        if trim:
            rest = self.input[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(SPACE_CHARS))
            self.ignore()
        return self.lex_text

    def lex_inside_action(self):  # noqa: ANN201, C901
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.error("unclosed left paren")
        c = self.next()
        if c == "":
            return self.error("unclosed action")
        if _is_space(c):
            self.backup()
            return self.lex_space
        if c == "=":
            self.emit(T.ASSIGN)
        elif c == ":":
            if self.next() != "=":
                return self.error("expected :=")
            self.emit(T.DECLARE)
        elif c == "|":
            self.emit(T.PIPE)
        elif c == '"':
            return self.lex_quote
        elif c == "`":
            return self.lex_raw_quote
        elif c == "$":
            return self.lex_variable
        elif c == "'":
            return self.lex_char
        elif c == "." and not ("0" <= self.peek() <= "9" and self.peek() != ""):
            return self.lex_field
        elif c in "+-." or "0" <= c <= "9":
            self.backup()
            return self.lex_number
        elif _is_alnum(c):
            self.backup()
            return self.lex_identifier
        elif c == "(":
            self.emit(T.LEFT_PAREN)
            self.paren_depth += 1
        elif c == ")":
            self.emit(T.RIGHT_PAREN)
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.error(f"unexpected right paren {_go_rune(c)}")
        elif ord(c) < 128 and c.isprintable():
            self.emit(T.CHAR)
        else:
            return self.error(f"unrecognized character in action: {_go_rune(c)}")
        return self.lex_inside_action

    def lex_space(self):  # noqa: ANN201
        m = _SPACE_RUN.match(self.input, self.pos)
        num = m.end() - self.pos
        self.pos = m.end()
        if self.has_right_trim(self.pos - 1) and self.input.startswith(RIGHT_DELIM, self.pos + 1):
            self.backup()
            if num == 1:
                return self.lex_right_delim
        self.emit(T.SPACE)
        return self.lex_inside_action

    def alnum_end(self, pos: int) -> int:
        """End of the run of Go alphanumerics starting at ``pos``."""
        end = _ALNUM_RUN.match(self.input, pos).end()  # type: ignore[union-attr]
        if not self.input.isascii():
            for i in range(pos, end):
                if not _is_alnum(self.input[i]):
                    return i
        return end

    def lex_identifier(self):  # noqa: ANN201
        self.pos = self.alnum_end(self.pos)
        word = self.input[self.start : self.pos]
        if not self.at_terminator():
            return self.error(f"bad character {_go_rune(self.peek())}")
        if word in KEYWORDS and KEYWORDS[word] > T.KEYWORD:
            self.emit(KEYWORDS[word])
        elif word in ("true", "false"):
            self.emit(T.BOOL)
        else:
            self.emit(T.IDENTIFIER)
        return self.lex_inside_action

    def lex_field(self):  # noqa: ANN201
        return self._field_or_variable(T.FIELD)

    def lex_variable(self):  # noqa: ANN201
        if self.at_terminator():
            self.emit(T.VARIABLE)
            return self.lex_inside_action
        return self._field_or_variable(T.VARIABLE)

    def _field_or_variable(self, typ: T):  # noqa: ANN202
        if self.at_terminator():
            self.emit(T.VARIABLE if typ == T.VARIABLE else T.DOT)
            return self.lex_inside_action
        self.pos = self.alnum_end(self.pos)
        if not self.at_terminator():
            return self.error(f"bad character {_go_rune(self.peek())}")
        self.emit(typ)
        return self.lex_inside_action

    def _quoted(self, close: str, what: str):  # noqa: ANN202
        while True:
            c = self.next()
            if c == "\\":
                c = self.next()
                if c not in ("", "\n"):
                    continue
                return self.error(f"unterminated {what}")
            if c in ("", "\n"):
                return self.error(f"unterminated {what}")
            if c == close:
                return True

    def lex_char(self):  # noqa: ANN201
        if not self._quoted("'", "character constant"):
            return None
        self.emit(T.CHAR_CONSTANT)
        return self.lex_inside_action

    def lex_quote(self):  # noqa: ANN201
        if not self._quoted('"', "quoted string"):
            return None
        self.emit(T.STRING)
        return self.lex_inside_action

    def lex_raw_quote(self):  # noqa: ANN201
        i = self.input.find("`", self.pos)
        if i < 0:
            return self.error("unterminated raw quoted string")
        self.pos = i + 1
        self.emit(T.RAW_STRING)
        return self.lex_inside_action

    def _scan_number(self) -> bool:
        def accept(valid: str) -> bool:
            if self.peek() != "" and self.peek() in valid:
                self.next()
                return True
            return False

        def accept_run(valid: str) -> None:
            while self.peek() != "" and self.peek() in valid:
                self.next()

        accept("+-")
        digits = "0123456789_"
        if accept("0"):
            if accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif accept("oO"):
                digits = "01234567_"
            elif accept("bB"):
                digits = "01_"
        accept_run(digits)
        if accept("."):
            accept_run(digits)
        if len(digits) == 11 and accept("eE"):
            accept("+-")
            accept_run("0123456789_")
        if len(digits) == 23 and accept("pP"):
            accept("+-")
            accept_run("0123456789_")
        accept("i")
        if _is_alnum(self.peek()):
            self.next()
            return False
        return True

    def lex_number(self):  # noqa: ANN201
        if not self._scan_number():
            return self.error(f"bad number syntax: {_q(self.input[self.start : self.pos])}")
        if self.peek() in ("+", "-") and self.peek() != "":
            if not self._scan_number() or self.input[self.pos - 1] != "i":
                return self.error(f"bad number syntax: {_q(self.input[self.start : self.pos])}")
            self.emit(T.COMPLEX)
        else:
            self.emit(T.NUMBER)
        return self.lex_inside_action


def _q(s: str) -> str:
    from gameday.rules.gotemplate.gofmt import go_quote

    return go_quote(s)


def lex(text: str, start: int = 0) -> list[Item]:
    """Tokenise ``text`` from offset ``start``; the list ends with an EOF or an ERROR item.

    Starting past a prefix that ends outside any action (say after ``}}``) gives the same
    tokens, at the same offsets, as lexing the whole text and dropping the prefix's.
    """
    lexer = _Lexer(text)
    lexer.pos = lexer.start = start
    return lexer.run()
