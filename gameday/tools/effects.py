"""What a handler hands back: the command's answer, its kind, whether it changed the world.

No handler judges what its change did to the incident: the world decides (a fault is
relieved when nothing carries it, see :mod:`gameday.world.carriers`) and the debrief
tells each action's effect by counterfactual (:mod:`gameday.counterfactual`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Outcome:
    """What one handler produced.

    Attributes:
        ok: whether the command succeeded.
        output: what the responder sees.
        kind: the normalised verb (``kubectl.scale``, ``psql.terminate`` ...).
        hint: unused; kept so handlers written against the older signature still build.
        changed: whether the command changed the world or the incident.
    """

    ok: bool
    output: str
    kind: str
    hint: str = ""
    changed: bool = False
