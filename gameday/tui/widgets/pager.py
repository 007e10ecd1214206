"""The pager pane: who is paged for what, the escalation level and the countdown to the
next one, and how to acknowledge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from gameday.session.events import Event
from gameday.textsafe import visible
from gameday.tui.widgets.incident import countdown

STATUS_STYLE = {"triggered": "bold red", "acknowledged": "yellow", "resolved": "green"}


class PagerPanel(Widget):
    """Open and recent paging incidents with the people they are assigned to."""

    ack_key: reactive[str] = reactive("a")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.names: dict[str, str] = {}
        self.unrouted: list[str] = []
        self._shown: RenderableType = ""
        self._key: object = None

    def render(self) -> RenderableType:
        """The last drawn state (redrawn only when it changed, without a relayout)."""
        return self._shown

    def refresh_from(self, pager: Any, events: Sequence[Event], now: float) -> None:
        """Learn people's names from new events and redraw from the pager's state."""
        for event in events:
            d = event.data
            if event.kind == "page.notified" and d.get("person"):
                self.names[str(d["person"])] = str(d.get("name") or d["person"])
            elif event.kind == "page.unrouted":
                self.unrouted.append(str(d.get("receiver", "?")))
        incidents = [] if pager is None else list(pager.incidents.values())
        counting = any(i.escalates_at is not None for i in incidents)
        key = (
            int(now) if counting else None,  # the escalation countdown moves every second
            self.ack_key,
            len(self.names),
            len(self.unrouted),
            [(i.id, i.status, i.level, i.loop, tuple(i.assigned)) for i in incidents],
        )
        if key != self._key:
            self._key = key
            self._shown = self.render_pager(pager, now)
            self.refresh()

    def render_pager(self, pager: Any, now: float) -> RenderableType:
        """A table of incidents, newest first, and a line on how to ack.

        Names, summaries and receivers come from the team's files and alerts: they are
        shown inert (:func:`gameday.textsafe.visible`).
        """
        if pager is None:
            return Text("No on-call file: nobody is paged.", style="dim")
        incidents = list(pager.incidents.values())
        if not incidents:
            quiet = Text("Quiet. Nobody has been paged.", style="dim")
            return Group(quiet, *self._unrouted_lines())
        table = Table(box=None, expand=True, pad_edge=False, show_edge=False)
        for column in ("inc", "status", "lvl", "paged", "esc in"):
            # the names give way first when the pane is narrow
            table.add_column(column, no_wrap=True, ratio=1 if column == "paged" else None)
        for inc in sorted(incidents, key=lambda i: i.triggered_at, reverse=True)[:4]:
            who = visible(", ".join(self.names.get(p, p) for p in inc.assigned)) or "-"
            level = f"L{inc.level}" + (f"/loop {inc.loop}" if inc.loop > 1 else "")
            table.add_row(
                visible(inc.id),
                Text(inc.status, style=STATUS_STYLE.get(inc.status, "")),
                level,
                who,
                escalation(inc, now),
            )
        lines: list[RenderableType] = [table]
        waiting = [i for i in incidents if i.status == "triggered"]
        if waiting:
            lines.append(
                Text.assemble(
                    "press ",
                    (self.ack_key, "bold reverse"),
                    " or type ",
                    ("ack", "bold"),
                    " to acknowledge",
                    no_wrap=True,
                    overflow="ellipsis",
                )
            )
            lines.append(
                Text.assemble(
                    ("● ", "bold red"),
                    visible(str(waiting[0].summary)),
                    no_wrap=True,
                    overflow="ellipsis",
                )
            )
        return Group(*lines, *self._unrouted_lines())

    def _unrouted_lines(self) -> list[Text]:
        return [
            Text(f"! {visible(r)}: no on-call service, nobody paged", style="red")
            for r in self.unrouted[-2:]
        ]


def escalation(incident: Any, now: float) -> Text:
    """``3:20`` to the next escalation (red in its last minute), ``exhausted``, or ``-``."""
    if incident.exhausted and incident.status == "triggered":
        return Text("exhausted", style="bold red")
    if incident.escalates_at is None:
        return Text("-", style="dim")
    left = incident.escalates_at - now
    return Text(countdown(left), style="bold red" if left < 60 else "yellow")
