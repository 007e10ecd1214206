"""Trainee shadow practice: an expert plays the runbook, the trainee says what comes next.

:class:`ShadowSession` plays the expert's path (the scenario's solution or a colleague's
journal) on a real session and pauses at each decision point; :class:`ReverseShadow`
lets the trainee lead while the expert watches. :mod:`gameday.shadow.history` keeps every
result in SQLite for ``gameday progress``. Nothing here imports a UI.
"""

from gameday.shadow.expert import ExpertPath, ExpertStep
from gameday.shadow.grading import CREDIT, VERDICTS, Grade, Situation, grade
from gameday.shadow.record import Answer, DecisionPoint, result_lines
from gameday.shadow.session import ReverseShadow, ShadowSession

__all__ = [
    "CREDIT",
    "VERDICTS",
    "Answer",
    "DecisionPoint",
    "ExpertPath",
    "ExpertStep",
    "Grade",
    "ReverseShadow",
    "ShadowSession",
    "Situation",
    "grade",
    "result_lines",
]
