"""The base of every scenario model (unknown keys refused, values frozen) and the
duration type every model shares."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from gameday.durations import format_duration, parse_duration

MAX_DURATION = 30 * 86400.0  # no game-day duration (fault time, target, hold) is longer


def _duration(value: Any) -> float:
    seconds = parse_duration(value)
    if seconds > MAX_DURATION:
        raise ValueError(
            f"duration {format_duration(seconds)} is longer than a game day needs "
            f"(at most {format_duration(MAX_DURATION)})"
        )
    return seconds


Duration = Annotated[
    float,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str),
    Field(json_schema_extra={"type": "string", "pattern": r"^(\d+(ms|y|w|d|h|m|s))+$|^0$"}),
]


class Strict(BaseModel):
    """Base for every scenario model: unknown keys refused, values frozen, numbers finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
