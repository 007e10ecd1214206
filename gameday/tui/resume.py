"""Resume a tabletop session from its journal: same seed, same inputs, same sim time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from gameday.errors import InputError, Problem
from gameday.replay import read_recorded, rebuild
from gameday.tui.app import GamedayApp, make_app


def make_resume_app(journal: Path, out: Path, speed: float = 0.0, *, role: str = "ops",
                    actor: str = "you", keymap: dict[str, str] | None = None) -> GamedayApp:
    """An app over the session ``journal`` recorded, rebuilt into a new journal ``out``.

    Raises:
        InputError: the journal is unreadable, or the session it records has ended.
    """
    recorded = read_recorded(journal)
    if recorded.events[-1].kind == "session.end":
        reason = recorded.events[-1].data.get("reason")
        if reason != "interrupted":
            raise InputError(Problem(str(journal), message=f"the session already ended ({reason})",
                                     hint="replay it with `gameday replay` instead"))
    session = rebuild(recorded, journal=out)
    started = datetime.now(UTC).replace(microsecond=0)
    return make_app(recorded.source, recorded.seed, out, speed, role=role, actor=actor,
                    keymap=keymap, started=started, session=session)
