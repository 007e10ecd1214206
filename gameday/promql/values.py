"""Values the PromQL evaluator returns: instant-vector samples, range series, scalars."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Sample:
    """One element of an instant vector.

    Attributes:
        labels: the series' label set, including ``__name__`` when it has one.
        value: the sample value.
        t_ms: the evaluation timestamp in milliseconds.
    """

    labels: dict[str, str]
    value: float
    t_ms: int = 0


@dataclass
class Series:
    """One series of a range result (a matrix): label set plus points."""

    labels: dict[str, str]
    points: list[tuple[int, float]] = field(default_factory=list)
