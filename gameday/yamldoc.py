"""YAML documents that remember where every key and value stood.

PyYAML's nodes carry ``start_mark``; :func:`load_yaml` keeps those marks beside the plain
data so that any later check (pydantic validation, a missing file, a cycle) can point the
user at ``path:line:col`` of the key it is about.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from gameday.errors import InputError, Problem, did_you_mean
from gameday.files import read_text

if TYPE_CHECKING:  # pydantic is imported where a validation error is turned into problems,
    # so readers of plain YAML (rule files: ``gameday rules test``) start without it
    from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]
R = TypeVar("R")


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

# go-yaml's limits on alias expansion (yaml.v2 >= 2.2.8 and yaml.v3 decode.go, which
# Prometheus and Alertmanager use): past 100 alias-driven decodes and 1000 decodes in
# all, at most 99% of decodes may come from aliases in a small document, scaling down to
# 10% between 400,000 and 4,000,000 decodes.
_ALIAS_RATIO_LOW = 400_000
_ALIAS_RATIO_HIGH = 4_000_000


class ExcessiveAliasing(yaml.YAMLError):
    """A document whose aliases expand to far more than it holds (a "billion laughs")."""

    def __init__(self, mark: Any = None) -> None:
        super().__init__("document contains excessive aliasing")
        self.problem_mark = mark


def _allowed_alias_ratio(decodes: int) -> float:
    if decodes <= _ALIAS_RATIO_LOW:
        return 0.99
    if decodes >= _ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decodes - _ALIAS_RATIO_LOW) / (_ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW)


def check_aliases(root: yaml.Node | None) -> None:
    """Refuse a composed document whose aliases expand too much, as go-yaml does.

    Walks the node graph in document order with an explicit stack, counting every node a
    decoder would visit and how many of those it reaches through an alias; it stops at
    the first sign of excess, so a bomb costs only the work up to that point.

    Raises:
        ExcessiveAliasing: ``document contains excessive aliasing``.
        yaml.composer.ComposerError: an anchor's value contains an alias to itself.
    """
    if root is None:
        return
    decodes = aliased = 0
    seen: set[int] = set()
    ancestors: set[int] = set()
    stack: list[tuple[yaml.Node, bool, bool]] = [(root, False, False)]  # node, via alias, exit
    while stack:
        node, via_alias, leaving = stack.pop()
        if leaving:
            ancestors.discard(id(node))
            continue
        if id(node) in ancestors:
            raise yaml.composer.ComposerError(
                None, None, "recursive alias: a node contains itself", node.start_mark
            )
        via_alias = via_alias or id(node) in seen
        seen.add(id(node))
        decodes += 1
        aliased += via_alias
        if aliased > 100 and decodes > 1000 and aliased / decodes > _allowed_alias_ratio(decodes):
            raise ExcessiveAliasing(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            ancestors.add(id(node))
            stack.append((node, via_alias, True))
            for key, value in reversed(node.value):
                stack.append((value, via_alias, False))
                stack.append((key, via_alias, False))
        elif isinstance(node, yaml.SequenceNode):
            ancestors.add(id(node))
            stack.append((node, via_alias, True))
            stack.extend((item, via_alias, False) for item in reversed(node.value))


class DepthLimited(yaml.SafeLoader):
    """A SafeLoader that refuses nesting deeper than :data:`MAX_DEPTH` and alias bombs.

    Every YAML file gameday reads (scenarios, rule files, alertmanager.yml, on-call
    files, runbook front matter, rule tests, shadow answers) goes through a subclass.
    """

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

    def get_single_node(self) -> Any:
        node = super().get_single_node()
        check_aliases(node)
        return node


_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)  # libyaml, if built


class _LibyamlEvents:
    """Parse events from libyaml instead of PyYAML's Python scanner and parser.

    Mixed in before a :class:`DepthLimited` loader: its Python composer (depth and alias
    checks), resolver and constructor work unchanged on the same events, read several
    times faster. :func:`run_loader` falls back to the Python parser on any error, so a
    problem is always reported in PyYAML's words and at PyYAML's position.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)  # type: ignore[call-arg]  # the Python loader's own state
        self._events = _CParser(stream)

    def check_event(self, *choices: Any) -> bool:
        return bool(self._events.check_event(*choices))

    def peek_event(self) -> Any:
        return self._events.peek_event()

    def get_event(self) -> Any:
        event = self._events.get_event()
        if type(event) is yaml.ScalarEvent and event.style == "":
            event.style = None  # a plain scalar, as PyYAML's parser says it
        return event

    def dispose(self) -> None:
        self._events.dispose()
        super().dispose()  # type: ignore[misc]


_TWINS: dict[type, type] = {}
T = TypeVar("T")


def run_loader(text: str, loader: type[DepthLimited], work: Callable[[Any], T]) -> T:
    """``work(instance)`` on a loader of ``text`` reading libyaml's events, or, when that
    fails in any way (or libyaml is missing), on the pure-Python ``loader`` itself, whose
    answer or error is the one given."""
    twin = _TWINS.get(loader)
    if twin is None and _CParser is not None:
        twin = _TWINS[loader] = type(f"Fast{loader.__name__}", (_LibyamlEvents, loader), {})
    if twin is not None:
        try:
            fast = twin(text)
            try:
                return work(fast)
            finally:
                fast.dispose()
        except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
            pass  # read again below by PyYAML's parser, which reports the problem its way
    instance = loader(text)
    try:
        return work(instance)
    finally:
        instance.dispose()


def guarded_compose(text: str, loader: type[DepthLimited] = DepthLimited) -> yaml.Node | None:
    """The node graph of one YAML document, depth- and alias-checked.

    Raises:
        yaml.YAMLError: a syntax error, nesting too deep, excessive aliasing.
    """
    return _guarded(text, loader, construct=False)


def guarded_load(text: str, loader: type[DepthLimited] = DepthLimited) -> Any:
    """Plain data of one YAML document, depth- and alias-checked (``yaml.safe_load``'s job).

    Raises:
        yaml.YAMLError: a syntax error, nesting too deep, excessive aliasing.
    """
    return _guarded(text, loader, construct=True)


def guarded_read_and_load(
    text: str, read: Callable[[yaml.Node | None], R], loader: type[DepthLimited] = DepthLimited
) -> tuple[R, Any]:
    """``read`` of the node graph, then the plain data, from one parse of the document.

    ``read`` sees the nodes before the data is built (building flattens ``<<`` merge keys
    in place).

    Raises:
        yaml.YAMLError: a syntax error, nesting too deep, excessive aliasing.
    """

    def work(instance: DepthLimited) -> tuple[R, Any]:
        node = instance.get_single_node()
        seen = read(node)
        return seen, instance.construct_document(node) if node is not None else None

    try:
        return run_loader(text, loader, work)
    except RecursionError:
        raise yaml.YAMLError("YAML nested too deeply to read") from None


def _guarded(text: str, loader: type[DepthLimited], construct: bool) -> Any:
    try:
        return run_loader(
            text, loader, lambda i: i.get_single_data() if construct else i.get_single_node()
        )
    except RecursionError:
        raise yaml.YAMLError("YAML nested too deeply to read") from None


class _Loader(DepthLimited):
    """The scenario loader: also locates bad timestamps (``2026-13-45``)."""

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

    def work(loader: _Loader) -> tuple[dict[Loc, tuple[int, int]], Any]:
        positions: dict[Loc, tuple[int, int]] = {}
        node = loader.get_single_node()
        if node is not None:
            positions[()] = (node.start_mark.line + 1, node.start_mark.column + 1)
            _walk(node, (), positions)
        return positions, loader.construct_document(node) if node is not None else None

    try:
        positions, data = run_loader(text, _Loader, work)
    except RecursionError:
        msg = "YAML nested too deeply to read"
        raise InputError(Problem(path, None, None, None, msg)) from None
    except ExcessiveAliasing as exc:
        line, col = exc.problem_mark.line + 1, exc.problem_mark.column + 1
        msg = "YAML error: document contains excessive aliasing (aliases expand without bound)"
        raise InputError(Problem(path, line, col, None, msg)) from None
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
        text = read_text(p)
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
    from pydantic import BaseModel

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
