"""The template language as Prometheus runs it: data, variables, control flow, errors."""

from __future__ import annotations

import pytest

from gameday.promql.values import Sample
from gameday.rules.templates import PREAMBLE, TemplateError, check_template, render_template

LABELS = {"job": "api", "instance": "host-1:9100", "zone": "b"}


def render(text: str, value: float = 1.0, **kwargs) -> str:
    kwargs.setdefault("labels", LABELS)
    return render_template(text, value=value, **kwargs)


def test_preamble_variables_and_data_fields() -> None:
    """$labels, $externalLabels, $externalURL, $value and the same fields on dot."""
    out = render(
        "{{ $labels.job }} {{ .Labels.zone }} {{ $externalLabels.site }} "
        "{{ .ExternalURL }} {{ $externalURL }} {{ $value }} {{ .Value }}",
        2.5,
        external_labels={"site": "eqiad"},
        external_url="http://prom:9090",
    )
    assert out == "api b eqiad http://prom:9090 http://prom:9090 2.5 2.5"


def test_missing_label_is_empty_but_missing_args_key_is_no_value() -> None:
    """missingkey=zero: a map[string]string yields "", a map of interfaces <no value>."""
    assert render("[{{ $labels.nope }}]") == "[]"
    assert render("[{{ index $labels `nope` }}]") == "[]"
    assert render("[{{ (args 1).arg9 }}]") == "[<no value>]"
    assert render("[{{ $externalLabels.nope }}]") == "[]"


def test_text_without_actions_passes_through() -> None:
    """Plain text is copied byte for byte, including braces that are not actions."""
    assert render("a { b } c }} d") == "a { b } c }} d"


def test_trim_markers_and_comments() -> None:
    """{{- and -}} trim surrounding white space; comments print nothing."""
    assert render("a  \n {{- 1 -}} \n  b") == "a1b"
    assert render("x {{/* note */}} y {{- /* trimmed */ -}} z") == "x  yz"
    assert render("{{-3}}") == "-3"


def test_variables_declare_assign_and_scope() -> None:
    """:= declares, = assigns; variables declared in a block end with it."""
    assert render("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}") == "2"
    assert render("{{ $x := 1 }}{{ if true }}{{ $x := 5 }}{{ $x }}{{ end }}{{ $x }}") == "51"
    assert render("{{ with $v := $labels.job }}{{ $v }}{{ end }}") == "api"


def test_if_else_if_else() -> None:
    """if/else if/else pick the first true branch; empty strings and 0 are false."""
    tmpl = "{{ if gt $value 10.0 }}big{{ else if gt $value 1.0 }}mid{{ else }}small{{ end }}"
    assert [render(tmpl, v) for v in (20.0, 5.0, 0.5)] == ["big", "mid", "small"]
    assert render("{{ if $labels.nope }}y{{ else }}n{{ end }}") == "n"
    assert render("{{ if $value }}y{{ end }}", float("nan")) == "y"


def test_range_over_maps_is_sorted_and_over_slices_indexed() -> None:
    """range visits map keys in sorted order; $i, $e get key/index and element."""
    assert render("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}") == (
        "instance=host-1:9100;job=api;zone=b;"
    )
    assert render("{{ range $labels }}{{ . }},{{ end }}") == "host-1:9100,api,b,"
    assert render("{{ range $externalLabels }}x{{ else }}empty{{ end }}") == "empty"


def test_range_break_and_continue() -> None:
    """break and continue work inside range (Go 1.18+)."""
    tmpl = "{{ range $k, $v := $labels }}{{ if eq $k `job` }}{{ continue }}{{ end }}"
    tmpl += "{{ if eq $k `zone` }}{{ break }}{{ end }}{{ $v }}{{ end }}"
    assert render(tmpl) == "host-1:9100"


def test_with_sets_dot() -> None:
    """with runs its body with dot set to a non-empty value, else the else branch."""
    assert render("{{ with $labels.job }}<{{ . }}>{{ end }}") == "<api>"
    assert render("{{ with $labels.nope }}x{{ else }}none{{ end }}") == "none"


def test_define_template_and_block() -> None:
    """Named templates get their own dot and no outer variables."""
    assert render('{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" $labels.job }}') == "[api]"
    assert render('{{ block "b" $labels.zone }}<{{ . }}>{{ end }}') == "<b>"


def test_pipelines_and_parentheses() -> None:
    """A pipeline passes each result as the last argument of the next command."""
    assert render('{{ $labels.job | printf "%s-%s" "x" | toUpper }}') == "X-API"
    assert render("{{ (len $labels) }} {{ printf `%d` (len $labels) }}") == "3 3"


def test_query_results_are_samples() -> None:
    """query returns samples with .Labels and .Value, usable with first/label/value."""
    rows = [Sample({"instance": "b"}, 2.0), Sample({"instance": "a"}, 1.0)]
    seen: list[str] = []

    def query(q: str) -> list[Sample]:
        seen.append(q)
        return rows

    text = (
        "{{ range query `up` | sortByLabel `instance` }}{{ .Labels.instance }}={{ .Value }} "
        "{{ end }}{{ query `up` | first | value }} {{ with query `up` }}"
        "{{ . | first | label `instance` }}{{ end }}"
    )
    assert render(text, query=query) == "a=1 b=2 2 b"
    assert seen == ["up", "up", "up"]


def test_query_errors_become_template_errors() -> None:
    """An empty result makes first fail; the query function's exception is reported."""
    with pytest.raises(TemplateError, match="first\\(\\) called on vector with no elements"):
        render("{{ query `x` | first }}", query=lambda q: [])

    def broken(q: str) -> list[Sample]:
        raise ValueError("parse error: unexpected end of input")

    with pytest.raises(TemplateError, match="error calling query: parse error"):
        render("{{ query `x(` }}", query=broken)


def test_execution_error_message_matches_prometheus() -> None:
    """The message names the template, line, byte column (preamble included) and node."""
    with pytest.raises(TemplateError) as info:
        render_template("ok {{ gt $value 0 }}", labels={}, value=1.0, name="__alert_High")
    col = len(PREAMBLE) + len("ok {{ ")
    assert str(info.value) == (
        f"error executing template __alert_High: template: __alert_High:1:{col}: "
        'executing "__alert_High" at <gt $value 0>: error calling gt: '
        "incompatible types for comparison"
    )


def test_errors_on_later_lines_count_lines_and_columns() -> None:
    """Columns restart after each newline."""
    with pytest.raises(TemplateError, match=r"__alert_:2:3: executing .* at <\.Foo>"):
        render("line1\n{{ .Foo }}")


def test_parse_errors_render_and_check() -> None:
    """A malformed template fails to render and check_template explains why."""
    with pytest.raises(
        TemplateError,
        match='error parsing template __alert_: template: __alert_:1: function "nope" not defined',
    ):
        render("{{ nope }}")
    assert check_template("{{ $labels.job }}") is None
    assert check_template("a\n{{ if }}", name="__alert_A") == (
        "template: __alert_A:2: missing value for if"
    )
    assert (
        check_template("{{ $undefined }}")
        == 'template: __alert_:1: undefined variable "$undefined"'
    )


def test_results_are_cached_but_distinguish_negative_zero() -> None:
    """Repeated renders give the same text; -0 and 0 are different values to Go."""
    assert render("{{ $value }}", -0.0) == "-0"
    assert render("{{ $value }}", 0.0) == "0"
    assert render("{{ $value }}", -0.0) == "-0"
    for _ in range(2):
        with pytest.raises(TemplateError):
            render("{{ gt $value 0 }}")


def test_runaway_recursion_and_deep_nesting_fail_cleanly() -> None:
    """Infinite {{template}} recursion reports Go's depth error; absurd nesting is refused."""
    with pytest.raises(TemplateError, match=r"exceeded maximum template depth \(100000\)"):
        render('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" 1 }}')
    deep = "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}"
    assert check_template(deep) == "template: __alert_:1: max expression depth exceeded"


def test_cache_never_hides_query_results() -> None:
    """Templates that call query run it every time; the others may come from the cache."""
    calls: list[str] = []

    def query(q: str) -> list[Sample]:
        calls.append(q)
        return [Sample({}, float(len(calls)))]

    text = "{{ query `up` | first | value }}"
    assert [render(text, query=query) for _ in range(3)] == ["1", "2", "3"]
    assert render("{{ $labels.job }}", query=query) == "api"
    assert len(calls) == 3
