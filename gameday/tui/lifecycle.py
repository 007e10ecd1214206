"""A session's start and end outside the play itself: resume from a journal, debrief."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gameday.errors import InputError, Problem
from gameday.views import PLAYERS, View

if TYPE_CHECKING:  # the engine is imported when needed, off the first frame's path
    from gameday.runtime import Prepared
    from gameday.session.session import Session
    from gameday.tui.app import GamedayApp


@dataclass
class Outcome:
    """What the debrief screen shows."""

    scorecard: Any = None
    paths: list[tuple[str, Path]] = field(default_factory=list)
    error: str | None = None
    ghost: list[Any] = field(default_factory=list)  # an imported incident: team vs ghost


def ghost_milestones(session: Session) -> list[Any]:
    """The team's milestones beside the real responders' (an imported incident), or []."""
    if not session.setup.ghost:
        return []
    from gameday.imported.ghost import compare

    return compare(session.events, session.setup.ghost)


def finish(
    session: Session,
    runbooks: list[Any],
    started: datetime,
    out_dir: Path = Path("reports"),
    clock: Callable[[], datetime] | None = None,
) -> Outcome:
    """Score the closed session and write its reports next to its journal.

    When the journal already sits in ``<out_dir>/<scenario>-<stamp>-seed<N>/`` the
    reports join it there; otherwise they go to a new folder under ``out_dir`` with a
    copy of the journal.
    """
    from gameday.counterfactual import judge
    from gameday.debrief import metrics_summary  # one summary for drills and tabletops
    from gameday.reports import debrief, report_folder

    journal = session.journal_path
    stamp = started.astimezone(UTC)
    info = {"scenario": {"id": session.scenario.id}, "seed": session.seed}
    copy: Path | None = journal
    if journal is not None and journal.parent.name == report_folder(info, stamp):
        out_dir, clock, copy = journal.parent.parent, (lambda: stamp), None
    card, paths = debrief(
        list(session.events),
        session.scenario,
        list(runbooks),
        metrics_summary(session),
        seed=session.seed,
        responder=session.responder,
        out_dir=out_dir,
        clock=clock or (lambda: datetime.now(UTC)),
        journal=copy,
        verdicts=judge(session),
        ghost=session.setup.ghost,
    )
    listed = [
        ("postmortem", paths.postmortem),
        ("result", paths.result),
        ("junit", paths.junit),
        ("html", paths.html),
    ]
    return Outcome(card, listed + _journal_path(session), ghost=ghost_milestones(session))


def seat_outcome(session: Session, prepared: Prepared, ended: dict[str, Any] | None) -> Outcome:
    """A seat's debrief: the replica scored as the server scored the session (the same
    events give the same scorecard), with the report paths the server wrote."""
    from gameday.debrief import metrics_summary
    from gameday.scoring.scorecard import score

    runbooks = list(prepared.setup.runbooks)
    card = score(list(session.events), session.scenario, runbooks, metrics_summary(session))
    paths = [(str(name), Path(path)) for name, path in (ended or {}).get("paths", [])]
    return Outcome(card, paths, ghost=ghost_milestones(session))


def _journal_path(session: Session) -> list[tuple[str, Path]]:
    return [("journal", session.journal_path)] if session.journal_path else []


def make_resume_app(
    journal: Path,
    out: Path,
    speed: float = 0.0,
    *,
    role: str = "ops",
    actor: str = "you",
    keymap: dict[str, str] | None = None,
    lazy: bool = False,
    view: View = PLAYERS,
) -> GamedayApp:
    """An app over the session ``journal`` recorded, rebuilt into a new journal ``out``.

    With ``lazy`` the app opens on the loading shell and reads, checks and rebuilds the
    session in a worker (its problems then end the app; see ``GamedayApp.load_error``).

    Raises:
        InputError: the journal is unreadable, or the session it records has ended.
    """
    from gameday.tui.app import GamedayApp, binding_ids
    from gameday.tui.keys import load_keymap

    if keymap is None:
        keymap = load_keymap(known=binding_ids())
    started = datetime.now(UTC).replace(microsecond=0)

    def load() -> tuple[Prepared, Session]:
        return load_resumed(journal, out)

    if lazy:
        return GamedayApp(
            None,
            None,
            speed,
            role,
            actor,
            keymap,
            started,
            loader=load,
            scenario=f"resuming {journal}",
            view=view,
        )
    prepared, session = load()
    return GamedayApp(prepared, session, speed, role, actor, keymap, started, view=view)


def load_resumed(journal: Path, out: Path) -> tuple[Prepared, Session]:
    """The scenario ``journal`` recorded, and its session rebuilt into ``out``.

    Raises:
        InputError: the journal is unreadable, or the session it records has ended.
    """
    from gameday.replay import read_recorded, rebuild
    from gameday.runtime import prepare

    recorded = read_recorded(journal)
    if recorded.events[-1].kind == "session.end":
        reason = recorded.events[-1].data.get("reason")
        if reason != "interrupted":
            raise InputError(
                Problem(
                    str(journal),
                    message=f"the session already ended ({reason})",
                    hint="replay it with `gameday replay` instead",
                )
            )
    session = rebuild(recorded, journal=out)
    return prepare(recorded.source), session
