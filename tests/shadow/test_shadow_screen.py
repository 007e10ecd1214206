"""The shadow screen: answering decision points in the TUI (pilot tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import RichLog, Static

from gameday.shadow import ShadowSession
from gameday.tui.shadow_screen import ShadowApp, make_shadow_app
from gameday.tui.widgets.console import CommandLine

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """History and config go to scratch folders."""
    monkeypatch.setenv("GAMEDAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


async def settle(pilot: object, app: ShadowApp) -> None:
    """Wait for the session worker and the messages it posted."""
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def answer(pilot: object, app: ShadowApp, text: str) -> None:
    line = app.shadow_screen.query_one("#answer", CommandLine)
    line.value = text
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot, app)


def verdict_text(app: ShadowApp) -> str:
    return "\n".join(strip.text for strip in app.shadow_screen.query_one("#verdict", RichLog).lines)


def test_answering_two_decision_points() -> None:
    """The first point shows the page; ack is ``same``, SEV2 is ``wrong``; Enter goes on."""
    asyncio.run(_two_points())


async def _two_points() -> None:
    shadow = ShadowSession("db-pool-exhaustion", seed=1)
    app = make_shadow_app(shadow, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.shadow_screen
        assert screen.state == "asking"
        situation = "\n".join(s.text for s in screen.query_one("#situation", RichLog).lines)
        assert "decision point 1 of 14" in situation and "PAGE" in situation
        assert "paged" in str(screen.query_one("#question", Static).render())
        await answer(pilot, app, "ack")
        assert screen.state == "graded"
        assert verdict_text(app).startswith("SAME")
        await answer(pilot, app, "")  # Enter: on to the next point
        assert screen.state == "asking"
        await pilot.press("f7")
        assert shadow.hints_used == 1
        await answer(pilot, app, "sev SEV2")
        assert "WRONG" in verdict_text(app) and "under-declares" in verdict_text(app)
    assert [a.grade.verdict for a in shadow.answers] == ["same", "wrong"]
    assert shadow.answers[1].hints == 1


def test_finishing_records_the_result() -> None:
    """After the last point the summary is shown and the session joins the history."""
    asyncio.run(_finish())


async def _finish() -> None:
    from gameday.shadow import ExpertPath, history

    shadow = ShadowSession("db-pool-exhaustion", seed=1)
    shadow.path = ExpertPath(shadow.path.steps[:2], shadow.path.relative_to)
    app = make_shadow_app(shadow)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await answer(pilot, app, "ack")
        await answer(pilot, app, "")
        await pilot.press("f8")  # skip the second
        await settle(pilot, app)
        await answer(pilot, app, "")
        assert app.shadow_screen.state == "done"
        assert "agreement 50.0%" in verdict_text(app)
    rows = history.sessions()
    assert len(rows) == 1 and rows[0]["agreement"] == 50.0


def test_reverse_runs_the_trainees_command() -> None:
    """In reverse mode the answer runs on the session and its output is shown."""
    asyncio.run(_reverse())


async def _reverse() -> None:
    from gameday.shadow import ReverseShadow

    shadow = ReverseShadow("bad-deploy", seed=1)
    app = make_shadow_app(shadow, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "you lead" in app.shadow_screen.title
        await answer(pilot, app, "kubectl rollout history deployment/orders -n shop")
        text = verdict_text(app)
        assert "your command printed:" in text and "REVISION" in text
    performed = [e.data["command"] for e in shadow.session.events if e.kind == "action"]
    assert performed == ["kubectl rollout history deployment/orders -n shop"]
