"""Load Prometheus rule files: plain ``groups:`` files and PrometheusRule manifests.

Validation follows ``rulefmt`` of Prometheus 2.42 (unknown keys, empty or repeated group
names, record/alert exclusivity, ``expr`` that must parse, recording-rule restrictions,
label names) and reports every problem with file, line, column and dotted key.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from gameday.errors import InputError, Problem, did_you_mean
from gameday.files import read_text
from gameday.promql.errors import PromQLParseError
from gameday.promql.evaluator import parse
from gameday.rules.model import Rule, RuleGroup, parse_go_duration
from gameday.rules.yamlstr import load_str_yaml
from gameday.yamldoc import DepthLimited, run_loader

_GROUP_KEYS = ("name", "interval", "limit", "rules")
_RULE_KEYS = ("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations")
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_METRIC_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


class _Doc:
    """Positions of every key of a YAML document.

    The same idea as :class:`gameday.yamldoc.YamlDoc`, kept here because importing that
    module pulls in pydantic, which would cost ``gameday rules test`` most of a second.
    """

    def __init__(self, path: str, data: Any, positions: dict[tuple, tuple[int, int]]) -> None:
        self.path, self.data, self.positions = path, data, positions

    def where(self, loc: tuple) -> tuple[int | None, int | None]:
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (None, None))

    def problem(self, loc: tuple, message: str, hint: str | None = None) -> Problem:
        line, col = self.where(tuple(loc))
        key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        return Problem(self.path, line, col, key or None, message, hint)


def _walk(node: yaml.Node, loc: tuple, out: dict[tuple, tuple[int, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            here = (*loc, k.value if isinstance(k, yaml.ScalarNode) else str(k))
            out[here] = (k.start_mark.line + 1, k.start_mark.column + 1)
            _walk(v, here, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*loc, i)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _walk(item, (*loc, i), out)


def parse_yaml(text: str, path: str) -> _Doc:
    """Parse YAML keeping key positions; syntax errors become an :class:`InputError`."""

    def work(loader: DepthLimited) -> tuple[Any, Any]:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None

    try:
        node, data = run_loader(text, DepthLimited, work)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        msg = f"YAML syntax error: {exc.problem or exc.context}"
        raise InputError(Problem(path, line, col, None, msg)) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(path, None, None, None, f"YAML error: {exc}")) from None
    positions: dict[tuple, tuple[int, int]] = {}
    if node is not None:
        positions[()] = (node.start_mark.line + 1, node.start_mark.column + 1)
        _walk(node, (), positions)
    return _Doc(path, data, positions)


def _raw(text: str) -> Any:
    """The document with every scalar as its literal text (as Go's yaml.v2 reads strings)."""
    try:
        return load_str_yaml(text)
    except yaml.YAMLError:
        return None


def _str(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _check_template(text: str, alert: str) -> str | None:
    """A template syntax error message, or None (when the renderer can tell)."""
    if "{{" not in text:  # plain text: nothing to parse (and no template engine to import)
        return None
    try:
        from gameday.rules import templates
    except ImportError:
        return None
    check = getattr(templates, "check_template", None)
    if check is None:
        return None
    try:
        result = check(text, name=f"__alert_{alert}")
    except Exception as exc:  # the renderer's TemplateError
        return str(exc)
    return str(result) if result else None


def parse_rule_text(text: str, path: str) -> tuple[list[RuleGroup], list[Problem]]:
    """Parse one rule file's text; returns the groups and every problem found."""
    problems: list[Problem] = []
    try:
        doc = parse_yaml(text, path)
    except InputError as exc:
        return [], list(exc.problems)
    raw = _raw(text)
    data, raw_data = doc.data, raw
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict) and "spec" in data and "groups" not in data:
        spec = data.get("spec") or {}
        data = spec if isinstance(spec, dict) else {}
        raw_data = (raw or {}).get("spec") or {}
        prefix = ("spec",)
    if data is None:
        return [], []
    if not isinstance(data, dict):
        return [], [doc.problem(prefix, "a rule file must be a mapping with 'groups'")]
    for key in data:
        if key != "groups":
            problems.append(
                doc.problem(
                    (*prefix, key),
                    f"field {key} not found in type rulefmt.RuleGroups",
                    did_you_mean(str(key), ["groups"]),
                )
            )
    groups_data = data.get("groups") or []
    raw_groups = (raw_data or {}).get("groups") or [] if isinstance(raw_data, dict) else []
    if not isinstance(groups_data, list):
        problems.append(doc.problem((*prefix, "groups"), "'groups' must be a list"))
        return [], problems
    groups: list[RuleGroup] = []
    seen: set[str] = set()
    for gi, g in enumerate(groups_data):
        gloc = (*prefix, "groups", gi)
        rg = raw_groups[gi] if gi < len(raw_groups) else {}
        group = _group(doc, gloc, g, rg if isinstance(rg, dict) else {}, problems, path)
        if group is None:
            continue
        if group.name in seen:
            problems.append(
                doc.problem(
                    (*gloc, "name"), f'groupname: "{group.name}" is repeated in the same file'
                )
            )
        seen.add(group.name)
        groups.append(group)
    return groups, problems


def _group(
    doc: _Doc, gloc: tuple, g: Any, raw: dict, problems: list[Problem], path: str
) -> RuleGroup | None:
    if not isinstance(g, dict):
        problems.append(doc.problem(gloc, "a rule group must be a mapping"))
        return None
    for key in g:
        if key not in _GROUP_KEYS:
            problems.append(
                doc.problem(
                    (*gloc, key),
                    f"field {key} not found in type rulefmt.RuleGroup",
                    did_you_mean(str(key), _GROUP_KEYS),
                )
            )
    name = _str(raw.get("name"))
    if not name:
        problems.append(doc.problem(gloc, "Groupname must not be empty"))
    interval_s = None
    if raw.get("interval"):
        try:
            interval_s = parse_go_duration(raw["interval"]) / 1000
        except ValueError as exc:
            problems.append(doc.problem((*gloc, "interval"), str(exc)))
    limit = 0
    if raw.get("limit"):
        try:
            limit = int(raw["limit"])
        except ValueError:
            problems.append(doc.problem((*gloc, "limit"), "limit must be an integer"))
    rules = []
    raw_rules = raw.get("rules") or []
    for ri, r in enumerate(g.get("rules") or []):
        rloc = (*gloc, "rules", ri)
        rr = raw_rules[ri] if ri < len(raw_rules) and isinstance(raw_rules[ri], dict) else {}
        rule = _rule(doc, rloc, r, rr, problems, name, ri)
        if rule is not None:
            rules.append(rule)
    return RuleGroup(name=name, rules=rules, interval_s=interval_s, limit=limit, file=path)


def _rule(
    doc: _Doc, rloc: tuple, r: Any, raw: dict, problems: list[Problem], group: str, index: int
) -> Rule | None:
    if not isinstance(r, dict):
        problems.append(doc.problem(rloc, "a rule must be a mapping"))
        return None
    before = len(problems)
    record, alert = _str(raw.get("record")), _str(raw.get("alert"))
    label = f'group "{group}", rule {index + 1}, "{alert or record}"'

    def bad(key: str, msg: str, hint: str | None = None) -> None:
        problems.append(doc.problem((*rloc, key), f"{label}: {msg}", hint))

    for key in r:
        if key not in _RULE_KEYS:
            bad(
                key,
                f"field {key} not found in type rulefmt.RuleNode",
                did_you_mean(str(key), _RULE_KEYS),
            )
    if record and alert:
        bad("record", "only one of 'record' and 'alert' must be set")
    if not record and not alert:
        bad("record" if "record" in r else "alert", "one of 'record' or 'alert' must be set")
    expr = _str(raw.get("expr"))
    node = None
    if not expr:
        bad("expr", "field 'expr' must be set in rule")
    else:
        try:
            node = parse(expr)
        except PromQLParseError as exc:
            bad("expr", f"could not parse expression: {exc}")
    durations = {}
    for key in ("for", "keep_firing_for"):
        durations[key] = 0
        if raw.get(key):
            try:
                durations[key] = parse_go_duration(raw[key])
            except ValueError as exc:
                bad(key, str(exc))
    labels = (
        {str(k): _str(v) for k, v in (raw.get("labels") or {}).items()}
        if isinstance(raw.get("labels"), dict)
        else {}
    )
    annotations = (
        {str(k): _str(v) for k, v in (raw.get("annotations") or {}).items()}
        if isinstance(raw.get("annotations"), dict)
        else {}
    )
    if record:
        if annotations:
            bad("annotations", "invalid field 'annotations' in recording rule")
        if durations["for"]:
            bad("for", "invalid field 'for' in recording rule")
        if durations["keep_firing_for"]:
            bad("keep_firing_for", "invalid field 'keep_firing_for' in recording rule")
        if not _METRIC_RE.match(record):
            bad("record", f"invalid recording rule name: {record}")
    for k in labels:
        if not _LABEL_RE.match(k) or k == "__name__":
            bad("labels", f"invalid label name: {k}")
    for k in annotations:
        if not _LABEL_RE.match(k):
            bad("annotations", f"invalid annotation name: {k}")
    if alert:
        for kind, mapping in (("label", labels), ("annotation", annotations)):
            for k, v in mapping.items():
                err = _check_template(v, alert)
                if err:
                    bad(f"{kind}s", f"{kind} {k!r}: {err}".replace("'", '"'))
    if len(problems) > before:
        return None
    line, _ = doc.where(rloc)
    return Rule(
        name=alert or record,
        expr=expr,
        kind="alert" if alert else "record",
        for_ms=durations["for"],
        keep_firing_for_ms=durations["keep_firing_for"],
        labels=labels,
        annotations=annotations,
        line=line,
        node=node,
    )


_CACHE: dict[tuple[str, float, int], tuple[list[RuleGroup], list[Problem]]] = {}


def read_rule_file(path: str | Path) -> tuple[list[RuleGroup], list[Problem]]:
    """Read and parse one rule file; an unreadable file is one problem.

    Parsed files are cached by path, mtime and size; callers get fresh group objects.
    """
    p = Path(path)
    try:
        st = p.stat()
        key = (str(p.resolve()), st.st_mtime, st.st_size)
    except OSError:
        key = None
    if key is not None and key in _CACHE:
        groups, problems = _CACHE[key]
        return [_fresh(g) for g in groups], list(problems)
    result = _read_rule_file(p, path)
    if key is not None:
        _CACHE[key] = result
        return [_fresh(g) for g in result[0]], list(result[1])
    return result


def _fresh(g: RuleGroup) -> RuleGroup:
    g2 = copy.copy(g)
    g2.rules = [copy.copy(r) for r in g.rules]
    return g2


def _read_rule_file(p: Path, path: str | Path) -> tuple[list[RuleGroup], list[Problem]]:
    try:
        text = read_text(p)
    except FileNotFoundError:
        return [], [Problem(str(path), message="file not found")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(str(path), message=f"cannot read: {exc}")]
    return parse_rule_text(text, str(path))


def check_rule_files(paths: Sequence[str | Path]) -> list[Problem]:
    """Every problem in the given rule files (empty when all are valid)."""
    problems: list[Problem] = []
    for p in paths:
        problems.extend(read_rule_file(p)[1])
    return problems


def load_rule_files(paths: Sequence[str | Path]) -> list[RuleGroup]:
    """Load rule groups from files, in file order.

    Raises:
        InputError: with every located problem of every file.
    """
    groups: list[RuleGroup] = []
    problems: list[Problem] = []
    for p in paths:
        gs, ps = read_rule_file(p)
        groups.extend(gs)
        problems.extend(ps)
    if problems:
        raise InputError(problems)
    return groups
