"""``gameday play`` and ``gameday resume``: the tabletop TUI."""

from __future__ import annotations

import itertools
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

import gameday
from gameday.cli.outputs import OutputPath
from gameday.cli.params import TABLE_SEED_HELP, table_seed
from gameday.errors import ExitStatus
from gameday.views import FACILITATOR, PLAYERS

if TYPE_CHECKING:
    from gameday.runtime import Prepared
    from gameday.session.session import Session

ROLES = ("ic", "ops", "comms", "scribe")
FACILITATOR_HELP = (
    "Open the facilitator's view: the truth, fault timeline, effects of actions, injects, "
    "hints, the score so far and the expert's next step (players' view by default)."
)
SPEED = click.Choice(["0", "1", "10", "60"])


def default_journal(scenario_id: str, seed: int, started: datetime) -> Path:
    """``reports/<scenario>-<UTC time>-seed<N>/journal.jsonl``."""
    stamp = started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path("reports") / f"{scenario_id}-{stamp}-seed{seed}" / "journal.jsonl"


def resumed_journal(journal: Path) -> Path:
    """Where a resumed session writes: next to the old journal, which is kept untouched.

    ``journal.jsonl`` continues in ``journal.resumed.jsonl``; resuming that again writes
    ``journal.resumed-2.jsonl`` (then ``-3`` ...), never ``journal.resumed.resumed.jsonl``.
    """
    base = re.sub(r"\.resumed(-\d+)?$", "", journal.name.removesuffix(".jsonl"))
    for n in itertools.count(1):
        name = f"{base}.resumed.jsonl" if n == 1 else f"{base}.resumed-{n}.jsonl"
        candidate = journal.with_name(name)
        if candidate != journal and not candidate.exists():
            return candidate
    raise AssertionError("unreachable")


def _run(app: object) -> int:
    from gameday.tui.app import GamedayApp

    assert isinstance(app, GamedayApp)
    try:
        app.run()
    except KeyboardInterrupt:
        if app.loaded:
            app.driver.close("interrupted")
            path = app.driver.session.journal_path
            if path is not None:
                click.echo(f"interrupted; resume with: gameday resume {path}", err=True)
        return ExitStatus.INTERRUPTED
    if app.load_error is not None:
        raise app.load_error  # bad input found while loading: reported like any other
    if not app.loaded:
        return int(app.return_code or 0)
    path = app.driver.session.journal_path
    if app.return_code == ExitStatus.INTERRUPTED:
        click.echo(f"interrupted; resume with: gameday resume {path}", err=True)
    elif path is not None:
        click.echo(f"journal: {path}", err=True)
    outcome = app.outcome
    if outcome is not None:
        for name, written in outcome.paths:
            if written != path:
                click.echo(f"{name}: {written}", err=True)
    return int(app.return_code or 0)


@click.command("play")
@click.argument("scenario", default="db-pool-exhaustion")
@click.option("--seed", type=int, help=TABLE_SEED_HELP)
@click.option(
    "--speed",
    type=SPEED,
    default="10",
    show_default=True,
    help="Sim seconds per real second (0 starts paused).",
)
@click.option(
    "--journal",
    type=OutputPath(),
    help="Journal file (default: reports/<scenario>-<UTC time>-seed<N>/journal.jsonl).",
)
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="ops",
    show_default=True,
    help="The role of the person at the keyboard (change it with F9).",
)
@click.option(
    "--name", "actor", default="you", show_default=True, help="Who actions are recorded as."
)
@click.option("--facilitator", is_flag=True, help=FACILITATOR_HELP)
@click.option(
    "--pause/--no-pause",
    "allow_pause",
    default=True,
    show_default=True,
    help="Whether the team may pause the clock (with --no-pause dialogs do not hold it "
    "either); the debrief says how long it was paused and what was done meanwhile.",
)
def play_cmd(
    scenario: str,
    seed: int | None,
    speed: str,
    journal: Path | None,
    role: str,
    actor: str,
    facilitator: bool,
    allow_pause: bool,
) -> int:
    """Play SCENARIO as a tabletop exercise: paged, ack, triage, mitigate, resolve, debrief.

    The players' view shows what responders would see: alerts, pages, chat, dashboards,
    command output and their incident record, never the fault or what an action did to
    it. --facilitator opens the facilitator's view of the same session (the truth, the
    fault timeline, each action's effect, injects, hints, the score so far and the
    expert's next step). The debrief shows everything to everyone.

    Keys: F1 help, F2 pause, F3/F4/F5 1x/10x/60x, F6 next event, F7 hints, F8 injects,
    F9 role, F10 ack, Ctrl-P palette, Ctrl-C save and quit. Remap them in keys.toml.
    """
    # The app opens on its loading shell at once; the engine is imported and the
    # scenario loaded in a worker behind it (see GamedayApp.load).
    from gameday.tui.app import GamedayApp, binding_ids
    from gameday.tui.keys import load_keymap

    if not looks_like_scenario(scenario):
        from gameday.runtime import prepare

        prepare(scenario)  # raises the catalog's own error, with its did-you-mean
    started = datetime.now(UTC).replace(microsecond=0)
    session_seed = table_seed(seed)
    keymap = load_keymap(known=binding_ids())

    def load() -> tuple[Prepared, Session]:
        from gameday.runtime import prepare

        prepared = prepare(scenario)
        path = journal or default_journal(prepared.loaded.scenario.id, session_seed, started)
        return prepared, prepared.session(seed=session_seed, journal=path, responder="tabletop")

    app = GamedayApp(
        speed=float(speed),
        role=role,
        actor=actor,
        keymap=keymap,
        started=started,
        loader=load,
        scenario=scenario,
        view=FACILITATOR if facilitator else PLAYERS,
        allow_pause=allow_pause,
    )
    return _run(app)


def looks_like_scenario(ref: str) -> bool:
    """Whether ``ref`` is a path or a scenario folder on the search path, checked without
    importing the scenario package (a quick test; loading gives the real verdict)."""
    if Path(ref).exists():
        return True
    roots = [Path(p) for p in os.environ.get("GAMEDAY_SCENARIOS", "").split(os.pathsep) if p]
    package = Path(gameday.__file__).resolve().parent
    roots += [Path.cwd() / "scenarios", package.parent / "scenarios", package / "_scenarios"]
    return any((root / ref / "scenario.yaml").is_file() for root in roots)


@click.command("resume")
@click.argument("journal", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--speed",
    type=SPEED,
    default="0",
    show_default=True,
    help="Clock speed after resuming (0: paused, so the team can look first).",
)
@click.option("--role", type=click.Choice(ROLES), default="ops", show_default=True)
@click.option("--name", "actor", default="you", show_default=True)
@click.option(
    "--out",
    "out",
    type=OutputPath(),
    help="Journal of the resumed session (default: JOURNAL with .resumed.jsonl).",
)
@click.option("--facilitator", is_flag=True, help=FACILITATOR_HELP)
def resume_cmd(
    journal: Path, speed: str, role: str, actor: str, out: Path | None, facilitator: bool
) -> int:
    """Resume a tabletop session from JOURNAL at the exact state and sim time it reached.

    Every recorded action, inject and hint is re-done on a fresh session with the same
    seed; the new session writes a journal that repeats the old one and continues it.
    The old journal is left as it was.
    """
    from gameday.atomic import refuse_same_file

    out = out or resumed_journal(journal)
    refuse_same_file(out, [journal], "--out")
    # A journal that is there opens on the loading shell at once and is read, checked and
    # rebuilt behind it; a missing one is reported by the reader, before any screen.
    from gameday.tui.lifecycle import make_resume_app

    lazy = journal.is_file()
    view = FACILITATOR if facilitator else PLAYERS
    app = make_resume_app(journal, out, float(speed), role=role, actor=actor, lazy=lazy, view=view)
    return _run(app)
