"""``gameday replay JOURNAL``: re-run a journal and check that it reproduces."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from gameday.errors import ExitStatus


@click.command("replay")
@click.argument("journal", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the replayed journal here (default: a temporary file).",
)
@click.option("--timeline/--no-timeline", default=True, help="Print the replayed timeline.")
def replay_cmd(journal: Path, out: Path | None, timeline: bool) -> int:
    """Rebuild the session JOURNAL recorded (same scenario, seed and actions) and compare
    the new journal with it byte for byte. Exit 0 when identical, 1 when they differ.

    The timeline is the facilitator's view (faults, graded effects): a debrief, not a
    players' screen."""
    from gameday.replay import read_recorded, rebuild
    from gameday.textsafe import visible
    from gameday.timeline import format_event

    recorded = read_recorded(journal)
    with tempfile.TemporaryDirectory() as tmp:
        target = out or Path(tmp) / "replayed.jsonl"
        session = rebuild(recorded, journal=target)
        if recorded.events[-1].kind == "session.end":
            session.close(str(recorded.events[-1].data.get("reason", "completed")))
        else:
            session.close("replayed")
        if timeline:
            for event in session.events:
                line = format_event(event)
                if line:
                    click.echo(line)
        original = journal.read_bytes().splitlines()
        replayed = target.read_bytes().splitlines()
    n = min(len(original), len(replayed))
    complete = recorded.events[-1].kind == "session.end"
    same = original == replayed if complete else original[: n - 1] == replayed[: n - 1]
    if same:
        click.echo(f"replay identical: {len(original)} events reproduced from {journal}")
        return ExitStatus.OK
    first = next((i for i in range(n) if original[i] != replayed[i]), n)
    click.echo(f"replay differs from {journal} at line {first + 1}", err=True)
    if first < len(original):
        click.echo(
            f"  recorded: {visible(original[first].decode(errors='replace')[:200])}", err=True
        )
    if first < len(replayed):
        click.echo(
            f"  replayed: {visible(replayed[first].decode(errors='replace')[:200])}", err=True
        )
    return ExitStatus.FAILED
