"""Commands still running after their first output: watches on the session's clock.

A watch (``kubectl rollout status`` while a rollout is under way) prints its first line
as the command's output; the session then polls it after every step of the world and
publishes each new line as a ``command.output`` event, in order, until the watch is done
or its timeout passes. The watch is started by the action, so a replay that performs the
action again makes the same lines at the same times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gameday.tools.effects import Follow

OUTPUT = "command.output"
"""The event kind of a running command's later lines: ``actor``, ``role``, ``command``,
``output`` (one line), ``ok`` (False for the error it ends with) and ``done``."""


@dataclass
class _Watch:
    actor: str
    role: str
    command: str
    follow: Follow
    last: str
    done: bool = False


class Watches:
    """The running commands of one session.

    Args:
        emit: publishes an event at the session's current time.
        call_at: runs a callback at a sim time (the timeouts).
    """

    def __init__(
        self,
        emit: Callable[[str, dict[str, Any]], None],
        call_at: Callable[[float, Callable[[], None]], None],
    ) -> None:
        self._emit = emit
        self._call_at = call_at
        self._running: list[_Watch] = []

    def start(
        self, now: float, actor: str, role: str, command: str, follow: Follow, first: str
    ) -> None:
        """Keep ``command`` running; ``first`` is what it printed already."""
        watch = _Watch(actor, role, command, follow, first)
        self._running.append(watch)
        if follow.timeout is not None:
            self._call_at(now + follow.timeout, lambda: self._expire(watch))

    def poll(self) -> None:
        """After a step of the world: print each watch's new line, end the finished ones."""
        for watch in list(self._running):
            line, done, ok = watch.follow.poll()
            if line and (line != watch.last or not ok):
                self._print(watch, line, ok, done)
            if done:
                self._end(watch)

    def _expire(self, watch: _Watch) -> None:
        if not watch.done:
            self._print(watch, watch.follow.timeout_text, False, True)
            self._end(watch)

    def _print(self, watch: _Watch, line: str, ok: bool, done: bool) -> None:
        watch.last = line
        self._emit(
            OUTPUT,
            {
                "actor": watch.actor,
                "role": watch.role,
                "command": watch.command,
                "output": line,
                "ok": ok,
                "done": done,
            },
        )

    def _end(self, watch: _Watch) -> None:
        watch.done = True
        self._running.remove(watch)
