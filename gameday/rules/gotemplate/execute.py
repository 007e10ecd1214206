"""Executes a parsed Go template, following ``text/template/exec.go`` (Go 1.19).

Prometheus runs templates with ``missingkey=zero``: a missing key of ``$labels`` (a
``map[string]string``) reads as "", one of an ``args`` map as ``<no value>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from gameday.rules.gotemplate import nodes as n
from gameday.rules.gotemplate.funcs import FUNCS, Context, Func, GoError
from gameday.rules.gotemplate.gofmt import go_quote, print_value
from gameday.rules.gotemplate.values import (
    FIELDS,
    TYPE_NAMES,
    GoTime,
    IfaceMap,
    QueryResult,
    SamplePtr,
    TemplateData,
    go_type_name,
    is_true,
)

MAX_DEPTH = 100  # nested {{template}} calls; only runaway recursion gets this deep
MISSING: Any = object()  # "no final value" in a pipeline (Go's missingVal)


class ExecError(Exception):
    """An execution error carrying Go's full message (``template: NAME:L:C: executing ...``)."""


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_CHECKS = {
    "string": lambda v: type(v) is str,
    "float64": lambda v: type(v) is float,
    "int": lambda v: type(v) is int,
    "bool": lambda v: type(v) is bool,
    "sample": lambda v: type(v) is SamplePtr,
    "queryResult": lambda v: type(v) is QueryResult,
}


class State:
    """One execution: output buffer, variable stack and the node being evaluated."""

    def __init__(self, name: str, text: str, defined: dict[str, n.ListNode], ctx: Context):
        self.name, self.text, self.defined, self.ctx = name, text, defined, ctx
        self.current = name  # the template being executed: the main one or a {{define}}d one
        self.out: list[str] = []
        self.vars: list[list[Any]] = []
        self.node: n.Node | None = None
        self.depth = 0

    def errorf(self, msg: str) -> NoReturn:
        if self.node is None:
            raise ExecError(f"template: {self.current}: {msg}")
        head = self.text[: self.node.pos]
        line = head.count("\n") + 1
        col = len(head[head.rfind("\n") + 1 :].encode())
        raise ExecError(
            f"template: {self.name}:{line}:{col}: executing {go_quote(self.current)} "
            f"at <{self.node}>: {msg}"
        )

    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    def walk(self, dot: Any, node: n.Node) -> None:  # noqa: C901
        self.node = node
        typ = type(node)
        if typ is n.TextNode:
            self.out.append(node.text)  # type: ignore[attr-defined]
        elif typ is n.ActionNode:
            pipe = node.pipe  # type: ignore[attr-defined]
            val = self.eval_pipeline(dot, pipe)
            if not pipe.decl:
                self.node = node
                self.out.append(val if type(val) is str else print_value(val))
        elif typ is n.ListNode:
            self.walk_list(dot, node.nodes)  # type: ignore[attr-defined]
        elif typ is n.IfNode or typ is n.WithNode:
            mark = len(self.vars)
            val = self.eval_pipeline(dot, node.pipe)  # type: ignore[attr-defined]
            if is_true(val):
                self.walk(val if typ is n.WithNode else dot, node.list)  # type: ignore[attr-defined]
            elif node.else_list is not None:  # type: ignore[attr-defined]
                self.walk(dot, node.else_list)  # type: ignore[attr-defined]
            del self.vars[mark:]
        elif typ is n.RangeNode:
            self.walk_range(dot, node)  # type: ignore[arg-type]
        elif typ is n.TemplateNode:
            self.walk_template(dot, node)  # type: ignore[arg-type]
        elif typ is n.BreakNode:
            raise _Break
        elif typ is n.ContinueNode:
            raise _Continue
        else:  # pragma: no cover
            self.errorf(f"unknown node: {node}")

    def walk_list(self, dot: Any, nodes: list[n.Node]) -> None:
        out = self.out
        for child in nodes:
            if type(child) is n.TextNode:
                out.append(child.text)
            else:
                self.walk(dot, child)

    def walk_range(self, dot: Any, r: n.RangeNode) -> None:
        mark = len(self.vars)
        val = self.eval_pipeline(dot, r.pipe)
        inner = len(self.vars)
        if isinstance(val, dict):
            pairs = [(k, val[k]) for k in sorted(val)]
        elif isinstance(val, list):
            pairs = list(enumerate(val))
        elif val is None:
            pairs = []
        else:
            self.errorf(f"range can't iterate over {print_value(val)}")
        for index, elem in pairs:
            if r.pipe.decl:
                self.vars[inner - 1][1] = elem
            if len(r.pipe.decl) > 1:
                self.vars[inner - 2][1] = index
            try:
                self.walk(elem, r.list)
            except _Break:
                del self.vars[inner:]
                break
            except _Continue:
                del self.vars[inner:]  # {{continue}}: on to the next element
                continue
            del self.vars[inner:]
        if not pairs and r.else_list is not None:
            self.walk(dot, r.else_list)
        del self.vars[mark:]

    def walk_template(self, dot: Any, t: n.TemplateNode) -> None:
        self.node = t
        body = self.defined.get(t.name)
        if body is None:
            self.errorf(f"template {go_quote(t.name)} not defined")
        if self.depth >= MAX_DEPTH:  # Go allows 100000; Python's stack does not
            self.errorf("exceeded maximum template depth (100000)")
        new_dot = self.eval_pipeline(dot, t.pipe) if t.pipe is not None else None
        saved, self.vars = self.vars, [["$", new_dot]]
        saved_name, self.current = self.current, t.name
        self.depth += 1
        try:
            self.walk(new_dot, body)
        finally:
            self.vars, self.depth, self.current = saved, self.depth - 1, saved_name

    def eval_pipeline(self, dot: Any, pipe: n.PipeNode) -> Any:
        self.node = pipe
        value = MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.vars.append([var.ident[0], value])
        return value

    def not_a_function(self, args: list[n.Node], final: Any) -> None:
        if len(args) > 1 or final is not MISSING:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: n.CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        typ = type(first)
        if typ is n.VariableNode:
            return self.eval_variable(dot, first, cmd.args, final)  # type: ignore[arg-type]
        if typ is n.IdentifierNode:
            return self.eval_function(dot, first, cmd, cmd.args, final)  # type: ignore[arg-type]
        if typ is n.FieldNode:
            self.node = first
            return self.eval_field_chain(dot, dot, first, first.ident, cmd.args, final)  # type: ignore[attr-defined]
        if typ is n.ChainNode:
            return self.eval_chain(dot, first, cmd.args, final)  # type: ignore[arg-type]
        if typ is n.PipeNode:
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)  # type: ignore[arg-type]
        self.node = first
        self.not_a_function(cmd.args, final)
        if isinstance(first, n.BoolNode):
            return first.value
        if isinstance(first, n.DotNode):
            return dot
        if isinstance(first, n.NilNode):
            self.errorf("nil is not a command")
        if isinstance(first, n.NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, n.StringNode):
            return first.text
        self.errorf(f"can't evaluate command {go_quote(str(first))}")

    def ideal_constant(self, c: n.NumberNode) -> Any:
        self.node = c
        text = c.text
        if c.is_complex:
            return c.complex_value
        is_hex_int = text[:2].lower() == "0x" and not any(ch in text for ch in "pP")
        if c.is_float and not is_hex_int and text[0] != "'" and any(ch in text for ch in ".eEpP"):
            return c.float_value
        if c.is_int:
            return c.int_value
        if c.is_uint:
            self.errorf(f"{text} overflows int")
        return None

    def eval_chain(self, dot: Any, chain: n.ChainNode, args: list[n.Node], final: Any) -> Any:
        self.node = chain
        if isinstance(chain.node, n.NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        pipe = self.eval_arg(dot, "any", chain.node)
        return self.eval_field_chain(dot, pipe, chain, chain.fields, args, final)

    def eval_variable(self, dot: Any, var: n.VariableNode, args: list[n.Node], final: Any) -> Any:
        self.node = var
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_field_chain(
        self, dot: Any, receiver: Any, node: n.Node, ident: list[str], args: Any, final: Any
    ) -> Any:
        for name in ident[:-1]:
            receiver = self.eval_field(dot, name, node, None, MISSING, receiver)
        return self.eval_field(dot, ident[-1], node, args, final, receiver)

    def eval_field(  # noqa: C901
        self, dot: Any, name: str, node: n.Node, args: Any, final: Any, receiver: Any
    ) -> Any:
        if receiver is None:
            return None
        has_args = (args is not None and len(args) > 1) or final is not MISSING
        if type(receiver) is dict and not has_args:
            return receiver.get(name, "")
        if isinstance(receiver, GoTime):
            from gameday.rules.gotemplate.gotime import time_method

            method = time_method(receiver, name)
            if method is not None:
                return self.eval_call(dot, method, node, name, args, final)
        if isinstance(receiver, TemplateData | SamplePtr) and name in FIELDS[type(receiver)]:
            if has_args:
                self.errorf(f"{name} has arguments but cannot be invoked as function")
            return getattr(receiver, name)
        if isinstance(receiver, dict):
            if has_args:
                self.errorf(f"{name} is not a method but has arguments")
            if name in receiver:
                return receiver[name]
            return None if isinstance(receiver, IfaceMap) else ""
        self.errorf(f"can't evaluate field {name} in type {go_type_name(receiver)}")

    def eval_function(
        self, dot: Any, node: n.IdentifierNode, cmd: n.Node, args: Any, final: Any
    ) -> Any:
        self.node = node
        fn = FUNCS.get(node.ident)
        if fn is None:
            self.errorf(f"{go_quote(node.ident)} is not a defined function")
        return self.eval_call(dot, fn, cmd, node.ident, args, final)

    def eval_call(  # noqa: C901
        self, dot: Any, fn: Func, node: n.Node, name: str, args: Any, final: Any
    ) -> Any:
        nargs = len(args) - 1 if args else 0
        has_final = final is not MISSING
        num_in = nargs + has_final
        params = fn.params
        nparams = len(params)
        if fn.variadic is not None:
            if num_in < nparams:
                self.errorf(f"wrong number of args for {name}: want at least {nparams} got {nargs}")
        elif num_in != nparams:
            self.errorf(f"wrong number of args for {name}: want {nparams} got {num_in}")
        if fn.builtin and (name == "and" or name == "or"):
            v: Any = None
            for i in range(1, nargs + 1):
                v = self.eval_arg(dot, "any", args[i])
                if is_true(v) == (name == "or"):
                    return v
            return final if has_final else v
        argv: list[Any] = []
        for i in range(nargs):
            typ = params[i] if i < nparams else fn.variadic
            argv.append(self.eval_arg(dot, typ or "any", args[i + 1]))
        if has_final:
            typ = params[nargs] if nargs < nparams else fn.variadic
            argv.append(final if typ == "any" else self.validate(final, typ or "any"))
        try:
            return fn.fn(self.ctx, *argv)
        except GoError as exc:
            self.node = node
            self.errorf(f"error calling {name}: {exc}")

    def validate(self, value: Any, typ: str) -> Any:
        if typ == "any":
            return value
        if value is None:
            if typ in ("sample", "queryResult"):
                return None
            self.errorf(f"invalid value; expected {TYPE_NAMES[typ]}")
        if not _CHECKS[typ](value):
            self.errorf(
                f"wrong type for value; expected {TYPE_NAMES[typ]}; got {go_type_name(value)}"
            )
        return value

    def eval_arg(self, dot: Any, typ: str, node: n.Node) -> Any:  # noqa: C901
        self.node = node
        if isinstance(node, n.DotNode):
            return self.validate(dot, typ)
        if isinstance(node, n.NilNode):
            if typ in ("any", "sample", "queryResult"):
                return None
            self.errorf(f"cannot assign nil to {TYPE_NAMES[typ]}")
        if isinstance(node, n.FieldNode):
            return self.validate(
                self.eval_field_chain(dot, dot, node, node.ident, [node], MISSING), typ
            )
        if isinstance(node, n.VariableNode):
            return self.validate(self.eval_variable(dot, node, [], MISSING), typ)
        if isinstance(node, n.PipeNode):
            return self.validate(self.eval_pipeline(dot, node), typ)
        if isinstance(node, n.IdentifierNode):
            return self.validate(self.eval_function(dot, node, node, None, MISSING), typ)
        if isinstance(node, n.ChainNode):
            return self.validate(self.eval_chain(dot, node, [], MISSING), typ)
        if typ == "any":
            if isinstance(node, n.BoolNode):
                return node.value
            if isinstance(node, n.NumberNode):
                return self.ideal_constant(node)
            if isinstance(node, n.StringNode):
                return node.text
        elif typ == "bool":
            if isinstance(node, n.BoolNode):
                return node.value
            self.errorf(f"expected bool; found {node}")
        elif typ == "string":
            if isinstance(node, n.StringNode):
                return node.text
            self.errorf(f"expected string; found {node}")
        elif typ == "float64":
            if isinstance(node, n.NumberNode) and node.is_float:
                return node.float_value
            self.errorf(f"expected float; found {node}")
        elif typ == "int":
            if isinstance(node, n.NumberNode) and node.is_int:
                return node.int_value
            self.errorf(f"expected integer; found {node}")
        self.errorf(f"can't handle {node} for arg of type {TYPE_NAMES.get(typ, typ)}")


def execute(
    name: str,
    text: str,
    root: n.ListNode,
    defined: dict[str, n.ListNode],
    data: Any,
    ctx: Context,
    variables: Sequence[tuple[str, Any]] = (),
) -> str:
    """Run a parsed template over ``data``; raise ExecError with Go's message on failure.

    ``variables`` are pushed after ``$`` before running, as if declared by the template.
    """
    state = State(name, text, defined, ctx)
    state.vars.append(["$", data])
    state.vars.extend([k, v] for k, v in variables)
    state.walk(data, root)
    return "".join(state.out)
