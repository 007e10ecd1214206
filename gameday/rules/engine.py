"""The rule engine a session drives: groups evaluated on their interval, alert transitions out.

Wraps one :class:`~gameday.rules.groupeval.GroupRunner` per group. After each evaluation
it compares every alerting rule's active alerts with what they were before and reports
each change (pending, firing, resolved) as an :class:`AlertTransition`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gameday.engine.tsdb import TSDB, Labels
from gameday.rules.alerts import FIRING, INACTIVE, PENDING
from gameday.rules.alerts import Alert as RuleAlert
from gameday.rules.groupeval import GroupRunner
from gameday.rules.model import RuleGroup

Alert = RuleAlert


@dataclass(frozen=True)
class AlertTransition:
    """One alert changing state at one evaluation."""

    kind: str  # pending | firing | resolved (was firing) | inactive (pending, dropped)
    alertname: str
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float
    active_at_ms: int
    fired_at_ms: int | None
    resolved_at_ms: int | None


class RuleEngine:
    """Evaluates rule groups over a TSDB and reports alert transitions.

    Args:
        groups: the loaded rule groups, in file order.
        tsdb: the store rules read from and write recording rules and ALERTS into.
        external_labels: ``$externalLabels`` for templates.
        external_url: ``$externalURL`` for templates.
    """

    def __init__(
        self,
        groups: Sequence[RuleGroup],
        tsdb: TSDB,
        external_labels: dict[str, str] | None = None,
        external_url: str = "",
    ) -> None:
        self.groups = list(groups)
        self.runners = [GroupRunner(g, tsdb, external_labels, external_url) for g in self.groups]
        self._seen: list[dict[tuple[int, Labels], str]] = [{} for _ in self.groups]

    def evaluate(self, group_index: int, t_ms: int) -> list[AlertTransition]:
        """Evaluate one group at ``t_ms``; the alerts that changed state, in rule order."""
        runner = self.runners[group_index]
        runner.eval(t_ms)
        before = self._seen[group_index]
        now: dict[tuple[int, Labels], str] = {}
        out: list[AlertTransition] = []
        for i, state in sorted(runner.alert_states.items()):
            for key, alert in state.active.items():
                if alert.state == INACTIVE:
                    continue
                now[(i, key)] = alert.state
                if before.get((i, key)) != alert.state:
                    out.append(_transition(alert.state, alert))
            for (j, key), old in before.items():
                if j != i or (j, key) in now:
                    continue
                gone = state.active.get(key)
                if old == FIRING:
                    out.append(_transition("resolved", gone, fallback_key=key, rule=state))
                elif old == PENDING:  # never fired: it goes away without a resolution
                    out.append(_transition("inactive", gone, fallback_key=key, rule=state))
        self._seen[group_index] = now
        return out

    def active_alerts(self) -> list[RuleAlert]:
        """Every pending or firing alert of every group."""
        return [a for r in self.runners for s in r.alert_states.values() for a in s.active_alerts()]


def _transition(
    kind: str, alert: RuleAlert | None, fallback_key: Labels = (), rule=None
) -> AlertTransition:  # type: ignore[no-untyped-def]
    if alert is None:  # a pending alert dropped from the state when its condition ended
        labels = dict(fallback_key)
        name = labels.get("alertname", rule.rule.name if rule is not None else "")
        return AlertTransition(kind, name, labels, {}, float("nan"), 0, None, None)
    return AlertTransition(
        kind=kind,
        alertname=alert.alertname,
        labels=dict(alert.labels),
        annotations=dict(alert.annotations),
        value=alert.value,
        active_at_ms=alert.active_at_ms,
        fired_at_ms=alert.fired_at_ms,
        resolved_at_ms=alert.resolved_at_ms,
    )
