"""Run promtool-format rule unit tests (``promtool test rules``, 2.42 semantics).

Per test group: input series are loaded lazily up to each evaluation time (and never
past the largest ``eval_time``), every rule group is evaluated at 0, interval, 2*interval
... in ``group_eval_order``; alert tests compare the *firing* alerts of the last step at
or before their ``eval_time``; expression tests run after the last step and compare
floats exactly. Messages follow promtool's so diffs read the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gameday.promql.errors import PromQLError
from gameday.promql.labels import format_float_e, go_quote, labels_str
from gameday.rules import testlimits
from gameday.rules.batch import NotBatchable, check_batchable, run_batch
from gameday.rules.groupeval import GroupRunner
from gameday.rules.loader import read_rule_file
from gameday.rules.model import RuleGroup, format_go_duration
from gameday.rules.series_notation import (
    LabelSetError,
    SeriesParseError,
    expand_values,
    parse_metric,
)
from gameday.rules.seriesdesc import series_error
from gameday.rules.testfile import ExprCase, TestFile, TestFileError, TestGroup, read_test_file
from gameday.tsdb import TSDB, Labels, SampleAppendError

MAX_SAMPLES = 10_000
BATCH = True  # evaluate whole step ranges at once when safe (see gameday.rules.batch)


@dataclass
class FileResult:
    """Outcome of one test file: ``errors`` empty means SUCCESS."""

    path: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bad_input: bool = False  # unreadable, or refused by a limit: exit 2

    @property
    def passed(self) -> bool:
        return not self.errors


def go_time_duration(ms: int) -> str:
    """Go's ``time.Duration.String()`` for whole milliseconds (``1h0m0s``, ``1.5s``)."""
    if ms == 0:
        return "0s"
    neg = ms < 0
    ms = abs(ms)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, frac = divmod(rem, 1000)
    if h == 0 and m == 0 and s == 0:
        out = f"{frac}ms"
    else:
        sec = f"{s}" + (f".{frac:03d}".rstrip("0") if frac else "") + "s"
        out = (f"{h}h{m}m" if h else (f"{m}m" if m else "")) + sec
    return ("-" if neg else "") + out


def _la_string(items: list[tuple[Labels, Labels]]) -> str:
    if not items:
        return "[]"

    def one(i: int, la: tuple[Labels, Labels]) -> str:
        body = "\nLabels:" + labels_str(la[0]) + "\nAnnotations:" + labels_str(la[1])
        return f"{i}:" + body.replace("\n", "\n  ")

    return "[\n" + ",\n".join(one(i, la) for i, la in enumerate(items)) + "\n]"


def _indent(text: str, prefix: str) -> str:
    return text.replace("\n", "\n" + prefix)


def _samples_string(samples: list[tuple[Labels, float]]) -> str:
    if not samples:
        return "nil"
    return ", ".join(f"{labels_str(ls)} {format_float_e(v)}" for ls, v in samples)


def _same_floats(a: list[tuple[Labels, float]], b: list[tuple[Labels, float]]) -> bool:
    if len(a) != len(b):
        return False
    return all(la == lb and va == vb for (la, va), (lb, vb) in zip(a, b, strict=True))


def load_groups(tf: TestFile, tg: TestGroup) -> tuple[list[RuleGroup], list[str]]:
    groups: list[RuleGroup] = []
    errors: list[str] = []
    for path in tf.rule_files:
        gs, problems = read_rule_file(path)
        for p in problems:
            where = f"{p.line}:{p.col}: " if p.line is not None else ""
            errors.append(f"{path}: {where}{p.message}")
        groups.extend(gs)
    order = {name: i for i, name in enumerate(tf.group_eval_order)}
    groups.sort(key=lambda g: order.get(g.name, 0))
    return groups, errors


class LimitExceeded(Exception):
    """A test group goes past one of :mod:`gameday.rules.testlimits`' limits."""


def run_test_group(tf: TestFile, tg: TestGroup) -> list[str]:
    """Run one test group; returns promtool-style error messages (empty: passed).

    Raises:
        LimitExceeded: the group would load or evaluate more than gameday allows.
    """
    refusal = testlimits.check_group(tf, tg)
    if refusal:
        raise LimitExceeded(refusal)
    series: dict[Labels, tuple[np.ndarray, np.ndarray]] = {}
    # samples after the last eval_time are never loaded: do not even expand them
    limit = tg.max_eval_time_ms() // tg.interval_ms + 1 if tg.interval_ms > 0 else None
    lines: list[str] = []  # "SERIES VALUES", as promtool's load command holds them
    for s, values in tg.input_series:
        line = f"{s} {values}".strip()
        if not line or line.startswith("#"):
            break  # an empty or comment line ends promtool's load command: the rest is unread
        problem = series_error(line)  # promtool parses every line before loading any
        if problem:
            return [problem]
        lines.append(line)
    for line in lines:
        try:
            labels, end = parse_metric(line)
            # a zero interval puts every sample at 0s: the first one wins, as in promtool
            idx, v = expand_values(line[end:], limit, first_only=tg.interval_ms <= 0)
        except LabelSetError as exc:
            return [exc.promtool]
        except SeriesParseError as exc:
            return [str(exc)]
        series[labels] = (idx * tg.interval_ms, v)
    groups, errors = load_groups(tf, tg)
    if errors:
        return errors
    refusal = testlimits.check_subqueries(tf, tg, groups)
    if refusal:
        raise LimitExceeded(refusal)
    for case in tg.alert_cases:
        if not case.alertname:
            suffix = f" (in TestGroup {tg.name})" if tg.name else ""
            return [
                f"an item under alert_rule_test misses required attribute alertname at "
                f"eval_time {format_go_duration(case.eval_time_ms)}{suffix}"
            ]
    eval_opts = {"max_samples": MAX_SAMPLES, "subquery_step_ms": tf.evaluation_interval_ms}
    if BATCH:
        try:
            return _run_batch(tf, tg, groups, series, eval_opts)
        except (NotBatchable, PromQLError, SampleAppendError):
            pass  # step by step below reports exactly what promtool reports
    db = TSDB()
    runners = [GroupRunner(g, db, tg.external_labels, tg.external_url, eval_opts) for g in groups]
    interval = tf.evaluation_interval_ms
    maxt = tg.max_eval_time_ms()
    alert_times = sorted({c.eval_time_ms for c in tg.alert_cases})
    errs: list[str] = []
    loader = _Loader(db, series)
    curr = 0
    ts = 0
    while ts <= maxt:
        load_err = loader.load_until(ts)
        eval_errs: list[str] = []
        if load_err:
            errs.append(load_err)
        else:
            for r in runners:
                r.eval(ts)
                for i, rule in enumerate(r.group.rules):
                    err = r.last_error.get(i)
                    if err:
                        eval_errs.append(
                            f"    rule: {rule.name}, time: {go_time_duration(ts)}, err: {err}"
                        )
        errs.extend(eval_errs)
        if eval_errs:
            return errs
        while curr < len(alert_times) and ts <= alert_times[curr] < ts + interval:
            at = alert_times[curr]
            errs.extend(_compare_alerts(tg, at, _firing(tg, runners, at)))
            curr += 1
        ts += interval
    for expr_case in tg.expr_cases:
        errs.extend(_check_expr(expr_case, runners, db, eval_opts))
    return errs


class _Loader:
    """Appends input samples up to a time, first value winning at a repeated timestamp."""

    def __init__(self, db: TSDB, series: dict[Labels, tuple[np.ndarray, np.ndarray]]) -> None:
        self.db = db
        self.pending = {k: (t, v, 0) for k, (t, v) in series.items()}

    def load_until(self, ts: int) -> str | None:
        for labels, (t, v, pos) in self.pending.items():
            hi = int(np.searchsorted(t, ts, side="right"))
            if hi <= pos:
                continue
            try:
                self.db.extend(labels, t[pos:hi], v[pos:hi])
            except SampleAppendError:
                for i in range(pos, hi):
                    try:
                        self.db.append(labels, int(t[i]), float(v[i]))
                    except SampleAppendError as exc:
                        return str(exc)
            self.pending[labels] = (t, v, hi)
        return None


def _run_batch(
    tf: TestFile,
    tg: TestGroup,
    groups: list[RuleGroup],
    series: dict[Labels, tuple[np.ndarray, np.ndarray]],
    eval_opts: dict,
) -> list[str]:
    check_batchable(groups, [c.expr for c in tg.expr_cases])
    db = TSDB()
    runners = [GroupRunner(g, db, tg.external_labels, tg.external_url, eval_opts) for g in groups]
    maxt = tg.max_eval_time_ms()
    interval = tf.evaluation_interval_ms
    err = _Loader(db, series).load_until(maxt)
    if err:
        raise NotBatchable(err)
    steps = np.arange(0, maxt + 1, interval, dtype=np.int64)
    alert_times = sorted({c.eval_time_ms for c in tg.alert_cases})
    reads_alerts = any("ALERTS" in c.expr for c in tg.expr_cases)
    firing = run_batch(
        runners, db, steps, {t // interval for t in alert_times}, eval_opts, reads_alerts
    )
    errs: list[str] = []
    for t in alert_times:
        errs.extend(_compare_alerts(tg, t, firing[t // interval]))
    for case in tg.expr_cases:
        errs.extend(_check_expr(case, runners, db, eval_opts))
    return errs


def _firing(
    tg: TestGroup, runners: list[GroupRunner], t: int
) -> dict[str, list[tuple[Labels, Labels]]]:
    names = {c.alertname for c in tg.alert_cases if c.eval_time_ms == t}
    got: dict[str, list[tuple[Labels, Labels]]] = {}
    for r in runners:
        for state in r.alert_states.values():
            if state.rule.name not in names:
                continue
            for a in state.active_alerts():
                if a.state == "firing":
                    got.setdefault(state.rule.name, []).append(
                        (tuple(sorted(a.labels.items())), tuple(sorted(a.annotations.items())))
                    )
    return got


def _compare_alerts(
    tg: TestGroup, t: int, got: dict[str, list[tuple[Labels, Labels]]]
) -> list[str]:
    cases = [c for c in tg.alert_cases if c.eval_time_ms == t]
    errs = []
    for case in cases:
        g = sorted(got.get(case.alertname, []))
        exp = []
        for labels, annots in case.exp_alerts:
            lab = dict(labels)
            lab["alertname"] = case.alertname
            exp.append((tuple(sorted(lab.items())), tuple(sorted(annots.items()))))
        exp.sort()
        if exp != g:
            name = f"    name: {tg.name},\n" if tg.name else ""
            errs.append(
                f"{name}    alertname: {case.alertname}, time: {format_go_duration(t)}, \n"
                f"        exp:{_indent(_la_string(exp), '            ')}, \n"
                f"        got:{_indent(_la_string(g), '            ')}"
            )
    return errs


def _check_expr(case: ExprCase, runners: list[GroupRunner], db: TSDB, eval_opts: dict) -> list[str]:
    from gameday.promql import evaluate_instant

    when = format_go_duration(case.eval_time_ms)
    head = f"    expr: {go_quote(case.expr)}, time: {when}"
    try:
        val = evaluate_instant(case.expr, db, case.eval_time_ms, **eval_opts)
    except PromQLError as exc:
        return [f"{head}, err: {exc}"]
    if isinstance(val, str):
        return [f"{head}, err: rule result is not a vector or scalar"]
    got: list[tuple[Labels, float]] = (
        [((), val)]
        if isinstance(val, float)
        else [(tuple(sorted(s.labels.items())), s.value) for s in val]
    )
    exp: list[tuple[Labels, float]] = []
    for text, value in case.exp_samples:
        try:
            labels = parse_metric(text)[0] if text.strip() not in ("", "{}") else ()
        except SeriesParseError as exc:
            return [f"{head}, err: labels {go_quote(text)}: {exc}"]
        exp.append((labels, value))
    exp.sort(key=lambda s: s[0])
    got.sort(key=lambda s: s[0])
    if not _same_floats(exp, got):
        return [
            f"    expr: {go_quote(case.expr)}, time: {when},\n"
            f"        exp: {_samples_string(exp)}\n        got: {_samples_string(got)}"
        ]
    return []


def run_test_file(path: str) -> FileResult:
    """Run every test group of one file."""
    try:
        tf = read_test_file(path)
    except TestFileError as exc:
        return FileResult(path, [str(exc)], bad_input=exc.unreadable)
    result = FileResult(path, warnings=list(tf.warnings))
    group_order: set[str] = set()
    for name in tf.group_eval_order:
        if name in group_order:
            result.errors.append(f"group name repeated in evaluation order: {name}")
            return result
        group_order.add(name)
    for tg in tf.tests:
        try:
            result.errors.extend(run_test_group(tf, tg))
        except PromQLError as exc:
            result.errors.append(f"    err: {exc}")
        except LimitExceeded as exc:
            result.errors.append(str(exc))
            result.bad_input = True
            return result
    return result
