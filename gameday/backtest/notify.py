"""From alert episodes to notifications and pages: Prometheus' notifier, Alertmanager,
the pager.

Each group's firing alerts are sent as Prometheus sends them
(:class:`~gameday.alerting.sender.AlertSender`: when they fire, again once a minute
has passed at a later evaluation, and once when they resolve) into the Alertmanager model
(:class:`~gameday.alerting.dispatch.Dispatcher`: routing, grouping, group_wait /
group_interval / repeat_interval, inhibition, time intervals). Notifications to a paging
integration (PagerDuty, Opsgenie, VictorOps) open incidents on the on-call file's
service with that key, and the pager notifies and escalates. Recorded data says nothing
of who acknowledged, so whoever is paged acknowledges ``ack_after`` later (None: nobody
does, and every page escalates as far as the policy goes).

Everything runs in one SimPy environment whose clock is Unix seconds, so schedules,
support hours and mute time intervals see real wall-clock times.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import simpy

from gameday.alerting.dispatch import Dispatcher
from gameday.alerting.sender import RESEND_DELAY, AlertSender
from gameday.backtest.evaluate import AlertEpisode
from gameday.oncall import Pager

PAGING = ("pagerduty", "opsgenie", "victorops")
NIGHT = (22, 7)  # local hours from 22:00 to 07:00 count as night


@dataclass
class _Sent:
    """An alert as the notifier sees it at one evaluation."""

    labels: dict[str, str]
    annotations: dict[str, str]
    active_at_ms: int
    state: str = "firing"


def _clock(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=UTC)


def _send_times(ep: AlertEpisode, end_ms: int) -> Iterator[int]:
    """Evaluations at which the notifier may send ``ep``: its firing one, then every
    evaluation a resend is due (the first one at least a minute after the last send)."""
    assert ep.firing_at is not None
    every = -(-int(RESEND_DELAY * 1000) // ep.interval_ms) * ep.interval_ms
    stop = ep.resolved_at if ep.resolved_at is not None else end_ms + 1
    yield from range(ep.firing_at, stop, every)


def _notifier(
    env: simpy.Environment, sender: AlertSender, episodes: list[AlertEpisode], end_ms: int
) -> Any:
    """Plays one rule group's sends in time order."""
    events: dict[int, tuple[list[AlertEpisode], list[AlertEpisode]]] = {}
    for ep in episodes:
        if ep.firing_at is None:
            continue
        for t in _send_times(ep, end_ms):
            events.setdefault(t, ([], []))
        if ep.resolved_at is not None and ep.resolved_at <= end_ms:
            events.setdefault(ep.resolved_at, ([], []))[1].append(ep)
    order = sorted((ep.firing_at, i) for i, ep in enumerate(episodes) if ep.firing_at is not None)
    taken = 0
    firing: dict[int, AlertEpisode] = {}  # in the order they fired
    for t in sorted(events):
        yield env.timeout(max(0.0, t / 1000 - env.now))
        for ep in events[t][1]:
            sender.resolved(_Sent(ep.labels, ep.annotations, ep.active_at), t / 1000)
        while taken < len(order) and order[taken][0] <= t:
            firing[order[taken][1]] = episodes[order[taken][1]]
            taken += 1
        for i in [
            i for i, ep in firing.items() if ep.resolved_at is not None and ep.resolved_at <= t
        ]:
            del firing[i]
        live = [_Sent(ep.labels, ep.annotations, ep.active_at) for ep in firing.values()]
        sender.firing(live, t / 1000, episodes[0].interval_ms / 1000)


def run_pipeline(
    episodes: list[AlertEpisode],
    alertmanager: Any,
    oncall: Any | None,
    start_ms: int,
    end_ms: int,
    ack_after_s: float | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Notifications and pages the episodes cause; each a plain dict (times in ms)."""
    env = simpy.Environment(initial_time=start_ms / 1000)
    notifications: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    zone = ZoneInfo(str(oncall.timezone)) if oncall is not None else UTC
    incident_alerts: dict[str, set[tuple[tuple[str, str], ...]]] = {}
    incoming: list[set[tuple[tuple[str, str], ...]]] = [set()]  # the alerts being paged

    def on_page(kind: str, data: dict[str, Any]) -> None:
        if kind != "page.notified":
            return
        local = _clock(env.now).astimezone(zone)
        pages.append(
            {
                "time": int(round(env.now * 1000)),
                "person": data["person"],
                "name": data.get("name") or data["person"],
                "incident": data["incident_id"],
                "service": data["service"],
                "level": data["level"],
                "urgency": data["urgency"],
                "night": local.hour >= NIGHT[0] or local.hour < NIGHT[1],
                "alerts": [
                    dict(k)
                    for k in sorted(incident_alerts.get(data["incident_id"], set()) | incoming[0])
                ],
            }
        )
        if pager is not None and ack_after_s is not None and data.get("wakes", True):
            env.process(pager.ack_later(data["incident_id"], data["person"], ack_after_s))

    pager = Pager(env, oncall, on_page, clock=_clock) if oncall is not None else None

    def notify(note: Any) -> None:
        notifications.append(
            {
                "time": int(round(env.now * 1000)),
                "receiver": note.receiver,
                "integrations": sorted({i.type for i in note.integrations}),
                "status": note.status,
                "group_key": note.group_key,
                "alerts": [
                    {"labels": dict(sorted(a.labels.items())), "status": a.status}
                    for a in note.alerts
                ],
            }
        )
        if pager is not None:
            _page(pager, note, incident_alerts, incoming)

    dispatcher = Dispatcher(env, alertmanager, notify, clock=_clock)
    sender = AlertSender(dispatcher)
    by_group: dict[str, list[AlertEpisode]] = {}
    for ep in episodes:
        by_group.setdefault(ep.group, []).append(ep)
    for group_episodes in by_group.values():
        env.process(_notifier(env, sender, group_episodes, end_ms))
    env.run(until=end_ms / 1000 + 1e-9)
    return notifications, pages


def _page(
    pager: Pager, note: Any, incident_alerts: dict[str, set[Any]], incoming: list[set[Any]]
) -> None:
    """A notification's paging integrations open (or resolve) incidents."""
    for integ in note.integrations:
        if integ.type not in PAGING:
            continue
        service = pager.service_for(integ.settings, note.receiver)
        if service is None:
            continue
        if note.status == "resolved":
            pager.resolve_open(service, note.group_key)
            continue
        first = note.alerts[0] if note.alerts else None
        summary = first.labels.get("alertname", note.receiver) if first else note.receiver
        severity = str(note.group_labels.get("severity") or "critical")
        existing = pager.open_incident(service, note.group_key)
        keys_now = {tuple(sorted(a.labels.items())) for a in note.alerts if a.status == "firing"}
        if existing is not None:
            incident_alerts.setdefault(existing, set()).update(keys_now)
        incoming[0] = keys_now
        opened = pager.trigger(service, note.group_key, summary, severity, source=note.receiver)
        incident_alerts.setdefault(opened, set()).update(keys_now)
        incoming[0] = set()
