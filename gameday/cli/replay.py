"""``gameday replay JOURNAL``: re-run a journal and check that it reproduces."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from gameday.cli.outputs import OutputPath
from gameday.errors import ExitStatus


@click.command("replay")
@click.argument("journal", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=OutputPath(),
    help="Write the replayed journal here (default: a temporary file).",
)
@click.option("--timeline/--no-timeline", default=True, help="Print the replayed timeline.")
def replay_cmd(journal: Path, out: Path | None, timeline: bool) -> int:
    """Rebuild the session JOURNAL recorded (same scenario, seed and actions) and compare
    the new journal with it byte for byte. Exit 0 when identical, 1 when they differ.

    The timeline is the facilitator's view (faults, graded effects): a debrief, not a
    players' screen. JOURNAL is only read; --out must be another file, and is written
    whole (through a temporary file) or not at all."""
    from gameday.atomic import refuse_same_file, replacing
    from gameday.replay import read_recorded, rebuild
    from gameday.textsafe import visible
    from gameday.timeline import format_event

    if out is not None:
        refuse_same_file(out, [journal], "--out")
    recorded = read_recorded(journal)
    original = journal.read_bytes().splitlines()
    with (
        tempfile.TemporaryDirectory() as tmp,
        replacing(out or Path(tmp) / "replayed.jsonl") as target,
    ):
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
        replayed = target.read_bytes().splitlines()
    first = first_difference(original, replayed, complete=recorded.events[-1].kind == "session.end")
    if first is None:
        click.echo(f"replay identical: {len(original)} events reproduced from {journal}")
        return ExitStatus.OK
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


def first_difference(original: list[bytes], replayed: list[bytes], complete: bool) -> int | None:
    """The index of the first line where the replay departs from the recording, or None.

    A complete recording (ending in ``session.end``) must be reproduced line for line. A
    recording cut short by a crash must agree with the replay line for line as far as
    both go (up to the replay's own ``session.end``); past that, either may only hold
    events of the instant the recording stopped at: the recording those the replay did
    not run (it runs the clock to that instant, not through it), the replay those a
    crash in the middle of the instant kept the recording from writing. A torn last
    line, which the reader skipped, is not compared.
    """
    if complete:
        if original == replayed:
            return None
    else:
        if original and _event_time(original[-1]) is None:
            original = original[:-1]
        body = replayed[:-1]  # the replay's own session.end
        last = _event_time(original[-1]) if original else None
        both = min(len(original), len(body))
        rest = original[both:] + body[both:]
        if original[:both] == body[:both] and all(_event_time(x) == last for x in rest):
            return None
    n = min(len(original), len(replayed))
    return next((i for i in range(n) if original[i] != replayed[i]), n)


def _event_time(line: bytes) -> float | None:
    """The sim time of a journal line, or None when it is not a whole event."""
    import json

    try:
        t = json.loads(line).get("t")
    except (ValueError, AttributeError):
        return None
    return float(t) if isinstance(t, int | float) else None
