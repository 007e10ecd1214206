"""The alert stream: one row per alert, its state, severity, notification count, receiver."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from gameday.session.events import Event
from gameday.textsafe import visible
from gameday.timeline import clock

SEVERITY_STYLE = {
    "critical": "bold red",
    "page": "bold red",
    "error": "red",
    "warning": "yellow",
    "info": "blue",
}
STATE_STYLE = {"firing": "bold red", "pending": "yellow", "resolved": "green"}
STATE_ORDER = {"firing": 0, "pending": 1, "resolved": 2}


@dataclass
class AlertRow:
    """What the stream knows about one alert (alertname plus labels)."""

    key: str
    alertname: str
    labels: dict[str, str]
    annotations: dict[str, str]
    state: str = "pending"
    since: float = 0.0
    notifications: int = 0
    receivers: list[str] = field(default_factory=list)


def alert_key(labels: dict[str, Any]) -> str:
    """A stable key for an alert's label set."""
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


class AlertStream(DataTable[Any]):
    """Alerts as the rules engine and Alertmanager saw them, newest state per alert."""

    class Selected(Message):
        """The highlighted alert changed; carries its annotations (``runbook_url``)."""

        def __init__(self, alertname: str, annotations: dict[str, str]) -> None:
            super().__init__()
            self.alertname = alertname
            self.annotations = annotations

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.rows_by_key: dict[str, AlertRow] = {}

    def on_mount(self) -> None:
        """Lay out the columns."""
        for label, key in (
            ("state", "state"),
            ("sev", "sev"),
            ("alert", "alert"),
            ("n", "n"),
            ("receiver", "receiver"),
            ("since", "since"),
        ):
            self.add_column(label, key=key)

    def feed(self, events: Sequence[Event]) -> None:
        """Take new events; alert and notification events update rows."""
        order = [(row.key, row.state) for row in self.rows_by_key.values()]
        for event in events:
            if event.kind.startswith("alert."):
                self._on_alert(event)
            elif event.kind == "notification":
                self._on_notification(event)
        if [(row.key, row.state) for row in self.rows_by_key.values()] != order:
            self.sort_rows()
        self.border_title = f"Alerts · {self.summary()}"
        self.border_subtitle = self.routing()

    def sort_rows(self) -> None:
        """Firing first, then pending, then resolved (each in order of first appearance),
        so a firing alert is never scrolled out of sight under resolved ones. The cursor
        stays on the alert it was on."""
        selected = self.selected()
        self.sort("state", key=lambda state: STATE_ORDER.get(str(state), len(STATE_ORDER)))
        if selected is not None:
            self.move_cursor(row=self.get_row_index(selected.key), scroll=False)

    def summary(self) -> str:
        """``2 firing · 1 resolved · 3 sent`` (notifications sent to receivers)."""
        states = [r.state for r in self.rows_by_key.values()]
        notes = sum(r.notifications for r in self.rows_by_key.values())
        return (
            f"{states.count('firing')} firing · {states.count('resolved')} resolved · {notes} sent"
        )

    def selected(self) -> AlertRow | None:
        """The alert under the cursor, if any."""
        if not self.rows_by_key or not self.is_valid_row_index(self.cursor_row):
            return None
        return self.rows_by_key.get(str(self.ordered_rows[self.cursor_row].key.value))

    def routing(self) -> str:
        """Where the selected alert's notifications went: ``→ pagerduty-shop, slack (2)``.

        The table's receiver column is often scrolled out of a narrow pane; this line
        under it is not.
        """
        row = self.selected()
        if row is None:
            return ""
        if not row.notifications:
            return "not sent to any receiver yet"
        return visible(f"→ {', '.join(row.receivers)} ({row.notifications})")

    def _on_alert(self, event: Event) -> None:
        d = event.data
        labels = {str(k): str(v) for k, v in (d.get("labels") or {}).items()}
        labels.setdefault("alertname", str(d.get("alertname", "?")))
        key = alert_key(labels)
        row = self.rows_by_key.get(key)
        state = event.kind.split(".", 1)[1]
        if row is None:
            row = AlertRow(
                key,
                labels["alertname"],
                labels,
                {str(k): str(v) for k, v in (d.get("annotations") or {}).items()},
            )
            self.rows_by_key[key] = row
            row.state, row.since = state, event.t
            self.add_row(*self._cells(row), key=key)
            if len(self.rows_by_key) == 1:
                self.post_message(self.Selected(row.alertname, row.annotations))
            return
        if d.get("annotations"):
            row.annotations = {str(k): str(v) for k, v in d["annotations"].items()}
        if row.state != state:
            row.state, row.since = state, event.t
        self._refresh_row(row)

    def _on_notification(self, event: Event) -> None:
        d = event.data
        for alert in d.get("alerts", []):
            row = self.rows_by_key.get(alert_key(alert.get("labels") or {}))
            if row is None:
                continue
            row.notifications += 1
            if d.get("receiver") and d["receiver"] not in row.receivers:
                row.receivers.append(str(d["receiver"]))
            self._refresh_row(row)

    def _cells(self, row: AlertRow) -> tuple[Text, Text, Text, str, str, str]:
        """The row's cells; label values and receiver names are shown inert (textsafe)."""
        sev = row.labels.get("severity", "")
        return (
            Text(row.state, style=STATE_STYLE.get(row.state, "")),
            Text(visible(sev), style=SEVERITY_STYLE.get(sev, "")),
            Text(visible(row.alertname), style="bold" if row.state == "firing" else "dim"),
            str(row.notifications),
            visible(",".join(row.receivers)) or "-",
            clock(row.since),
        )

    def _refresh_row(self, row: AlertRow) -> None:
        for column, value in zip(
            ("state", "sev", "alert", "n", "receiver", "since"), self._cells(row), strict=True
        ):
            self.update_cell(row.key, column, value, update_width=True)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Tell the screen which alert is selected, for its runbook."""
        event.stop()
        row = self.rows_by_key.get(str(event.row_key.value))
        if row is not None:
            self.border_subtitle = self.routing()
            self.post_message(self.Selected(row.alertname, row.annotations))
