"""The incident pane: severity, who holds which role, status page, next update due."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from gameday.scoring.targets import SEVERITY_TABLE
from gameday.textsafe import visible
from gameday.timeline import clock
from gameday.tools.incident import ROLES, IncidentState

SEV_STYLE = {
    "SEV1": "bold white on red",
    "SEV2": "bold black on dark_orange",
    "SEV3": "black on yellow",
    "SEV4": "black on grey70",
}
PAGE_STYLE = {
    "operational": "green",
    "investigating": "bold red",
    "identified": "dark_orange",
    "monitoring": "yellow",
    "resolved": "green",
}

# Before a declaration: how to declare, naming no level (a static example such as "sev
# SEV1" would suggest the answer to the players, who must judge the severity themselves).
UNDECLARED = "not declared (sev LEVEL)"


def countdown(seconds: float) -> str:
    """``12:30`` left, or ``-1:05`` overdue."""
    sign = "-" if seconds < 0 else ""
    m, s = divmod(int(abs(round(seconds))), 60)
    return f"{sign}{m}:{s:02d}"


def update_due(incident: IncidentState) -> float | None:
    """When the next status update is due, from the severity table: the first within
    ``status_page`` of the declaration, then every ``update_every`` (SEV1 15 min, SEV2
    30 min); None when the severity asks for none or the incident is resolved."""
    targets = SEVERITY_TABLE.get(incident.severity or "")
    if targets is None or targets.update_every is None or incident.resolved_at is not None:
        return None
    due = incident.next_update_due(targets.update_every)
    if due is None and incident.severity_at is not None:
        due = incident.severity_at + (targets.status_page or targets.update_every)
    return due


class IncidentPanel(Widget):
    """What the responders have declared, and the comms clock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: Any = ""
        self._key: object = None
        self.truth = True

    def render(self) -> Any:
        """The last drawn state (redrawn only when it changed, without a relayout)."""
        return self._shown

    def refresh_from(self, incident: IncidentState, now: float, truth: bool = True) -> None:
        """Redraw from the incident state at sim time ``now``.

        Without ``truth`` (the players' view) the pane leaves out when the faults were
        mitigated: that is the world's verdict, which players read from the metrics.
        """
        self.truth = truth
        countdown_shown = update_due(incident) is not None
        key = (
            int(now) if countdown_shown else None,
            incident.severity,
            tuple(incident.roles.items()),
            len(incident.status_updates),
            incident.mitigated_at if truth else None,
            incident.resolved_at,
        )
        if key != self._key:
            self._key = key
            self._shown = self.render_incident(incident, now)
            self.refresh()

    def render_incident(self, incident: IncidentState, now: float) -> Any:
        """A two-column grid of facts (people's names shown inert, see textsafe)."""
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(ratio=1)  # takes the spare width: the labels' column never moves
        sev = incident.severity
        grid.add_row(
            "severity",
            Text(f" {visible(sev)} ", style=SEV_STYLE.get(sev, ""))
            if sev
            else Text(UNDECLARED, style="italic dim"),
        )
        for role in ROLES:
            who = incident.roles.get(role)
            shown = Text(visible(who), style="bold") if who else Text("-", style="dim")
            grid.add_row(role, shown)
        page = incident.status_page
        grid.add_row("status page", Text(visible(page), style=PAGE_STYLE.get(page, "")))
        due = update_due(incident)
        if due is not None:
            left = due - now
            style = "bold red" if left < 0 else ("yellow" if left < 300 else "green")
            label = "overdue" if left < 0 else "due in"
            grid.add_row(
                "next update", Text(f"{label} {countdown(left)} (at {clock(due)})", style=style)
            )
        if incident.resolved_at is not None:
            grid.add_row("resolved", Text(clock(incident.resolved_at), style="green"))
        elif incident.mitigated_at is not None and self.truth:
            grid.add_row("mitigated", Text(clock(incident.mitigated_at), style="green"))
        return grid
