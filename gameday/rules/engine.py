"""The rule engine a simulation drives: evaluate rule groups, report alert transitions.

Example:
    >>> engine = RuleEngine(load_rule_files([path]), tsdb)
    >>> for i, g in enumerate(engine.groups):          # at multiples of g.interval_s
    ...     for tr in engine.evaluate(i, t_ms):
    ...         print(tr.kind, tr.alertname, tr.labels)
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gameday.rules.alerts import FIRING, INACTIVE, PENDING, Alert
from gameday.rules.groupeval import GroupRunner
from gameday.rules.model import Rule, RuleGroup
from gameday.tsdb import TSDB, Labels

DEFAULT_INTERVAL_S = 60.0

__all__ = ["Alert", "AlertTransition", "RuleEngine"]


@dataclass(frozen=True)
class AlertTransition:
    """One alert changing state at an evaluation.

    Attributes:
        kind: ``pending`` (newly active, waiting for ``for``), ``firing`` (pending long
            enough, or straight away when ``for`` is 0) or ``resolved`` (a firing alert
            whose condition cleared, after ``keep_firing_for``). A pending alert whose
            condition clears simply disappears (Prometheus never notifies it).
        alertname, labels (``alertname`` included), annotations (templated), value.
        active_at_ms, fired_at_ms, resolved_at_ms: as in Prometheus' alert (None if unset).
    """

    kind: str
    alertname: str
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float
    active_at_ms: int
    fired_at_ms: int | None
    resolved_at_ms: int | None


def _transition(kind: str, a: Alert) -> AlertTransition:
    return AlertTransition(
        kind,
        a.alertname,
        dict(a.labels),
        dict(a.annotations),
        a.value,
        a.active_at_ms,
        a.fired_at_ms,
        a.resolved_at_ms,
    )


class RuleEngine:
    """Evaluates rule groups against a TSDB.

    Args:
        groups: rule groups (from :func:`gameday.rules.load_rule_files`); a group without an
            interval gets ``default_interval_s``.
        tsdb: the store rules read and write (recording rules, ``ALERTS``, ``ALERTS_FOR_STATE``).
        external_labels, external_url: for templates.
        rule_query: answers rules in place of their PromQL (see :class:`GroupRunner`).
        epoch_ms: the Unix time in ms of the store's time 0: a session keeps sim time, and
            ``time()`` and the date functions must answer the scenario's wall clock.
    """

    def __init__(
        self,
        groups: Sequence[RuleGroup],
        tsdb: TSDB,
        external_labels: dict[str, str] | None = None,
        external_url: str = "",
        default_interval_s: float = DEFAULT_INTERVAL_S,
        rule_query: Callable[[Rule, int], list[tuple[Labels, float]]] | None = None,
        epoch_ms: int = 0,
    ) -> None:
        self.groups: list[RuleGroup] = []
        for g in groups:
            g2 = copy.copy(g)
            g2.interval_s = g.effective_interval_s(default_interval_s)
            self.groups.append(g2)
        self.tsdb = tsdb
        opts = {"subquery_step_ms": int(default_interval_s * 1000), "epoch_ms": epoch_ms}
        self._runners = [
            GroupRunner(g, tsdb, external_labels, external_url, opts, rule_query)
            for g in self.groups
        ]

    def evaluate(self, group_index: int, t_ms: int) -> list[AlertTransition]:
        """Evaluate group ``group_index`` at ``t_ms``; returns the alert transitions."""
        runner = self._runners[group_index]
        before = {
            (i, key): (a.state, id(a))
            for i, st in runner.alert_states.items()
            for key, a in st.active.items()
        }
        runner.eval(int(t_ms))
        out: list[AlertTransition] = []
        for i, st in runner.alert_states.items():
            for key, a in st.active.items():
                prev = before.get((i, key))
                new = prev is None or prev[1] != id(a) or prev[0] == INACTIVE
                if new and a.state in (PENDING, FIRING):
                    out.append(_transition(a.state, a))
                elif prev and prev[0] == PENDING and a.state == FIRING:
                    out.append(_transition(FIRING, a))
                elif prev and prev[0] == FIRING and a.state == INACTIVE:
                    out.append(_transition("resolved", a))
        return out

    def active_alerts(self) -> list[Alert]:
        """Pending and firing alerts of every group (``state`` tells which)."""
        return [
            a for r in self._runners for st in r.alert_states.values() for a in st.active_alerts()
        ]

    def rule_errors(self) -> dict[str, str]:
        """``"group/rule" -> error`` for rules whose last evaluation failed."""
        out = {}
        for r in self._runners:
            for i, err in r.last_error.items():
                if err:
                    out[f"{r.group.name}/{r.group.rules[i].name}"] = err
        return out
