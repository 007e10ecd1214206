"""Evaluate one rule group at one time, as ``rules.Group.Eval`` of Prometheus 2.42.

Rules run in order; each one sees what the rules before it wrote. Recording rules write
their result under the record name; alerting rules update their state and write
``ALERTS``/``ALERTS_FOR_STATE``. Series a rule returned last time but not now get a
staleness marker. A failing rule keeps its error in ``last_error`` and the group goes on.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from gameday.promql.errors import EvalError, PromQLError
from gameday.promql.instant import InstantEvaluator
from gameday.promql.values import Sample
from gameday.rules.alerts import AlertingState
from gameday.rules.model import Rule, RuleGroup
from gameday.tsdb import TSDB, Labels, SampleAppendError


@functools.cache
def _render() -> Any:
    """The template renderer, imported on first use (rules without templates never need it)."""
    from gameday.rules.templates import render_template

    return render_template


class GroupRunner:
    """The evaluation state of one rule group over a TSDB.

    Args:
        group: the rules.
        db: where rules read from and write to.
        external_labels, external_url: for templates (``$externalLabels``, ``$externalURL``).
        eval_options: keyword arguments for :class:`Evaluator` (lookback, max samples...).
        rule_query: answers ``(rule, ts_ms)`` in place of the rule's PromQL expression
            (a forecast plays synthetic conditions through the rules' own ``for``,
            ``keep_firing_for``, labels and annotations); None evaluates the expression.
    """

    def __init__(
        self,
        group: RuleGroup,
        db: TSDB,
        external_labels: dict[str, str] | None = None,
        external_url: str = "",
        eval_options: dict[str, Any] | None = None,
        rule_query: Callable[[Rule, int], list[tuple[Labels, float]]] | None = None,
    ) -> None:
        self.group = group
        self.rule_query = rule_query
        self.db = db
        self.external_labels = dict(external_labels or {})
        self.external_url = external_url
        self.eval_options = dict(eval_options or {})
        self.alert_states: dict[int, AlertingState] = {
            i: AlertingState(r) for i, r in enumerate(group.rules) if r.is_alert
        }
        self.previous: dict[int, set[Labels]] = {}
        self.last_error: dict[int, str | None] = {}

    # ---- querying ----------------------------------------------------------------
    def query(self, expr: Any, ts: int, rule_mode: bool = False) -> list[tuple[Labels, float]]:
        """Instant query used by rules and templates: a vector (a scalar becomes one sample)."""
        from gameday.promql.evaluator import parse

        node = parse(expr) if isinstance(expr, str) else expr
        val = InstantEvaluator(self.db, ts, rule_mode=rule_mode, **self.eval_options).eval(node)
        if isinstance(val, float):
            return [((), val)]
        if isinstance(val, str):
            raise EvalError("rule result is not a vector or scalar")
        return val

    def expander(self, ts: int, rule_name: str = "") -> Callable[[str, dict[str, str], float], str]:
        """Expands a label or annotation template at ``ts``; the template engine is
        imported the first time a text holds a template (plain texts never need it)."""

        def template_query(q: str) -> list[Sample]:
            return [Sample(dict(ls), v, ts) for ls, v in self.query(q, ts)]

        def expand(text: str, labels: dict[str, str], value: float) -> str:
            if "{{" not in text:
                return text
            render = _render()
            try:
                return str(
                    render(
                        text,
                        labels=labels,
                        value=value,
                        external_labels=self.external_labels,
                        external_url=self.external_url,
                        query=template_query,
                    )
                )
            except Exception as exc:  # TemplateError from the renderer
                return f"<error expanding template: {exc}>"

        return expand

    # ---- evaluation ----------------------------------------------------------------
    def eval_rule(self, i: int, rule: Rule, ts: int, expand: Any) -> list[tuple[Labels, float]]:
        if self.rule_query is not None:
            result = self.rule_query(rule, ts)
        else:
            result = self.query(rule.node if rule.node is not None else rule.expr, ts, True)
        if rule.is_alert:
            return self.alert_states[i].step(ts, result, expand)
        out = []
        seen = set()
        for labels, value in result:
            key = rule.record_labels(labels)
            if key in seen:
                raise EvalError(
                    "vector contains metrics with the same labelset after applying rule labels"
                )
            seen.add(key)
            out.append((key, value))
        return out

    def eval(self, ts: int) -> None:
        """Evaluate every rule of the group at ``ts`` (ms)."""
        for i, rule in enumerate(self.group.rules):
            try:
                vector = self.eval_rule(i, rule, ts, self.expander(ts, rule.name))
            except PromQLError as exc:
                self.last_error[i] = str(exc)
                continue
            self.last_error[i] = None
            self.write(i, ts, vector)

    def write(self, i: int, ts: int, vector: list[tuple[Labels, float]]) -> None:
        returned: set[Labels] = set()
        for labels, value in vector:
            try:
                self.db.append(labels, ts, value)
            except SampleAppendError as exc:
                self.last_error[i] = str(exc)
            else:
                returned.add(labels)
        for labels in self.previous.get(i, set()) - returned:
            with contextlib.suppress(SampleAppendError):
                self.db.mark_stale(labels, ts)
        self.previous[i] = returned
