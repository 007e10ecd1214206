"""The pager pane: who is paged, the countdown to the next escalation, how to ack."""

from __future__ import annotations

from types import SimpleNamespace

from rich.console import Console

from gameday.oncall.incident import Incident
from gameday.tui.widgets.pager import PagerPanel


def drawn(panel: PagerPanel, incidents: list[Incident], now: float) -> list[str]:
    pager = SimpleNamespace(incidents={i.id: i for i in incidents})
    console = Console(width=46, color_system=None)
    with console.capture() as out:
        console.print(panel.render_pager(pager, now))
    return out.get().splitlines()


def incident(number: int, **state: object) -> Incident:
    inc = Incident(
        f"INC-{number}",
        "orders",
        f"k{number}",
        "OrdersDBPoolExhausted: pool 100% in use",
        "critical",
        "alert",
        "high",
        "shop",
        triggered_at=480.0 + 60 * number,
    )
    for key, value in state.items():
        setattr(inc, key, value)
    return inc


def test_countdown_to_the_next_escalation_and_the_ack_key() -> None:
    """A triggered page counts down to its escalation; acked ones show none; the pane
    says how to acknowledge and what the waiting page is about, a line each."""
    panel = PagerPanel()
    panel.names = {"jonas": "Jonas Richter"}
    panel.ack_key = "f10/a"
    lines = drawn(
        panel,
        [
            incident(1, assigned=["jonas"], escalates_at=840.0),
            incident(2, assigned=["jonas"], status="acknowledged"),
        ],
        now=640.0,
    )
    assert lines[0].split() == ["inc", "status", "lvl", "paged", "esc", "in"]
    assert lines[1].split()[-1] == "-" and lines[2].split()[-1] == "3:20"
    assert lines[3] == "press f10/a or type ack to acknowledge"
    assert lines[4].startswith("● OrdersDBPoolExhausted: pool 100% in use")


def test_an_exhausted_policy_says_so() -> None:
    """Nobody acked through every level and loop: the countdown reads exhausted."""
    lines = drawn(PagerPanel(), [incident(1, assigned=["mei"], exhausted=True)], now=4000.0)
    assert lines[1].split()[-1] == "exhausted"
