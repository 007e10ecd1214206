"""One Session API for every front end: the TUI, bot and scripted responders, shadow, sweeps.

A session owns one SimPy environment and one seed. It advances the world, scrapes it into
the time-series store, evaluates the scenario's rules, routes alerts through the
Alertmanager model to the pager and chat, takes responder actions, and publishes every
happening as an :class:`~gameday.session.events.Event` to subscribers and the journal.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import simpy

from gameday import __version__
from gameday.errors import GamedayError, UsageError, did_you_mean
from gameday.scenario.model import Scenario
from gameday.session.events import Event
from gameday.session.journal import Journal
from gameday.session.pipeline import AlertPipeline
from gameday.session.recording import Replay
from gameday.session.watches import Watches
from gameday.tools import ActionResult, execute
from gameday.tools.incident import IncidentState
from gameday.tsdb import TSDB
from gameday.world.carriers import relief_reason
from gameday.world.metrics import Exposition
from gameday.world.world import World

Subscriber = Callable[[Event], None]
RECOVERY_GRACE = 300.0  # a drill goes on this long after the incident is resolved


def fault_onset(spec: Any, seed: int) -> float:
    """When ``spec`` starts in a session seeded ``seed``: ``at``, or a draw in its window."""
    if not spec.onset_jitter:
        return float(spec.at)
    rng = random.Random(f"{seed}:onset:{spec.id}")
    return round(spec.at + rng.uniform(0.0, spec.onset_jitter), 1)


@dataclass(slots=True)
class Sample:
    """Key figures of one service at one scrape, kept for dashboards and scoring."""

    t: float
    rps: float
    error_ratio: float
    p99: float
    pool_in_use: float
    pool_size: int
    ready: int
    replicas: int


@dataclass
class ActionOutcome:
    """What a responder's command did (``changed``: it changed the world or incident)."""

    ok: bool
    output: str
    kind: str
    changed: bool = False


@dataclass
class Setup:
    """Everything a session needs besides the scenario, already parsed and checked."""

    rule_groups: Sequence[Any] = ()
    alertmanager: Any = None
    oncall: Any = None
    runbooks: Sequence[Any] = ()
    external_labels: dict[str, str] = field(default_factory=dict)
    recording: Any = None  # an imported incident's samples (a TSDB in sim ms), replayed
    ghost: Sequence[Any] = ()  # and the real team's timeline, played as ``ghost`` events


class Session:
    """A running incident simulation.

    Args:
        scenario: the validated scenario.
        seed: seeds every random choice (names, noise, delays).
        setup: parsed rules, Alertmanager config, on-call config and runbooks.
        journal: where to write the JSONL journal (None: keep events in memory only).
        responder: a label for the journal and reports (``tabletop``, ``expert`` ...).
        source: where the scenario came from (an id or a folder), so a journal can be
            replayed or resumed.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 1,
        setup: Setup | None = None,
        journal: str | Path | None = None,
        responder: str = "tabletop",
        source: str | None = None,
        metrics: bool = True,
    ) -> None:
        self.scenario = scenario
        self.metrics = metrics  # False: no exposition, no store (a counterfactual's world)
        self.seed = seed
        self.setup = setup or Setup()
        self.responder = responder
        self.env = simpy.Environment()
        self.world = World(scenario, seed)
        self.exposition = Exposition(self.world)
        self.tsdb = TSDB()
        self.incident = IncidentState()
        self.events: list[Event] = []
        self.history: dict[str, list[Sample]] = {name: [] for name in self.world.services}
        self._subscribers: list[Subscriber] = []
        self._held: list[tuple[str, dict[str, Any]]] | None = None  # see perform
        self._journal = Journal(journal) if journal is not None else None
        self.journal_path = Path(journal) if journal is not None else None
        self._last_error_band: dict[str, int] = {}
        self._handles: dict[Any, Any] = {}  # label tuple -> the store's series, for fast appends
        self._sources: list[Callable[[], Any]] = []
        self._last_scraped: set[Any] = set()
        self._last_labels: list[Any] = []  # the last scrape's label sets, in order
        self._last_handles: list[Any] = []  # and their stored series, in the same order
        self._action_hooks: list[Callable[[str, ActionOutcome], str | None]] = []
        self.pipeline = AlertPipeline(self)
        self.replay: Replay | None = None
        self.watches = Watches(self._emit, self.call_at)
        start = {
            "scenario": scenario.id,
            "seed": seed,
            "start_time": scenario.start_time.isoformat(),
            "responder": responder,
            "source": source or scenario.id,
            "gameday": __version__,
        }
        if self.setup.recording is not None:
            self.replay = Replay(self.setup.recording)
            start["recorded"] = True
        self._emit("session.start", start)
        self.env.process(self._clock())
        for fault in scenario.faults:
            self.env.process(self._fault(fault))
        if self.setup.ghost:
            self.env.process(self._ghost(self.setup.ghost))
        self._timed_injects()

    # -- the public API -----------------------------------------------------------------

    @property
    def recorded(self) -> bool:
        """Whether the metrics are a real incident's recording (no simulated world)."""
        return self.replay is not None

    @property
    def now(self) -> float:
        """Sim seconds since the scenario started."""
        return float(self.env.now)

    @property
    def end_time(self) -> float:
        """When the session ends: the scenario's duration, or soon after resolution."""
        if self.incident.resolved_at is not None:
            return min(self.scenario.duration, self.incident.resolved_at + RECOVERY_GRACE)
        return self.scenario.duration

    @property
    def finished(self) -> bool:
        return self.now >= self.end_time

    def wall_time(self, t: float | None = None) -> datetime:
        """The wall-clock time at sim time ``t`` (default: now)."""
        return self.scenario.start_time + timedelta(seconds=self.now if t is None else t)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with every future event; returns an unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def advance_to(self, t: float) -> None:
        """Run the simulation up to sim time ``t`` (capped at the end).

        Runs in slices of at most a minute so that resolving the incident mid-way moves
        the end (resolution + grace) and the run stops there, as a replay does.
        """
        while True:
            target = min(t, self.end_time)
            if target <= self.now:
                return
            self.env.run(until=min(target, self.now + 60.0))

    def advance(self, seconds: float) -> None:
        """Run the simulation for ``seconds`` of sim time."""
        self.advance_to(self.now + seconds)

    def advance_to_next_event(
        self, kinds: Sequence[str] = ("alert.", "page.", "notification", "fault.")
    ) -> Event | None:
        """Run until an event whose kind starts with one of ``kinds`` (or the end)."""
        start = len(self.events)
        while not self.finished:
            self.advance(self.scenario.scrape_interval)
            for event in self.events[start:]:
                if event.kind.startswith(tuple(kinds)):
                    return event
            start = len(self.events)
        return None

    def run_to_end(self) -> None:
        """Run until the session is over and write ``session.end``."""
        while not self.finished:
            self.advance_to(self.end_time)
        self.close("completed")

    def call_at(self, t: float, callback: Callable[[], None]) -> None:
        """Run ``callback`` at sim time ``t`` (for bot responders and facilitators).

        The callback runs before anything else the simulation does at ``t``, exactly as
        a command typed when the clock shows ``t`` does, so a replay that performs the
        journaled commands between ``advance_to`` calls reproduces the run byte for byte.
        """
        event = simpy.Event(self.env)
        event._ok = True  # a plain, already-triggered event carrying the callback
        event._value = None
        event.callbacks.append(lambda _event: callback())
        self.env.schedule(event, priority=simpy.core.URGENT, delay=max(0.0, t - self.now))

    def attach_source(self, source: Callable[[], Any], replaces_kube: bool = True) -> None:
        """Add samples from outside the simulation (a real cluster) to every scrape.

        With ``replaces_kube`` the world stops exposing its own kube-state-metrics series,
        so the real ones take their place.
        """
        self._sources.append(source)
        if replaces_kube:
            self.exposition.include_kube = False

    def add_action_hook(self, hook: Callable[[str, ActionOutcome], str | None]) -> None:
        """Call ``hook(command, outcome)`` after each action; text it returns joins the output."""
        self._action_hooks.append(hook)

    def inject(self, inject_id: str, auto: bool = False) -> dict[str, Any]:
        """Trigger one of the scenario's facilitator injects now.

        ``auto`` marks an inject that fired by itself at its ``at`` (the session re-makes
        it on replay, so a replay does not re-do it as an input).
        """
        found = [i for i in self.scenario.injects if i.id == inject_id]
        if not found:
            hint = did_you_mean(inject_id, [i.id for i in self.scenario.injects])
            raise UsageError(f"no inject {inject_id!r}" + (f"; {hint}" if hint else ""))
        inj = found[0]
        data: dict[str, Any] = {
            "id": inj.id,
            "title": inj.title,
            "kind": inj.kind,
            "text": inj.text,
        }
        if inj.person:
            data["person"] = inj.person
        if auto:
            data["auto"] = True
        self._emit("inject", data)
        if inj.kind == "fault" and inj.fault:
            self._start_fault(next(f for f in self.scenario.faults if f.id == inj.fault))
        return data

    def _timed_injects(self) -> None:
        """Injects with ``at`` fire by themselves: ``at`` after the start, or after the
        first page that wakes someone (the first alert firing when there is no pager),
        as the bot responders count; not when the facilitator already fired them."""
        timed = [i for i in self.scenario.injects if i.at is not None]
        for inj in timed:
            if inj.relative_to == "start":
                self.call_at(float(inj.at or 0.0), self._timed_firing(inj.id))
        after_page = [i for i in timed if i.relative_to == "page"]
        if not after_page:
            return
        engaged = False

        def on_event(event: Event) -> None:
            nonlocal engaged
            woke = event.kind == "page.notified" and event.data.get("wakes", True) is not False
            if engaged or not (woke or (event.kind == "alert.firing" and self.pager is None)):
                return
            engaged = True
            for inj in after_page:
                self.call_at(event.t + float(inj.at or 0.0), self._timed_firing(inj.id))

        self.subscribe(on_event)

    def _timed_firing(self, inject_id: str) -> Callable[[], None]:
        def fire() -> None:
            if not any(e.kind == "inject" and e.data.get("id") == inject_id for e in self.events):
                self.inject(inject_id, auto=True)

        return fire

    def mark_clock(self) -> None:
        """Journal that the clock reached ``now`` (a ``clock`` event), unless the last
        event is already at ``now``.

        A front end that lets time run calls this now and then: after a crash, resuming
        from the journal then restores the clock to the last mark, not to the last thing
        that happened. Replays re-make the marks, so they stay byte-identical.
        """
        if self.events and self.events[-1].t >= self.now:
            return
        self._emit("clock", {})

    def take_hint(self) -> dict[str, Any] | None:
        """The next rung of the hint ladder (it costs points), or None when none are left."""
        used = sum(1 for e in self.events if e.kind == "hint")
        if used >= len(self.scenario.hints):
            return None
        hint = self.scenario.hints[used]
        data = {"index": used + 1, "question": hint.question, "cost": hint.cost}
        self._emit("hint", data)
        return data

    def perform(
        self, command: str, actor: str = "you", role: str = "ops", typed: bool = False
    ) -> ActionOutcome:
        """Run a responder's command now; the action and its output join the stream.

        What the command causes (a fault ending, a page acknowledged, a status update)
        is published right after the action, so the stream reads cause, then effect.

        With ``typed`` (a person typed it) the command is journaled as ``command.typed``
        before it runs, so a crash or hang inside it loses nothing anyone typed. A command
        that raises an unexpected error becomes a failed action whose output is the error:
        it is journaled, shown, and a replay reproduces it.
        """
        if typed:
            self._emit("command.typed", {"actor": actor, "role": role, "command": command})
        outer, self._held = self._held, []  # outer: a perform inside a perform holds on
        try:
            try:
                result = execute(self, command, actor=actor, role=role)
            except GamedayError:
                raise
            except Exception as exc:  # an engine bug: the team sees it, the journal keeps it
                output = f"gameday: internal error: {type(exc).__name__}: {exc} (please report it)"
                result = ActionResult(False, output, "error")
            outcome = ActionOutcome(result.ok, result.output, result.kind, result.changed)
            for hook in self._action_hooks:
                extra = hook(command, outcome)
                if extra:
                    outcome.output = f"{outcome.output}\n{extra}" if outcome.output else extra
        except BaseException:
            self._release(outer)
            raise
        held, self._held = self._held, outer
        self._emit(
            "action",
            {
                "actor": actor,
                "role": role,
                "command": command,
                "ok": outcome.ok,
                "kind": outcome.kind,
                "changed": outcome.changed,
                "output": outcome.output,
            },
        )
        for kind, data in held:
            self._emit(kind, data)
        if result.follow is not None and outcome.ok:  # a watch: its next lines follow
            self.watches.start(self.now, actor, role, command, result.follow, result.output)
        return outcome

    def _release(self, outer: list[tuple[str, dict[str, Any]]] | None) -> None:
        """Publish what a refused command caused before it failed (nothing is lost)."""
        held, self._held = self._held or [], outer
        for kind, data in held:
            self._emit(kind, data)

    def close(self, reason: str = "completed") -> None:
        """End the session: write ``session.end`` and close the journal."""
        if self.events and self.events[-1].kind == "session.end":
            return
        self._emit("session.end", {"reason": reason})
        if self._journal is not None:
            self._journal.close()

    # -- used by actions and the alert pipeline -----------------------------------------

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        """Publish an event at the current sim time."""
        self._emit(kind, data)

    def end_fault(self, fault_id: str, reason: str) -> None:
        """End a fault: it ran its course (``expired``).

        Responders never end faults: they change the world, and a fault is relieved
        when nothing carries it any more (``fault.relieved``, see :meth:`_note_relief`).
        """
        fault = self.world.end_fault(fault_id, self.now, reason)
        if fault is not None:
            self._emit(
                "fault.end",
                {
                    "fault": fault_id,
                    "type": fault.type,
                    "service": fault.spec.service,
                    "reason": reason,
                },
            )

    def firing_alerts(self) -> list[dict[str, Any]]:
        """Alerts currently pending or firing, as the rules engine sees them."""
        return self.pipeline.firing_alerts()

    @property
    def pager(self) -> Any:
        return self.pipeline.pager

    def silence(self, matchers: list[str], duration_s: float, author: str, comment: str) -> str:
        """Create an Alertmanager silence; returns its id."""
        return self.pipeline.silence(matchers, duration_s, author, comment)

    # -- processes ----------------------------------------------------------------------

    def _clock(self) -> Any:
        """Scrape the world, then evaluate the rule groups that are due, in order."""
        scrape = self.scenario.scrape_interval
        next_scrape = 0.0
        next_eval = [0.0 for _ in self.pipeline.group_intervals]
        while True:
            now = self.env.now
            if now >= next_scrape:
                self._scrape(now, scrape if now > 0 else 0.0)
                next_scrape = now + scrape
            for i, interval in enumerate(self.pipeline.group_intervals):
                if now >= next_eval[i]:
                    self.pipeline.evaluate(i, now)
                    next_eval[i] = now + interval
            wake = min([next_scrape, *next_eval])
            yield self.env.timeout(wake - now)

    def _scrape(self, now: float, dt: float) -> None:
        if self.replay is not None:  # an imported incident: what was recorded, as recorded
            self.replay.append_until(self.tsdb, int(round(now * 1000)))
            return
        if dt > 0:
            self.world.step(now, dt)
            if self.metrics:
                self.exposition.observe(dt)
            self._note_relief()
            self.watches.poll()
        if not self.metrics:  # nobody reads the store: keep the figures, skip the scrape
            self._record(now, dt)
            return
        t_ms = int(round(now * 1000))
        labels, values = self.exposition.collect()
        for source in self._sources:
            for key, value in source():
                labels.append(key)
                values.append(value)
        if labels == self._last_labels:
            # The same series as last scrape (the usual case): append by position.
            for handle, value in zip(self._last_handles, values, strict=True):
                handle.append(t_ms, float(value))
        else:
            self._append_by_labels(labels, values, t_ms)
        self._record(now, dt)

    def _append_by_labels(self, labels: list[Any], values: list[float], t_ms: int) -> None:
        """Append a scrape whose series differ from the last one's; mark the gone stale."""
        handles = self._handles
        order = []
        for key, value in zip(labels, values, strict=True):
            handle = handles.get(key)
            if handle is None:
                self.tsdb.append(key, t_ms, float(value))
                handle = handles[key] = self.tsdb.series(key)
            else:
                handle.append(t_ms, float(value))
            order.append(handle)
        # A series the last scrape had and this one lacks (a replaced pod's) ends with a
        # staleness marker, as Prometheus writes one when a scraped series disappears.
        scraped = set(labels)
        if scraped != self._last_scraped:
            for key in self._last_scraped - scraped:
                self.tsdb.mark_stale(key, t_ms)
            self._last_scraped = scraped
        self._last_labels = labels
        self._last_handles = order

    def _note_relief(self) -> None:
        """Publish faults the world stopped carrying (or carries again).

        The incident counts as mitigated while every fault that is not background is
        relieved or over; a fault that comes back takes that away.
        """
        for fault, relieved in self.world.relief_changes():
            data: dict[str, Any] = {
                "fault": fault.spec.id,
                "type": fault.type,
                "service": fault.spec.service,
            }
            if relieved:
                data["why"] = relief_reason(self.world, fault)
            if fault.spec.background:
                data["background"] = True
            self._emit("fault.relieved" if relieved else "fault.returned", data)
        scored = [f for f in self.world.faults.values() if not f.spec.background]
        settled = bool(scored) and all(not f.active or f.relieved_at is not None for f in scored)
        relieved_any = any(f.relieved_at is not None for f in scored)
        if settled and relieved_any and self.incident.mitigated_at is None:
            self.incident.mitigated_at = self.now
        elif not settled and self.incident.mitigated_at is not None:
            self.incident.mitigated_at = None

    def _record(self, now: float, dt: float) -> None:
        """Keep each service's key figures of this scrape and note 5xx ratio bands."""
        deployments, bands = self.world.cluster.deployments, self._last_error_band
        for name, st in self.world.status.items():
            dep = deployments[name]
            self.history[name].append(
                Sample(
                    now,
                    st.offered_rps,
                    st.error_ratio,
                    st.p99 if dt > 0 else 0.0,
                    st.pool_in_use,
                    st.pool_size,
                    st.ready,
                    dep.spec.replicas or 0,
                )
            )
            ratio = st.error_ratio
            if (ratio >= 0.01) + (ratio >= 0.05) + (ratio >= 0.25) != bands.get(name, 0):
                self._note_error_band(name, ratio)

    def _note_error_band(self, service: str, ratio: float) -> None:
        """Emit ``world.change`` when a service's 5xx ratio crosses 1%, 5% or 25%."""
        band = (ratio >= 0.01) + (ratio >= 0.05) + (ratio >= 0.25)
        before = self._last_error_band.get(service, 0)
        if band != before:
            self._last_error_band[service] = band
            self._emit(
                "world.change",
                {
                    "service": service,
                    "what": "5xx ratio",
                    "before": before,
                    "after": band,
                    "value": round(ratio, 4),
                },
            )

    def _ghost(self, entries: Sequence[Any]) -> Any:
        """The real team's recorded moves, each a ``ghost`` event at its time."""
        for entry in entries:
            if entry.t > self.now:
                yield self.env.timeout(entry.t - self.now)
            self._emit("ghost", {"who": entry.who, "what": entry.what, "kind": entry.kind})

    def _fault(self, spec: Any) -> Any:
        yield self.env.timeout(fault_onset(spec, self.seed))
        self._start_fault(spec)
        if spec.duration is not None:
            yield self.env.timeout(spec.duration)
            self.end_fault(spec.id, "expired")

    def _start_fault(self, spec: Any) -> None:
        """Start ``spec`` in the world now and publish ``fault.start``."""
        self.world.start_fault(spec, self.now)
        data = {
            "fault": spec.id,
            "type": spec.type,
            "service": spec.service,
            "description": spec.description,
        }
        if spec.background:
            data["background"] = True
        self._emit("fault.start", data)

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        if self._held is not None:  # inside perform: published after the action
            self._held.append((kind, data))
            return
        event = Event(self.now, kind, data, seq=len(self.events))
        self.events.append(event)
        if self._journal is not None:
            self._journal.write(event)
        for callback in list(self._subscribers):
            callback(event)
