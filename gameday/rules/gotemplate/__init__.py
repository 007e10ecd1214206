"""A faithful Python implementation of Go's text/template, as Prometheus 2.42 uses it.

:mod:`.lexer` and :mod:`.parser` build a tree of :mod:`.nodes`; :mod:`.execute` walks
it with the function map of :mod:`.funcs` and :mod:`.promfuncs`, printing values with
Go's ``fmt`` rules (:mod:`.gofmt`, :mod:`.printf`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gameday.rules.gotemplate.execute import ExecError, TemplateData, execute
from gameday.rules.gotemplate.funcs import FUNCS, Context
from gameday.rules.gotemplate.nodes import ListNode
from gameday.rules.gotemplate.parser import NAME, ParseError, Parser


@dataclass(frozen=True)
class Parsed:
    """A parsed template: the root list and the ``{{define}}``d templates."""

    text: str
    root: ListNode
    defined: dict[str, ListNode]


def parse_error_message(name: str, err: ParseError) -> str:
    """Go's parse error text for a template called ``name``."""
    return f"template: {name}:{err.line}: {err.message.replace(NAME, name)}"


@lru_cache(maxsize=4096)
def parse(text: str) -> Parsed:
    """Parse (and cache) a template; raise :class:`ParseError` if it is malformed."""
    parser = Parser(text, FUNCS)
    root = parser.parse()
    return Parsed(text, root, parser.defined)


__all__ = ["Context", "ExecError", "ParseError", "Parsed", "TemplateData", "execute", "parse"]
__all__ += ["parse_error_message"]
