"""The base of every scenario model: unknown keys refused, values frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base for every scenario model: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
