"""The wire between ``gameday serve`` and its seats: JSON objects, one per line.

A seat opens with ``hello``; the server answers ``welcome`` (or ``refused`` and closes).
From then on the server sends what the session's *inputs* were (what people did, and
how far the clock ran) and the clock's state; every seat keeps a replica of the session
that re-does those inputs, so it holds byte for byte the events the server's session
has, and reads them through its own view (:mod:`gameday.views`). Seats send intents;
only the server performs them and writes the journal.

Client -> server::

    {"hello": {"token": T, "role": R, "name": N}}
    {"perform": "kubectl get pods -n shop"}
    {"pause": true} {"speed": 60} {"jump": true} {"inject": "exec-eta"} {"hint": true}
    {"end": true}                                   # facilitator only (as the clock)

Server -> client::

    {"welcome": {"source": S, "seed": N, "role": R, "name": N, "inputs": [event...],
                 "clock": {...}}}
    {"refused": "wrong token"}
    {"input": event}                                # an action, inject, hint, mark ...
    {"clock": {"now": t, "paused": b, "speed": x, "events": n}}
    {"note": "text"}                                # an intent the server turned down
    {"ended": {"reason": R, "paths": [[name, path]...]}}
"""

from __future__ import annotations

import json
from typing import Any

SEAT_ROLES = ("ic", "ops", "comms", "scribe", "observer", "facilitator")
RESPONDER_ROLES = ("ic", "ops", "comms", "scribe")
"""Seats whose commands are responder actions; observers watch, the facilitator runs
the clock, injects and hints."""
MAX_LINE = 1 << 20  # one message; a journal's inputs for a long session fit many times


def encode(message: dict[str, Any]) -> bytes:
    """One message as a JSON line."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """One JSON line as a message.

    Raises:
        ValueError: not a JSON object.
    """
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError("a message is a JSON object")
    return message
