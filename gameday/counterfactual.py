"""What each action did, decided by counterfactual: the session re-run without it.

The engine is deterministic, so "what did this command do?" has an exact answer: rebuild
the session from its inputs minus that one command (the machinery of ``gameday replay``)
and compare the entry service's SLI from the command to the end, with and without it.

- **mitigated**: with it, fewer requests failed and the service recovered earlier
  (or only with it);
- **temporary**: fewer requests failed, but recovery came no earlier (it helped for a
  while, until the fault came back or until another change did the real work);
- **no effect**: the difference is within noise;
- **harmful**: more requests failed with it.

Only actions that changed the world are judged (kubectl changes, redis-cli writes, psql
terminations and writes): the others cannot change the SLI. The counterfactual sessions
run the world without the alert path (rules, Alertmanager, pager) and without the
metrics store (``metrics=False``: the world's figures are kept, nothing is scraped),
neither of which ever acts on the world, so they cost a fraction of a drill;
:func:`judge` caches its verdicts per session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from gameday.session.events import Event
from gameday.session.session import Sample, Session, Setup

WORLD_KINDS = ("kubectl.", "psql.", "kafka.", "redis.")
RECOVERED = 0.01  # a service counts as recovered once its 5xx ratio stays below this
EARLIER = 60.0  # recovery this much earlier counts as earlier
LABELS = ("mitigated", "temporary", "no effect", "harmful")


@dataclass(frozen=True)
class Verdict:
    """What one action did to the entry service, with the figures that show it."""

    seq: int
    t: float
    command: str
    label: str
    requests: float  # requests offered from the action to the end (with it)
    failed_with: float
    failed_without: float
    recovered_with: float | None
    recovered_without: float | None

    @property
    def prevented(self) -> float:
        """Failed requests the action prevented (negative: it caused them)."""
        return self.failed_without - self.failed_with

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (``result.json``'s ``counterfactuals``)."""
        out = asdict(self)
        for key in ("requests", "failed_with", "failed_without"):
            out[key] = round(out[key], 1)
        return out


def world_changes(events: Sequence[Event]) -> list[Event]:
    """Actions that changed the world: the ones a counterfactual can tell apart."""
    return [
        e
        for e in events
        if e.kind == "action"
        and e.data.get("ok")
        and e.data.get("changed")
        and str(e.data.get("kind", "")).startswith(WORLD_KINDS)
    ]


def judge(session: Session) -> list[Verdict]:
    """Verdicts for every world-changing action of a finished ``session`` (cached)."""
    cache = getattr(session, "_verdicts", None)
    if cache is not None and cache[0] == len(session.events):
        return list(cache[1])
    scenario = session.scenario
    if not scenario.world.services:  # a recording: nothing typed changes what was recorded
        return []
    entry = scenario.entry_service or scenario.world.services[0].name
    verdicts = judge_events(
        session.events, scenario, session.seed, session.history[entry], entry, session.now
    )
    session._verdicts = (len(session.events), verdicts)  # type: ignore[attr-defined]
    return list(verdicts)


def judge_events(
    events: Sequence[Event],
    scenario: Any,
    seed: int,
    history: Sequence[Sample],
    entry: str,
    end: float,
) -> list[Verdict]:
    """Verdicts from a session's events and its entry service's ``history``."""
    inputs = [e for e in events if e.kind in ("action", "inject")]
    changes = world_changes(events)
    verdicts = []
    for action in changes:
        without = _rebuild(scenario, seed, [e for e in inputs if e is not action], changes, end)
        verdicts.append(_compare(action, history, without.history[entry]))
    return verdicts


def judge_change(scenario: Any, seed: int, command: str, after: float = 120.0) -> Verdict | None:
    """What ``command`` alone does to an otherwise idle session (for ``validate``).

    The command runs ``after`` seconds past the first scored fault's onset; both worlds
    run to the scenario's end, so relief that wears off shows as temporary. None when
    the command fails or no fault is scored.
    """
    return judge_changes(scenario, seed, [command], after)[0]


def judge_changes(
    scenario: Any, seed: int, commands: Sequence[str], after: float = 120.0
) -> list[Verdict | None]:
    """:func:`judge_change` for each of ``commands``, each alone in its own session.

    The idle session they are compared with is the same for all of them (same scenario,
    seed and time): it is played once.
    """
    from gameday.session.session import fault_onset

    faults = [f for f in scenario.faults if not f.background]
    if not faults or not commands:
        return [None for _ in commands]
    t = min(fault_onset(f, seed) for f in faults) + after
    end = float(scenario.duration)
    if t >= end:
        return [None for _ in commands]
    base = Session(scenario, seed, Setup(), responder="counterfactual", metrics=False)
    base.advance_to(end)
    entry = scenario.entry_service or scenario.world.services[0].name
    verdicts: list[Verdict | None] = []
    for command in commands:
        tried = Session(scenario, seed, Setup(), responder="counterfactual", metrics=False)
        tried.advance_to(t)
        outcome = tried.perform(command, actor="validate")
        if not outcome.ok:
            verdicts.append(None)
            continue
        tried.advance_to(end)
        action = next(e for e in tried.events if e.kind == "action")
        verdicts.append(_compare(action, tried.history[entry], base.history[entry]))
    return verdicts


def _rebuild(
    scenario: Any, seed: int, inputs: list[Event], changes: list[Event], end: float
) -> Session:
    """The world of the session, re-run from its world-changing inputs up to ``end``."""
    from gameday.replay import apply_input

    session = Session(scenario, seed, Setup(), responder="counterfactual", metrics=False)
    keep = {id(e) for e in changes}
    for event in inputs:
        if event.kind == "action" and id(event) not in keep:
            continue  # reads and incident verbs never change the world
        session.advance_to(event.t)
        apply_input(session, event)
    session.advance_to(end)
    return session


def _window(history: Sequence[Sample], t: float) -> list[tuple[float, float, float]]:
    """``(time, requests, failed)`` per scrape after ``t``."""
    out = []
    last = None
    for s in history:
        if last is not None and s.t > t:
            dt = s.t - last
            out.append((s.t, s.rps * dt, s.rps * dt * s.error_ratio))
        last = s.t
    return out


def _recovered(history: Sequence[Sample], t: float) -> float | None:
    """From when on after ``t`` the 5xx ratio stayed below :data:`RECOVERED`, or None."""
    after = [s for s in history if s.t > t]
    if not after or after[-1].error_ratio >= RECOVERED:
        return None
    since = after[-1].t
    for s in reversed(after):
        if s.error_ratio >= RECOVERED:
            break
        since = s.t
    return since


def _compare(action: Event, with_: Sequence[Sample], without: Sequence[Sample]) -> Verdict:
    w, wo = _window(with_, action.t), _window(without, action.t)
    requests = sum(r for _, r, _ in w)
    failed_with = sum(f for _, _, f in w)
    failed_without = sum(f for _, _, f in wo)
    rec_with, rec_without = _recovered(with_, action.t), _recovered(without, action.t)
    margin = max(0.002 * requests, 5.0)
    delta = failed_without - failed_with
    if delta < -margin:
        label = "harmful"
    elif delta > margin:
        earlier = rec_with is not None and (rec_without is None or rec_with < rec_without - EARLIER)
        label = "mitigated" if earlier else "temporary"
    else:
        label = "no effect"
    return Verdict(
        seq=action.seq,
        t=action.t,
        command=str(action.data.get("command", "")),
        label=label,
        requests=requests,
        failed_with=failed_with,
        failed_without=failed_without,
        recovered_with=rec_with,
        recovered_without=rec_without,
    )
