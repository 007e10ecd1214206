"""Prometheus' side of the wire: when a rule alert is sent to Alertmanager, and how."""

from __future__ import annotations

from dataclasses import dataclass, field

from gameday.alerting.sender import RESEND_DELAY, AlertSender


@dataclass
class RuleAlert:
    labels: dict[str, str]
    state: str = "firing"
    active_at_ms: int = 30_000
    annotations: dict[str, str] = field(default_factory=lambda: {"summary": "pool full"})


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, float, float]] = []
        self.annotations: list[dict[str, str]] = []

    def put(self, alerts: list) -> None:
        for a in alerts:
            self.sent.append((a.labels["alertname"], a.starts_at, a.ends_at))
            self.annotations.append(a.annotations)


def test_firing_alerts_are_sent_then_resent_each_minute_with_ends_four_intervals_on() -> None:
    """Sent when firing, again once the resend delay has passed, endsAt 4 x max(interval,
    1m) ahead; pending alerts are never sent."""
    am = Recorder()
    sender = AlertSender(am)
    firing, pending = RuleAlert({"alertname": "PoolFull"}), RuleAlert({"alertname": "P"}, "pending")
    for now in (60.0, 90.0, 120.0, 150.0, 180.0):
        sender.firing([firing, pending], now, interval=30.0)
    ends = 4 * max(30.0, RESEND_DELAY)
    assert am.sent == [
        ("PoolFull", 30.0, 60.0 + ends),
        ("PoolFull", 30.0, 120.0 + ends),
        ("PoolFull", 30.0, 180.0 + ends),
    ]


def test_resolved_is_sent_once_and_only_if_it_was_sent_firing() -> None:
    """A resolution goes out with endsAt at that moment, once; an alert Alertmanager never
    heard of is not resolved there."""
    am = Recorder()
    sender = AlertSender(am, annotate=lambda key, alert: {"extra": "yes"})
    seen, unseen = RuleAlert({"alertname": "Seen"}), RuleAlert({"alertname": "Unseen"})
    sender.firing([seen], 60.0, interval=120.0)
    sender.resolved(seen, 200.0)
    sender.resolved(seen, 230.0)
    sender.resolved(unseen, 200.0)
    assert am.sent == [("Seen", 30.0, 60.0 + 480.0), ("Seen", 30.0, 200.0)]
    assert am.annotations == [{"extra": "yes"}] * 2
