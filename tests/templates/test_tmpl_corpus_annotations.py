"""Annotations that real, passing promtool suites expect, reproduced by our renderer.

A suite that passes under promtool 2.42 states every firing alert's labels and its full,
rendered annotations. For each such alert we find the rule, rebuild the sample's labels
(alert labels minus ``alertname`` and the rule's own labels) and render each annotation
template that does not depend on the alert's value (which the suite does not state).
"""

from __future__ import annotations

import glob
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gameday.rules.templates import TemplateError, render_template

CORPUS = Path("/work/shared/conformance/promtool")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_VALUE_DEPENDENT = re.compile(r"\$value|\.Value|query|__name__|\$\.|\{\{-?\s*\.\s")


def _load(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(), Loader=_LOADER)
    except (OSError, yaml.YAMLError):
        return None


def _passing_suites() -> list[Path]:
    table = CORPUS / "EXPECTED.tsv"
    if not table.is_file():
        return []
    suites = []
    for line in table.read_text().splitlines():
        cols = line.split("\t")
        if len(cols) > 1 and cols[1] == "pass":
            suites.append(CORPUS / cols[0])
    return suites


def _rules_by_alert(suite: Path, doc: dict) -> dict[str, list[dict]]:
    rules: dict[str, list[dict]] = {}
    for pattern in doc.get("rule_files") or []:
        for name in sorted(glob.glob(str(suite.parent / pattern))):
            rules_doc = _load(Path(name)) or {}
            for group in rules_doc.get("groups") or []:
                for rule in group.get("rules") or []:
                    if "alert" in rule:
                        rules.setdefault(rule["alert"], []).append(rule)
    return rules


def _yaml_str(v: Any) -> str:
    return v if isinstance(v, str) else yaml.safe_dump(v).removesuffix("\n...\n").strip()


def _cases() -> list[Any]:
    cases = []
    for suite in _passing_suites():
        doc = _load(suite)
        if not isinstance(doc, dict):
            continue
        rules = _rules_by_alert(suite, doc)
        for group in doc.get("tests") or []:
            ext = {str(k): str(v) for k, v in (group.get("external_labels") or {}).items()}
            url = group.get("external_url") or ""
            for test in group.get("alert_rule_test") or []:
                for exp in test.get("exp_alerts") or []:
                    candidates = rules.get(test.get("alertname"), [])
                    if candidates and exp.get("exp_annotations"):
                        cases.append((suite, candidates, exp, ext, url))
    return cases


CASES = _cases()
pytestmark = pytest.mark.skipif(not CASES, reason=f"conformance corpus not found at {CORPUS}")


def _matches(rule: dict, exp: dict, ext: dict[str, str], url: str) -> tuple[int, list[str]]:
    """Number of annotations checked, and the mismatches, for one candidate rule."""
    rule_labels = set(rule.get("labels") or {})
    labels = {
        str(k): str(v)
        for k, v in (exp.get("exp_labels") or {}).items()
        if k != "alertname" and k not in rule_labels
    }
    expected = {str(k): _yaml_str(v) for k, v in exp["exp_annotations"].items()}
    annotations = rule.get("annotations") or {}
    if set(annotations) != set(expected):
        return 0, ["annotation keys differ"]
    checked, problems = 0, []
    for key, raw in annotations.items():
        text = _yaml_str(raw)  # YAML may have typed a plain annotation as a bool or number
        if _VALUE_DEPENDENT.search(text) or any(f".{name}" in text for name in rule_labels):
            continue
        try:
            got = render_template(
                text, labels=labels, value=0.0, external_labels=ext, external_url=url
            )
        except TemplateError as err:
            got = f"<error expanding template: {err}>"
        checked += 1
        if got != expected[key]:
            problems.append(f"{key}: got {got!r}, promtool {expected[key]!r}")
    return checked, problems


def test_corpus_has_many_annotated_alerts() -> None:
    """Hundreds of alert assertions state their annotations."""
    assert len(CASES) > 300


def test_value_independent_annotations_match_promtool() -> None:
    """Every value-independent annotation renders exactly as promtool rendered it."""
    failures, checked_total = [], 0
    for suite, candidates, exp, ext, url in CASES:
        results = [_matches(rule, exp, ext, url) for rule in candidates]
        if any(checked and not problems for checked, problems in results):
            checked_total += max(checked for checked, _ in results)
            continue
        if all(
            checked == 0 and problems == ["annotation keys differ"] for checked, problems in results
        ):
            continue
        if all(checked == 0 for checked, _ in results):
            continue
        best = min(results, key=lambda r: len(r[1]))
        failures.append(f"{suite.relative_to(CORPUS)}: {best[1]}")
    assert failures == []
    assert checked_total > 500
