"""The team against the ghost: the real responders' times beside the team's.

The ghost is the incident's recorded timeline. For each milestone the debrief shows when
the team reached it in the tabletop and when the real team did, both from the window's
start (``T+``), and who was sooner:

- **detection**: the team's is the first page-worthy alert firing (the first alert at
  all when none is), the moment the replayed rules told them; the ghost's is its first
  ``detected`` row (else its first row of any kind).
- **acknowledgement**: the first page acknowledged / the first ``acknowledged`` row.
- **severity**: the first severity declared / the first ``severity`` row.
- **mitigation**: the team says a fix is in with ``status monitoring ...`` (Statuspage's
  "a fix has been implemented"), ``status resolved`` or ``resolve``; the ghost's is its
  first ``mitigated`` row, else its first status update saying ``monitoring``.
  Nothing the team types changes recorded metrics, so this is when they *said* it.
- **status update N**: the team's N-th ``status`` against the ghost's N-th ``status`` row.
- **resolution**: ``resolve`` / the first ``resolved`` row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gameday.imported.timeline import GhostEntry, detection_entry

_FIXED = ("monitoring", "resolved")


@dataclass(frozen=True)
class Milestone:
    """One row of the comparison; times are seconds from the window's start."""

    key: str
    title: str
    team: float | None
    ghost: float | None
    ghost_who: str = ""

    @property
    def delta(self) -> float | None:
        """Team minus ghost (negative: the team was sooner); None if either is missing."""
        if self.team is None or self.ghost is None:
            return None
        return self.team - self.ghost

    def verdict(self) -> str:
        """``2m sooner``, ``30s later``, ``same time``, or what is missing."""
        return difference(self.team, self.ghost)

    def to_dict(self) -> dict[str, Any]:
        """``result.json``'s form: times in seconds from the start, rounded to the ms."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 3)

        return {
            "key": self.key,
            "title": self.title,
            "team": r(self.team),
            "ghost": r(self.ghost),
            "ghost_who": self.ghost_who,
            "delta": r(self.delta),
        }


def difference(team: float | None, ghost: float | None) -> str:
    """How the team's time compares with the ghost's, in words."""
    from gameday.scoring.evidence import fmt_dur

    if team is None and ghost is None:
        return "neither"
    if team is None:
        return "the team did not"
    if ghost is None:
        return "the real team did not"
    d = team - ghost
    if abs(d) < 0.5:
        return "same time"
    return f"{fmt_dur(abs(d))} {'sooner' if d < 0 else 'later'}"


def _first(events: Sequence[Any], kind: str, where: Any = None) -> float | None:
    for e in events:
        if e.kind == kind and (where is None or where(e)):
            return float(e.t)
    return None


def _team_detection(events: Sequence[Any]) -> float | None:
    """The replayed rules' detection, as the scorecard's ``detected`` time has it."""
    from gameday.scoring.evidence import Stream

    found = Stream(events).detection()
    return None if found is None else float(found.t)


def _state(e: Any) -> str:
    return str(e.data.get("state", "")).lower()


def _ghost_state(entry: GhostEntry) -> str:
    words = entry.what.lower().split()
    if words and words[0] == "status":
        words = words[1:]
    return words[0] if words else ""


def compare(events: Iterable[Any], ghost: Sequence[GhostEntry]) -> list[Milestone]:
    """The milestones of the team's run (``events``) beside the ghost's timeline."""
    evs = sorted(events, key=lambda e: (e.t, getattr(e, "seq", 0)))

    def ghost_first(*kinds: str, where: Any = None) -> GhostEntry | None:
        return next((g for g in ghost if g.kind in kinds and (where is None or where(g))), None)

    def row(key: str, title: str, team: float | None, g: GhostEntry | None) -> Milestone:
        return Milestone(key, title, team, g.t if g else None, g.who if g else "")

    detected = detection_entry(ghost)
    team_fixed = [
        t
        for t in (
            _first(evs, "incident.status_update", lambda e: _state(e) in _FIXED),
            _first(evs, "incident.resolved"),
        )
        if t is not None
    ]
    ghost_fixed = ghost_first("mitigated") or ghost_first(
        "status", where=lambda g: _ghost_state(g) in _FIXED
    )
    rows = [
        row("detection", "detection", _team_detection(evs), detected),
        row(
            "acknowledgement",
            "acknowledgement",
            _first(evs, "page.acknowledged"),
            ghost_first("acknowledged"),
        ),
        row(
            "severity",
            "severity declared",
            _first(evs, "incident.severity"),
            ghost_first("severity"),
        ),
        row(
            "mitigation", "mitigation (said)", min(team_fixed) if team_fixed else None, ghost_fixed
        ),
    ]
    team_updates = [float(e.t) for e in evs if e.kind == "incident.status_update"]
    ghost_updates = [g for g in ghost if g.kind == "status"]
    for i in range(max(len(team_updates), len(ghost_updates))):
        team = team_updates[i] if i < len(team_updates) else None
        g = ghost_updates[i] if i < len(ghost_updates) else None
        rows.append(row(f"status_update_{i + 1}", f"status update {i + 1}", team, g))
    rows.append(
        row("resolution", "resolution", _first(evs, "incident.resolved"), ghost_first("resolved"))
    )
    return rows


def render(rows: Sequence[Milestone]) -> list[str]:
    """The comparison as aligned text lines (the TUI debrief and postmortem.md)."""
    from gameday.scoring.evidence import fmt_t

    def t(x: float | None) -> str:
        return "-" if x is None else fmt_t(x)

    width = max([len(r.title) for r in rows] + [9])
    lines = [f"{'milestone':<{width}}  {'team':>10}  {'ghost':>10}  difference"]
    for r in rows:
        who = f" ({r.ghost_who})" if r.ghost_who else ""
        lines.append(f"{r.title:<{width}}  {t(r.team):>10}  {t(r.ghost):>10}  {r.verdict()}{who}")
    return lines
