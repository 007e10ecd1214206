"""From rule evaluation to a human: rules -> Alertmanager -> pager and chat.

Prometheus evaluates each rule group on its interval and sends firing alerts to
Alertmanager, re-sending them every minute with ``endsAt`` four intervals ahead and
sending resolved alerts with ``endsAt`` at resolution. Alertmanager groups, waits and
notifies receivers; a paging integration (PagerDuty, Opsgenie) triggers the escalation
policy of the on-call service it maps to, a chat integration posts to its channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gameday.alerting.dispatch import Dispatcher
from gameday.alerting.sender import AlertSender
from gameday.oncall import Pager
from gameday.rules import RuleEngine

if TYPE_CHECKING:  # the session builds its pipeline
    from gameday.session.session import Session

PAGING = ("pagerduty", "opsgenie", "victorops")
CHAT = (
    "slack",
    "msteams",
    "telegram",
    "discord",
    "webex",
    "email",
    "webhook",
    "pushover",
    "sns",
    "wechat",
)


class AlertPipeline:
    """Wires the rules engine, the Alertmanager dispatcher and the pager into a session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        setup = session.setup
        self.rules: Any = None
        self.dispatcher: Any = None
        self.pager: Any = None
        self.sender: Any = None  # Prometheus' notifier, when there is an Alertmanager
        self._active: list[Any] = []  # the rules' active alerts after the last evaluation
        self._alerts: dict[tuple[tuple[str, str], ...], dict[str, Any]] | None = {}
        self._intervals: list[float] = []
        if setup.rule_groups:
            self.rules = RuleEngine(
                list(setup.rule_groups),
                session.tsdb,
                external_labels=setup.external_labels,
                epoch_ms=session.scenario.start_ms,
            )
        if setup.alertmanager is not None:
            self.dispatcher = Dispatcher(
                session.env, setup.alertmanager, self._on_notification, clock=session.wall_time
            )
            self.sender = AlertSender(self.dispatcher)
        if setup.oncall is not None:
            self.pager = Pager(session.env, setup.oncall, session.emit, clock=session.wall_time)
        if self.rules is not None:
            self._intervals = [float(g.interval_s) for g in self.rules.groups]

    @property
    def group_intervals(self) -> list[float]:
        """Each rule group's evaluation interval in seconds (read-only)."""
        return self._intervals

    def evaluate(self, group_index: int, now: float) -> None:
        """Evaluate one rule group at ``now`` and forward its alerts."""
        assert self.rules is not None
        t_ms = int(round(now * 1000))
        for tr in self.rules.evaluate(group_index, t_ms):
            self.session.emit(
                f"alert.{tr.kind}",
                {
                    "alertname": tr.alertname,
                    "labels": dict(tr.labels),
                    "annotations": dict(tr.annotations),
                    "value": _num(tr.value),
                },
            )
            if tr.kind == "resolved" and self.sender is not None:
                self.sender.resolved(tr, now)
        interval = self._intervals[group_index]
        active = self.rules.active_alerts()
        # Alerts change only when rules are evaluated, so their public form is built when
        # someone asks for it (a command, the TUI), not after every evaluation.
        self._active = active
        self._alerts = None
        if self.sender is not None:
            self.sender.firing(active, now, interval)

    def firing_alerts(self) -> list[dict[str, Any]]:
        if self._alerts is None:
            self._alerts = {
                tuple(sorted(a.labels.items())): {
                    "labels": dict(a.labels),
                    "annotations": dict(a.annotations),
                    "state": a.state,
                    "active_at": a.active_at_ms / 1000.0,
                }
                for a in self._active
            }
        return [a for a in self._alerts.values() if a]

    def silence(self, matchers: list[str], duration_s: float, author: str, comment: str) -> str:
        if self.dispatcher is None:
            raise ValueError("this scenario has no Alertmanager configuration to silence in")
        now = self.session.now
        silence_id = self.dispatcher.silences.add(matchers, now, now + duration_s, author, comment)
        self.session.emit(
            "silence.created",
            {
                "id": silence_id,
                "matchers": list(matchers),
                "ends_at": now + duration_s,
                "created_by": author,
                "comment": comment,
            },
        )
        return str(silence_id)

    def _on_notification(self, note: Any) -> None:
        s = self.session
        alerts = [
            {"labels": dict(a.labels), "status": getattr(a, "status", note.status)}
            for a in note.alerts
        ]
        integrations = [{"type": i.type, **_public_settings(i.settings)} for i in note.integrations]
        s.emit(
            "notification",
            {
                "receiver": note.receiver,
                "integrations": integrations,
                "status": note.status,
                "group_key": note.group_key,
                "alerts": alerts,
            },
        )
        summary = _summary(note)
        for integ in note.integrations:
            if integ.type in PAGING:
                self._page(note, integ, summary)
            elif integ.type in CHAT:
                channel = integ.settings.get("channel") or integ.settings.get("to") or note.receiver
                s.emit(
                    "chat.message",
                    {
                        "channel": str(channel),
                        "receiver": note.receiver,
                        "status": note.status,
                        "text": f"[{note.status.upper()}:{len(note.alerts)}] {summary}",
                    },
                )

    def _page(self, note: Any, integ: Any, summary: str) -> None:
        if self.pager is None:
            return
        keys = [integ.settings.get(k) for k in ("routing_key", "service_key", "api_key")]
        service = None
        for key in [*keys, note.receiver]:
            if key:
                service = self.pager.lookup_service(str(key))
                if service:
                    break
        if service is None:
            self.session.emit(
                "page.unrouted",
                {"receiver": note.receiver, "integration": integ.type, "summary": summary},
            )
            return
        severity = str(
            note.group_labels.get("severity") or _first_label(note, "severity") or "critical"
        )
        if note.status == "resolved":
            incident_id = self.pager.open_incident(service, note.group_key)
            if incident_id and self.pager.incidents[incident_id].status != "resolved":
                self.pager.resolve(incident_id, None)  # the integration resolves it
            return
        self.pager.trigger(service, note.group_key, summary, severity, source=note.receiver)


def _summary(note: Any) -> str:
    first = note.alerts[0] if note.alerts else None
    if first is None:
        return note.receiver
    name = first.labels.get("alertname", "alert")
    text = first.annotations.get("summary") or first.annotations.get("description") or ""
    return f"{name}: {text}".strip(": ")


def _first_label(note: Any, key: str) -> str | None:
    for a in note.alerts:
        if key in a.labels:
            return str(a.labels[key])
    return None


def _public_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Integration settings worth showing (no secrets)."""
    keep = ("channel", "to", "url", "severity")
    return {k: str(v) for k, v in settings.items() if k in keep and v is not None}


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if v == v else None
