"""Go (RE2) regular expressions on top of Python's ``re``: syntax and ``ReplaceAllString``."""

from __future__ import annotations

import re
from functools import lru_cache

from gameday.rules.gotemplate.gostrconv import go_quote

_POSIX = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
    "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z",
    "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}  # fmt: skip


_WORD = "0-9A-Za-z_"
# Go's Perl classes and word boundaries are ASCII-only; Python's are Unicode-aware.
_ESC_OUT = {
    "d": "[0-9]", "D": "[^0-9]", "w": f"[{_WORD}]", "W": f"[^{_WORD}]",
    "s": "[\\t\\n\\f\\r ]", "S": "[^\\t\\n\\f\\r ]", "z": "\\Z",
    "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
    "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))",
}  # fmt: skip
_ESC_IN = {"d": "0-9", "w": _WORD, "s": "\\t\\n\\f\\r "}


def _translate(pattern: str) -> str:  # noqa: C901
    """Rewrite the RE2 constructs whose meaning differs in Python."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "Q" and not in_class:
                end = pattern.find("\\E", i + 2)
                end = len(pattern) if end < 0 else end
                out.append(re.escape(pattern[i + 2 : end]))
                i = end + 2
                continue
            table = _ESC_IN if in_class else _ESC_OUT
            out.append(table.get(nxt, c + nxt))
            i += 2
            continue
        if in_class:
            if pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                name = pattern[i + 2 : end] if end > 0 else ""
                neg = name.startswith("^")
                if name.lstrip("^") in _POSIX and not neg:
                    out.append(_POSIX[name])
                    i = end + 2
                    continue
            if c == "]":
                in_class = False
            elif c == "[":
                out.append("\\[")
                i += 1
                continue
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
            if pattern.startswith("]", i + 1):
                out.append("\\]")
                i += 1
        elif c == "$":
            out.append("(?!(?s:.))" if "(?m" not in pattern else "$")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _backquote(s: str) -> str:
    if "`" not in s and all(c == "\t" or (c.isprintable() and c != "\ufeff") for c in s):
        return "`" + s + "`"
    return go_quote(s)


_GO_ERRORS = (
    ("missing ), unterminated subpattern", "missing closing )"),
    ("unbalanced parenthesis", "unexpected )"),
    ("unterminated character set", "missing closing ]"),
    ("nothing to repeat", "missing argument to repetition operator"),
    ("multiple repeat", "invalid nested repetition operator"),
    ("bad escape", "invalid escape sequence"),
    ("bad character range", "invalid character class range"),
)


def _go_error(msg: str) -> str:
    for py, go in _GO_ERRORS:
        if msg.startswith(py):
            return go
    return msg


@lru_cache(maxsize=512)
def compile_go(pattern: str) -> re.Pattern[str]:
    """Compile a Go regular expression; ValueError("error parsing regexp: ...") if invalid."""
    try:
        return re.compile(_translate(pattern))
    except re.error as exc:
        raise ValueError(
            f"error parsing regexp: {_go_error(exc.msg)}: {_backquote(pattern)}"
        ) from None


def must_compile_message(pattern: str, err: ValueError) -> str:
    """The panic text of ``regexp.MustCompile`` for a bad pattern."""
    return f"regexp: Compile({_backquote(pattern)}): {err}"


_NAME = re.compile(r"[\w]+")


def _expand(template: str, m: re.Match[str]) -> str:
    out, i = [], 0
    while i < len(template):
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        i = j
        if template.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        if template.startswith("${", i):
            end = template.find("}", i + 2)
            name = template[i + 2 : end] if end >= 0 else ""
            ok = end >= 0 and _NAME.fullmatch(name) is not None
            nxt = end + 1
        else:
            nm = _NAME.match(template, i + 1)
            name = nm.group(0) if nm else ""
            ok = bool(name)
            nxt = i + 1 + len(name)
        if not ok:
            out.append("$")
            i += 1
            continue
        i = nxt
        group: str | None = None
        if name.isdigit() and name.isascii():
            num = int(name)
            if num <= (m.re.groups):
                group = m.group(num)
        elif name in m.re.groupindex:
            group = m.group(name)
        out.append(group or "")
    return "".join(out)


def replace_all(rx: re.Pattern[str], text: str, template: str) -> str:
    """Go's ``Regexp.ReplaceAllString``: ``$1``/``${name}`` expansion, Go's empty-match rule."""
    out, pos, last_end = [], 0, 0
    for m in rx.finditer(text):
        start, end = m.span()
        if end > last_end or start == 0:
            out.append(text[pos:start])
            out.append(_expand(template, m))
            pos = end
        last_end = end
    out.append(text[pos:])
    return "".join(out)
