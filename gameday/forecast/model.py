"""Forecast on-call load over days or weeks.

Alert *episodes* (a real incident, or noise: a short blip or a flapping alert) are drawn
from seeded Poisson processes per service. Each episode's alert is posted to the real
Alertmanager model (grouping, timing, inhibition) the way Prometheus does, every minute
while it fires and once resolved; paging notifications trigger the real pager
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

from gameday.alerting.alerts import Alert
from gameday.alerting.dispatch import Dispatcher
from gameday.oncall import Pager
from gameday.oncall.ackdelay import ack_delay

PAGING = ("pagerduty", "opsgenie", "victorops")
RESEND = 60.0
NIGHT = (22, 7)  # local hours: from 22:00 to 07:00
WEEK = 7 * 86400.0


@dataclass(frozen=True)
class Episode:
    """One alert firing from ``start`` to ``end`` (sim seconds); flapping ones repeat."""

    start: float
    end: float
    labels: tuple[tuple[str, str], ...]
    actionable: bool
    flaps: int = 1  # fire/resolve cycles within the episode


@dataclass
class ForecastResult:
    """What a month of on-call looked like."""

    days: int
    pages: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


def generate_episodes(
    rules: Sequence[dict[str, str]],
    services: Sequence[str],
    days: int,
    seed: int,
    incidents_per_week: float = 0.5,
    noise_per_day: float = 1.0,
    flapping_share: float = 0.2,
) -> list[Episode]:
    """Seeded episodes: real incidents from critical rules, noise from any rule."""
    rng = random.Random(f"{seed}:forecast")
    horizon = days * 86400.0
    critical = [r for r in rules if r.get("severity") == "critical"] or list(rules)
    out: list[Episode] = []
    for service in services:
        t = rng.expovariate(incidents_per_week / WEEK) if incidents_per_week > 0 else horizon
        while t < horizon:
            rule = rng.choice(critical)
            length = min(rng.lognormvariate(7.3, 0.5), 4 * 3600.0)  # median about 25 minutes
            out.append(Episode(t, t + length, _labels(rule, service), True))
            t += rng.expovariate(incidents_per_week / WEEK)
        t = rng.expovariate(noise_per_day / 86400.0) if noise_per_day > 0 else horizon
        while t < horizon:
            rule = rng.choice(list(rules))
            flapping = rng.random() < flapping_share
            length = rng.uniform(120.0, 600.0)
            flaps = rng.randint(3, 6) if flapping else 1
            out.append(Episode(t, t + length * flaps, _labels(rule, service), False, flaps))
            t += rng.expovariate(noise_per_day / 86400.0)
    return sorted(out, key=lambda e: (e.start, e.labels))


def _labels(rule: dict[str, str], service: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({**rule, "service": service}.items()))


def forecast(
    alertmanager: Any,
    oncall: Any,
    episodes: Sequence[Episode],
    days: int,
    start: datetime,
    seed: int = 1,
) -> ForecastResult:
    """Play ``episodes`` through Alertmanager and the pager for ``days`` days."""
    env = simpy.Environment()
    result = ForecastResult(days)
    rng = random.Random(f"{seed}:acks")
    zone = ZoneInfo(str(oncall.timezone))

    def clock(t: float) -> datetime:
        return start + timedelta(seconds=t)

    origin: dict[str, bool] = {}  # dedup key -> actionable

    def on_page_event(kind: str, data: dict[str, Any]) -> None:
        if kind != "page.notified":
            return
        local = clock(env.now).astimezone(zone)
        incident = pager.incidents[data["incident_id"]]
        result.pages.append(
            {
                "t": env.now,
                "person": data["person"],
                "incident": data["incident_id"],
                "actionable": origin.get(incident.dedup_key, False),
                "wakes": data.get("wakes", True),
                "night": local.hour >= NIGHT[0] or local.hour < NIGHT[1],
                "level": data["level"],
            }
        )
        if data.get("wakes", True):
            delay = ack_delay(rng, local, str(data.get("urgency", "high")))
            env.process(_ack_later(env, pager, data["incident_id"], data["person"], delay))

    pager = Pager(env, oncall, on_page_event, clock=clock)

    def notify(note: Any) -> None:
        for integ in note.integrations:
            if integ.type not in PAGING:
                continue
            keys = [integ.settings.get(k) for k in ("routing_key", "service_key", "api_key")]
            service = next(
                (s for k in [*keys, note.receiver] if k and (s := pager.lookup_service(str(k)))),
                None,
            )
            if service is None:
                continue
            if note.status == "resolved":  # the integration resolves the open incident
                open_id = pager.open_incident(service, note.group_key)
                if open_id and pager.incidents[open_id].status != "resolved":
                    pager.resolve(open_id, None)
                continue
            actionable = any(a.annotations.get("gameday_actionable") == "true" for a in note.alerts)
            origin[note.group_key] = origin.get(note.group_key, False) or actionable
            pager.trigger(service, note.group_key, note.receiver, "critical", source=note.receiver)

    dispatcher = Dispatcher(env, alertmanager, notify, clock=clock)
    for ep in episodes:
        env.process(_play(env, dispatcher, ep))
    env.run(until=days * 86400.0)
    result.figures = figures(result, days)
    return result


def _ack_later(
    env: simpy.Environment, pager: Pager, incident: str, person: str, delay: float
) -> Any:
    yield env.timeout(delay)
    inc = pager.incidents[incident]
    if inc.status == "triggered" and person in inc.assigned:
        pager.ack(incident, person)


def _play(env: simpy.Environment, dispatcher: Dispatcher, ep: Episode) -> Any:
    """Post the episode's alert as Prometheus does: every minute while firing, then resolved."""
    yield env.timeout(ep.start)
    labels = dict(ep.labels)
    notes = {"gameday_actionable": "true" if ep.actionable else "false"}
    cycle = (ep.end - ep.start) / ep.flaps
    for i in range(ep.flaps):
        begin = ep.start + i * cycle
        firing_until = begin + (cycle * 0.5 if ep.flaps > 1 else cycle)
        while env.now < firing_until:
            dispatcher.put(
                Alert(dict(labels), dict(notes), starts_at=begin, ends_at=env.now + 4 * RESEND)
            )
            yield env.timeout(min(RESEND, max(1.0, firing_until - env.now)))
        dispatcher.put(Alert(dict(labels), dict(notes), starts_at=begin, ends_at=env.now))
        if ep.flaps > 1 and i < ep.flaps - 1:
            yield env.timeout(max(0.0, begin + cycle - env.now))


def figures(result: ForecastResult, days: int) -> dict[str, Any]:
    """Pages per week per person, at night, actionable share, and the DESIGN.md targets."""
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
    return {
        "days": days,
        "pages": len(pages),
        "incidents_paged": len(incidents),
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
