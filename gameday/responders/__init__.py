"""Bot and scripted responders: front ends that act through the Session API only."""

from gameday.responders.bots import (
    RESPONDERS,
    Responder,
    check_responder,
    load_script,
    make_responder,
)

__all__ = ["RESPONDERS", "Responder", "check_responder", "load_script", "make_responder"]
