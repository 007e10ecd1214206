# ruff: noqa: E501 (the template lists read best one per line)
"""Differential test of :func:`check_template` against ``promtool check rules``.

Each template becomes the only annotation of its own alerting rule; promtool reports a
parse error per rule (or nothing), which must equal ours byte for byte.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from gameday.rules.templates import check_template
from tests.promtool import PROMTOOL

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PROMTOOL is None, reason="promtool (Prometheus 2.42) is not installed"),
]

TEMPLATES = [
    # malformed
    "{{ foo }}", "a\n{{ if }}", "{{ .A", "{{ $x }}", "{{ if .A }}x", "{{end}}", '{{ "abc }}',
    "{{ 3x }}", "{{ (1 }}", "{{ .A | 3 }}", "{{ range $i, $e, $f := . }}{{end}}", "{{break}}",
    "{{ else }}", "{{ 1) }}", "{{ $x@ }}", "{{ .A.B@ }}", "{{/* x }}", "{{/* x */ }}",
    "{{ 'ab' }}", "{{ 1.2.3 }}", "{{ 99999999999999999999 }}", "{{ $x := 1 }}{{ $y }}",
    "{{ with $x := 1 }}{{ end }}{{ $x }}", "{{ template }}", '{{ define "x" }}',
    "{{ if 1 }}{{ else }}{{ else }}{{ end }}", "{{ range . }}{{ else if 1 }}{{ end }}",
    "{{ .A | }}", "{{ | .A }}", "{{ .A.1 }}", '{{ "a".b }}', "{{ true.x }}", "{{ - 3 }}",
    "{{ 0x }}", "{{ 1e }}", "{{ 08 }}", "{{ 1__0 }}", "{{ 0b102 }}", "{{ continue }}",
    "{{ range . }}{{ break 1 }}{{ end }}", "{{ with 1 }}{{ else with 2 }}{{ end }}",
    "x\ny\n{{ .A\n| printf }}\n{{ if }}", '{{ "\\q" }}', "{{ `a\nb` }}{{ nope }}",
    '{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}', "{{ .A ) }}", "{{ ( ) }}",
    "{{ $ := 1 }}", "{{ $x, $y := 1 }}", "{{ range $x, 1 }}{{ end }}", "{{ :1 }}", "{{ # }}",
    "{{ \u00e9 }}", "{{ .\u00e9t\u00e9 }}", "{{ if }}\n{{ end }}", "{{ 'a }}", "{{ nil.x }}",
    # well-formed
    "{{- .A -}}", "{{-3}}", "{{ -3 }}", "a {{- /* c */ -}} b", "{{ range $i, $e := . }}{{ end }}",
    "{{ with $x := 1 }}{{ $x }}{{ end }}", "{{ 'a' }}", "{{ 1+2i }}",
    '{{ define "a" }}{{ end }}{{ template "a" . }}', '{{ block "b" . }}x{{ end }}',
    '{{ .A\n| printf "%s" }}', "{{\n.A\n}}", "{{ $x := 1 }}{{ $x = 2 }}", "{{ .A.B.C }}",
    "{{ (.A).B }}", "{{ $labels.job }}{{ $externalLabels.x }}{{ $externalURL }}{{ $value }}",
    "{{ range . }}{{ if . }}{{ continue }}{{ end }}{{ break }}{{ end }}", "{{ 0x1p-2 }}",
    "{{ 1_000 }}", "{{ 0o17 }}", "{{ '\\n' }}", '{{ "\\u00e9\\x41\\101" }}', "{{ nil }}",
    "{{ .A . $ }}", "{{ and 1 2 | not }}",
]  # fmt: skip

_ERROR = re.compile(r'"(P\d+)": annotation "c0": (.*)$', re.MULTILINE)


@pytest.fixture(scope="module")
def promtool_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp: Path = tmp_path_factory.mktemp("promtool-check")
    rules = [
        {"alert": f"P{i}", "expr": "up", "annotations": {"c0": t}} for i, t in enumerate(TEMPLATES)
    ]
    path = tmp / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": rules}]}, allow_unicode=True))
    proc = subprocess.run(
        [PROMTOOL, "check", "rules", path.name],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert "FAILED" in output, output
    return {m.group(1): m.group(2) for m in _ERROR.finditer(output)}


@pytest.mark.parametrize(("index", "template"), list(enumerate(TEMPLATES)))
def test_parse_error_matches_promtool(promtool_errors, index: int, template: str) -> None:
    """check_template reports exactly promtool's parse error, or None when it parses."""
    assert check_template(template, name=f"__alert_P{index}") == promtool_errors.get(f"P{index}")
