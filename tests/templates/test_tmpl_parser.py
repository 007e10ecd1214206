"""Lexer and parser: tokens, trim markers, the tree's Go-style String(), parse errors."""

from __future__ import annotations

import pytest

from gameday.rules.gotemplate import ParseError, parse, parse_error_message
from gameday.rules.gotemplate import nodes as n
from gameday.rules.gotemplate.lexer import lex
from gameday.rules.gotemplate.tokens import T


def kinds(text: str) -> list[tuple[T, str]]:
    return [(i.typ, i.val) for i in lex(text)]


def test_lexer_tokens_inside_an_action() -> None:
    """Actions split into fields, variables, strings, numbers, pipes and spaces."""
    assert kinds('a{{ $x := .A.b | printf "%d" 1.5 }}z') == [
        (T.TEXT, "a"),
        (T.LEFT_DELIM, "{{"),
        (T.SPACE, " "),
        (T.VARIABLE, "$x"),
        (T.SPACE, " "),
        (T.DECLARE, ":="),
        (T.SPACE, " "),
        (T.FIELD, ".A"),
        (T.FIELD, ".b"),
        (T.SPACE, " "),
        (T.PIPE, "|"),
        (T.SPACE, " "),
        (T.IDENTIFIER, "printf"),
        (T.SPACE, " "),
        (T.STRING, '"%d"'),
        (T.SPACE, " "),
        (T.NUMBER, "1.5"),
        (T.SPACE, " "),
        (T.RIGHT_DELIM, "}}"),
        (T.TEXT, "z"),
        (T.EOF, ""),
    ]


def test_trim_markers_and_comments_are_handled_by_the_lexer() -> None:
    """Trimmed space and comments never reach the parser; "{{-3}}" is a number."""
    assert kinds("a \n{{- 1 -}}\n b") == [
        (T.TEXT, "a"),
        (T.LEFT_DELIM, "{{"),
        (T.NUMBER, "1"),
        (T.RIGHT_DELIM, "}}"),
        (T.TEXT, "b"),
        (T.EOF, ""),
    ]
    assert kinds("x {{/* c */}} y")[:2] == [(T.TEXT, "x "), (T.TEXT, " y")]
    assert (T.NUMBER, "-3") in kinds("{{-3}}")


def test_lexer_reports_errors_as_a_final_item() -> None:
    """An error ends the token list."""
    assert lex("{{ .A")[-1].typ == T.ERROR
    assert lex("{{ .A")[-1].val == "unclosed action"
    assert lex('{{ "x }}')[-1].val == "unterminated quoted string"


@pytest.mark.parametrize(
    "text",
    [
        "{{.A.B}}",
        '{{printf "%s" .A | len}}',
        "{{$x := 1}}",
        "{{if .A}}a{{else}}b{{end}}",
        "{{range $i, $e := .}}{{$e}}{{end}}",
        "{{with .A}}{{.}}{{end}}",
        '{{template "t" .}}',
        "{{(len .A).X}}",
    ],
)
def test_tree_prints_like_go(text: str) -> None:
    """Each node's str() is Go's Node.String(), used in execution error messages."""
    assert "".join(str(node) for node in parse(text).root.nodes) == text


def test_else_if_nests_an_if_in_the_else_branch() -> None:
    """{{else if}} is sugar for an if inside else."""
    root = parse("{{if .A}}a{{else if .B}}b{{end}}").root
    node = root.nodes[0]
    assert isinstance(node, n.IfNode)
    assert node.else_list is not None and isinstance(node.else_list.nodes[0], n.IfNode)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ foo }}", 'template: T:1: function "foo" not defined'),
        ("{{ $x }}", 'template: T:1: undefined variable "$x"'),
        ("{{ if }}", "template: T:1: missing value for if"),
        ("{{ .A | 3 }}", "template: T:1: non executable command in pipeline stage 2"),
        ("a\n\n{{ end }}", "template: T:3: unexpected {{end}}"),
        ("{{ if .A }}", "template: T:1: unexpected EOF"),
        ("{{ 3x }}", 'template: T:1: bad number syntax: "3x"'),
        ("{{ 'ab' }}", "template: T:1: malformed character constant: 'ab'"),
        ("{{ break }}", "template: T:1: {{break}} outside {{range}}"),
        ('{{ "a".b }}', 'template: T:1: unexpected . after term "\\"a\\""'),
    ],
)
def test_parse_errors_match_go(text: str, message: str) -> None:
    """Parse errors carry Go's text and line number."""
    with pytest.raises(ParseError) as info:
        parse(text)
    assert parse_error_message("T", info.value) == message
