# ruff: noqa: E501 (the template lists read best one per line)
"""Differential test: our renderer against promtool 2.42 on many templates and values.

One rule file, one unit-test file whose expected alerts are deliberately empty: promtool
fails the test and prints every alert it got, annotations included, on stderr. We parse
those and compare each annotation with :func:`render_template`, byte for byte.
"""

from __future__ import annotations

import math
import random
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from gameday.rules.gotemplate.gostrconv import go_quote, unquote
from gameday.rules.templates import TemplateError, render_template
from tests.promtool import PROMTOOL

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PROMTOOL is None, reason="promtool (Prometheus 2.42) is not installed"),
]

VALUES = [
    "0", "1", "-1", "0.5", "0.1", "1.5", "2.345", "100", "999.95", "1000", "1023", "1024",
    "1536", "123456789", "1e6", "100000", "1e21", "1e-5", "0.000123", "-0.25", "86399.5",
    "90061", "3600", "59.99", "12345.678", "0.0049999", "1e100", "-1234567", "0.9999",
    "1.7976931348623157e308", "5e-324", "NaN", "Inf", "-Inf", "1500000000.123", "-3723.5",
]  # fmt: skip


def _random_values(count: int, seed: int = 2042) -> list[str]:
    """Floats of every magnitude and some rounding edges, written so they round-trip."""
    rng = random.Random(seed)
    values = []
    for _ in range(count):
        mantissa = rng.choice([rng.uniform(1, 10), rng.choice([9.9995, 9.99949, 1.0005, 5.55])])
        value = mantissa * 10.0 ** rng.randint(-30, 30) * rng.choice([1, 1, -1])
        values.append(repr(value))
    values += [repr(x) for x in (999.9995, 999999.5, 0.99995, 1023.99, 59.9999, 86400.0)]
    return values


VALUES += _random_values(240)

VALUE_TEMPLATES = [
    "{{ $value }}",
    "{{ .Value }}",
    "{{ $value | humanize }}",
    "{{ humanize1024 $value }}",
    "{{ $value | humanizeDuration }}",
    "{{ $value | humanizePercentage }}",
    "{{ $value | humanizeTimestamp }}",
    '{{ printf "%.2f" $value }}',
    '{{ printf "%f|%e|%g|%v|%G|%E" $value $value $value $value $value $value }}',
    '{{ printf "%.3g|%.10g|%.0f|%.1e|%.0e" $value $value $value $value $value }}',
    '{{ printf "%8.3f|%-10.1e|%+.1f|%010.3f|% .2f|%5.2v|" $value $value $value $value $value $value }}',
    '{{ printf "%d|%s|%x|%q|%t|%T" $value $value $value $value $value $value }}',
    '{{ printf "%.3x|%X" $value $value }}',
    '{{ print $value }}{{ println $value 1 "a" }}',
    "{{ if gt $value 1.0 }}big{{ else if lt $value -1.0 }}neg{{ else }}small{{ end }}",
    "{{ if and (ge $value 0.5) (le $value 100.0) }}in{{ else }}out{{ end }}",
    "{{ eq $value 1.0 }} {{ ne $value 0.0 }} {{ not $value }} {{ or 0 $value }} {{ and $value 7 }}",
    "{{ if $value }}truthy{{ end }}",
    "{{ $value | toTime }}",
    "{{ with $value }}{{ . }}{{ else }}zero{{ end }}",
]

OTHER_TEMPLATES = [
    "{{ if gt $value 0 }}x{{ end }}",
    "{{ $labels.instance }}/{{ $labels.missing }}/{{ .Labels.job | toUpper }}",
    "{{ $labels.instance | stripPort }} {{ $labels.instance | stripDomain }}",
    '{{ stripPort "[::1]:80" }} {{ stripPort "a:b:c" }} {{ stripDomain "10.0.0.1:80" }}',
    '{{ stripDomain "foo.bar.baz" }} {{ stripDomain "[fe80::1]:9" }} {{ stripPort "x" }}',
    '{{ $labels.instance | reReplaceAll ":.*" "" }}',
    '{{ reReplaceAll "([^.:]+)([.:].*)?" "$1" $labels.instance }}',
    '{{ reReplaceAll "(a)" "$1x|${1}x|$$|$" "banana" }}',
    '{{ reReplaceAll "a*" "-" "baaac" }}',
    '{{ reReplaceAll "(?P<w>o+)" "<${w}>" "foo boo" }}',
    '{{ reReplaceAll "(" "" "x" }}',
    '{{ $labels.job | title }} {{ title "hello wORLD-foo_bar 1st o\'neil" }}',
    '{{ match "^api" $labels.job }} {{ match "^x" $labels.job }}',
    '{{ $labels | len }} {{ index $labels "job" }}|{{ index $labels "nope" }}|',
    "{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}",
    "{{ range $labels }}{{ . }};{{ end }}{{ range $i, $e := (args 1 2) }}{{ $i }}{{ end }}",
    "{{ with $labels.job }}job={{ . }}{{ else }}none{{ end }}",
    "{{ with $labels.missing }}x{{ else }}none{{ end }}",
    "{{ $labels }}",
    "{{ $externalLabels.site }} {{ $externalLabels }} {{ $externalURL }}",
    '{{ graphLink "rate(x[5m]) > 0" }} {{ tableLink "up == 0" }}',
    '{{ urlquery "a b&c/d?é" }} {{ printf "%s prometheus/ops" $labels.job | urlquery }}',
    '{{ html "<a href=\'x\'>&\\"" }} {{ js "it\'s <b> \\"q\\" = \\\\ é" }}',
    '{{ printf "%q" $labels.job }} {{ printf "%10s|%-10s|%.2s" "a" "b" "xyz" }}',
    '{{ printf "%x %X % x %#x" "hi" 255 "hi" 255 }}',
    '{{ printf "%05d|%+d|%o|%b|%c|%U|%#o|%x" 42 42 8 5 65 65 8 -255 }}',
    '{{ printf "%d %d" 1 }}|{{ printf "%d" 1 2 }}|{{ printf "%z" 1 }}|{{ printf "%" }}',
    '{{ printf "%.2f%%" 99.5 }} {{ printf "%v" $labels }} {{ printf "%v %v %v" true nil 3 }}',
    '{{ printf "%s %d" nil nil }} {{ printf "%*d|%-*d|%.*f" 5 1 4 2 2 3.14159 }}',
    '{{ print nil }} {{ print 1 2 "a" "b" 3.5 true }} {{ println }}',
    '{{ args 1 "a" }} {{ (args 1 2).arg1 }} {{ (args 1).arg5 }}',
    "{{ $x := 1 }}{{ $x = 2 }}{{ $x }}",
    "a  {{- 1 -}}  b {{- /* c */ -}} c {{/* d */}}",
    '{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" $labels.job }}',
    '{{ safeHtml "<b>" }}',
    '{{ safeHtml "x" | toUpper }}',
    '{{ parseDuration "1h30m" }} {{ parseDuration "1y2w3d4h5m6s7ms" }} {{ parseDuration "0" }}',
    '{{ parseDuration "bad" }}',
    '{{ "43200" | humanizeDuration }} {{ humanizeDuration 90061 }} {{ humanize "1234.5" }}',
    '{{ humanize "abc" }}',
    "{{ humanize true }}",
    '{{ humanize "1e400" }}',
    "{{ toTime 1500000000.5 }} {{ (toTime 1500000000).Unix }} {{ humanizeTimestamp -1.5 }}",
    '{{ len "héllo" }} {{ index "abc" 1 }} {{ slice "abcdef" 1 3 }} {{ index (args 5 6) "arg1" }}',
    "{{ 1.5 }} {{ 1e3 }} {{ 0x1F }} {{ 'a' }} {{ -0.0 }} {{ 1_000 }} {{ 0o17 }} {{ 017 }}",
    '{{ eq 1 2 3 1 }} {{ eq "a" "b" }} {{ lt "a" "b" }} {{ eq 1 1.0 }}',
    "{{ eq nil nil }} {{ lt true false }}",
    "{{ len 3 }}",
    "{{ index $labels 1 }}",
    "{{ $labels.job.foo }}",
    "{{ .Foo }}",
    "{{ nil }}",
    '{{ printf "%d" "x" | len }} {{ "x" | printf "%s-%s" "y" }}',
    '{{ range $i, $e := query `v` | sortByLabel "idx" }}{{ if lt $i 3 }}{{ $i }}:{{ $e.Labels.idx }}={{ $e.Value }};{{ end }}{{ end }}',
    '{{ query `v{idx="00"}` | first | value }} {{ query `v{idx="00"}` | first | label "idx" }}',
    '{{ with query `v{idx="01"}` }}{{ . | first }}{{ end }} {{ query `v{idx="00"}` | first | strvalue }}|',
    "{{ query `nosuch` | first }}",
    '{{ query `v{idx="00"}` | len }} {{ range query `nosuch` }}x{{ else }}empty{{ end }}',
    '{{ range $i, $x := args 1 2 3 }}{{ if eq $i "arg1" }}{{ continue }}{{ end }}{{ $x }}{{ end }}',
    '{{ range $x := $labels }}{{ if eq $x "api-server" }}{{ break }}{{ end }}{{ $x }}.{{ end }}',
]

# Harder cases: errors with positions, fmt corners, regexp dialect, time formatting.
OTHER_TEMPLATES += [
    "é{{ .Foo }}",
    '{{ "→" }}{{ .Foo }}',
    "a\nüü {{ .Foo }}",
    '{{ printf "%-6s|%6s|%.2s|%q" "é" "日本" "日本語" "日本" }}',
    '{{ title "ǆungla çava" }} {{ toUpper "ǆ" }} {{ len "日本" }}',
    '{{ . }}|{{ $ }}|{{ printf "%v|%s" . $ }}',
    "{{ len . }}",
    "{{ range . }}x{{ end }}",
    '{{ with .Labels }}{{ .job }}{{ end }} {{ index .Labels "job" }} {{ .Labels.job | len }}',
    '{{ if eq "api-server" .Labels.job }}yes{{ end }} {{ if and .Labels.job (ne .Labels.job "x") }}both{{ end }}',
    '{{ $value | humanize | printf "%s!" }} {{ .Value | printf "%.1f%%" }}',
    "{{ if gt $value 90.0 }}critical{{ else }}warning{{ end }}",
    '{{ (toTime 1500000000.123).Format "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3:4:5 PM MST -0700 .999 ,000 06" }}',
    '{{ with toTime 951782400.5 }}{{ .Format "Monday, 02-Jan-06 15:04:05.9 -07:00:00 pm" }} {{ .YearDay }} {{ .Year }} {{ .Hour }}{{ end }}',
    '{{ (toTime -86400.25).Format "2006-01-02 15:04:05.999999999 January" }} {{ (toTime 1).UnixMilli }} {{ (toTime 1).UTC }}',
    "{{ (toTime 1).Format }}",
    "{{ (toTime 1).Nope }}",
    '{{ (toTime 253402300800).Format "2006 _2006 .00 .0000000000 05.9" }}',
    r'{{ reReplaceAll "\\d" "#" "a٣1" }} {{ reReplaceAll "\\bx" "Y" "éx x" }} {{ reReplaceAll "\\w+" "W" "héllo wörld" }}',
    r'{{ match "\\s" "\v" }} {{ match "[[:space:]]" "\v" }} {{ reReplaceAll "\\Qa.b\\E+" "-" "a.bbb axb" }}',
    r'{{ reReplaceAll "(?i)É" "e" "éÉ" }} {{ reReplaceAll "[\\d.]+" "N" "v1.25.3-rc1" }}',
    '{{ define "inner" }}{{ .Foo }}{{ end }}{{ template "inner" 1.5 }}',
    '{{ define "w" }}[{{ gt . 1 }}]{{ end }}{{ template "w" $value }}',
    '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" 1 }}',
    '{{ template "missing" }}',
    "line1\n{{ .Foo }}",
    "{{ $x := \n 1 }}{{ $x }}\n{{- range $labels }}\n  - {{ . }}\n{{- end }}",
    '{{ define "u" }}[{{ . }}]{{ end }}{{ template "u" }}',
    "{{ range 5 }}x{{ end }}",
    "{{ $value.Foo }}",
    "{{ .Labels.job 1 }}",
    "{{ humanize }}",
    "{{ printf }}",
    "{{ 3 | humanize 4 }}",
    "{{ toUpper 3 }}",
    "{{ toUpper $value }}",
    '{{ label "x" $value }}',
    '{{ index $labels }} {{ -5 | humanize }} {{ printf "%s" (index $labels "job") }}',
    "{{ and }}",
    "{{ first nil }}",
    "{{ len nil }}",
    "{{ nil | len }}",
    r'{{ $labels.instance | reReplaceAll "(.*):(\\d+)" "$2 on $1" }}',
    '{{ reReplaceAll "^$" "empty" "" }} {{ reReplaceAll "x*" "-" "abc" }}',
    '{{ reReplaceAll "(?i)API" "X" $labels.job }} {{ reReplaceAll "[[:digit:]]+" "#" $labels.instance }}',
    r'{{ match "a$" "ba\n" }} {{ match "a$" "ba" }} {{ match "(?m)a$" "ba\nc" }} {{ match "\\Aa" "ab" }}',
    '{{ toLower "ÀÉÎ" }} {{ toUpper "straße ǆ" }} {{ title "élan vital ǆx" }}',
    '{{ printf "%5.1f|%-8.3e|%08.2f|%+08.2f|%x" -3.14159 1234.5 -1.5 2.25 1.0 }}',
    '{{ printf "%v" (args 1.5 "x" true) }} {{ printf "%d" (args 1) }}',
    '{{ printf "%s" $labels }} {{ printf "%q" $labels }}',
    '{{ printf "%6.2v|%.3v" 3.14159 "abcdef" }} {{ printf "%t %v" true false }}',
    '{{ printf "%08s|%-08s|" "ab" "cd" }}',
    '{{ printf "%.1f %.1f %.1f %.0f %.0f %.2f" 0.25 0.35 0.05 0.5 1.5 2.675 }}',
    '{{ printf "%e" 0.0 }} {{ printf "%g" 1e-7 }} {{ printf "%g %G" 1e21 1e-10 }}',
    '{{ printf "%c|%q|%U|%#U" 128512 128512 128512 128512 }} {{ printf "%+q" "héllo" }}',
    '{{ printf "%x" -1 }} {{ printf "% d|%+.3d|%.0d|" 5 7 0 }} {{ printf "%#x %#o %#b" 255 8 5 }}',
    '{{ printf "%[2]d %[1]d" 1 2 }} {{ printf "%[3]d" 1 }} {{ printf "%[x]d" 1 }}',
    '{{ printf "%+v|%-5v|%05v" 1.5 2 3 }}',
    "{{ humanize 0.0000000000000000000000000001 }} {{ humanize 1e30 }} {{ humanize1024 -2048 }}",
    "{{ humanizePercentage 0.123456 }} {{ humanizeDuration -0.5 }} {{ humanizeDuration 0.000001234 }}",
    "{{ humanizeDuration 1e-30 }} {{ humanizeDuration -90061 }} {{ humanize -0.000123 }}",
    "{{ humanizeTimestamp 1e20 }}",
    "{{ humanizeTimestamp 253402300800 }} {{ humanizeTimestamp 0.0015 }} {{ humanizeTimestamp -0.0015 }}",
    "{{ toTime 0 | humanizeTimestamp }}",
    '{{ printf "%v" (toTime 1) }} {{ printf "%s|%d" (toTime 1) (toTime 1) }}',
    '{{ (query `v{idx="00"}` | first).Labels.job }}',
    "{{ (query `v` | first).Foo }}",
    '{{ query `v{idx="00"}` | first | printf "%v" | len }}',
    '{{ if not (eq $labels.job "x") }}ne{{ end }} {{ or "" nil }} {{ and 1 nil 2 }}',
    '{{ eq $labels.job $labels.path }} {{ lt 1 2 }} {{ ge 2.5 2.5 }} {{ gt "b" "a" }}',
    '{{ eq 1 "1" }}',
    "{{ lt nil 1 }}",
    "{{ eq $labels $labels }}",
    "{{ len $labels.job }} {{ len (args) }} {{ (args).x }}",
    "{{ with $x := $labels.job }}{{ $x }}{{ end }} {{ $.Labels.job }}",
    '{{ range $i, $c := "ab" }}{{ $c }}{{ end }}',
    '{{ slice "abc" 2 1 }}',
    '{{ index "abc" 3 }}',
    '{{ index "abc" 5 }}',
    '{{ printf "%v" 1e6 }} {{ 1e6 }} {{ 100000.0 }} {{ 123456789.0 }} {{ 0.00001 }} {{ 1e-4 }}',
    '{{ $labels.device }} {{ printf "%q" $labels.device }} {{ $labels.path | urlquery }}',
]

LABELS = {
    "job": "api-server",
    "instance": "host-1.eqiad.wmnet:9100",
    "path": "/a b",
    "device": "sda\t1",
}
EXTERNAL_LABELS = {"site": "eqiad", "prometheus": "ops"}
EXTERNAL_URL = "http://prom.example.com:9090/prom"


def _series_labels(idx: str) -> dict[str, str]:
    return {"__name__": "v", "idx": idx, **LABELS}


def _promql_labels(labels: dict[str, str]) -> str:
    inner = ", ".join(f"{k}={go_quote(v)}" for k, v in labels.items())
    return "{" + inner + "}"


def _fake_query(q: str) -> list[SimpleNamespace]:
    """The three queries the templates above run, answered from the test's series."""
    rows = [
        SimpleNamespace(labels=_series_labels(f"{i:02d}"), value=float(v))
        for i, v in enumerate(VALUES)
    ]
    if q == "v":
        return rows
    m = re.fullmatch(r'v\{idx="(\d+)"\}', q)
    if m:
        return [r for r in rows if r.labels["idx"] == m.group(1)]
    return []


def _write_suite(tmp: Path) -> Path:
    def annotations(templates: list[str]) -> dict[str, str]:
        return {f"c{i:03d}": t for i, t in enumerate(templates)}

    rules = {
        "groups": [
            {
                "name": "g",
                "rules": [
                    {"alert": "V", "expr": "v", "annotations": annotations(VALUE_TEMPLATES)},
                    {
                        "alert": "L",
                        "expr": 'v{idx="00"}',
                        "annotations": annotations(OTHER_TEMPLATES),
                    },
                ],
            }
        ]
    }
    series = [
        {
            "series": "v"
            + _promql_labels(
                {k: v for k, v in _series_labels(f"{i:02d}").items() if k != "__name__"}
            ),
            "values": val,
        }
        for i, val in enumerate(VALUES)
    ]
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "external_labels": EXTERNAL_LABELS,
                "external_url": EXTERNAL_URL,
                "input_series": series,
                "alert_rule_test": [
                    {"eval_time": "0m", "alertname": "V", "exp_alerts": []},
                    {"eval_time": "0m", "alertname": "L", "exp_alerts": []},
                ],
            }
        ],
    }
    (tmp / "rules.yml").write_text(yaml.safe_dump(rules, allow_unicode=True))
    (tmp / "tests.yml").write_text(yaml.safe_dump(tests, allow_unicode=True))
    return tmp / "tests.yml"


_PAIR = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')
_ALERT = re.compile(r"Labels:\{(.*)\}\n\s*Annotations:\{(.*)\}")


def _parse_set(text: str) -> dict[str, str]:
    return {m.group(1): unquote('"' + m.group(2) + '"') for m in _PAIR.finditer(text)}


@pytest.fixture(scope="module")
def promtool_alerts(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict, dict]]:
    tmp = tmp_path_factory.mktemp("promtool")
    suite = _write_suite(tmp)
    proc = subprocess.run(
        [PROMTOOL, "test", "rules", suite.name],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = [(_parse_set(m.group(1)), _parse_set(m.group(2))) for m in _ALERT.finditer(proc.stderr)]
    assert found, f"promtool printed no alerts:\n{proc.stdout}\n{proc.stderr}"
    return found


def _cases() -> list[tuple[str, int, str]]:
    cases = [("V", i, t) for i, t in enumerate(VALUE_TEMPLATES)]
    return cases + [("L", i, t) for i, t in enumerate(OTHER_TEMPLATES)]


@pytest.mark.parametrize(("rule", "index", "template"), _cases())
def test_template_matches_promtool(promtool_alerts, rule: str, index: int, template: str) -> None:
    """Every alert's annotation equals what Prometheus 2.42 renders for it."""
    key = f"c{index:03d}"
    alerts = [(lb, an) for lb, an in promtool_alerts if lb.get("alertname") == rule]
    assert alerts, f"no {rule} alerts in promtool's output"
    for labels, annots in alerts:
        idx = labels["idx"]
        value = float(VALUES[int(idx)].replace("Inf", "inf"))
        try:
            got = render_template(
                template,
                labels=_series_labels(idx),
                value=value,
                external_labels=EXTERNAL_LABELS,
                external_url=EXTERNAL_URL,
                query=_fake_query,
                name=f"__alert_{rule}",
            )
        except TemplateError as err:
            got = f"<error expanding template: {err}>"
        assert got == annots[key], f"value {VALUES[int(idx)]} ({value!r}, nan={math.isnan(value)})"
