"""Alertmanager's dispatcher as a SimPy model: grouping, timers, inhibition, silences.

Timing follows ``dispatch/dispatch.go`` of Alertmanager 0.25. An alert enters every
route it matches; per route it joins the aggregation group of its ``group_by`` labels.
A new group flushes after ``group_wait`` (at once if the alert started more than
``group_wait`` ago and the group has not flushed yet), then every ``group_interval``.
Each flush runs the notification pipeline (:mod:`gameday.alerting.pipeline`): inhibition,
active/mute time intervals, silences, then per integration the de-duplication against
what was last sent, so a flush notifies only when something changed or
``repeat_interval`` has passed. Resolved alerts leave their group once flushed. Empty
groups are dropped by a sweep every 30 s, as Alertmanager's does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import simpy

from gameday.alerting.alerts import Alert, Notification, alert_before, format_labels, label_key
from gameday.alerting.config import AlertmanagerConfig
from gameday.alerting.matchers import LABEL_NAME_RE
from gameday.alerting.pipeline import Pipeline
from gameday.alerting.routing import Route
from gameday.alerting.rules import Inhibitor
from gameday.alerting.silences import Silences

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CLEANUP_INTERVAL = 30.0
ALERT_GC_INTERVAL = 30 * 60.0


def epoch_clock(t: float) -> datetime:
    """The default clock: sim second 0 is 1970-01-01T00:00:00Z."""
    return EPOCH + timedelta(seconds=t)


class AggregationGroup:
    """The alerts of one route that share the route's ``group_by`` label values."""

    def __init__(self, dispatcher: Dispatcher, route: Route, labels: dict[str, str]) -> None:
        self.d = dispatcher
        self.env = dispatcher.env
        self.route = route
        self.labels = labels
        self.key = f"{route.key()}:{format_labels(labels)}"
        self.alerts: dict[tuple[tuple[str, str], ...], Alert] = {}
        self.has_flushed = False
        self.stopped = False
        self.next_at = self.env.now + route.group_wait
        self._wake = self.env.event()
        self.process = self.env.process(self.run())

    def insert(self, alert: Alert) -> None:
        """Add or replace an alert; an old alert makes a fresh group flush at once."""
        self.alerts[label_key(alert.labels)] = alert
        start = alert.starts_at if alert.starts_at is not None else self.env.now
        if not self.has_flushed and start + self.route.group_wait < self.env.now:
            self._reset(self.env.now)

    def _reset(self, at: float) -> None:
        self.next_at = at
        if not self._wake.triggered:
            self._wake.succeed()

    def stop(self) -> None:
        """Stop the group's timer."""
        self.stopped = True
        self._reset(self.env.now)

    def run(self) -> Generator[simpy.Event, Any, None]:
        """The group's timer: flush at ``next_at``, then re-arm ``group_interval`` later."""
        while not self.stopped:
            delay = self.next_at - self.env.now
            if delay > 0:
                self._wake = self.env.event()
                yield self.env.timeout(delay) | self._wake
                continue
            self.next_at = self.env.now + self.route.group_interval
            self.has_flushed = True
            self.flush()

    def flush(self) -> None:
        """Send the group's alerts through the pipeline; drop the resolved ones after."""
        if not self.alerts:
            return
        now = self.env.now
        snapshot = []
        for a in self.alerts.values():
            resolved = a.resolved_at(now)
            snapshot.append(
                a.copy(
                    ends_at=a.ends_at if resolved else None,
                    status="resolved" if resolved else "firing",
                    labels=dict(a.labels),
                )
            )
        snapshot = _sorted(snapshot)
        self.d.pipeline.run(self, snapshot, now)
        for a in snapshot:
            key = label_key(a.labels)
            got = self.alerts.get(key)
            if a.status == "resolved" and got is not None and got.updated_at == a.updated_at:
                del self.alerts[key]


def _sorted(alerts: list[Alert]) -> list[Alert]:
    def cmp(a: Alert, b: Alert) -> int:
        return -1 if alert_before(a, b) else (1 if alert_before(b, a) else 0)

    return sorted(alerts, key=functools.cmp_to_key(cmp))


class Dispatcher:
    """One Alertmanager (no cluster) fed by :meth:`put`; notifications go to ``notify``.

    Args:
        env: the simulation environment; sim time is in seconds.
        config: a loaded configuration.
        notify: called once per delivery with a :class:`Notification`.
        clock: maps sim seconds to aware datetimes, for time intervals (default:
            :func:`epoch_clock`).
        null_receivers: treat a receiver without integrations as having one
            ``"null"`` integration that sends resolved alerts (Alertmanager sends
            nothing for it; a tabletop exercise may still want to see the page).
    """

    def __init__(
        self,
        env: simpy.Environment,
        config: AlertmanagerConfig,
        notify: Callable[[Notification], None],
        clock: Callable[[float], datetime] | None = None,
        null_receivers: bool = False,
    ) -> None:
        self.env = env
        self.config = config
        self.notify = notify
        self.clock = clock or epoch_clock
        self.silences = Silences(lambda: self.env.now)
        self.inhibitor = Inhibitor(config.inhibit_rules)
        self.pipeline = Pipeline(self, null_receivers)
        self.alerts: dict[tuple[tuple[str, str], ...], Alert] = {}
        self.groups: dict[tuple[int, tuple[tuple[str, str], ...]], AggregationGroup] = {}
        self._route_ids = {id(r): i for i, r in enumerate(config.route.walk())}
        env.process(self._cleanup())
        env.process(self._alert_gc())

    def put(self, alerts: Alert | Iterable[Alert]) -> None:
        """Receive alerts as ``POST /api/v2/alerts`` does (merge by label set).

        Raises:
            ValueError: naming the invalid alerts, after the valid ones were taken in
                (as the API answers 400 yet keeps the valid alerts of the batch).
        """
        if isinstance(alerts, Alert):
            alerts = [alerts]
        now = self.env.now
        errors = []
        for posted in alerts:
            a = posted.copy(labels=dict(posted.labels), updated_at=now, timeout=False)
            if a.starts_at is None:
                a.starts_at = a.ends_at if a.ends_at is not None else now
            if a.ends_at is None:
                a.timeout = True
                a.ends_at = now + self.config.resolve_timeout
            problem = _invalid(a)
            if problem:
                errors.append(f"{format_labels(a.labels)}: {problem}")
                continue
            key = label_key(a.labels)
            old = self.alerts.get(key)
            if old is not None and _overlaps(a, old):
                a = _merge(old, a, now)
            self.alerts[key] = a
            self.inhibitor.observe(a)
            for route in self.config.route.match(a.labels):
                self._process(a, route)
        if errors:
            raise ValueError("; ".join(errors))

    def _process(self, alert: Alert, route: Route) -> None:
        labels = route.group_labels(alert.labels)
        gid = (self._route_ids[id(route)], label_key(labels))
        group = self.groups.get(gid)
        if group is None:
            group = self.groups[gid] = AggregationGroup(self, route, labels)
        group.insert(alert)

    def _cleanup(self) -> Generator[simpy.Event, Any, None]:
        while True:
            yield self.env.timeout(CLEANUP_INTERVAL)
            for gid, group in list(self.groups.items()):
                if not group.alerts:
                    group.stop()
                    del self.groups[gid]

    def _alert_gc(self) -> Generator[simpy.Event, Any, None]:
        while True:
            yield self.env.timeout(ALERT_GC_INTERVAL)
            now = self.env.now
            self.alerts = {k: a for k, a in self.alerts.items() if not a.resolved_at(now)}


def _invalid(a: Alert) -> str | None:
    """``types.Alert.Validate``: why Alertmanager's API would refuse ``a``, if it would."""
    assert a.starts_at is not None and a.ends_at is not None
    if a.ends_at < a.starts_at:
        return "start time must be before end time"
    if not a.labels:
        return "at least one label pair required"
    for name in (*a.labels, *a.annotations):
        if not LABEL_NAME_RE.match(name):
            return f'invalid name "{name}"'
    return None


def _overlaps(new: Alert, old: Alert) -> bool:
    assert new.starts_at is not None and new.ends_at is not None
    assert old.starts_at is not None and old.ends_at is not None
    return (old.starts_at < new.ends_at < old.ends_at) or (
        old.starts_at < new.starts_at < old.ends_at
    )


def _merge(a: Alert, o: Alert, now: float) -> Alert:
    """``types.Alert.Merge``: ``o`` is the younger update; keep the earliest start."""
    if o.updated_at < a.updated_at:
        a, o = o, a
    res = o.copy()
    assert a.starts_at is not None and o.starts_at is not None
    assert a.ends_at is not None and o.ends_at is not None
    if a.starts_at < o.starts_at:
        res.starts_at = a.starts_at
    if o.resolved_at(now):
        if a.resolved_at(now) and a.ends_at > o.ends_at:
            res.ends_at = a.ends_at
    elif a.ends_at > o.ends_at and not a.timeout:
        res.ends_at = a.ends_at
    return res
