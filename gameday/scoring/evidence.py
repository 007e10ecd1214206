"""Evidence: sim times as people read them, lost points with their reasons, event lookup.

Every dimension reports what its target was, what happened (with ``T+4m30s`` sim times)
and, for each point lost, one sentence a trainee can learn from: what happened, when,
and what the target was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gameday.scoring.targets import PAGE_SEVERITIES
from gameday.session.events import Event


def fmt_dur(seconds: float) -> str:
    """``4m30s``, ``45s``, ``5m``, ``1h02m05s``: a duration rounded to the second."""
    s = int(round(max(seconds, 0.0)))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    if h:
        return f"{h}h" + (f"{m:02d}m" if m or sec else "") + (f"{sec:02d}s" if sec else "")
    if m:
        return f"{m}m" + (f"{sec:02d}s" if sec else "")
    return f"{sec}s"


def fmt_t(t: float) -> str:
    """Sim time as ``T+4m30s``."""
    return f"T+{fmt_dur(t)}"


@dataclass(frozen=True)
class Loss:
    """Points lost, as a share of a dimension's maximum, and why."""

    share: float
    sentence: str


@dataclass
class Grade:
    """What a dimension function found; the scorecard turns shares into points."""

    target: str
    happened: str
    losses: list[Loss] = field(default_factory=list)
    measured: float | None = None

    def lose(self, share: float, sentence: str) -> None:
        """Record a loss of ``share`` (0-1) of the dimension's points."""
        if share > 0:
            self.losses.append(Loss(min(share, 1.0), sentence))


@dataclass(frozen=True)
class Dimension:
    """One graded dimension of a scorecard."""

    key: str
    title: str
    target: str
    happened: str
    points: float
    max_points: float
    evidence: list[str]
    measured: float | None = None

    @property
    def passed(self) -> bool:
        """A dimension passes when it keeps at least half of its points."""
        return self.max_points == 0 or self.points >= 0.5 * self.max_points - 1e-9

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (``result.json``)."""
        return {
            "key": self.key,
            "title": self.title,
            "target": self.target,
            "happened": self.happened,
            "points": round(self.points, 2),
            "max_points": round(self.max_points, 2),
            "passed": self.passed,
            "evidence": list(self.evidence),
            "measured": None if self.measured is None else round(self.measured, 3),
        }


def lateness_share(value: float, target: float, zero_at: float | None = None) -> float:
    """Share lost for being late: 0 up to ``target``, all of it at ``zero_at`` (3x target)."""
    end = zero_at if zero_at is not None else 3 * target
    if value <= target:
        return 0.0
    if end <= target:
        return 1.0
    return min(1.0, (value - target) / (end - target))


class Stream:
    """The event stream sorted by time with the lookups every dimension needs."""

    def __init__(self, events: Iterable[Event], verdicts: Sequence[Any] | None = None) -> None:
        self.verdicts = None if verdicts is None else list(verdicts)
        ordered = sorted(events, key=lambda e: (e.t, e.seq))
        # Background faults are noise the team lives with: not the incident, never scored.
        self.background = {
            str(e.data.get("fault"))
            for e in ordered
            if e.kind == "fault.start" and e.data.get("background")
        }
        self.events = [
            e
            for e in ordered
            if not (e.kind.startswith("fault.") and str(e.data.get("fault")) in self.background)
        ]
        end = self.first("session.end")
        self.end = end.t if end else (self.events[-1].t if self.events else 0.0)
        start = self.first("session.start")
        # An imported incident replays recorded metrics: no fault to relieve, nothing the
        # team types changes them; it is mitigated when the team says a fix is in.
        self.recorded = bool(start and start.data.get("recorded"))

    def of(self, *kinds: str, where: Callable[[Event], bool] | None = None) -> list[Event]:
        """Events of the given kinds, oldest first, optionally filtered."""
        return [e for e in self.events if e.kind in kinds and (where is None or where(e))]

    def first(
        self,
        *kinds: str,
        where: Callable[[Event], bool] | None = None,
        after: float = float("-inf"),
    ) -> Event | None:
        """The first such event at or after ``after``, or None."""
        for e in self.events:
            if e.kind in kinds and e.t >= after and (where is None or where(e)):
                return e
        return None

    @staticmethod
    def page_worthy(event: Event) -> bool:
        """True for an alert whose severity label says it should page."""
        labels = event.data.get("labels") or {}
        return str(labels.get("severity", "")).lower() in PAGE_SEVERITIES

    def alert_name(self, event: Event) -> str:
        """The alert's name from its data or labels."""
        return str(
            event.data.get("alertname")
            or (event.data.get("labels") or {}).get("alertname", "an alert")
        )

    def fault_start(self) -> float | None:
        """Sim time of the first fault, or None."""
        ev = self.first("fault.start")
        return ev.t if ev else None

    def incident_start(self) -> float | None:
        """When the incident began, the start MTTD and time to mitigate count from.

        A simulated incident begins with its first fault. An imported one has no fault:
        it begins at the first sign the recording holds, whichever came first of the
        ghost's detection (:func:`~gameday.imported.timeline.detection_entry`: the real
        team's first ``detected`` row, else its first row, as the debrief compares) and
        the replayed rules' detection (:meth:`detection`); None when it has neither.
        """
        if not self.recorded:
            return self.fault_start()
        from gameday.imported.timeline import GhostEntry, detection_entry

        rows = [
            GhostEntry(e.t, str(e.data["who"]), str(e.data["what"]), str(e.data["kind"]))
            for e in self.of("ghost")
        ]
        ghost = detection_entry(rows)
        rules = self.detection()
        signs = [x.t for x in (ghost, rules) if x is not None]
        return min(signs) if signs else None

    @property
    def origin(self) -> str:
        """What began at :meth:`incident_start`, in evidence: a fault, or an imported incident."""
        return "incident" if self.recorded else "fault"

    def detection(self) -> Event | None:
        """The first page-worthy alert firing, else the first alert firing at all."""
        return self.first("alert.firing", where=self.page_worthy) or self.first("alert.firing")

    def detected_at(self) -> float:
        """When responders could first know: detection, a page, else the first fault."""
        ev = self.detection() or self.first("page.notified")
        if ev is not None:
            return ev.t
        start = self.fault_start()
        return start if start is not None else 0.0

    def actions(self, where: Callable[[Event], bool] | None = None) -> list[Event]:
        """Responder actions (``action`` events), optionally filtered."""
        return self.of("action", where=where)

    def first_mitigating_action(self) -> Event | None:
        """The first action that relieved the incident, even for a while.

        With counterfactual verdicts, the first action judged mitigated or temporary;
        without them, the last world-changing action before the first relief.
        """
        if self.verdicts is not None:
            helped = {v.seq for v in self.verdicts if v.label in ("mitigated", "temporary")}
            return self.first("action", where=lambda e: e.seq in helped)
        relief = self.first("fault.relieved")
        if relief is None:
            return None
        changes = [a for a in self.actions(world_change) if (a.t, a.seq) <= (relief.t, relief.seq)]
        return changes[-1] if changes else None

    def relieved_at(self, fault: str) -> float | None:
        """When ``fault`` was relieved for good (not carried again later), or None."""
        since = None
        for e in self.of("fault.relieved", "fault.returned"):
            if e.data.get("fault") == fault:
                since = e.t if e.kind == "fault.relieved" else None
        return since

    def mitigated_at(self) -> float | None:
        """When every fault that started was relieved for good; None if one was not.

        In an imported incident: the team's first ``status monitoring`` or ``status
        resolved`` update, or ``resolve``, whichever came first.
        """
        if self.recorded:
            said = self.of(
                "incident.status_update",
                where=lambda e: str(e.data.get("state")) in ("monitoring", "resolved"),
            ) + self.of("incident.resolved")
            return min((e.t for e in said), default=None)
        started = {str(e.data.get("fault")) for e in self.of("fault.start")}
        if not started:
            return None
        times = [self.relieved_at(f) for f in started]
        if any(t is None for t in times):
            return None
        return max(t for t in times if t is not None)


def world_change(event: Event) -> bool:
    """An action that changed the world (kubectl changes, psql terminations and writes,
    redis-cli FLUSHALL and CONFIG SET)."""
    kind = str(event.data.get("kind", ""))
    return bool(event.data.get("ok") and event.data.get("changed")) and kind.startswith(
        ("kubectl.", "psql.", "redis.")
    )
