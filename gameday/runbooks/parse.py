"""Markdown runbooks as teams write them, parsed into sections, steps and commands.

A runbook is a title, sections (Overview, Quick assessment, Diagnosis, Mitigation,
Escalation, Verification ...) and, inside them, numbered or bulleted steps. A step's
shell commands live in its fenced code blocks (or inline code that starts with a known
tool). Commands are cleaned the way a person copying them would: ``$ `` prompts and
comments dropped, ``\\`` continuations joined. The alerts a runbook covers come from a
front-matter block (``alerts: [A, B]``), a line such as ``Alert: A, B``, or the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from gameday.errors import InputError, Problem
from gameday.files import read_text
from gameday.goregex import compile_go
from gameday.runbooks.shell import commands_from_code, looks_like_command, sql_commands
from gameday.runbooks.verbs import step_verbs, verb_of
from gameday.yamldoc import guarded_load

# Section kind by heading words, first match wins (so "Verify resolution" is verification).
_KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("postincident", ("post-incident", "post incident", "postmortem", "post-mortem", "follow")),
    ("verification", ("verif", "validat", "confirm recovery", "recovered", "health check")),
    ("escalation", ("escalat", "contact", "who to call")),
    ("triage", ("quick", "triage", "first response", "first steps", "assess", "initial")),
    ("diagnosis", ("diagnos", "investigat", "troubleshoot", "identify", "debug", "root cause")),
    (
        "mitigation",
        (
            "mitigat",
            "resolution",
            "recover",
            "remediat",
            "fix",
            "workaround",
            "rollback",
            "roll back",
            "resolve",
        ),
    ),
    ("overview", ("overview", "summary", "description", "about", "context", "impact", "symptom")),
]
_ALERT_LINE = re.compile(r"^\W*alerts?\W*:\W*(?P<names>.+)$", re.IGNORECASE)
# CamelCase alert names in a title; RE2, as the nested repetition backtracks in Python's
# re (34 capitals then "_" took minutes).
_ALERT_NAME = compile_go(r"\b[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+\b")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?\n)---[ \t]*\n", re.DOTALL)


@dataclass(frozen=True)
class Step:
    """One numbered or bulleted step: its text and the commands it asks you to run."""

    number: int
    text: str
    commands: list[str] = field(default_factory=list)
    line: int = 0
    command_lines: list[int] = field(default_factory=list)
    verbs: tuple[str, ...] = ()  # incident verbs it asks for: ("ack", "sev"), see verbs.py


@dataclass(frozen=True)
class Section:
    """A heading and the steps under it; ``kind`` classifies the heading."""

    name: str
    kind: str
    steps: list[Step] = field(default_factory=list)
    line: int = 0
    level: int = 2
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The section's prose outside its steps."""
        return " ".join(self.paragraphs)


@dataclass(frozen=True)
class Runbook:
    """A parsed runbook file."""

    path: str
    title: str
    sections: list[Section] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @property
    def steps(self) -> list[tuple[Section, Step]]:
        """Every step with its section, in document order."""
        return [(sec, step) for sec in self.sections for step in sec.steps]

    @property
    def slug(self) -> str:
        """The file name without its suffix, as alert annotations tend to link it."""
        return Path(self.path).stem


def section_kind(name: str) -> str:
    """Classify a heading: triage, diagnosis, mitigation, escalation, ... or ``other``."""
    low = name.lower()
    for kind, words in _KINDS:
        if any(w in low for w in words):
            return kind
    return "other"


def _inline_text(tok: Token) -> str:
    return " ".join(tok.content.split())


def _inline_commands(tok: Token) -> list[str]:
    return [
        c.content.strip()
        for c in tok.children or []
        if c.type == "code_inline" and looks_like_command(c.content)
    ]


def _fence_commands(tok: Token, offset: int) -> tuple[list[str], list[int]]:
    first = (tok.map[0] if tok.map else 0) + offset + (2 if tok.type == "fence" else 1)
    lang = tok.info.strip().split(" ")[0].lower() if tok.type == "fence" else ""
    if lang in ("sql", "psql", "postgresql", "pgsql"):
        cmds = sql_commands(tok.content)
        return cmds, [first] * len(cmds)
    if lang not in ("", "bash", "sh", "shell", "console", "zsh", "shell-session", "terminal"):
        return [], []
    pairs = commands_from_code(tok.content)
    return [c for c, _ in pairs], [first + i for _, i in pairs]


class _Builder:
    """Walks markdown-it tokens and collects sections and steps."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.sections: list[Section] = []
        self.title = ""
        self.lines_of_text: list[str] = []

    def _line(self, tok: Token) -> int:
        return (tok.map[0] if tok.map else 0) + 1 + self.offset

    def run(self, tokens: list[Token]) -> None:
        i, parent_kind, pending = 0, "other", ""
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open":
                name = _inline_text(tokens[i + 1])
                level = int(tok.tag[1])
                if level == 1 and not self.title:
                    self.title = name
                else:
                    kind = section_kind(name)
                    if level >= 3 and kind in ("other", "overview") and self.sections:
                        kind = parent_kind
                    elif level <= 2:
                        parent_kind = kind
                    self.sections.append(Section(name, kind, [], self._line(tok), level))
                i, pending = i + 3, ""
                continue
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                i = self._list(tokens, i)
                continue
            if tok.type == "inline":
                self.lines_of_text.append(tok.content)
                pending = _inline_text(tok)
                if self.sections:
                    self.sections[-1].paragraphs.append(pending)
                cmds = _inline_commands(tok)
                if cmds and self.sections:
                    self._add_step(pending, cmds, [self._line(tok)] * len(cmds), self._line(tok))
            elif tok.type in ("fence", "code_block") and self.sections:
                cmds, lines = _fence_commands(tok, self.offset)
                if cmds:
                    self._add_step(pending, cmds, lines, self._line(tok))
            i += 1

    def _add_step(
        self,
        text: str,
        cmds: list[str],
        lines: list[int],
        line: int,
        number: int | None = None,
        code: list[str] | None = None,
    ) -> None:
        sec = self.sections[-1]
        num = number if number is not None else len(sec.steps) + 1
        verbs = step_verbs(text, cmds + (code or []))
        # `sev SEV1` in a code block is the incident tool's, not a shell command
        keep = [i for i, c in enumerate(cmds) if verb_of(c) is None]
        cmds, lines = [cmds[i] for i in keep], [lines[i] for i in keep]
        sec.steps.append(Step(num, text, cmds, line, lines, verbs))

    def _list(self, tokens: list[Token], i: int) -> int:
        """Each top-level item is a step; nested content belongs to it. Returns next index."""
        depth, item = 0, None
        for j in range(i, len(tokens)):
            tok = tokens[j]
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                depth += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
                if depth == 0:
                    return j + 1
            elif tok.type == "list_item_open" and depth == 1:
                number = int(tok.info) if tok.info.isdigit() else None
                item = _Item(number, self._line(tok))
            elif tok.type == "list_item_close" and depth == 1 and item is not None:
                if self.sections:
                    text = " ".join(item.text)
                    self._add_step(text, item.cmds, item.lines, item.line, item.number, item.code)
                item = None
            elif item is not None and tok.type == "inline":
                self.lines_of_text.append(tok.content)
                item.text.append(_inline_text(tok))
                for cmd in _inline_commands(tok):
                    item.cmds.append(cmd)
                    item.lines.append(self._line(tok))
            elif item is not None and tok.type in ("fence", "code_block"):
                cmds, lines = _fence_commands(tok, self.offset)
                item.cmds += cmds
                item.lines += lines
                item.code += tok.content.splitlines()
        return len(tokens)


@dataclass
class _Item:
    """A list item being collected into a step."""

    number: int | None
    line: int
    text: list[str] = field(default_factory=list)
    cmds: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    code: list[str] = field(default_factory=list)


def _alerts(front: dict | None, title: str, texts: list[str]) -> list[str]:
    found: list[str] = []
    if isinstance(front, dict):
        value = front.get("alerts", front.get("alert"))
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",")]
        if isinstance(value, list):
            found += [str(v).strip() for v in value if str(v).strip()]
    for text in texts:
        lines = [ln.strip() for ln in text.splitlines()]
        for i, line in enumerate(lines):
            m = _ALERT_LINE.match(line)
            if not m:
                continue
            names = m["names"]
            while names.rstrip().endswith(",") and i + 1 < len(lines):  # list goes on
                i += 1
                names += " " + lines[i]
            found += [n.strip(" `*_") for n in re.split(r"[,\s]+", names) if n.strip(" `*_")]
    found += [m.groups[0] or "" for m in _ALERT_NAME.finditer(title)]
    return list(dict.fromkeys(found))


def parse_runbook_text(text: str, path: str = "<runbook>") -> Runbook:
    """Parse Markdown source; ``path`` names it in the result and in problems."""
    front, offset, body = None, 0, text
    m = _FRONT_MATTER.match(text)
    if m:
        try:
            front = guarded_load(m["body"])
        except yaml.YAMLError as exc:
            raise InputError(Problem(path, 1, message=f"front matter is not YAML: {exc}")) from exc
        offset = m["body"].count("\n") + 2
        body = text[m.end() :]
    builder = _Builder(offset)
    builder.run(MarkdownIt("commonmark").parse(body))
    title = builder.title or Path(path).stem
    texts = [t for t in builder.lines_of_text[:20]]
    return Runbook(path, title, builder.sections, _alerts(front, title, texts))


def parse_runbook(path: str | Path) -> Runbook:
    """Read and parse one runbook file.

    Raises:
        InputError: if the file cannot be read or its front matter is broken.
    """
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), message=f"cannot read runbook: {exc}")) from exc
    return parse_runbook_text(text, str(path))
