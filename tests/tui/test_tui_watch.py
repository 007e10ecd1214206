"""A watch in the tabletop: `kubectl rollout status` goes on printing as the clock runs."""

from __future__ import annotations

import asyncio

from gameday.tui.app import GamedayApp
from gameday.tui.widgets.console import OutputLog
from tests.tui.conftest import SIZE, AppFactory, run_until, type_command

STATUS = "kubectl rollout status deployment/orders -n shop"


def log_text(app: GamedayApp) -> str:
    return "\n".join(str(line.text) for line in app.main.query_one(OutputLog).lines)


def test_rollout_status_lines_follow_in_the_log(app_factory: AppFactory) -> None:
    """After `kubectl rollout restart`, `rollout status` prints its first line under the
    command; as the sim clock runs the rollout's next lines follow in the log (OUTPUT),
    ending with kubectl's success line once the Deployment has rolled out."""

    async def go(app: GamedayApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            run_until(app, lambda: app.driver.session.now >= 60)
            await type_command(pilot, app, "kubectl rollout restart deployment/orders -n shop")
            await type_command(pilot, app, STATUS)
            assert 'Waiting for deployment "orders" rollout to finish: ' in log_text(app)
            assert "OUTPUT" not in log_text(app)
            session = app.driver.session

            def rolled_out() -> bool:
                return any(e.kind == "command.output" and e.data["done"] for e in session.events)

            run_until(app, rolled_out)
            await pilot.pause()
            text = log_text(app)
            assert 'OUTPUT   you: deployment "orders" successfully rolled out' in text
            assert text.index(f"you (ops): {STATUS}") < text.index("OUTPUT   you:")

    asyncio.run(go(app_factory()))
