"""What Prometheus sends Alertmanager as its rules are evaluated (its notifier's part).

A firing alert is sent when it starts firing and again every :data:`RESEND_DELAY`
(``--rules.alert.resend-delay``), each time with ``endsAt`` four times the larger of the
group's interval and that delay ahead, so Alertmanager keeps it open between sends. An
alert that resolves is sent once more with ``endsAt`` at the resolution, if Alertmanager
ever saw it fire.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gameday.alerting.alerts import Alert

RESEND_DELAY = 60.0  # Prometheus --rules.alert.resend-delay

Key = tuple[tuple[str, str], ...]


def alert_key(labels: dict[str, str]) -> Key:
    """An alert's identity: its sorted label pairs."""
    return tuple(sorted(labels.items()))


class AlertSender:
    """Sends rule alerts to ``dispatcher`` (an Alertmanager) as Prometheus would.

    Args:
        dispatcher: takes lists of :class:`~gameday.alerting.alerts.Alert` (``put``).
        annotate: the annotations to send for an alert (default: its own).
    """

    def __init__(
        self, dispatcher: Any, annotate: Callable[[Key, Any], dict[str, str]] | None = None
    ) -> None:
        self.dispatcher = dispatcher
        self._annotate = annotate or (lambda _key, alert: dict(alert.annotations))
        self._last_sent: dict[Key, float] = {}

    def resolved(self, alert: Any, now: float) -> None:
        """``alert`` stopped firing at ``now``: tell Alertmanager if it was told it fired."""
        key = alert_key(alert.labels)
        if key in self._last_sent:
            self._send(key, alert, now, now)
            del self._last_sent[key]

    def firing(self, alerts: Iterable[Any], now: float, interval: float) -> None:
        """Send each firing alert among ``alerts`` that is new or due to be sent again."""
        for alert in alerts:
            if alert.state != "firing":
                continue
            key = alert_key(alert.labels)
            last = self._last_sent.get(key)
            if last is None or now - last >= RESEND_DELAY:
                self._send(key, alert, now, now + 4 * max(interval, RESEND_DELAY))

    def _send(self, key: Key, alert: Any, now: float, ends: float) -> None:
        self.dispatcher.put(
            [
                Alert(
                    labels=dict(alert.labels),
                    annotations=self._annotate(key, alert),
                    starts_at=alert.active_at_ms / 1000.0,
                    ends_at=ends,
                )
            ]
        )
        self._last_sent[key] = now
