"""An imported incident played in the tabletop: recorded alerts page the team, commands
are answered from the recording, and the debrief compares the team with the ghost."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from gameday.tui.app import GamedayApp
from gameday.tui.screens.debrief import DebriefScreen
from gameday.tui.widgets.console import OutputLog
from gameday.tui.widgets.dashboard import ServiceCard
from gameday.tui.widgets.recorded_card import RecordedCard
from gameday.views import FACILITATOR
from tests.clirun import run_gameday
from tests.imported.incident import TYPED_MATCH, add_typed_families, import_args, write_incident
from tests.tui.conftest import SIZE, AppFactory, paged, run_until, type_command


def _imported(capsys, tmp_path: Path) -> Path:
    files = write_incident(tmp_path)
    out = tmp_path / "orders-outage"
    assert run_gameday(capsys, *import_args(files, out))[0] == 0
    return out


def _log(app: GamedayApp) -> str:
    return "\n".join(str(line.text) for line in app.main.query_one(OutputLog).lines)


def test_play_imported_incident_and_see_the_ghost_in_the_debrief(
    capsys, tmp_path, app_factory: AppFactory
) -> None:
    folder = _imported(capsys, tmp_path)
    app = app_factory(ref=str(folder), journal=Path("journal.jsonl"))

    async def play() -> None:
        async with app.run_test(size=SIZE) as pilot:
            run_until(app, lambda: paged(app))
            session = app.driver.session
            assert session.recorded and 13 * 60 <= session.now <= 14 * 60
            await type_command(pilot, app, "kubectl get pods -n shop")
            await type_command(pilot, app, "promtool query instant 'up == 0'")
            log = " ".join(_log(app).split())  # the log wraps long lines
            assert "kubectl: not available in an imported incident (no cluster was recorded)" in log
            at = 1_793_815_200 + int(session.now)  # 18:00 UTC plus the sim time
            assert f'up{{instance="orders-c3", job="orders"}} => 0 @[{at}]' in log
            assert "GHOST" not in log, "the players do not see the real responders' moves"
            await pilot.press("f10")  # acknowledge, a minute after the page: sooner than Ana
            app.role = "comms"
            await type_command(pilot, app, 'status investigating "Orders failing"')
            app.driver.advance_to(40 * 60)
            await type_command(pilot, app, 'status monitoring "Rolled back, watching"')
            app.role = "ic"
            await type_command(pilot, app, "resolve")
            app.driver.advance_to(session.end_time)
            for _ in range(500):
                if isinstance(app.screen, DebriefScreen):
                    break
                await pilot.pause(0.05)
            assert isinstance(app.screen, DebriefScreen)
            await pilot.pause()
            table = app.screen.query_one("#ghost", DataTable)
            rows = {
                str(table.get_row_at(i)[0]): [str(c) for c in table.get_row_at(i)[1:]]
                for i in range(table.row_count)
            }
            assert rows["detection"] == ["T+13m", "T+14m (Ana Lima)", "1m sooner"]
            ack_team = rows["acknowledgement"][0]
            assert rows["acknowledgement"][1] == "T+17m30s (Ana Lima)"
            assert rows["acknowledgement"][2].endswith("sooner"), ack_team
            assert rows["mitigation (said)"][:2] == ["T+40m", "T+36m (Ana Lima)"]
            assert rows["mitigation (said)"][2] == "4m later"
            assert rows["status update 1"][1] == "T+21m (Ben Okafor)"
            assert rows["resolution"][1:] == ["T+52m (Ana Lima)", "12m sooner"]
            draft = Path(dict(app.outcome.paths)["postmortem"]).read_text()
            assert "## The team and the real responders" in draft
            assert "| mitigation (said) | T+40m | T+36m (Ana Lima) | 4m later |" in draft

    asyncio.run(play())


def test_the_facilitator_sees_the_ghost_as_it_happens(
    capsys, tmp_path, app_factory: AppFactory
) -> None:
    folder = _imported(capsys, tmp_path)
    app = app_factory(ref=str(folder), journal=Path("journal.jsonl"), view=FACILITATOR)

    async def play() -> None:
        async with app.run_test(size=SIZE):
            run_until(app, lambda: app.driver.session.now >= 18 * 60)
            assert "GHOST    Ana Lima: ack" in _log(app)

    asyncio.run(play())


async def _card_at(app: GamedayApp, pilot: Any, t: float) -> tuple[RecordedCard, list[str]]:
    """The recorded card and its lines once the session is at ``t`` seconds, paused."""
    app.driver.advance_to(t)
    run_until(app, lambda: app.driver.session.now >= t)
    app.driver.paused = True
    await pilot.pause()
    app.main.catch_up()
    await pilot.pause()
    card = app.main.query_one("#card-recorded", RecordedCard)
    return card, card.render().plain.splitlines()


def test_the_dashboard_draws_what_was_recorded(capsys, tmp_path, app_factory: AppFactory) -> None:
    """No simulated services: the dashboard has a sparkline per recorded family, the ones
    the rules select first, with the figures the recording gives at the session's time."""
    folder = _imported(capsys, tmp_path)
    app = app_factory(ref=str(folder), journal=Path("journal.jsonl"))

    async def play() -> None:
        async with app.run_test(size=SIZE) as pilot:
            card, lines = await _card_at(app, pilot, 20 * 60)  # 18:20, inside the errors
            assert lines[0] == "recorded"
            heads = [line.split()[0] for line in lines[1::2]]
            # the rules' own figure, then what the rules read, then ``up`` (kept by import)
            ratio_head = heads[0]  # cut to the card's width, with an ellipsis
            assert ratio_head.endswith("…") and "service:http_errors:ratio_rate5m".startswith(
                ratio_head[:-1]
            ), ratio_head
            assert heads[1:] == ["http_requests_total", "up"]
            figures = {line.split()[0]: line.split(maxsplit=2)[-1].strip() for line in lines[1::2]}
            ratio = figures[ratio_head].split()[-1]  # a ratio, shown as a percentage
            assert ratio.endswith("%") and 29.0 < float(ratio[:-1]) <= 30.0, ratio
            assert figures["http_requests_total"] == "40.00/s"  # 200s and 500s, summed
            assert figures["up"] == "2/3 up"  # orders-c3 is down
            assert [line.split()[1] for line in lines[3::2]] == ["rate", "targets"]
            sparks = lines[2::2]
            for spark in sparks:
                assert len(spark) == card.size.width > 20, spark
                assert set(spark) <= set("▁▂▃▄▅▆▇█"), spark
            # the window runs from 18:05: the ratio low, then up from 18:10; up drops a third
            assert sparks[0][0] == "▁" and sparks[0][-1] == "█", sparks[0]
            assert set(sparks[1]) == {"█"}, sparks[1]  # steady traffic
            assert sparks[2][0] == "█" and sparks[2][-1] == "▆", sparks[2]  # 3/3, then 2/3
            assert not app.main.query(ServiceCard), "an imported incident has no services"

    asyncio.run(play())


def test_the_dashboard_draws_declared_types(capsys, tmp_path, app_factory: AppFactory) -> None:
    """The recording's TYPE lines decide: a gauge named ``orders_pending_total`` is drawn
    as a value (40 orders pending), a counter named ``payments_processed`` as a rate."""
    files = write_incident(tmp_path)
    add_typed_families(files["om"])
    folder = tmp_path / "typed"
    assert run_gameday(capsys, *import_args(files, folder, *TYPED_MATCH))[0] == 0
    app = app_factory(ref=str(folder), journal=Path("journal.jsonl"))

    async def play() -> None:
        async with app.run_test(size=SIZE) as pilot:
            _, lines = await _card_at(app, pilot, 20 * 60)  # 18:20, while 40 orders wait
            heads = [line.split()[0] for line in lines[1::2]]
            rows = {line.split()[0]: line.split()[1:] for line in lines[1::2]}
            assert rows["orders_pending_total"] == ["max", "40"], lines
            assert rows["payments_processed"] == ["rate", "12.00/s"], lines
            # the gauge's sparkline steps up when the orders pile up (5, then 40 from 18:10)
            spark = lines[2 + 2 * heads.index("orders_pending_total")]
            assert spark[0] == "▂" and spark[-1] == "█", spark

    asyncio.run(play())
