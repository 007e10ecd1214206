"""Scoring a run: the severity table, graded dimensions with evidence, the scorecard."""

from gameday.scoring.evidence import Dimension, fmt_dur, fmt_t
from gameday.scoring.metrics import MetricPoint, MetricsSummary
from gameday.scoring.scorecard import Scorecard, applicable_runbooks, score
from gameday.scoring.targets import DIMENSIONS, SEVERITY_TABLE, Targets, resolve_targets
from gameday.scoring.text import format_scorecard

__all__ = [
    "DIMENSIONS",
    "SEVERITY_TABLE",
    "Dimension",
    "MetricPoint",
    "MetricsSummary",
    "Scorecard",
    "Targets",
    "applicable_runbooks",
    "fmt_dur",
    "format_scorecard",
    "fmt_t",
    "resolve_targets",
    "score",
]
