"""The notification pipeline one flush runs through (``notify/notify.go``, 0.25).

Stages, in order: inhibition, active time intervals, mute time intervals, silences (each
drops alerts; nothing left means nothing is sent), then for every integration of the
receiver: de-duplication against the notification log, the send itself (an integration
without ``send_resolved`` gets only the firing alerts and is skipped when there are
none), and the notification-log update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gameday.alerting.alerts import Alert, Notification, label_key
from gameday.alerting.receivers import Integration
from gameday.alerting.timeintervals import in_intervals

if TYPE_CHECKING:
    from gameday.alerting.dispatch import AggregationGroup, Dispatcher

NULL_INTEGRATION = Integration("null", {}, True, 0)
NFLOG_GC_INTERVAL = 15 * 60.0

Hashes = frozenset[tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class LogEntry:
    """What an integration last sent for a group (``nflogpb.Entry``)."""

    firing: Hashes
    resolved: Hashes
    t: float
    expires_at: float


def needs_update(
    entry: LogEntry | None,
    firing: Hashes,
    resolved: Hashes,
    send_resolved: bool,
    repeat: float,
    now: float,
) -> bool:
    """``DedupStage.needsUpdate``: is this flush worth a notification?"""
    if entry is None:
        return bool(firing)
    if not firing <= entry.firing:
        return True
    if not firing:
        return bool(entry.firing)
    if send_resolved and not resolved <= entry.resolved:
        return True
    return entry.t < now - repeat


class Pipeline:
    """Runs flushes for one :class:`~gameday.alerting.dispatch.Dispatcher`."""

    def __init__(self, dispatcher: Dispatcher, null_receivers: bool = False) -> None:
        self.d = dispatcher
        self.null_receivers = null_receivers
        self.log: dict[tuple[str, str, str, int], LogEntry] = {}
        self._last_gc = 0.0

    def integrations(self, receiver: str) -> tuple[Integration, ...]:
        """The integrations a receiver notifies."""
        rcv = self.d.config.receivers.get(receiver)
        found = rcv.integrations if rcv is not None else ()
        if not found and self.null_receivers:
            return (NULL_INTEGRATION,)
        return found

    def muted(self, group: AggregationGroup, alerts: list[Alert], now: float) -> list[Alert]:
        """Alerts left after inhibition, time intervals and silences."""
        alerts = [a for a in alerts if not self.d.inhibitor.mutes(a.labels, now)]
        route, intervals = group.route, self.d.config.time_intervals
        when = self.d.clock(now)
        active, mute = route.active_time_intervals, route.mute_time_intervals
        if active and not in_intervals(when, intervals, active):
            return []
        if mute and in_intervals(when, intervals, mute):
            return []
        return [a for a in alerts if not self.d.silences.mutes(a.labels, now)]

    def run(self, group: AggregationGroup, alerts: list[Alert], now: float) -> None:
        """One flush of ``group`` with the alerts as they stand at ``now``."""
        self._gc(now)
        alerts = self.muted(group, alerts, now)
        if not alerts:
            return
        receiver = group.route.receiver
        firing = frozenset(label_key(a.labels) for a in alerts if a.status == "firing")
        resolved = frozenset(label_key(a.labels) for a in alerts if a.status == "resolved")
        repeat = group.route.repeat_interval
        sends: list[tuple[Integration, list[Alert]]] = []
        for integ in self.integrations(receiver):
            key = (group.key, receiver, integ.type, integ.index)
            entry = self.log.get(key)
            if not needs_update(entry, firing, resolved, integ.send_resolved, repeat, now):
                continue
            sent = alerts if integ.send_resolved else [a for a in alerts if a.status == "firing"]
            if integ.send_resolved or firing:
                sends.append((integ, sent))
            self.log[key] = LogEntry(firing, resolved, now, now + 2 * repeat)
        merged: list[tuple[list[Integration], list[Alert]]] = []
        for integ, sent in sends:
            if merged and merged[-1][1] == sent:
                merged[-1][0].append(integ)
            else:
                merged.append(([integ], sent))
        for integs, sent in merged:
            status = "firing" if any(a.status == "firing" for a in sent) else "resolved"
            self.d.notify(
                Notification(now, receiver, integs, group.key, dict(group.labels), status, sent)
            )

    def _gc(self, now: float) -> None:
        # Alertmanager drops expired log entries every 15 minutes (--data.maintenance-interval).
        while self._last_gc + NFLOG_GC_INTERVAL <= now:
            self._last_gc += NFLOG_GC_INTERVAL
            cutoff = self._last_gc
            self.log = {k: e for k, e in self.log.items() if e.expires_at >= cutoff}
