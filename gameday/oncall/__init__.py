"""On-call model: people, schedules, escalation policies, services and the pager.

Load a scenario's ``oncall.yaml`` with :func:`load_oncall`, ask who is on call with
:meth:`OnCall.on_call`, and page with :class:`Pager` inside a SimPy session.
"""

from gameday.errors import PagerError
from gameday.oncall.ackdelay import ack_delay, state_at
from gameday.oncall.incident import Incident
from gameday.oncall.loader import check_oncall, load_oncall, loads_oncall
from gameday.oncall.model import (
    EscalationPolicy,
    Layer,
    OnCall,
    Person,
    Profile,
    Restriction,
    Rule,
    Schedule,
    Service,
    SupportHours,
    Target,
)
from gameday.oncall.pager import Pager
from gameday.oncall.people import generate_people

__all__ = [
    "EscalationPolicy",
    "Incident",
    "Layer",
    "OnCall",
    "Pager",
    "PagerError",
    "Person",
    "Profile",
    "Restriction",
    "Rule",
    "Schedule",
    "Service",
    "SupportHours",
    "Target",
    "ack_delay",
    "check_oncall",
    "generate_people",
    "load_oncall",
    "loads_oncall",
    "state_at",
]
