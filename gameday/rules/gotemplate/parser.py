"""Parser for Go templates: tokens from :mod:`.lexer` to a tree of :mod:`.nodes`.

Follows ``text/template/parse/parse.go`` of Go 1.19 (the Go that built Prometheus 2.42):
the same grammar, the same checks (undefined variables and functions, empty pipelines,
``break`` outside ``range``) and the same error texts.
"""

from __future__ import annotations

from collections.abc import Container
from typing import NoReturn

from gameday.rules.gotemplate import nodes as n
from gameday.rules.gotemplate.gostrconv import parse_number, unquote
from gameday.rules.gotemplate.lexer import lex
from gameday.rules.gotemplate.tokens import Item, T

NAME = "\x00NAME\x00"  # replaced by the template name when the error is reported


class ParseError(Exception):
    """A syntax error; ``str()`` is Go's message without the "template: NAME:LINE: " head."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


_OPERAND_START = {
    T.BOOL, T.CHAR_CONSTANT, T.COMPLEX, T.DOT, T.FIELD, T.IDENTIFIER, T.NUMBER, T.NIL,
    T.RAW_STRING, T.STRING, T.VARIABLE, T.LEFT_PAREN,
}  # fmt: skip


class Parser:
    """Parses one template text; ``defined`` collects ``{{define}}`` bodies by name."""

    def __init__(
        self, text: str, funcs: Container[str], start: int = 0, variables: tuple[str, ...] = ("$",)
    ) -> None:
        self.text = text
        self.funcs = funcs
        self.items = lex(text, start)
        self.items += [self.items[-1]] * 16  # reading past the end keeps returning EOF/ERROR
        self.i = 0
        self.vars: list[str] = list(variables)
        self.range_depth = 0
        self.action_line = 0
        self.seen = 0
        self.defined: dict[str, n.ListNode] = {}

    # -- token stream ----------------------------------------------------------
    def _at(self, j: int) -> Item:
        if j > self.seen:
            self.seen = j
        return self.items[j]

    def next(self) -> Item:
        item = self._at(self.i)
        self.i += 1
        return item

    def backup(self, k: int = 1) -> None:
        self.i -= k

    def peek(self) -> Item:
        return self._at(self.i)

    def next_non_space(self) -> Item:
        tok = self.next()
        while tok.typ == T.SPACE:
            tok = self.next()
        return tok

    def peek_non_space(self) -> Item:
        while self._at(self.i).typ == T.SPACE:
            self.i += 1
        return self._at(self.i)

    def errorf(self, msg: str) -> NoReturn:
        raise ParseError(msg, self.items[min(self.seen, len(self.items) - 1)].line)

    def expect(self, typ: T, context: str) -> Item:
        tok = self.next_non_space()
        if tok.typ != typ:
            self.unexpected(tok, context)
        return tok

    def unexpected(self, tok: Item, context: str) -> NoReturn:
        if tok.typ == T.ERROR:
            extra = ""
            if self.action_line != 0 and self.action_line != tok.line:
                extra = f" in action started at {NAME}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(f"{tok}{extra}")
        self.errorf(f"unexpected {tok} in {context}")

    # -- grammar ---------------------------------------------------------------
    def parse(self) -> n.ListNode:
        root = n.ListNode(self.peek().pos)
        while self.peek().typ != T.EOF:
            if self.peek().typ == T.LEFT_DELIM:
                mark = self.i
                self.next()
                if self.next_non_space().typ == T.DEFINE:
                    self.parse_definition()
                    continue
                self.i = mark
            node = self.text_or_action()
            if isinstance(node, n.EndNode | n.ElseNode):
                self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        return root

    def parse_definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.typ not in (T.STRING, T.RAW_STRING):
            self.unexpected(tok, context)
        name = self._unquote(tok.val)
        self.expect(T.RIGHT_DELIM, context)
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        self.vars = saved_vars
        if not isinstance(end, n.EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self._add_definition(name, body)

    def item_list(self) -> tuple[n.ListNode, n.Node]:
        lst = n.ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != T.EOF:
            node = self.text_or_action()
            if isinstance(node, n.EndNode | n.ElseNode):
                return lst, node
            lst.nodes.append(node)
        self.errorf("unexpected EOF")
        raise AssertionError  # pragma: no cover

    def text_or_action(self) -> n.Node:
        tok = self.next_non_space()
        if tok.typ == T.TEXT:
            return n.TextNode(tok.pos, tok.val)
        if tok.typ == T.LEFT_DELIM:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(tok, "input")
        raise AssertionError  # pragma: no cover

    def action(self) -> n.Node:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == T.BLOCK:
            return self.block_control()
        if typ in (T.BREAK, T.CONTINUE):
            word = "break" if typ == T.BREAK else "continue"
            nxt = self.next_non_space()
            if nxt.typ != T.RIGHT_DELIM:
                self.unexpected(nxt, "{{" + word + "}}")
            if self.range_depth == 0:
                self.errorf("{{" + word + "}} outside {{range}}")
            cls = n.BreakNode if typ == T.BREAK else n.ContinueNode
            return cls(tok.pos, tok.line)
        if typ == T.ELSE:
            peek = self.peek_non_space()
            if peek.typ == T.IF:
                return n.ElseNode(peek.pos, peek.line)
            t = self.expect(T.RIGHT_DELIM, "else")
            return n.ElseNode(t.pos, t.line)
        if typ == T.END:
            return n.EndNode(self.expect(T.RIGHT_DELIM, "end").pos)
        if typ in (T.IF, T.RANGE, T.WITH):
            return self.control(typ)
        if typ == T.TEMPLATE:
            return self.template_control()
        self.backup()
        first = self.peek()
        return n.ActionNode(first.pos, first.line, self.pipeline("command", T.RIGHT_DELIM))

    def control(self, typ: T) -> n.Node:
        context = {T.IF: "if", T.RANGE: "range", T.WITH: "with"}[typ]
        mark = len(self.vars)
        pipe = self.pipeline(context, T.RIGHT_DELIM)
        if typ == T.RANGE:
            self.range_depth += 1
        body, nxt = self.item_list()
        if typ == T.RANGE:
            self.range_depth -= 1
        else_list = None
        if isinstance(nxt, n.ElseNode):
            if typ == T.IF and self.peek().typ == T.IF:
                self.next()
                else_list = n.ListNode(nxt.pos, [self.control(T.IF)])
            else:
                else_list, nxt = self.item_list()
                if not isinstance(nxt, n.EndNode):
                    self.errorf(f"expected end; found {nxt}")
        del self.vars[mark:]
        cls = {T.IF: n.IfNode, T.RANGE: n.RangeNode, T.WITH: n.WithNode}[typ]
        return cls(pipe.pos, pipe.line, pipe, body, else_list)

    def block_control(self) -> n.Node:
        """``{{block "name" pipeline}} body {{end}}``: define name as body, then call it."""
        context = "block clause"
        tok = self.next_non_space()
        if tok.typ not in (T.STRING, T.RAW_STRING):
            self.unexpected(tok, context)
        name = self._unquote(tok.val)
        pipe = self.pipeline(context, T.RIGHT_DELIM)
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        self.vars = saved_vars
        if not isinstance(end, n.EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self._add_definition(name, body)
        return n.TemplateNode(tok.pos, tok.line, name, pipe)

    def _add_definition(self, name: str, body: n.ListNode) -> None:
        old = self.defined.get(name)
        if old is not None and not _is_empty(old) and not _is_empty(body):
            from gameday.rules.gotemplate.gostrconv import go_quote

            self.errorf(f"template: multiple definition of template {go_quote(name)}")
        if old is None or _is_empty(old):
            self.defined[name] = body

    def template_control(self) -> n.Node:
        context = "template clause"
        tok = self.next_non_space()
        if tok.typ not in (T.STRING, T.RAW_STRING):
            self.unexpected(tok, context)
        name = self._unquote(tok.val)
        pipe = None
        if self.next_non_space().typ != T.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, T.RIGHT_DELIM)
        return n.TemplateNode(tok.pos, tok.line, name, pipe)

    def pipeline(self, context: str, end: T) -> n.PipeNode:
        tok = self.peek_non_space()
        pipe = n.PipeNode(tok.pos, tok.line)
        while True:  # declarations
            v = self.peek_non_space()
            if v.typ != T.VARIABLE:
                break
            mark = self.i
            self.next_non_space()
            nxt = self.peek_non_space()
            if nxt.typ in (T.ASSIGN, T.DECLARE):
                pipe.is_assign = nxt.typ == T.ASSIGN
                self.next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
            elif nxt.typ == T.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (T.VARIABLE, T.RIGHT_DELIM, T.RIGHT_PAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            else:
                self.i = mark
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def check_pipeline(self, pipe: n.PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            if isinstance(
                c.args[0], n.BoolNode | n.DotNode | n.NilNode | n.NumberNode | n.StringNode
            ):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> n.CommandNode:
        cmd = n.CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.typ == T.SPACE:
                continue
            if tok.typ in (T.RIGHT_DELIM, T.RIGHT_PAREN):
                self.backup()
            elif tok.typ != T.PIPE:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> n.Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == T.FIELD:
            chain = n.ChainNode(self.peek().pos, node)
            while self.peek().typ == T.FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, n.FieldNode):
                return n.FieldNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, n.VariableNode):
                return n.VariableNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, n.BoolNode | n.StringNode | n.NumberNode | n.NilNode | n.DotNode):
                from gameday.rules.gotemplate.gofmt import go_quote

                self.errorf(f"unexpected . after term {go_quote(str(node))}")
            return chain
        return node

    def term(self) -> n.Node | None:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == T.IDENTIFIER:
            if tok.val not in self.funcs:
                self.errorf(f'function "{tok.val}" not defined')
            return n.IdentifierNode(tok.pos, tok.val)
        if typ == T.DOT:
            return n.DotNode(tok.pos)
        if typ == T.NIL:
            return n.NilNode(tok.pos)
        if typ == T.VARIABLE:
            ident = tok.val.split(".")
            if ident[0] not in self.vars:
                self.errorf(f'undefined variable "{ident[0]}"')
            return n.VariableNode(tok.pos, ident)
        if typ == T.FIELD:
            return n.FieldNode(tok.pos, tok.val[1:].split("."))
        if typ == T.BOOL:
            return n.BoolNode(tok.pos, tok.val == "true")
        if typ in (T.CHAR_CONSTANT, T.COMPLEX, T.NUMBER):
            try:
                return parse_number(tok.pos, tok.val, typ == T.CHAR_CONSTANT, typ == T.COMPLEX)
            except ValueError as exc:
                self.errorf(str(exc))
        if typ == T.LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", T.RIGHT_PAREN)
        if typ in (T.STRING, T.RAW_STRING):
            return n.StringNode(tok.pos, tok.val, self._unquote(tok.val))
        self.backup()
        return None

    def _unquote(self, quoted: str) -> str:
        try:
            return unquote(quoted)
        except ValueError as exc:
            self.errorf(str(exc))
            raise AssertionError from exc  # pragma: no cover


def _is_empty(node: n.Node) -> bool:
    """Go's ``IsEmptyTree``: only space text (or nothing) in the list."""
    if isinstance(node, n.ListNode):
        return all(_is_empty(c) for c in node.nodes)
    if isinstance(node, n.TextNode):
        return node.text.strip(" \t\r\n\v\f") == ""
    return False
