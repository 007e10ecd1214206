"""YAML documents that remember where every key and value stood.

PyYAML's nodes carry ``start_mark``; :func:`load_yaml` keeps those marks beside the plain
data so that any later check (pydantic validation, a missing file, a cycle) can point the
user at ``path:line:col`` of the key it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from gameday.errors import InputError, Problem, did_you_mean

Loc = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """Plain data from one YAML file plus the 1-based position of every path in it."""

    path: str
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Sequence[str | int]) -> tuple[int | None, int | None]:
        """Position of the longest prefix of ``loc`` that the file has."""
        loc = tuple(loc)
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (None, None))

    def problem(self, loc: Sequence[str | int], message: str, hint: str | None = None) -> Problem:
        """A :class:`Problem` about the key at ``loc``."""
        line, col = self.where(loc)
        return Problem(self.path, line, col, dotted(loc) or None, message, hint)


def dotted(loc: Sequence[str | int]) -> str:
    """``("faults", 0, "at")`` -> ``faults[0].at``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


MAX_DEPTH = 200  # far beyond any real config; keeps hostile nesting fast and recursion-safe


class _Loader(yaml.SafeLoader):
    """SafeLoader that locates bad timestamps (``2026-13-45``) and refuses deep nesting."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid timestamp {node.value!r}: {exc}", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _walk(
    node: yaml.Node,
    loc: Loc,
    positions: dict[Loc, tuple[int, int]],
    path: frozenset[int] = frozenset(),
    budget: list[int] | None = None,
) -> None:
    if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        return
    if id(node) in path:  # an alias to one of its own ancestors
        raise yaml.constructor.ConstructorError(
            None, None, "recursive alias: a node contains itself", node.start_mark
        )
    budget = budget if budget is not None else [100_000]
    budget[0] -= 1
    if budget[0] < 0:  # aliases of aliases ("billion laughs"): stop recording positions
        return
    path = path | {id(node)}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            here = (*loc, key)
            positions[here] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, here, positions, path, budget)
    else:
        for i, item in enumerate(node.value):
            here = (*loc, i)
            positions[here] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _walk(item, here, positions, path, budget)


def parse_yaml(text: str, path: str) -> YamlDoc:
    """Parse YAML text; a syntax error becomes an :class:`InputError` at its position."""
    positions: dict[Loc, tuple[int, int]] = {}
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                positions[()] = (node.start_mark.line + 1, node.start_mark.column + 1)
                _walk(node, (), positions)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except RecursionError:
        msg = "YAML nested too deeply to read"
        raise InputError(Problem(path, None, None, None, msg)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        msg = f"YAML syntax error: {exc.problem or exc.context}"
        raise InputError(Problem(path, line, col, None, msg)) from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise InputError(Problem(path, None, None, None, f"YAML error: {exc}")) from None
    return YamlDoc(path, data, positions)


def load_yaml(path: str | Path) -> YamlDoc:
    """Read and parse a YAML file; unreadable files become an :class:`InputError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Problem(str(path), message="file not found")) from None
    except IsADirectoryError:
        raise InputError(Problem(str(path), message="is a directory, expected a file")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), message=f"cannot read: {exc}")) from None
    return parse_yaml(text, str(path))


def _model_fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names (and aliases) of the sub-model that ``loc`` points into, if known."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if not fields:
            return []
        f = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        if f is None:
            return []
        current = _inner_model(f.annotation)
    fields = getattr(current, "model_fields", None) or {}
    return [f.alias or name for name, f in fields.items()]


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def problems_from_validation(
    exc: ValidationError, doc: YamlDoc, model: type[BaseModel], prefix: Loc = ()
) -> list[Problem]:
    """Turn pydantic errors into located problems with did-you-mean hints for unknown keys."""
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p and "]" in p))
        loc = (*prefix, *loc)
        hint = None
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            key = loc[-1]
            msg = f"unknown key {key!r}"
            hint = did_you_mean(str(key), _model_fields_at(model, loc[len(prefix) : -1]))
        elif err["type"] == "missing":
            msg = f"missing required key {loc[-1]!r}"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        problems.append(doc.problem(loc, msg, hint))
    return problems
