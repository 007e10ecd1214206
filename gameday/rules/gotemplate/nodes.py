"""Parse-tree nodes of a Go template, mirroring ``text/template/parse/node.go``.

``str(node)`` reproduces Go's ``Node.String()``, which appears in execution errors
("executing ... at <gt $value 0>: ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False, slots=True)
class Node:
    """Base of all nodes; ``pos`` is the character offset in the full template text."""

    pos: int


@dataclass(eq=False, slots=True)
class TextNode(Node):
    text: str

    def __str__(self) -> str:
        return self.text  # Go's textFormat is "%s"


@dataclass(eq=False, slots=True)
class ListNode(Node):
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass(eq=False, slots=True)
class DotNode(Node):
    def __str__(self) -> str:
        return "."


@dataclass(eq=False, slots=True)
class NilNode(Node):
    def __str__(self) -> str:
        return "nil"


@dataclass(eq=False, slots=True)
class BoolNode(Node):
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(eq=False, slots=True)
class NumberNode(Node):
    """A numeric constant; which of ``is_int``/``is_float`` hold follows Go's rules."""

    text: str
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    is_complex: bool = False
    int_value: int = 0
    float_value: float = 0.0
    complex_value: complex = 0j

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False, slots=True)
class StringNode(Node):
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass(eq=False, slots=True)
class IdentifierNode(Node):
    ident: str

    def __str__(self) -> str:
        return self.ident


@dataclass(eq=False, slots=True)
class VariableNode(Node):
    ident: list[str]

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass(eq=False, slots=True)
class FieldNode(Node):
    ident: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


@dataclass(eq=False, slots=True)
class ChainNode(Node):
    node: Node
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        s = str(self.node)
        if isinstance(self.node, PipeNode):
            s = "(" + s + ")"
        return s + "".join("." + f for f in self.fields)


@dataclass(eq=False, slots=True)
class CommandNode(Node):
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        parts = []
        for a in self.args:
            parts.append(f"({a})" if isinstance(a, PipeNode) else str(a))
        return " ".join(parts)


@dataclass(eq=False, slots=True)
class PipeNode(Node):
    line: int
    is_assign: bool = False
    decl: list[VariableNode] = field(default_factory=list)
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        s = ""
        if self.decl:
            s = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return s + " | ".join(str(c) for c in self.cmds)


@dataclass(eq=False, slots=True)
class ActionNode(Node):
    line: int
    pipe: PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(eq=False, slots=True)
class BranchNode(Node):
    """Shared shape of if/range/with."""

    line: int
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None
    keyword: str = ""

    def __str__(self) -> str:
        s = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            s += "{{else}}" + str(self.else_list)
        return s + "{{end}}"


@dataclass(eq=False, slots=True)
class IfNode(BranchNode):
    keyword: str = "if"


@dataclass(eq=False, slots=True)
class RangeNode(BranchNode):
    keyword: str = "range"


@dataclass(eq=False, slots=True)
class WithNode(BranchNode):
    keyword: str = "with"


@dataclass(eq=False, slots=True)
class BreakNode(Node):
    line: int

    def __str__(self) -> str:
        return "{{break}}"


@dataclass(eq=False, slots=True)
class ContinueNode(Node):
    line: int

    def __str__(self) -> str:
        return "{{continue}}"


@dataclass(eq=False, slots=True)
class TemplateNode(Node):
    line: int
    name: str
    pipe: PipeNode | None

    def __str__(self) -> str:
        from gameday.rules.gotemplate.gofmt import go_quote

        if self.pipe is None:
            return "{{template " + go_quote(self.name) + "}}"
        return "{{template " + go_quote(self.name) + " " + str(self.pipe) + "}}"


@dataclass(eq=False, slots=True)
class EndNode(Node):
    def __str__(self) -> str:
        return "{{end}}"


@dataclass(eq=False, slots=True)
class ElseNode(Node):
    line: int

    def __str__(self) -> str:
        return "{{else}}"
