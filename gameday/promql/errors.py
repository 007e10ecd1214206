"""Errors the evaluator raises; messages follow Prometheus' wording."""

from __future__ import annotations


class PromQLError(Exception):
    """Base of every PromQL error."""


class PromQLParseError(PromQLError):
    """The expression does not parse."""


class EvalError(PromQLError):
    """Evaluation failed (e.g. many-to-many matching); ``step`` is the failing step index."""

    def __init__(self, message: str, step: int | None = None) -> None:
        super().__init__(message)
        self.step = step


class UnsupportedError(PromQLError):
    """A construct the evaluator does not implement; the message names it."""
