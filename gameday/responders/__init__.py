"""Bot and scripted responders: front ends that act through the Session API only."""

from gameday.responders.bots import RESPONDERS, Responder, make_responder

__all__ = ["RESPONDERS", "Responder", "make_responder"]
