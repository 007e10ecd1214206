"""Real faults in a local kind cluster, safely: plan, journal, apply, observe, roll back.

Only ``kind-*`` contexts and namespaces labelled ``gameday.io/target=true`` are touched.
Every change is written to a journal, with its inverse captured from the live object,
before it is made; rollback replays the inverses in reverse order.
"""

from gameday.chaos.operations import Operation
from gameday.chaos.plan import Plan, plan_faults

__all__ = ["Operation", "Plan", "plan_faults"]
