"""YAML read through libyaml's events gives what PyYAML's own parser gives: the same node
graph (tags, values, styles, positions) and data on every YAML file in the repository
and on awkward snippets, and the same error, word for word, on broken ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gameday import yamldoc
from gameday.rules.yamlstr import StrLoader
from gameday.yamldoc import DepthLimited, guarded_load, parse_yaml, run_loader

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = [
    "a: 1\nb: [1, 'x', \"y\", ~, null, true, 2026-01-02, 1.5e3, 0x1F]\n",
    "k: |\n  block\n  text\nf: >-\n  folded\n  text\n",
    "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n",
    "? complex key\n: value\n'quoted key': 2\n",
    "list:\n- a\n-   - nested\n    - deeper\n- {k: v}\n",
    "unicode: 'héllo wörld ✓'\nemoji: \U0001f600\ncol: after é: x\n",
    "%YAML 1.1\n---\ndoc: 1\n...\n",
    "empty:\nnone: ~\ns: ''\n",
    "t: !!str 12\nu: !!int '7'\nw: !custom x\n",
    "multi: plain\n  continued line\nend: 1\n",
    "",
    "# only a comment\n",
]
BROKEN = [
    "a: [1, 2\n",
    "a: b: c\n",
    "k: 'unterminated\n",
    "- a\nb: c\n",
    "a:\n\t- tab\n",
    "x: \x07bell\n",
    "a: *nowhere\n",
    "a: 1\n---\nb: 2\n",
    "a: !!int nope\n",
    "{[a]: 1}\n",
    "d: 2026-13-45\n",
]


def _python(text: str, loader: type[DepthLimited], work: Any) -> Any:
    instance = loader(text)
    try:
        return work(instance)
    finally:
        instance.dispose()


def _shape(node: Any) -> Any:
    if node is None:
        return None
    here = (type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column)
    here += (node.end_mark.line, node.end_mark.column, getattr(node, "style", None))
    if isinstance(node, yaml.ScalarNode):
        return (*here, node.value)
    if isinstance(node, yaml.MappingNode):
        return (*here, [(_shape(k), _shape(v)) for k, v in node.value])
    return (*here, [_shape(item) for item in node.value])


def _outcome(text: str, loader: type[DepthLimited], fast: bool) -> Any:
    def work(i: DepthLimited) -> Any:
        return _shape(i.get_single_node())

    def data(i: DepthLimited) -> Any:
        return i.get_single_data()

    try:
        if fast:
            return run_loader(text, loader, work), run_loader(text, loader, data)
        return _python(text, loader, work), _python(text, loader, data)
    except (yaml.YAMLError, ValueError) as exc:
        return ("error", type(exc).__name__, str(exc))


def _texts() -> list[str]:
    files = sorted(p for ext in ("*.yml", "*.yaml") for p in ROOT.glob(f"[!.]*/**/{ext}"))
    assert len(files) > 50
    return [p.read_text(encoding="utf-8") for p in files] + SNIPPETS + BROKEN


@pytest.mark.parametrize("loader", [DepthLimited, StrLoader, yamldoc._Loader])
def test_libyaml_events_give_pythons_nodes_data_and_errors(loader: type[DepthLimited]) -> None:
    assert yamldoc._CParser is not None, "PyYAML was built without libyaml"
    errors = 0
    for text in _texts():
        want = _outcome(text, loader, fast=False)
        assert _outcome(text, loader, fast=True) == want, text[:200]
        errors += want[0] == "error"
    assert errors >= len(BROKEN) - 2  # the timestamp and the !!int are errors only for some


def test_the_libyaml_path_is_the_one_taken() -> None:
    """A document libyaml reads is not parsed by PyYAML's Python parser at all."""
    calls = []

    class Watched(DepthLimited):
        def parse_stream_start(self) -> Any:
            calls.append(1)
            return super().parse_stream_start()

    assert run_loader("a: 1\n", Watched, lambda i: i.get_single_data()) == {"a": 1}
    assert calls == []
    with pytest.raises(yaml.YAMLError):
        run_loader("a: [\n", Watched, lambda i: i.get_single_data())
    assert calls == [1]  # the broken one was read again by PyYAML to report it


def test_located_errors_are_pyyamls() -> None:
    from gameday.errors import InputError

    with pytest.raises(InputError) as exc:
        parse_yaml("a: 1\nb: [1,\n  2\nc: 3\n", "f.yml")
    assert str(exc.value.problems[0]).startswith("f.yml:4:2: ")
    assert guarded_load("x: 'é'\n") == {"x": "é"}
