"""Forecast on-call load over days or weeks.

Episodes (:mod:`gameday.forecast.episodes`) hold alerting rules' conditions; the real
rules decide when alerts fire (:mod:`gameday.forecast.prometheus`); the real Alertmanager
model groups, times and inhibits them; paging notifications trigger the real pager
(schedules, escalation policies, urgency) and a simulated on-call engineer acknowledges
after a realistic, time-of-day dependent delay.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import simpy

from gameday.alerting.dispatch import Dispatcher
from gameday.forecast.episodes import Episode
from gameday.forecast.prometheus import ACTIONABLE, EpisodeRules
from gameday.oncall import Pager
from gameday.oncall.ackdelay import ack_delay
from gameday.rules.model import RuleGroup

PAGING = ("pagerduty", "opsgenie", "victorops")
NIGHT = (22, 7)  # local hours: from 22:00 to 07:00


@dataclass
class ForecastResult:
    """What a month of on-call looked like.

    Attributes:
        pages: one dict per page (time, person, incident, actionable, night, duplicate...).
        fired: (time, labels) of every alert that started firing.
        flaps: (time, labels) of alerts that fired again within an hour of resolving.
        figures: the summary (see :func:`figures`).
    """

    days: int
    pages: list[dict[str, Any]] = field(default_factory=list)
    fired: list[tuple[float, dict[str, str]]] = field(default_factory=list)
    flaps: list[tuple[float, dict[str, str]]] = field(default_factory=list)
    episodes: int = 0
    figures: dict[str, Any] = field(default_factory=dict)


def forecast(
    alertmanager: Any,
    oncall: Any,
    rule_groups: Sequence[RuleGroup],
    episodes: Sequence[Episode],
    days: int,
    start: datetime,
    seed: int = 1,
    external_labels: dict[str, str] | None = None,
) -> ForecastResult:
    """Play ``episodes`` through the rules, Alertmanager and the pager for ``days`` days."""
    env = simpy.Environment()
    result = ForecastResult(days, episodes=len(episodes))
    rng = random.Random(f"{seed}:acks")
    zone = ZoneInfo(str(oncall.timezone))
    latest: dict[str, bool] = {}  # Alertmanager group key -> its latest notification's say
    actionable_incidents: dict[str, bool] = {}
    group_services: dict[str, set[str]] = defaultdict(set)  # group key -> service labels
    first_paged: set[str] = set()

    def clock(t: float) -> datetime:
        return start + timedelta(seconds=t)

    def on_page_event(kind: str, data: dict[str, Any]) -> None:
        if kind != "page.notified":
            return
        local = clock(env.now).astimezone(zone)
        incident_id = data["incident_id"]
        incident = pager.incidents[incident_id]
        services = group_services.get(incident.dedup_key, set())
        duplicate = incident_id not in first_paged and any(
            other.id != incident_id
            and other.status != "resolved"
            and group_services.get(other.dedup_key, set()) & services
            for other in pager.incidents.values()
        )
        first_paged.add(incident_id)
        result.pages.append(
            {
                "t": env.now,
                "person": data["person"],
                "incident": incident_id,
                "actionable": actionable_incidents.get(
                    incident_id, latest.get(incident.dedup_key, False)
                ),
                "wakes": data.get("wakes", True),
                "night": local.hour >= NIGHT[0] or local.hour < NIGHT[1],
                "level": data["level"],
                "duplicate": duplicate,
                "services": sorted(services),
            }
        )
        if data.get("wakes", True):
            delay = ack_delay(rng, local, str(data.get("urgency", "high")))
            env.process(pager.ack_later(incident_id, data["person"], delay))

    pager = Pager(env, oncall, on_page_event, clock=clock)

    def notify(note: Any) -> None:
        for integ in note.integrations:
            if integ.type not in PAGING:
                continue
            service = pager.service_for(integ.settings, note.receiver)
            if service is None:
                continue
            if note.status == "resolved":  # the integration resolves the open incident
                pager.resolve_open(service, note.group_key)
                continue
            actionable = any(a.annotations.get(ACTIONABLE) == "true" for a in note.alerts)
            key = note.group_key
            latest[key] = actionable
            group_services[key] |= {
                a.labels["service"] for a in note.alerts if "service" in a.labels
            }
            opened = pager.trigger(service, key, note.receiver, "critical", source=note.receiver)
            actionable_incidents[opened] = actionable_incidents.get(opened, False) or actionable

    dispatcher = Dispatcher(env, alertmanager, notify, clock=clock)
    rules = EpisodeRules(env, rule_groups, episodes, dispatcher, external_labels)
    env.run(until=days * 86400.0)
    result.fired, result.flaps = rules.fired, rules.flaps
    result.figures = figures(result, days)
    return result


def figures(result: ForecastResult, days: int) -> dict[str, Any]:
    """Pages per week per person, at night, actionable share, flapping and duplicates,
    against the DESIGN.md targets."""
    weeks = days / 7.0
    pages = result.pages
    per_person = Counter(p["person"] for p in pages)
    actionable_per_person = Counter(p["person"] for p in pages if p["actionable"])
    night = Counter(p["person"] for p in pages if p["night"] and p["wakes"])
    per_shift: dict[tuple[str, int], int] = defaultdict(int)
    for p in pages:
        per_shift[(p["person"], int(p["t"] // 43200))] += 1  # 12-hour shifts
    incidents = {p["incident"] for p in pages}
    actionable = sum(1 for p in pages if p["actionable"])
    flapping = Counter(labels["alertname"] for _, labels in result.flaps)
    return {
        "days": days,
        "episodes": result.episodes,
        "alerts_fired": len(result.fired),
        "pages": len(pages),
        "incidents_paged": len(incidents),
        "duplicate_pages": sum(1 for p in pages if p["duplicate"]),
        "flapping_refires": dict(sorted(flapping.items())),
        "pages_per_week_per_person": {
            k: round(v / weeks, 2) for k, v in sorted(per_person.items())
        },
        "actionable_pages_per_week_per_person": {
            k: round(v / weeks, 2) for k, v in sorted(actionable_per_person.items())
        },
        "night_pages": dict(sorted(night.items())),
        "max_pages_per_shift": max(per_shift.values(), default=0),
        "actionable_ratio": round(actionable / len(pages), 4) if pages else None,
        "targets": {
            "actionable_pages_per_week": "< 5",
            "pages_per_shift": "<= 2",
            "actionable_ratio": "> 0.8",
        },
        "meets": {
            "actionable_pages_per_week": all(v / weeks < 5 for v in actionable_per_person.values()),
            "pages_per_shift": max(per_shift.values(), default=0) <= 2,
            "actionable_ratio": (actionable / len(pages) > 0.8) if pages else True,
        },
    }
