"""The tabletop app and its factory, shared by ``gameday play``, ``gameday resume`` and tests.

The app can start before its scenario is loaded: given a ``loader`` instead of a session
it shows :class:`~gameday.tui.screens.loading.LoadingScreen` (the tabletop's frame) at
once, imports the engine and loads the scenario in a worker, and swaps the tabletop in
when that lands. This module therefore imports no engine code at import time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import Worker, WorkerState, get_current_worker

from gameday.textsafe import visible
from gameday.tui.commands import ScenarioCommands
from gameday.tui.driver import SessionFinished, SimDriver, Tick
from gameday.tui.keys import MAIN_BINDINGS, binding_rows, keys_path, load_keymap
from gameday.tui.screens.dialogs import (
    ConfirmEnd,
    ConfirmQuit,
    FacilitatorMenu,
    HelpScreen,
    RolePicker,
)
from gameday.views import PLAYERS, View

if TYPE_CHECKING:
    from gameday.runtime import Prepared
    from gameday.serve.client import RemoteDriver
    from gameday.session.session import Session
    from gameday.tui.lifecycle import Outcome
    from gameday.tui.screens.main import MainScreen

Loader = Callable[[], "tuple[Prepared, Session]"]

TICK = 0.1  # real seconds between clock steps: ten redraws a second at most
MARK_EVERY = 1.0  # real seconds between clock marks in the journal (what a crash can lose)


class GamedayApp(App[int]):
    """A tabletop session: one scenario, one session, one clock worker.

    Args:
        prepared: the loaded scenario and its parsed setup (None: ``loader`` loads it).
        session: the session to play, new or rebuilt from a journal (None: ``loader``).
        speed: sim seconds per real second; 0 starts paused.
        role: the role commands are performed with until someone picks another.
        actor: the name actions are recorded under.
        keymap: binding id -> keys (from ``keys.toml``).
        started: when the session started (names the report folder).
        out_dir: where reports go when the journal is not already in a report folder.
        view: what this screen may show (:mod:`gameday.views`): the players'
            view hides the fault timeline and graded effects; the facilitator's adds
            them, with injects, hints, the score so far and the expert's next step.
        allow_pause: whether the team may pause the clock (the facilitator decides;
            with False dialogs do not hold it either).
        seat: a seat's driver (``gameday join``): reads from a replica of the served
            session, sends commands to the server, which alone performs and journals them.
        loader: builds the prepared scenario and the session in a worker thread, while
            the loading shell is on screen; its errors end the app (see ``load_error``).
        scenario: what the shell names while loading.
    """

    CSS_PATH = "gameday.tcss"
    NOTIFICATION_TIMEOUT = 3  # toasts are short, and sit at the top, off the command line
    TITLE = "gameday"
    COMMANDS = App.COMMANDS | {ScenarioCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c,ctrl+q", "request_quit", "Quit", priority=True, id="quit"),
    ]

    class Loaded(Message):
        """The loader finished: the scenario and the session to play."""

        def __init__(self, prepared: Prepared, session: Session) -> None:
            super().__init__()
            self.prepared = prepared
            self.session = session

    prepared: Prepared
    driver: SimDriver
    main: MainScreen

    def __init__(
        self,
        prepared: Prepared | None = None,
        session: Session | None = None,
        speed: float = 10.0,
        role: str = "ops",
        actor: str = "you",
        keymap: dict[str, str] | None = None,
        started: datetime | None = None,
        out_dir: Path = Path("reports"),
        *,
        loader: Loader | None = None,
        scenario: str = "",
        view: View = PLAYERS,
        seat: RemoteDriver | None = None,
        allow_pause: bool = True,
    ) -> None:
        super().__init__()
        self.view = view
        self.allow_pause = allow_pause
        self.seat = seat  # a seat of `gameday serve`: the driver is remote
        self.speed = speed
        self.role = role
        self.actor = actor
        self.started = started or datetime.now(UTC)
        self.out_dir = out_dir
        self.keymap_overrides = dict(keymap or {})
        self.outcome: Outcome | None = None
        self.loaded = False  # True once prepared, driver and main exist
        self.loader = loader
        self.scenario = scenario
        self.load_error: BaseException | None = None
        if prepared is not None and session is not None:
            self._take_session(prepared, session)
        elif loader is None:
            raise TypeError("GamedayApp needs a prepared scenario and a session, or a loader")

    def _take_session(self, prepared: Prepared, session: Session) -> None:
        from gameday.tui.screens.main import MainScreen

        self.prepared = prepared
        # a seat's driver has SimDriver's API over a replica (gameday.serve.client)
        self.driver = cast(SimDriver, self.seat) if self.seat else SimDriver(session, self.speed)
        self.main = MainScreen()
        self.main.ack_key = self.keymap_overrides.get("ack", "f10,a").replace(",", "/")
        self.loaded = True

    def on_mount(self) -> None:
        """Apply the key map; show the tabletop, or the shell while the scenario loads."""
        self.set_keymap(self.keymap_overrides)
        if self.loaded:
            self.push_screen(self.main)
            self._start()
        else:
            from gameday.tui.screens.loading import LoadingScreen

            self.push_screen(LoadingScreen(self.scenario))
            self.call_after_refresh(self.load)

    def _start(self) -> None:
        self.run_clock()
        self.call_after_refresh(self.warm_up)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, name="load")
    def load(self) -> None:
        """Import the engine and the tabletop's panes, load the scenario, build the session."""
        assert self.loader is not None
        prepared, session = self.loader()
        # the panes, and the commands the command line completes from on the first key
        import gameday.tools  # noqa: F401
        import gameday.tui.screens.main  # noqa: F401

        self.post_message(self.Loaded(prepared, session))

    def on_gameday_app_loaded(self, message: Loaded) -> None:
        """Swap the tabletop in for the shell and start the clock."""
        if self.loaded or self.return_code is not None:
            message.session.close("interrupted")  # the team left while it loaded
            return
        self._take_session(message.prepared, message.session)
        self.switch_screen(self.main)
        self._start()

    @work(thread=True, group="warm-up", exit_on_error=False, name="warm-up")
    def warm_up(self) -> None:
        """Import what commands and the debrief need while people read the first frame."""
        import gameday.reports  # noqa: F401
        import gameday.tools  # noqa: F401  # (already there when loaded lazily)

    def on_unmount(self) -> None:
        """However the app ends, stop the clock and close the session's journal."""
        self.workers.cancel_group(self, "clock")
        if self.loaded:
            self.driver.close("interrupted")

    @work(thread=True, exclusive=True, group="clock", exit_on_error=False, name="sim-clock")
    def run_clock(self) -> None:
        """Advance the sim by speed x real time in small steps; post a tick when it moved."""
        worker = get_current_worker()
        last = marked = time.monotonic()
        while not worker.is_cancelled:
            time.sleep(TICK)
            now = time.monotonic()
            moved = self.driver.tick(now - last)
            last = now
            if moved and now - marked >= MARK_EVERY:
                self.driver.mark_clock()
                marked = now
            with self.driver.locked() as session:
                sim_now, finished = session.now, self.driver.finished
            if moved:
                self.post_message(Tick(sim_now))
            if finished:
                self.post_message(SessionFinished(sim_now))
                return

    def on_tick(self, message: Tick) -> None:
        """Let the panes catch up with the session (and say what the server turned down)."""
        self.main.catch_up()
        seat = self.seat
        if seat is not None:
            while seat.notes:
                self.notify(visible(seat.notes.pop(0)), severity="warning", markup=False)
            if seat.lost and not seat.ended:
                seat.ended = {"reason": "server gone", "paths": []}
                self.notify("The server went away; its journal can be resumed.", severity="error")
                self.post_message(SessionFinished(seat.session.now))

    def on_session_finished(self, message: SessionFinished) -> None:
        """The scenario ran its course (or the incident was resolved): debrief."""
        self.end_session("completed")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one handler for worker errors: pause, and say what broke."""
        if event.state == WorkerState.ERROR and event.worker.name == "load":
            if self.return_code is not None:
                return  # the team left while it loaded
            self.load_error = event.worker.error
            self.exit(2, return_code=int(getattr(self.load_error, "exit_status", 1)))
        elif event.state == WorkerState.ERROR and self.loaded:
            self.driver.paused = True
            error, name = event.worker.error, event.worker.name
            self.main.status_note(Text(f"{name} failed, clock paused: {error!r}", style="bold red"))
            self.notify(f"{name} failed: {error}", severity="error", timeout=10)

    # -- what the keys do ---------------------------------------------------------------

    def run_command(self, command: str) -> None:
        """Perform ``command`` as the current actor and role, and show its outcome."""
        outcome = self.driver.perform(command, self.actor, self.role)
        self.main.catch_up()
        if not outcome.ok:
            self.notify(  # the command and its output are anyone's text: shown inert
                visible(outcome.output.splitlines()[0]) if outcome.output else "failed",
                title=visible(command),
                severity="warning",
                markup=False,
            )
        if self.driver.finished:
            self.post_message(SessionFinished(self.driver.session.now))

    def fill_command(self, command: str) -> None:
        """Put a command on the command line (from the palette)."""
        self.main.fill_command(command)

    def fire_inject(self, inject_id: str) -> None:
        """Trigger a facilitator inject now."""
        self.driver.inject(inject_id)
        self.main.catch_up()

    def action_pause(self) -> None:
        """Pause or resume the sim clock (a pause is marked in the journal); with pausing
        off (``--no-pause``, the facilitator's call) only resuming is possible."""
        if not self.allow_pause and not self.driver.paused:
            self.notify("Pausing is off for this exercise (the facilitator's call).")
            return
        self.driver.paused = not self.driver.paused
        if self.driver.paused:
            self.driver.mark_clock()
        self.main.catch_up()

    def action_speed(self, speed: float) -> None:
        """Run the clock at ``speed`` (and resume it)."""
        self.driver.speed, self.driver.paused = float(speed), False
        self.main.catch_up()

    def action_next_event(self) -> None:
        """Jump to the next alert, page, notification or fault."""
        self.driver.request_jump()

    def action_help(self) -> None:
        """Show keys and commands."""
        from gameday.tui.commands import commands_help

        self.push_screen(
            HelpScreen(binding_rows(self, self.main), commands_help(), str(keys_path()))
        )

    def action_facilitator(self, focus_hint: bool = True) -> None:
        """Open the facilitator menu: hints, and injects in the facilitator's view.

        Players may ask for a hint (it costs points); injects are the facilitator's, and
        their titles would give a surprise away, so the players' view does not list them.
        """
        session = self.driver.session
        with self.driver.locked():
            used = sum(1 for e in session.events if e.kind == "hint")
            fired = {str(e.data.get("id")) for e in session.events if e.kind == "inject"}
        injects = session.scenario.injects if self.view.truth else []
        if not focus_hint and not self.view.truth:
            self.notify(
                "Injects are the facilitator's: gameday play --facilitator, or a facilitator seat.",
                timeout=4,
            )
            return
        menu = FacilitatorMenu(injects, session.scenario.hints, used, fired, focus_hint)
        self.push_screen(menu, self._facilitated)

    def _facilitated(self, choice: str | None) -> None:
        if choice == "hint":
            hint = self.driver.take_hint()
            self.main.catch_up()
            if hint is not None:
                self.notify(
                    visible(hint["question"]),
                    title=f"Hint {hint['index']} (-{hint['cost']:g})",
                    timeout=15,
                    markup=False,
                )
        elif choice and choice.startswith("inject:"):
            self.fire_inject(choice.split(":", 1)[1])

    def action_pick_role(self) -> None:
        """Ask who is typing (a seat's role is the one it joined with)."""
        if self.seat is not None:
            self.notify(f"This seat is {self.seat.role}; join again with --role to change it.")
            return
        self.push_screen(RolePicker(self.role), self._role_picked)

    def _role_picked(self, role: str | None) -> None:
        if role:
            self.role = role
            self.main.catch_up()

    def hold_clock(self, held: bool) -> None:
        """Hold the clock while a modal screen is open (the pause setting is kept).

        A seat's dialogs do not hold the shared clock of a served session."""
        if not self.loaded or self.outcome is not None or self.seat is not None:
            return
        if not self.allow_pause:
            return  # no pause means no pause: dialogs do not stop the clock either
        if held and not self.driver.held:
            self.driver.mark_clock()
        self.driver.held = held
        self.main.catch_up()

    def action_show_output(self) -> None:
        """The timeline and every command's output, full screen (this screen's view)."""
        from gameday.tui.screens.output import OutputScreen

        with self.driver.locked() as session:
            shown = self.view.filter(session.events)
        self.push_screen(OutputScreen(shown))

    def action_end(self) -> None:
        """Ask, then end the exercise and go to the debrief."""
        if self.outcome is not None:
            return
        if self.seat is not None and self.seat.role != "facilitator":
            self.notify("The facilitator ends the session.", severity="warning")
            return
        self.push_screen(ConfirmEnd(), self._end_answered)

    def _end_answered(self, yes: bool | None) -> None:
        if yes and self.seat is not None:
            self.seat.end()  # the server ends it; every seat then goes to the debrief
        elif yes:
            self.end_session("ended")

    async def action_quit(self) -> None:
        """Every way out (the palette's Quit too) asks first and prints the resume line."""
        self.action_request_quit()

    def action_request_quit(self) -> None:
        """Ctrl-C: confirm, then close the session as interrupted and exit 130."""
        from gameday.tui.screens.debrief import DebriefScreen

        if not self.loaded:
            self.exit(130, return_code=130)  # nothing played yet, nothing to save
            return
        if isinstance(self.screen, DebriefScreen):
            self.exit(0)
            return
        if self.seat is not None:
            self.push_screen(ConfirmQuit(None, seat=True), self._quit_answered)
            return
        path = self.driver.session.journal_path
        self.push_screen(ConfirmQuit(str(path) if path else None), self._quit_answered)

    def _quit_answered(self, yes: bool | None) -> None:
        if yes:
            self.workers.cancel_group(self, "clock")
            self.driver.close("interrupted")
            self.exit(130, return_code=130)

    def end_session(self, reason: str) -> None:
        """Close the session, score it, write the reports and show the debrief."""
        from gameday.tui.lifecycle import Outcome, finish, seat_outcome
        from gameday.tui.screens.debrief import DebriefScreen

        if self.outcome is not None:
            return
        self.workers.cancel_group(self, "clock")
        if self.seat is not None:  # the server closed the session and wrote the reports
            reason = str((self.seat.ended or {}).get("reason", reason))
        else:
            self.driver.close(reason)
        self.main.catch_up()
        with self.driver.locked() as session:
            try:
                if self.seat is not None:
                    self.outcome = seat_outcome(session, self.prepared, self.seat.ended)
                else:
                    self.outcome = finish(
                        session, list(self.prepared.setup.runbooks), self.started, self.out_dir
                    )
            except Exception as exc:  # the debrief must still show what happened
                self.outcome = Outcome(error=f"scoring failed: {exc!r}")
            events = list(session.events)
        self.push_screen(DebriefScreen(self.outcome, events, reason))

    def action_quit_after_debrief(self) -> None:
        """Leave after the debrief."""
        self.exit(0, return_code=0)


def make_app(
    ref: str = "db-pool-exhaustion",
    seed: int = 1,
    journal: Path | None = None,
    speed: float = 10.0,
    *,
    role: str = "ops",
    actor: str = "you",
    keymap: dict[str, str] | None = None,
    started: datetime | None = None,
    out_dir: Path = Path("reports"),
    session: Session | None = None,
    prepared: Prepared | None = None,
    lazy: bool = False,
    view: View = PLAYERS,
) -> GamedayApp:
    """The app for scenario ``ref``; ``keymap`` None reads the user's ``keys.toml``.

    With ``lazy`` (and no ``session``) the app opens on the loading shell and loads the
    scenario in a worker.

    Raises:
        InputError: the scenario (unless ``lazy``) or the key map has problems.
    """
    if keymap is None:
        keymap = load_keymap(known=binding_ids())

    def load() -> tuple[Prepared, Session]:
        from gameday.runtime import prepare

        ready = prepared or prepare(ref)
        return ready, session or ready.session(seed=seed, journal=journal, responder="tabletop")

    if lazy and session is None:
        return GamedayApp(
            None,
            None,
            speed,
            role,
            actor,
            keymap,
            started,
            out_dir,
            loader=load,
            scenario=str(ref),
            view=view,
        )
    ready, built = load()
    return GamedayApp(ready, built, speed, role, actor, keymap, started, out_dir, view=view)


def binding_ids() -> set[str]:
    """Every binding id a key map may remap."""
    ids = set()
    for binding in [*GamedayApp.BINDINGS, *MAIN_BINDINGS]:
        if isinstance(binding, Binding) and binding.id:
            ids.add(binding.id)
    return ids
