"""``gameday serve`` and ``gameday join``: one session, many seats."""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gameday.cli.outputs import OutputPath
from gameday.cli.params import TABLE_SEED_HELP, table_seed
from gameday.errors import ExitStatus
from gameday.serve.protocol import SEAT_ROLES

if TYPE_CHECKING:
    from gameday.serve.client import RemoteDriver
    from gameday.session.session import Session


@click.command("serve")
@click.argument("scenario", default="db-pool-exhaustion")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="Port (0: a free one).")
@click.option(
    "--speed",
    type=click.Choice(["0", "1", "10", "60"]),
    default="0",
    show_default=True,
    help="Sim seconds per real second (0: paused until the facilitator starts it).",
)
@click.option("--seed", type=int, help=TABLE_SEED_HELP)
@click.option(
    "--journal",
    type=OutputPath(),
    help="Journal file (default: reports/<scenario>-<UTC time>-seed<N>/journal.jsonl).",
)
@click.option(
    "--resume",
    "resume",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Serve the session this journal recorded, from where it stopped.",
)
@click.option("--token", envvar="GAMEDAY_TOKEN", help="The seats' token (default: a random one).")
def serve_cmd(
    scenario: str,
    host: str,
    port: int,
    speed: str,
    seed: int | None,
    journal: Path | None,
    resume: Path | None,
    token: str | None,
) -> int:
    """Serve one session of SCENARIO to several seats (gameday join), one writer.

    Prints the `gameday join HOST:PORT --token TOKEN` line to hand to the team. The
    server performs every seat's commands with that seat's role and name, writes the
    journal and, at the end, the reports. Ctrl-C stops it; `gameday serve --resume
    JOURNAL` serves the session again from where it stopped.
    """
    from gameday.cli.play import default_journal, resumed_journal
    from gameday.runtime import prepare
    from gameday.serve.server import SessionServer
    from gameday.tui.lifecycle import finish, load_resumed

    started = datetime.now(UTC).replace(microsecond=0)
    if resume is not None:
        prepared, session = load_resumed(resume, resumed_journal(resume))
    else:
        prepared = prepare(scenario)
        session_seed = table_seed(seed)
        path = journal or default_journal(prepared.loaded.scenario.id, session_seed, started)
        session = prepared.session(seed=session_seed, journal=path, responder="tabletop")
    runbooks = list(prepared.setup.runbooks)

    def report(session: Session, reason: str) -> list[tuple[str, str]]:
        outcome = finish(session, runbooks, started)
        for name, written in outcome.paths:
            click.echo(f"{name}: {written}", err=True)
        return [(name, str(p)) for name, p in outcome.paths]

    token = token or secrets.token_urlsafe(16)
    server = SessionServer(session, str(prepared.loaded.folder), token, float(speed), report)

    def ready(bound: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        if not _loopback(host):
            click.echo(
                f"listening on {shown}:{bound}, reachable from other machines: "
                "anyone with the token can join",
                err=True,
            )
        click.echo(f"gameday join {shown}:{bound} --token {token}")
        click.echo(f"journal: {session.journal_path}", err=True)
        sys.stdout.flush()

    try:
        asyncio.run(server.serve(host, port, ready))
    except KeyboardInterrupt:
        session.close("interrupted")
        click.echo(
            f"interrupted; resume with: gameday serve --resume {session.journal_path}", err=True
        )
        return ExitStatus.INTERRUPTED
    except OSError as exc:
        click.echo(
            f"gameday serve: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True
        )
        return ExitStatus.BAD_INPUT
    return ExitStatus.OK


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("join")
@click.argument("address")
@click.option("--token", required=True, envvar="GAMEDAY_TOKEN", help="The token serve printed.")
@click.option("--role", type=click.Choice(SEAT_ROLES), default="ops", show_default=True)
@click.option("--name", default=None, help="Who this seat's actions are recorded as.")
@click.option(
    "--script",
    type=click.File("r"),
    help="Headless: send each line of FILE as a command (no TUI), then print the timeline.",
)
@click.option("--linger", default=0.0, type=float, help="Headless: watch this many seconds more.")
@click.option("--json", "as_json", is_flag=True, help="Headless: print events as JSON lines.")
def join_cmd(
    address: str,
    token: str,
    role: str,
    name: str | None,
    script: Any,
    linger: float,
    as_json: bool,
) -> int:
    """Open a seat on the session `gameday serve` runs at ADDRESS (HOST:PORT).

    The seat is the tabletop against the served session: players' seats (ic, ops, comms,
    scribe, observer) see the players' view, the facilitator's seat the facilitator's
    and the clock, injects and hints. A seat that drops can join again.
    """
    from gameday.runtime import prepare
    from gameday.serve.client import RemoteDriver, SeatConnection, parse_address
    from gameday.views import view_for_role

    host, port = parse_address(address)
    connection = SeatConnection(host, port, token, role, name or role)
    welcome = connection.welcome
    source = str(welcome["source"])
    prepared = prepare(source if Path(source).exists() else Path(source).name)
    driver = RemoteDriver(connection, prepared)
    view = view_for_role(role)
    if script is not None or as_json or linger > 0:
        lines = [line.strip() for line in script] if script is not None else []
        return _headless(
            driver, [c for c in lines if c and not c.startswith("#")], linger, view, as_json
        )
    from gameday.tui.app import GamedayApp, binding_ids
    from gameday.tui.keys import load_keymap

    app = GamedayApp(
        prepared,
        driver.session,
        role="ops" if role in ("observer", "facilitator") else role,
        actor=driver.name,
        keymap=load_keymap(known=binding_ids()),
        view=view,
        seat=driver,
    )
    try:
        app.run()
        status = int(app.return_code or 0)
    except KeyboardInterrupt:
        status = ExitStatus.INTERRUPTED
    rejoin = f"gameday join {address} --token {token} --role {role} --name {driver.name}"
    if status == ExitStatus.INTERRUPTED:
        click.echo(f"left the session; rejoin with: {rejoin}", err=True)
    return status


def _headless(
    driver: RemoteDriver, commands: list[str], linger: float, view: Any, as_json: bool
) -> int:
    """Send ``commands`` one by one (each waits for its action to come back), watch
    ``linger`` seconds more, print this seat's view of the timeline."""
    from gameday.timeline import format_event

    def actions() -> int:
        return sum(
            1
            for e in driver.session.events
            if e.kind == "action" and e.data.get("actor") == driver.name
        )

    for command in commands:
        before = actions()
        driver.perform(command, driver.name, driver.role)
        deadline = time.monotonic() + 30
        while actions() == before and not driver.lost and time.monotonic() < deadline:
            driver.tick(0.0)
            time.sleep(0.02)
            while driver.notes:
                click.echo(f"server: {driver.notes.pop(0)}", err=True)
                before = -1  # turned down: nothing will come back
        if before == -1:
            continue
    deadline = time.monotonic() + linger
    while time.monotonic() < deadline and not driver.lost and driver.ended is None:
        driver.tick(0.0)
        time.sleep(0.05)
    driver.tick(0.0)
    for event in view.filter(driver.session.events):
        text = event.to_json() if as_json else format_event(event)
        if text:
            click.echo(text)
    driver.close("left")
    return ExitStatus.OK
