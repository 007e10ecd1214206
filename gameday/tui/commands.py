"""What people type: completion and help from the actions catalog, and the palette.

The actions package is imported on first use (the app warms it up in a thread once the
first frame is on screen), so it does not delay that frame.

The command line completes over ``gameday.tools.complete``; the command palette
offers the runbooks' commands (put on the command line, not run), injects, hints and the
clock controls.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gameday.tui.driver import SimDriver


def make_completer(driver: SimDriver) -> Callable[[str], list[str]]:
    """A function from a partial command to whole-line completions (under the lock)."""

    def completer(partial: str) -> list[str]:
        from gameday.tools import complete

        with driver.locked() as session:
            return list(complete(session, partial))

    return completer


def commands_help() -> list[tuple[str, str]]:
    """(usage, what it does) for every command, for the help screen."""
    from gameday.tools import COMMANDS

    return [(usage, summary) for _name, usage, summary, _example in COMMANDS]


class ScenarioCommands(Provider):
    """Runbook commands (put on the command line), injects, hints and clock speeds."""

    def _entries(self) -> list[tuple[str, Callable[[], object], str]]:
        from gameday.tui.app import GamedayApp

        app = self.app
        assert isinstance(app, GamedayApp)
        if not app.loaded:
            return []  # the scenario is still loading
        entries: list[tuple[str, Callable[[], object], str]] = []
        seen: set[str] = set()
        for rb in app.prepared.setup.runbooks:
            for section, step in rb.steps:
                for cmd in step.commands:
                    if cmd not in seen:
                        seen.add(cmd)
                        entries.append(
                            (
                                f"run: {cmd}",
                                partial(app.fill_command, cmd),
                                f"{section.name}: {step.text[:60]}",
                            )
                        )
        injects = app.driver.session.scenario.injects if app.view.truth else []
        for inj in injects:
            entries.append((f"inject: {inj.id}", partial(app.fire_inject, inj.id), inj.title))
        entries.append(
            ("hint: take the next hint", app.action_facilitator, "each hint costs points")
        )
        for speed in (1, 10, 60):
            entries.append(
                (
                    f"clock: {speed}x",
                    partial(app.action_speed, speed),
                    f"run the sim clock at {speed}x",
                )
            )
        entries.append(("clock: pause / resume", app.action_pause, "stop or start the clock"))
        entries.append(
            (
                "clock: jump to next event",
                app.action_next_event,
                "run to the next alert, page, notification or fault",
            )
        )
        return entries

    async def discover(self) -> Hits:
        """Everything, for an empty palette."""
        for text, callback, help_text in self._entries():
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy matches of ``query``."""
        matcher = self.matcher(query)
        for text, callback, help_text in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)
