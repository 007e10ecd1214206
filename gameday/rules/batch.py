"""Evaluate a whole promtool test group at once: every rule over every step in one go.

Stepping rule by rule through thousands of evaluation times is what makes long windows
slow. When it is safe, each rule's expression is evaluated for *all* steps in a single
vectorised pass (the evaluator works on step ranges), recording rules write their whole
output series, and only the alert state machine walks the steps. It is safe when no rule
reads a series that a later rule (or the same rule) writes, nothing reads ``ALERTS``, no
selector looks ahead of its evaluation time (``@``, negative ``offset``) and no template
runs a query. Any evaluation error makes the caller fall back to step-by-step evaluation,
which reports errors exactly as promtool does; both paths give identical results.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import numpy as np

from gameday.promql.ast import walk
from gameday.promql.errors import EvalError
from gameday.promql.evaluator import Evaluator, selector_matchers
from gameday.promql.stepcache import StepCache
from gameday.rules.alerts import FIRING
from gameday.rules.groupeval import GroupRunner
from gameday.rules.model import Rule, RuleGroup
from gameday.tsdb import STALE_NAN, TSDB, Labels

_TEMPLATE_QUERY = re.compile(r"\{\{[^}]*\bquery\b")


class NotBatchable(Exception):
    """The test group needs step-by-step evaluation."""


def _selectors(node: Any) -> tuple[list[Any], bool]:
    """Vector selectors of an expression and whether any looks ahead (@, negative offset)."""
    found: list[Any] = []
    ahead = False
    for n in walk(node):
        if n.kind == "VectorSelector":
            found.append(n)
        if n.kind in ("VectorSelector", "SubqueryExpr") and (n.at is not None or n.offset_ms < 0):
            ahead = True
    return found, ahead


def plan(groups: list[RuleGroup]) -> list[tuple[int, int, frozenset[str]]]:
    """Order rules so producers come first; (group, rule, lagged names) per rule.

    A rule that reads what a later rule (in promtool's order) writes sees it one step late;
    those names are "lagged" for it. Raises :class:`NotBatchable` on a cycle or self-read.
    """
    flat = [(gi, ri, r) for gi, g in enumerate(groups) for ri, r in enumerate(g.rules)]
    reads: list[set[int]] = []
    lagged: list[frozenset[str]] = []
    for pos, (_, _, rule) in enumerate(flat):
        deps: set[int] = set()
        lag: set[str] = set()
        for sel in _selectors(rule.node)[0]:
            ms = [m for m in selector_matchers(sel) if m.name == "__name__"]
            for q, (_, _, other) in enumerate(flat):
                if other.is_alert or not all(m.matches(other.name) for m in ms):
                    continue
                if q == pos:
                    raise NotBatchable("a rule reads its own output")
                deps.add(q)
                if q > pos:
                    lag.add(other.name)
        reads.append(deps)
        lagged.append(frozenset(lag))
    order: list[int] = []
    state = [0] * len(flat)

    def visit(i: int) -> None:
        if state[i] == 2:
            return
        if state[i] == 1:
            raise NotBatchable("rules depend on each other in a cycle")
        state[i] = 1
        for d in sorted(reads[i]):
            visit(d)
        state[i] = 2
        order.append(i)

    for i in range(len(flat)):
        visit(i)
    return [(flat[i][0], flat[i][1], lagged[i]) for i in order]


def check_batchable(groups: list[RuleGroup], expr_texts: list[str]) -> None:
    """Raise :class:`NotBatchable` unless whole-range evaluation gives promtool's answer."""
    rules: list[Rule] = [r for g in groups for r in g.rules]
    any_alert = any(r.is_alert for r in rules)
    for rule in rules:
        if rule.node is None:
            raise NotBatchable("unparsed rule")
        texts = [*rule.annotations.values(), *rule.labels.values()] if rule.is_alert else []
        if any(_TEMPLATE_QUERY.search(v) for v in texts):
            raise NotBatchable("template query")
        sels, ahead = _selectors(rule.node)
        if ahead:
            raise NotBatchable("looks ahead")
        for sel in sels:
            ms = [m for m in selector_matchers(sel) if m.name == "__name__"]
            if any_alert and all(
                any(m.matches(n) for n in ("ALERTS", "ALERTS_FOR_STATE")) for m in ms
            ):
                raise NotBatchable("reads ALERTS")
    del expr_texts


def _cached(expand: Any) -> Any:
    cache: dict[tuple[str, Labels, float], str] = {}

    def run(text: str, labels: dict[str, str], value: float) -> str:
        if "{{" not in text:
            return text
        key = (text, tuple(sorted(labels.items())), value)
        out = cache.get(key)
        if out is None:
            out = cache[key] = expand(text, labels, value)
        return out

    return run


def run_batch(
    runners: list[GroupRunner],
    db: TSDB,
    steps: np.ndarray,
    check_steps: set[int],
    eval_opts: dict[str, Any],
    write_alerts: bool = True,
) -> dict[int, dict[str, list[tuple[Labels, Labels]]]]:
    """Evaluate every rule over ``steps``; returns firing alerts at the requested steps.

    Raises:
        EvalError: a rule failed at some step (the caller re-runs step by step).
    """
    firing: dict[int, dict[str, list[tuple[Labels, Labels]]]] = {i: {} for i in check_steps}
    n = len(steps)
    cache = StepCache(steps)
    for gi, i, lagged in plan([r.group for r in runners]):
        runner = runners[gi]
        rule = runner.group.rules[i]
        ev = Evaluator(db, steps, rule_mode=True, lagged=lagged, cache=cache, **eval_opts)
        val = ev.eval(rule.node)
        if isinstance(val, str):
            raise EvalError("rule result is not a vector or scalar")
        rows: list[tuple[Labels, np.ndarray, np.ndarray]]
        if isinstance(val, np.ndarray):
            rows = [((), val, np.ones(n, dtype=bool))]
        else:
            rows = [(r.labels, r.v, r.m) for r in val]
        if rule.is_alert:
            _alert(runner, i, rule, rows, steps, db, firing, write_alerts)
        else:
            _record(rule, rows, steps, db)
    return firing


def _record(
    rule: Rule, rows: list[tuple[Labels, np.ndarray, np.ndarray]], steps: np.ndarray, db: TSDB
) -> None:
    out: dict[Labels, tuple[np.ndarray, np.ndarray]] = {}
    for labels, v, m in rows:
        key = rule.record_labels(labels)
        if key in out:
            pv, pm = out[key]
            if (pm & m).any():
                raise EvalError(
                    "vector contains metrics with the same labelset after applying rule labels"
                )
            out[key] = (np.where(m, v, pv), pm | m)
        else:
            out[key] = (v, m)
    for key, (v, m) in out.items():
        if db.series(key) is not None:
            raise EvalError("rule output collides with an existing series")
        _write_series(db, key, steps, v, m)


def _write_series(db: TSDB, key: Labels, steps: np.ndarray, v: np.ndarray, m: np.ndarray) -> None:
    """Samples where present, a staleness marker at each step right after a present run."""
    ends = np.zeros(len(m), dtype=bool)
    ends[1:] = m[:-1] & ~m[1:]
    keep = m | ends
    vals = np.where(m, v, STALE_NAN)
    db.extend(key, steps[keep], vals[keep])


def _alert(
    runner: GroupRunner,
    i: int,
    rule: Rule,
    rows: list[tuple[Labels, np.ndarray, np.ndarray]],
    steps: np.ndarray,
    db: TSDB,
    firing: dict[int, dict[str, list[tuple[Labels, Labels]]]],
    write_alerts: bool = True,
) -> None:
    """Walk the alert state machine over the steps.

    Without ``write_alerts`` (nothing reads ALERTS) steps where nothing can change are
    skipped: the result set is the same as the step before, every alert is steadily
    firing, and no test looks at that step.
    """
    state = runner.alert_states[i]
    expand = _cached(runner.expander(0, rule.name)) if rule.labels else None
    series: dict[Labels, list[tuple[int, float]]] = {}
    present_now: set[Labels] = set()
    masks = np.array([m for _, _, m in rows]) if rows else np.zeros((0, len(steps)), dtype=bool)
    vals = [v.tolist() for _, v, _ in rows]
    n = len(steps)
    change = np.ones(n, dtype=bool)
    if rows and n > 1:
        change[1:] = (masks[:, 1:] != masks[:, :-1]).any(axis=0)
    looked = np.zeros(n, dtype=bool)  # steps a test looks at
    looked[[k for k in firing if 0 <= k < n]] = True
    # Steps where an idle state machine can wake: a series is present or a test looks.
    wake = looked | masks.any(axis=0) if rows else looked
    wakes = np.nonzero(wake)[0]
    # Steps where a steadily firing one can change: the result set changes or a test looks.
    events = np.flatnonzero(change | looked)
    si = -1
    while True:
        si += 1
        if si >= n:
            break
        if not state.active:  # nothing pending or firing: jump to the next wake
            k = int(np.searchsorted(wakes, si))
            if k >= len(wakes):
                break
            si = int(wakes[k])
        ts = int(steps[si])
        if (
            not write_alerts
            and not change[si]
            and si not in firing
            and all(
                a.state == FIRING and a.keep_firing_since_ms is None for a in state.active.values()
            )
        ):  # nothing changes before the next event: jump to the step before it
            k = int(np.searchsorted(events, si, side="right"))
            if k >= len(events):
                break
            si = int(events[k]) - 1
            continue
        result = [(rows[r][0], vals[r][si]) for r in np.nonzero(masks[:, si])[0]] if rows else []
        if not result and not state.active and si not in firing:
            continue
        out = state.step(ts, result, expand or _identity, lazy_annotations=True)
        returned = set()
        for labels, value in out:
            series.setdefault(labels, []).append((ts, value))
            returned.add(labels)
        for gone in present_now - returned:
            series.setdefault(gone, []).append((ts, STALE_NAN))
        present_now = returned
        if si in firing:
            got = firing[si].setdefault(rule.name, [])
            for a in state.active_alerts():
                if a.state == FIRING:
                    ann = state.resolve_annotations(
                        a, partial(runner.expander, rule_name=rule.name)
                    )
                    got.append((tuple(sorted(a.labels.items())), tuple(sorted(ann.items()))))
    for labels, pts in series.items() if write_alerts else ():
        if db.series(labels) is not None:
            raise EvalError("ALERTS series written by two rules")
        arr = np.array(pts, dtype=np.float64)
        db.extend(labels, arr[:, 0].astype(np.int64), arr[:, 1])


def _identity(text: str, labels: dict[str, str], value: float) -> str:
    return text
