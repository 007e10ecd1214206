"""What a handler hands back: the command's answer, its kind, whether it changed the world.

No handler judges what its change did to the incident: the world decides (a fault is
relieved when nothing carries it, see :mod:`gameday.world.carriers`) and the debrief
tells each action's effect by counterfactual (:mod:`gameday.counterfactual`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Follow:
    """A command that keeps running after its first output, as a watch does.

    The session owns the clock: after every step of the world it calls ``poll`` and
    prints its line when it differs from the last one printed, until ``poll`` says the
    command is done or ``timeout`` seconds of sim time pass (then ``timeout_text`` is
    printed and the command fails). None: it runs until done or the session ends.

    Attributes:
        poll: ``(line, done, ok)`` now; ``ok`` False once it failed.
        timeout: seconds of sim time, or None.
        timeout_text: the error printed when ``timeout`` passes.
    """

    poll: Callable[[], tuple[str, bool, bool]]
    timeout: float | None = None
    timeout_text: str = ""


@dataclass
class Outcome:
    """What one handler produced.

    Attributes:
        ok: whether the command succeeded.
        output: what the responder sees.
        kind: the normalised verb (``kubectl.scale``, ``psql.terminate`` ...).
        hint: unused; kept so handlers written against the older signature still build.
        changed: whether the command changed the world or the incident.
        follow: a command still running after this output (a watch), or None.
        stderr: what the tool wrote to stderr beside a successful output (kubectl's
            ``Found 3 pods, using pod/...``): shown before it, never through a pipe.
    """

    ok: bool
    output: str
    kind: str
    hint: str = ""
    changed: bool = False
    follow: Follow | None = None
    stderr: str = ""
