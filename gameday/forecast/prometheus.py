"""Prometheus for a forecast: the real alerting rules, answered by episodes instead of PromQL.

Each rule group is evaluated on its own interval by the real
:class:`~gameday.rules.RuleEngine` (``for``, ``keep_firing_for``, templated labels and
annotations); a rule's "expression" returns the series of its episodes whose condition
holds at that time. Firing alerts go to Alertmanager as Prometheus sends them: again
every minute with ``endsAt`` four intervals ahead, and once more when they resolve.
Quiet stretches are skipped to the next episode, so a month costs what its alerts cost.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import simpy

from gameday.alerting.sender import AlertSender
from gameday.forecast.episodes import Episode
from gameday.rules import RuleEngine
from gameday.rules.model import Rule, RuleGroup
from gameday.tsdb import TSDB, Labels

FLAP_WINDOW = 3600.0  # a re-fire within an hour of resolving is a flap
ACTIONABLE = "gameday_actionable"


class EpisodeRules:
    """Evaluates ``groups`` over ``episodes`` in ``env`` and posts to ``dispatcher``.

    Attributes:
        fired: (time, alert labels) of every alert that started firing.
        flaps: (time, alert labels) of alerts that fired again within an hour of resolving.
    """

    def __init__(
        self,
        env: simpy.Environment,
        groups: Sequence[RuleGroup],
        episodes: Sequence[Episode],
        dispatcher: Any,
        external_labels: dict[str, str] | None = None,
    ) -> None:
        known = {r.name for g in groups for r in g.rules if r.is_alert}
        unknown = sorted({e.rule for e in episodes} - known)
        if unknown:
            raise ValueError(f"episodes name rules that are not alerting rules: {unknown}")
        self.env = env
        self.dispatcher = dispatcher
        self.engine = RuleEngine(groups, TSDB(), external_labels, rule_query=self._answer)
        self._episodes: dict[str, list[Episode]] = defaultdict(list)
        for e in sorted(episodes, key=lambda e: e.start):
            self._episodes[e.rule].append(e)
        self._starts = {k: [e.start for e in v] for k, v in self._episodes.items()}
        self._longest = {k: max(e.end - e.start for e in v) for k, v in self._episodes.items()}
        self._actionable: dict[Labels, bool] = {}  # alert labels -> latest episodes' say
        self._holding_now: dict[tuple[str, Labels], bool] = {}
        self.sender = AlertSender(dispatcher, self._annotations)
        self._resolved_at: dict[Labels, float] = {}
        self.fired: list[tuple[float, dict[str, str]]] = []
        self.flaps: list[tuple[float, dict[str, str]]] = []
        for i, group in enumerate(self.engine.groups):
            if any(r.name in self._episodes for r in group.rules):
                env.process(self._run(i, float(group.interval_s)))

    def _live(self, rule: str, t: float) -> list[Episode]:
        """Episodes of ``rule`` under way at ``t`` (a flapping one may be off just now)."""
        eps = self._episodes.get(rule, [])
        hi = bisect.bisect_right(self._starts.get(rule, []), t)
        lo = bisect.bisect_left(self._starts.get(rule, []), t - self._longest.get(rule, 0.0))
        return [e for e in eps[lo:hi] if t < e.end]

    def _holding(self, rule: str, t: float) -> Iterator[Episode]:
        """Episodes of ``rule`` whose condition holds at ``t``."""
        return (e for e in self._live(rule, t) if e.holds(t))

    def _answer(self, rule: Rule, ts_ms: int) -> list[tuple[Labels, float]]:
        """The rule's result vector at ``ts_ms``: one sample per holding series."""
        t = ts_ms / 1000.0
        out: dict[Labels, bool] = {}
        for e in self._holding(rule.name, t):
            out[e.labels] = out.get(e.labels, False) or e.actionable
        for labels, actionable in out.items():
            self._holding_now[(rule.name, labels)] = actionable
        return [(labels, 1.0) for labels in sorted(out)]

    def _next_start(self, group: RuleGroup, t: float) -> float | None:
        starts = []
        for r in group.rules:
            s = self._starts.get(r.name, [])
            i = bisect.bisect_right(s, t)
            if i < len(s):
                starts.append(s[i])
        return min(starts) if starts else None

    def _run(self, index: int, interval: float) -> Any:
        group = self.engine.groups[index]
        names = {r.name for r in group.rules}
        t = 0.0
        while True:
            self._evaluate(index, t, interval)
            quiet = not any(a.alertname in names for a in self.engine.active_alerts()) and not any(
                self._live(n, t) for n in names
            )
            nxt = t + interval
            if quiet:
                upcoming = self._next_start(group, t)
                if upcoming is None:
                    return
                nxt = max(nxt, (upcoming // interval) * interval)
            yield self.env.timeout(nxt - t)
            t = nxt

    def _evaluate(self, index: int, now: float, interval: float) -> None:
        self._holding_now.clear()
        transitions = self.engine.evaluate(index, int(round(now * 1000)))
        for a in self.engine.active_alerts():  # which episodes hold each alert's series
            items = set(a.labels.items())
            says = [
                v
                for (rule, ls), v in self._holding_now.items()
                if rule == a.alertname and set(ls) <= items
            ]
            if says:
                self._actionable[tuple(sorted(a.labels.items()))] = any(says)
        for tr in transitions:
            key = tuple(sorted(tr.labels.items()))
            if tr.kind == "firing":
                last = self._resolved_at.get(key)
                if last is not None and now - last <= FLAP_WINDOW:
                    self.flaps.append((now, dict(tr.labels)))
                self.fired.append((now, dict(tr.labels)))
            elif tr.kind == "resolved":
                self._resolved_at[key] = now
                self.sender.resolved(tr, now)
        self.sender.firing(self.engine.active_alerts(), now, interval)

    def _annotations(self, key: Labels, alert: Any) -> dict[str, str]:
        """The alert's annotations and whether the episodes behind it are actionable."""
        annotations = dict(alert.annotations)
        annotations[ACTIONABLE] = "true" if self._actionable.get(key) else "false"
        return annotations
