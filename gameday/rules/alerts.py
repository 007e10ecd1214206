"""The alerting-rule state machine of Prometheus 2.42 (pending -> firing -> resolved).

One :class:`AlertingState` per alerting rule keeps the active alerts keyed by label set.
Each evaluation takes the rule's result vector and applies ``for``, ``keep_firing_for``
and the 15-minute retention of resolved alerts exactly as ``rules/alerting.go`` does, and
returns the ``ALERTS``/``ALERTS_FOR_STATE`` samples to write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gameday.promql.errors import EvalError
from gameday.rules.model import Rule
from gameday.tsdb import Labels

RESOLVED_RETENTION_MS = 15 * 60 * 1000
PENDING, FIRING, INACTIVE = "pending", "firing", "inactive"


@dataclass
class Alert:
    """One alert of an alerting rule.

    Attributes:
        state: ``pending``, ``firing`` or ``inactive`` (resolved, kept for 15 minutes).
        labels: the alert's labels, ``alertname`` included.
        annotations: templated annotations from the latest evaluation that returned it.
        value: the sample value from that evaluation.
        active_at_ms, fired_at_ms, resolved_at_ms: transition times (None if not yet).
    """

    alertname: str
    labels: dict[str, str]
    annotations: dict[str, str]
    state: str
    value: float
    active_at_ms: int
    fired_at_ms: int | None = None
    resolved_at_ms: int | None = None
    keep_firing_since_ms: int | None = None
    key: Labels = field(default=(), repr=False)
    # (labels, value, ts) of the latest result when annotations are expanded lazily
    ann_ctx: tuple[dict[str, str], float, int] | None = field(default=None, repr=False)


Expand = Callable[[str, dict[str, str], float], str]


class AlertingState:
    """Active alerts of one alerting rule and the evaluation step that updates them."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.active: dict[Labels, Alert] = {}

    def step(
        self,
        ts: int,
        result: list[tuple[Labels, float]],
        expand: Expand,
        lazy_annotations: bool = False,
    ) -> list[tuple[Labels, float]]:
        """Apply one evaluation at ``ts``; returns the ALERTS/ALERTS_FOR_STATE samples.

        With ``lazy_annotations`` the annotations are not expanded now; the context is
        kept and :meth:`resolve_annotations` expands them when they are needed.
        """
        rule = self.rule
        fresh: dict[Labels, Alert] = {}
        for labels, value in result:
            ldict = dict(labels)
            out = {k: v for k, v in labels if k != "__name__"}
            for k, v in rule.labels.items():
                ev = expand(v, ldict, value)
                if ev:
                    out[k] = ev
                else:
                    out.pop(k, None)
            out["alertname"] = rule.name
            if lazy_annotations:
                annotations: dict[str, str] = {}
                ctx: tuple[dict[str, str], float, int] | None = (ldict, value, ts)
            else:
                annotations = {
                    k: expand(v, ldict, value) for k, v in sorted(rule.annotations.items())
                }
                ctx = None
            key = tuple(sorted(out.items()))
            if key in fresh:
                raise EvalError(
                    "vector contains metrics with the same labelset after applying alert labels"
                )
            fresh[key] = Alert(
                rule.name, out, annotations, PENDING, value, ts, key=key, ann_ctx=ctx
            )
        for key, a in fresh.items():
            old = self.active.get(key)
            if old is not None and old.state != INACTIVE:
                old.value = a.value
                old.annotations = a.annotations
                old.ann_ctx = a.ann_ctx
                continue
            self.active[key] = a
        samples: list[tuple[Labels, float]] = []
        for key, a in list(self.active.items()):
            if key not in fresh:
                keep = False
                if a.state == FIRING and rule.keep_firing_for_ms > 0:
                    if a.keep_firing_since_ms is None:
                        a.keep_firing_since_ms = ts
                    if ts - a.keep_firing_since_ms < rule.keep_firing_for_ms:
                        keep = True
                if a.state == PENDING or (
                    a.resolved_at_ms is not None and ts - a.resolved_at_ms > RESOLVED_RETENTION_MS
                ):
                    del self.active[key]
                if a.state != INACTIVE and not keep:
                    a.state = INACTIVE
                    a.resolved_at_ms = ts
                if not keep:
                    continue
            else:
                a.keep_firing_since_ms = None
            if a.state == PENDING and ts - a.active_at_ms >= rule.for_ms:
                a.state = FIRING
                a.fired_at_ms = ts
            samples.append((self._series(a, "ALERTS", state=True), 1.0))
            samples.append((self._series(a, "ALERTS_FOR_STATE"), float(a.active_at_ms // 1000)))
        return samples

    def _series(self, a: Alert, name: str, state: bool = False) -> Labels:
        d = dict(self.rule.labels)
        d.update(a.labels)
        d["__name__"] = name
        d["alertname"] = self.rule.name
        if state:
            d["alertstate"] = a.state
        return tuple(sorted((k, v) for k, v in d.items() if v != ""))

    def resolve_annotations(self, a: Alert, expand_at: Callable[[int], Expand]) -> dict[str, str]:
        """The alert's annotations, expanding a lazily kept context if there is one."""
        if a.ann_ctx is None:
            return a.annotations
        labels, value, ts = a.ann_ctx
        expand = expand_at(ts)
        return {k: expand(v, labels, value) for k, v in sorted(self.rule.annotations.items())}

    def active_alerts(self) -> list[Alert]:
        """Pending and firing alerts (resolved ones still retained are left out)."""
        return [a for a in self.active.values() if a.resolved_at_ms is None]
