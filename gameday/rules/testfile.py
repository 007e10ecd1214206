"""promtool's rule unit-test file format, read strictly as promtool 2.42 reads it."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from typing import Any

import yaml

from gameday.files import read_text
from gameday.rules.model import parse_go_duration
from gameday.rules.yamlstr import StrLoader
from gameday.yamldoc import guarded_read_and_load

KeyPath = tuple[str | int, ...]

FILE_KEYS = {"rule_files", "evaluation_interval", "group_eval_order", "tests"}
GROUP_KEYS = {
    "interval",
    "input_series",
    "alert_rule_test",
    "promql_expr_test",
    "external_labels",
    "external_url",
    "name",
}
SERIES_KEYS = {"series", "values"}
ALERT_KEYS = {"eval_time", "alertname", "exp_alerts"}
EXP_ALERT_KEYS = {"exp_labels", "exp_annotations"}
EXPR_KEYS = {"expr", "eval_time", "exp_samples"}
SAMPLE_KEYS = {"labels", "value"}


class TestFileError(Exception):
    """The test file cannot be used; ``unreadable`` when it could not even be read."""

    def __init__(self, message: str, unreadable: bool = False) -> None:
        super().__init__(message)
        self.unreadable = unreadable


@dataclass
class AlertCase:
    eval_time_ms: int
    alertname: str
    exp_alerts: list[tuple[dict[str, str], dict[str, str]]]


@dataclass
class ExprCase:
    expr: str
    eval_time_ms: int
    exp_samples: list[tuple[str, float]]


@dataclass
class TestGroup:
    interval_ms: int
    input_series: list[tuple[str, str]]
    alert_cases: list[AlertCase]
    expr_cases: list[ExprCase]
    external_labels: dict[str, str]
    external_url: str
    name: str
    index: int = 0

    def max_eval_time_ms(self) -> int:
        times = [c.eval_time_ms for c in self.alert_cases] + [
            c.eval_time_ms for c in self.expr_cases
        ]
        return max(times, default=0)


@dataclass
class TestFile:
    path: str
    rule_files: list[str]
    evaluation_interval_ms: int
    group_eval_order: list[str]
    tests: list[TestGroup] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    where: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, key: KeyPath) -> str:
        """``path:line:col: dotted.key`` of a value in the file (line and column 1-based)."""
        dotted = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in key).lstrip(".")
        pos = self.where.get(key)
        where = f"{self.path}:{pos[0]}:{pos[1]}" if pos else self.path
        return f"{where}: {dotted}"


def _strict(d: Any, keys: set[str], type_name: str) -> dict[str, Any]:
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise TestFileError(f"yaml: unmarshal errors:\n  cannot unmarshal into {type_name}")
    for k in d:
        if k not in keys:
            raise TestFileError(
                f"yaml: unmarshal errors:\n  field {k} not found in type {type_name}"
            )
    return d


def _duration(value: Any) -> int:
    if value is None or value == "":
        return 0
    try:
        return parse_go_duration(str(value))
    except ValueError as exc:
        raise TestFileError(str(exc)) from None


def _float(value: Any) -> float:
    s = "" if value is None else str(value).strip()
    if s == "" or s == "~" or s == "null":
        return 0.0
    low = s.lower()
    if low in (".inf", "+.inf"):
        return float("inf")
    if low == "-.inf":
        return float("-inf")
    if low == ".nan":
        return float("nan")
    try:
        if low.startswith(("0x", "-0x", "+0x")):
            return float(int(s, 16))
        return float(s)
    except ValueError:
        raise TestFileError(
            f"yaml: unmarshal errors:\n  cannot unmarshal !!str `{s}` into float64"
        ) from None


def _strmap(d: Any) -> dict[str, str]:
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise TestFileError("yaml: unmarshal errors:\n  cannot unmarshal into map[string]string")
    return {str(k): "" if v is None else str(v) for k, v in d.items()}


def _list(d: Any) -> list[Any]:
    if d is None:
        return []
    if not isinstance(d, list):
        raise TestFileError("yaml: unmarshal errors:\n  cannot unmarshal into a list")
    return d


def _marks(node: yaml.Node | None, key: KeyPath = ()) -> dict[KeyPath, tuple[int, int]]:
    """Line and column (1-based) of every value in the document, by key path."""
    out: dict[KeyPath, tuple[int, int]] = {}
    stack: list[tuple[yaml.Node, KeyPath]] = [] if node is None else [(node, key)]
    while stack:
        n, k = stack.pop()
        out[k] = (n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode):
            stack.extend((v, (*k, kn.value)) for kn, v in n.value if isinstance(kn.value, str))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((v, (*k, i)) for i, v in enumerate(n.value))
    return out


def read_test_file(path: str) -> TestFile:
    """Parse a test file and resolve its rule files relative to it (globs expanded)."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise TestFileError(f"open {path}: no such file or directory", unreadable=True) from None
    except IsADirectoryError:
        raise TestFileError(f"read {path}: is a directory", unreadable=True) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TestFileError(f"read {path}: {exc}", unreadable=True) from None
    try:
        where, raw = guarded_read_and_load(text, _marks, StrLoader)
    except yaml.YAMLError as exc:
        raise TestFileError(f"yaml: {exc}") from None
    top = _strict(raw, FILE_KEYS, "main.unitTestFile")
    base = os.path.dirname(path)
    rule_files: list[str] = []
    warnings: list[str] = []
    for rf in _list(top.get("rule_files")):
        rf = "" if rf is None else str(rf)
        full = rf if (not rf or os.path.isabs(rf)) else os.path.join(base, rf)
        matches = sorted(glob.glob(full)) if full else []
        if not matches:
            warnings.append(f"  WARNING: no file match pattern {full}")
        rule_files.extend(matches)
    tf = TestFile(
        path=path,
        rule_files=rule_files,
        evaluation_interval_ms=_duration(top.get("evaluation_interval")) or 60_000,
        group_eval_order=[str(x) for x in _list(top.get("group_eval_order"))],
        warnings=warnings,
        where=where,
    )
    for gi, g in enumerate(_list(top.get("tests"))):
        g = _strict(g, GROUP_KEYS, "main.testGroup")
        series = []
        for s in _list(g.get("input_series")):
            s = _strict(s, SERIES_KEYS, "main.series")
            series.append((str(s.get("series") or ""), str(s.get("values") or "")))
        alerts = []
        for a in _list(g.get("alert_rule_test")):
            a = _strict(a, ALERT_KEYS, "main.alertTestCase")
            exp = []
            for e in _list(a.get("exp_alerts")):
                e = _strict(e, EXP_ALERT_KEYS, "main.alert")
                exp.append((_strmap(e.get("exp_labels")), _strmap(e.get("exp_annotations"))))
            alerts.append(
                AlertCase(_duration(a.get("eval_time")), str(a.get("alertname") or ""), exp)
            )
        exprs = []
        for x in _list(g.get("promql_expr_test")):
            x = _strict(x, EXPR_KEYS, "main.promqlTestCase")
            samples = []
            for smp in _list(x.get("exp_samples")):
                smp = _strict(smp, SAMPLE_KEYS, "main.sample")
                samples.append((str(smp.get("labels") or ""), _float(smp.get("value"))))
            exprs.append(ExprCase(str(x.get("expr") or ""), _duration(x.get("eval_time")), samples))
        tf.tests.append(
            TestGroup(
                interval_ms=_duration(g.get("interval")),
                input_series=series,
                alert_cases=alerts,
                expr_cases=exprs,
                external_labels=_strmap(g.get("external_labels")),
                external_url=str(g.get("external_url") or ""),
                name=str(g.get("name") or ""),
                index=gi,
            )
        )
    return tf
