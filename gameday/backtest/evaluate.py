"""Evaluate rule groups over recorded data as a Prometheus server would have.

Each group is evaluated at every multiple of its interval between ``start`` and ``end``
(a 1m group on the minute), or, staggered, where a Prometheus server would evaluate it:
at the offset a hash of the group's name and file gives it (:func:`group_offset_ms`).
Rule expressions are evaluated for many steps at once
(:class:`~gameday.promql.evaluator.Evaluator`), a span of steps at a time so memory stays
bounded; recording rules write their series before
the rules that read them; the alert state machine of
:class:`~gameday.rules.alerts.AlertingState` (``for``, ``keep_firing_for``, templated
labels and annotations) walks the steps. A rule that fails at some step is re-evaluated
step by step, as Prometheus would, so only the failing steps lose their output.

Rules that read ``ALERTS`` or look ahead (``@ end()``, negative offsets) need the
whole server stepped evaluation by evaluation; that slower path gives the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from gameday.promql.ast import Node
from gameday.promql.errors import PromQLError
from gameday.promql.evaluator import Evaluator, selector_matchers
from gameday.promql.stepcache import StepCache
from gameday.rules.alerts import FIRING, INACTIVE, PENDING, AlertingState
from gameday.rules.batch import NotBatchable, check_batchable, plan
from gameday.rules.groupeval import GroupRunner
from gameday.rules.model import Rule, RuleGroup
from gameday.tsdb import STALE_NAN, Labels

LOOKBACK_MS = 5 * 60_000
CHUNK_MS = 86_400_000  # steps evaluated together when the data is all loaded: a day
Row = tuple[Labels, np.ndarray, np.ndarray]


@dataclass
class AlertEpisode:
    """One alert's life: pending from ``active_at``, maybe firing, then resolved.

    ``resolved_at`` is when a firing alert resolved or when a pending one's condition
    cleared before ``for`` ran out (``firing_at`` is None then); None while still active
    at the end of the window. Annotations are templated at the firing evaluation (at the
    last evaluation for alerts that never fired).
    """

    group: str
    rule: str
    labels: dict[str, str]
    annotations: dict[str, str]
    active_at: int
    firing_at: int | None = None
    resolved_at: int | None = None
    interval_ms: int = 60_000

    @property
    def key(self) -> Labels:
        return tuple(sorted(self.labels.items()))


@dataclass
class Evaluation:
    """What the rules did over the window."""

    episodes: list[AlertEpisode] = field(default_factory=list)
    errors: dict[str, tuple[int, str]] = field(default_factory=dict)  # rule -> (count, first)
    steps: int = 0


def eval_steps(start_ms: int, end_ms: int, interval_ms: int, offset_ms: int = 0) -> np.ndarray:
    """Times ``k * interval_ms + offset_ms`` in ``[start_ms, end_ms]``."""
    first = -(-(start_ms - offset_ms) // interval_ms) * interval_ms + offset_ms
    return np.arange(first, end_ms + 1, interval_ms, dtype=np.int64)


def group_offset_ms(name: str, file: str, interval_ms: int) -> int:
    """Where in its interval a Prometheus 2.42 server evaluates a group, in ms.

    ``Group.hash()`` is the xxHash64 of the labels ``{file=FILE, name=NAME}`` (sorted,
    each name and value followed by 0xff); the group runs at ``k * interval + hash %
    interval`` nanoseconds, and rule timestamps are those times truncated to ms.
    """
    import xxhash

    data = b"file\xff" + file.encode() + b"\xff" + b"name\xff" + name.encode() + b"\xff"
    return (xxhash.xxh64_intdigest(data) % (interval_ms * 1_000_000)) // 1_000_000


def history_ms(node: Node) -> int:
    """How far before an evaluation the expression reads samples.

    Walked without recursion: a 5000-term chain of binary operators is 5000 levels deep.
    """
    worst = 0
    stack = [(node, 0)]  # (node, what the subqueries around it add)
    while stack:
        n, outer = stack.pop()
        kind = n.kind
        if kind == "VectorSelector":
            worst = max(worst, outer + max(0, n.offset_ms) + LOOKBACK_MS)
        elif kind == "MatrixSelector":
            worst = max(worst, outer + n.range_ms + max(0, n.vector_selector.offset_ms))
        elif kind == "SubqueryExpr":
            stack.append((n.expr, outer + n.range_ms + max(0, n.offset_ms)))
        else:
            stack.extend((c, outer) for c in n.children())
    return worst


def needed_history_ms(groups: list[RuleGroup]) -> int:
    """The longest history any rule reads (at least Prometheus' 5m lookback)."""
    return max([LOOKBACK_MS, *(history_ms(r.node) for g in groups for r in g.rules if r.node)])


def selectors(groups: list[RuleGroup]) -> list[list[Any]]:
    """The label matchers of every vector selector in the rules."""
    from gameday.promql.ast import walk

    out = []
    for g in groups:
        for r in g.rules:
            for n in walk(r.node) if r.node is not None else ():
                if n.kind == "VectorSelector":
                    out.append(selector_matchers(n))
    return out


def series_filter(groups: list[RuleGroup]) -> Callable[[Labels], bool]:
    """Which recorded series a backtest needs: those a rule selects, minus the rules' own
    outputs (recorded series and ``ALERTS``), which the backtest computes afresh."""
    sels = selectors(groups)
    produced = {r.name for g in groups for r in g.rules if not r.is_alert}
    produced |= {"ALERTS", "ALERTS_FOR_STATE"}

    def keep(labels: Labels) -> bool:
        d = dict(labels)
        if d.get("__name__", "") in produced:
            return False
        return any(all(m.matches(d.get(m.name, "")) for m in ms) for ms in sels)

    return keep


class _Tracker:
    """Turns alert state changes into :class:`AlertEpisode` records."""

    def __init__(self, group: RuleGroup, interval_ms: int, out: list[AlertEpisode]) -> None:
        self.group, self.interval_ms, self.out = group, interval_ms, out
        self.open: dict[tuple[str, Labels], AlertEpisode] = {}

    def start(self, rule: str, a: Any, ts: int) -> AlertEpisode:
        ep = AlertEpisode(
            self.group.name, rule, dict(a.labels), {}, a.active_at_ms, None, None, self.interval_ms
        )
        self.open[(rule, ep.key)] = ep
        self.out.append(ep)
        return ep

    def close(self, rule: str, key: Labels, ts: int) -> None:
        ep = self.open.pop((rule, key), None)
        if ep is not None:
            ep.resolved_at = ts


def _observe(
    tracker: _Tracker,
    state: AlertingState,
    before: dict[Labels, tuple[str, int]],
    ts: int,
    annotate: Callable[[Any], dict[str, str]],
) -> None:
    """Record what changed in ``state`` at ``ts`` compared with ``before``."""
    name = state.rule.name
    for key, a in state.active.items():
        prev = before.get(key)
        fresh = prev is None or prev[1] != id(a) or prev[0] == INACTIVE
        if fresh and a.state in (PENDING, FIRING):
            if prev is not None and prev[0] == PENDING:
                tracker.close(name, key, ts)
            ep = tracker.start(name, a, ts)
            if a.state == FIRING:
                ep.firing_at = ts
                ep.annotations = annotate(a)
            else:
                ep.annotations = annotate(a)
        elif prev and prev[0] == PENDING and a.state == FIRING:
            ep = tracker.open[(name, key)]
            ep.firing_at = ts
            ep.annotations = annotate(a)
        elif prev and prev[0] == FIRING and a.state == INACTIVE:
            tracker.close(name, key, ts)
    for key, (st, _) in before.items():
        if st == PENDING and key not in state.active:  # the condition cleared while pending
            tracker.close(name, key, ts)


def _snapshot(state: AlertingState) -> dict[Labels, tuple[str, int]]:
    return {k: (a.state, id(a)) for k, a in state.active.items()}


def _stepwise_rows(runner: GroupRunner, rule: Rule, steps: np.ndarray, ev: Evaluation) -> list[Row]:
    """The rule's result at each step by instant queries; failing steps return nothing."""
    n = len(steps)
    rows: dict[Labels, tuple[np.ndarray, np.ndarray]] = {}
    for si, ts in enumerate(steps.tolist()):
        try:
            vec = runner.query(rule.node, int(ts), rule_mode=True)
        except PromQLError as exc:
            count, first = ev.errors.get(rule.name, (0, str(exc)))
            ev.errors[rule.name] = (count + 1, first)
            continue
        for labels, value in vec:
            v, m = rows.setdefault(labels, (np.zeros(n), np.zeros(n, dtype=bool)))
            v[si] = value
            m[si] = True
    return [(labels, v, m) for labels, (v, m) in sorted(rows.items())]


def _rows(
    runner: GroupRunner,
    rule: Rule,
    steps: np.ndarray,
    lagged: frozenset[str],
    ev: Evaluation,
    cache: StepCache | None = None,
) -> list[Row]:
    """The rule's result over ``steps`` in one vectorised pass (stepwise if that fails)."""
    opts = runner.eval_options
    try:
        val = Evaluator(runner.db, steps, rule_mode=True, lagged=lagged, cache=cache, **opts).eval(
            rule.node
        )
        if isinstance(val, str):
            raise PromQLError("rule result is not a vector or scalar")
    except PromQLError:
        return _stepwise_rows(runner, rule, steps, ev)
    if isinstance(val, np.ndarray):
        return [((), val, np.ones(len(steps), dtype=bool))]
    return [(r.labels, r.v, r.m) for r in val]


def _walk_alerts(
    runner: GroupRunner,
    i: int,
    rule: Rule,
    rows: list[Row],
    steps: np.ndarray,
    tracker: _Tracker,
) -> None:
    """Step the state machine of alerting rule ``i`` through ``steps``.

    A step is skipped when it cannot change anything: nothing is returned and nothing is
    pending or firing, or the same series are returned as before while every alert is
    steadily firing (and the rule's labels hold no template that could change).
    """
    state = runner.alert_states[i]
    expander = partial(runner.expander, rule_name=rule.name)
    masks = np.array([m for _, _, m in rows]) if rows else np.zeros((0, len(steps)), dtype=bool)
    vals = [v.tolist() for _, v, _ in rows]
    n = len(steps)
    change = np.ones(n, dtype=bool)
    if rows and n > 1:
        change[1:] = (masks[:, 1:] != masks[:, :-1]).any(axis=0)
    steady_labels = not any("{{" in v for v in rule.labels.values())

    def annotate(a: Any) -> dict[str, str]:
        return dict(state.resolve_annotations(a, expander))

    for si in range(n):
        ts = int(steps[si])
        live = [a for a in state.active.values() if a.state != INACTIVE]
        present = masks[:, si].any() if rows else False
        if not present and not live:
            continue
        if (
            steady_labels
            and not change[si]
            and si > 0
            and live
            and all(a.state == FIRING and a.keep_firing_since_ms is None for a in live)
            and len(live) == int(masks[:, si].sum())
        ):
            continue
        result = [(rows[r][0], vals[r][si]) for r in np.nonzero(masks[:, si])[0]]
        before = _snapshot(state)
        state.step(ts, result, runner.expander(ts, rule.name), lazy_annotations=True)
        _observe(tracker, state, before, ts, annotate)


def _record(
    rule: Rule,
    rows: list[Row],
    steps: np.ndarray,
    db: Any,
    before: set[Labels],
    ev: Evaluation,
) -> set[Labels]:
    """Write a recording rule's output over ``steps``, after what it wrote before.

    Series get a staleness marker at the first step they are missing, also when that is
    the first step of this span (``before``: the series present at the previous step).
    A step at which two results end up with the same labels is a rule error there, as in
    Prometheus: nothing is written at that step. Returns the series present at the last step.
    """
    n = len(steps)
    out: dict[Labels, tuple[np.ndarray, np.ndarray]] = {}
    clash = np.zeros(n, dtype=bool)
    for labels, v, m in rows:
        key = rule.record_labels(labels)
        if key in out:
            pv, pm = out[key]
            clash |= pm & m
            out[key] = (np.where(m, v, pv), pm | m)
        else:
            out[key] = (v, m)
    if clash.any():
        count, first = ev.errors.get(rule.name, (0, ""))
        message = "vector contains metrics with the same labelset after applying rule labels"
        ev.errors[rule.name] = (count + int(clash.sum()), first or message)
    for key in before - set(out):
        db.append(key, int(steps[0]), STALE_NAN)
    last: set[Labels] = set()
    for key, (v, m) in out.items():
        m = m & ~clash
        ends = np.zeros(n, dtype=bool)
        ends[1:] = m[:-1] & ~m[1:]
        ends[0] = key in before and not m[0]
        keep = m | ends
        if keep.any():
            db.extend(key, steps[keep], np.where(m, v, STALE_NAN)[keep])
        if m[-1]:
            last.add(key)
    return last


class RuleRun:
    """The rule groups of one backtest, advanced through the window a span at a time.

    Alert state lives in the runners, so spans may come one after another with a fresh
    TSDB each time (:meth:`use`) holding just the history the rules read.
    """

    def __init__(
        self, groups: list[RuleGroup], runners: list[GroupRunner], stagger: bool = False
    ) -> None:
        self.groups, self.runners = groups, runners
        self.ev = Evaluation()
        self.intervals = [int(round(float(g.interval_s or 60.0) * 1000)) for g in groups]
        self.offsets = [
            group_offset_ms(g.name, g.file, iv) if stagger else 0
            for g, iv in zip(groups, self.intervals, strict=True)
        ]
        self.trackers = [
            _Tracker(g, iv, self.ev.episodes) for g, iv in zip(groups, self.intervals, strict=True)
        ]
        self.recorded: dict[tuple[int, int], set[Labels]] = {}  # series present last step
        self.order: list[tuple[int, int, frozenset[str]]] | None
        try:
            check_batchable(groups, [])
            self.order = plan(groups)
        except NotBatchable:
            self.order = None  # reads ALERTS or looks ahead: evaluation by evaluation

    def use(self, db: Any) -> None:
        """Read and write ``db`` from now on."""
        for r in self.runners:
            r.db = db

    def advance(self, start_ms: int, end_ms: int) -> None:
        """Evaluate every group at each of its evaluation times in ``[start_ms, end_ms]``."""
        if self.order is None:
            self._stepwise(start_ms, end_ms)
            return
        # one steps array per group for the span, and the window work its rules share
        spans: dict[int, tuple[np.ndarray, StepCache]] = {}
        for gi, ri, lagged in self.order:
            if gi not in spans:
                steps = eval_steps(start_ms, end_ms, self.intervals[gi], self.offsets[gi])
                spans[gi] = (steps, StepCache(steps))
            steps, cache = spans[gi]
            if not len(steps):
                continue
            rule = self.groups[gi].rules[ri]
            runner = self.runners[gi]
            rows = _rows(runner, rule, steps, lagged, self.ev, cache)
            if rule.is_alert:
                _walk_alerts(runner, ri, rule, rows, steps, self.trackers[gi])
            else:
                before = self.recorded.get((gi, ri), set())
                self.recorded[(gi, ri)] = _record(rule, rows, steps, runner.db, before, self.ev)
        self.ev.steps += sum(
            len(eval_steps(start_ms, end_ms, iv, off))
            for iv, off in zip(self.intervals, self.offsets, strict=True)
        )

    def _stepwise(self, start_ms: int, end_ms: int) -> None:
        """Each group at each evaluation in time order (groups due together in file order),
        each rule by an instant query, as a simulation's rule engine does."""
        times = sorted(
            (int(t), gi)
            for gi, iv in enumerate(self.intervals)
            for t in eval_steps(start_ms, end_ms, iv, self.offsets[gi])
        )
        self.ev.steps += len(times)
        for ts, gi in times:
            runner = self.runners[gi]
            befores = {i: _snapshot(st) for i, st in runner.alert_states.items()}
            runner.eval(ts)
            for i, st in runner.alert_states.items():
                expander = partial(runner.expander, rule_name=st.rule.name)

                def annotate(a: Any, st: AlertingState = st, expander: Any = expander) -> dict:
                    return dict(st.resolve_annotations(a, expander))

                _observe(self.trackers[gi], st, befores[i], ts, annotate)
            for i, err in runner.last_error.items():
                if err:
                    name = self.groups[gi].rules[i].name
                    count, first = self.ev.errors.get(name, (0, err))
                    self.ev.errors[name] = (count + 1, first)
