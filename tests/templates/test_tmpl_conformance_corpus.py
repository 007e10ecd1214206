"""Every label and annotation template in the conformance corpus parses and renders.

The corpus (``/work/shared/conformance/promtool``) holds real rule files from public
repositories; Prometheus 2.42 loads all of them, so each template must parse here too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gameday.rules.templates import TemplateError, check_template, render_template

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CORPUS = Path("/work/shared/conformance/promtool")


def _templates() -> list[tuple[str, str, str]]:
    """(file, rule/key, template) for every templated label and annotation."""
    found = []
    if not CORPUS.is_dir():
        return found
    for path in sorted(CORPUS.rglob("*.y*ml")):
        if "expected-output" in path.parts:
            continue
        try:
            doc = yaml.load(path.read_text(), Loader=_LOADER)
        except yaml.YAMLError:
            continue  # the corpus keeps deliberately broken files
        if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list):
            continue
        for group in doc["groups"]:
            for rule in (group or {}).get("rules") or []:
                if not isinstance(rule, dict) or "alert" not in rule:
                    continue
                for section in ("labels", "annotations"):
                    for key, text in (rule.get(section) or {}).items():
                        if isinstance(text, str) and "{{" in text:
                            where = f"{rule['alert']}.{section}.{key}"
                            found.append((str(path.relative_to(CORPUS)), where, text))
    return found


TEMPLATES = _templates()

pytestmark = pytest.mark.skipif(not TEMPLATES, reason=f"conformance corpus not found at {CORPUS}")


def test_corpus_has_many_templates() -> None:
    """The corpus is the real thing: well over a thousand templated annotations."""
    assert len(TEMPLATES) > 1000


def test_every_corpus_template_parses() -> None:
    """check_template accepts every template Prometheus 2.42 accepted."""
    problems = [
        f"{path} {where}: {err}"
        for path, where, text in TEMPLATES
        if (err := check_template(text)) is not None
    ]
    assert problems == []


def test_every_corpus_template_renders() -> None:
    """Rendering with ordinary labels either succeeds or fails with a Go-style message."""
    labels = {"instance": "host-1.example.org:9100", "job": "node", "cluster": "eqiad"}
    for _path, _where, text in TEMPLATES:
        try:
            out = render_template(
                text, labels=labels, value=0.75, external_labels={"site": "eqiad"}
            )
        except TemplateError as err:
            assert str(err).startswith("error executing template __alert_"), str(err)
        else:
            assert "{{" not in out or "{{" in text.replace("{{", "", 1)
