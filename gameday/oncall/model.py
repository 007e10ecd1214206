"""The on-call file as typed, immutable models: people, schedules, policies, services.

The vocabulary is PagerDuty's (``rotation_virtual_start``, ``escalation_delay_in_minutes``,
``num_loops``, ``use_support_hours``) so a team can copy values from its Terraform. The
questions the rest of gameday asks (who is on call, which urgency, which service owns
this routing key) live on :class:`OnCall`.
"""

from __future__ import annotations

from datetime import datetime, time
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from gameday.durations import parse_duration
from gameday.oncall.clock import (
    check_zone,
    parse_datetime,
    parse_day_of_week,
    parse_time_of_day,
)

TimeOfDay = Annotated[time, BeforeValidator(parse_time_of_day)]
DayOfWeek = Annotated[int, BeforeValidator(parse_day_of_week)]
DateTime = Annotated[datetime, BeforeValidator(parse_datetime)]
Seconds = Annotated[float, BeforeValidator(parse_duration)]
Zone = Annotated[str, BeforeValidator(check_zone)]
Urgency = Literal["high", "low"]
WEEKDAYS = [1, 2, 3, 4, 5]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Profile(_Model):
    """How a bot responder behaves: when it sleeps and works, how quick it is."""

    sleep_start: TimeOfDay = time(23, 0)
    sleep_end: TimeOfDay = time(7, 0)
    work_start: TimeOfDay = time(9, 0)
    work_end: TimeOfDay = time(18, 0)
    work_days: list[DayOfWeek] = Field(default_factory=lambda: list(WEEKDAYS))
    ack_factor: float = Field(default=1.0, gt=0)


class Person(_Model):
    """Someone who can be paged."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    email: str | None = None
    timezone: Zone | None = None
    profile: Profile | None = None


class Restriction(_Model):
    """A window in which a layer is on call; outside it the layer has nobody."""

    type: Literal["daily", "weekly", "daily_restriction", "weekly_restriction"]
    start_time_of_day: TimeOfDay
    duration: Seconds
    start_day_of_week: DayOfWeek | None = None

    @property
    def weekly(self) -> bool:
        """True for a window that recurs weekly rather than daily."""
        return self.type.startswith("weekly")

    @model_validator(mode="after")
    def _check(self) -> Restriction:
        limit = 7 * 86400 if self.weekly else 86400
        if self.duration <= 0:
            raise ValueError("restriction duration must be more than zero")
        if self.duration > limit:
            raise ValueError(
                f"a {self.type} restriction lasts at most {'7d' if limit > 86400 else '24h'}"
            )
        if self.weekly and self.start_day_of_week is None:
            raise ValueError("a weekly restriction needs start_day_of_week (1 = Monday)")
        if not self.weekly and self.start_day_of_week is not None:
            raise ValueError("start_day_of_week is only for weekly restrictions")
        return self


class Layer(_Model):
    """One rotation: users take turns of ``rotation_turn_length`` from the virtual start."""

    name: str | None = None
    users: list[str]
    rotation_virtual_start: DateTime
    rotation_turn_length: Seconds
    handoff: TimeOfDay | None = None
    start: DateTime | None = None
    end: DateTime | None = None
    timezone: Zone | None = None
    restrictions: list[Restriction] = Field(default_factory=list)

    @field_validator("users")
    @classmethod
    def _users(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("a layer needs at least one user")
        return v

    @field_validator("rotation_turn_length")
    @classmethod
    def _positive(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("rotation_turn_length must be more than zero (e.g. 1w, 1d, 12h)")
        return v


class Override(_Model):
    """A person covering a schedule from ``start`` to ``end`` (above every layer)."""

    user: str
    start: DateTime
    end: DateTime


class Schedule(_Model):
    """Layers of rotations; the first layer in the list that has someone wins."""

    id: str = Field(min_length=1)
    name: str | None = None
    timezone: Zone | None = None
    layers: list[Layer] = Field(min_length=1)
    overrides: list[Override] = Field(default_factory=list)


def _target_type(value: object) -> object:
    return {"user_reference": "user", "schedule_reference": "schedule"}.get(str(value), value)


class Target(_Model):
    """Whom a rule notifies: one person, or whoever is on call for a schedule."""

    type: Annotated[Literal["user", "schedule"], BeforeValidator(_target_type)]
    id: str = Field(min_length=1)


class Rule(_Model):
    """One escalation level: notify the targets, wait the delay for an ack."""

    escalation_delay_in_minutes: float
    targets: list[Target] = Field(min_length=1)

    @field_validator("escalation_delay_in_minutes")
    @classmethod
    def _delay(cls, v: float) -> float:
        if v < 0:
            raise ValueError(f"escalation delay must not be negative, got {v:g}")
        if v < 1:
            raise ValueError("escalation delay must be at least 1 minute")
        if v > 1440:
            raise ValueError(f"escalation delay is at most 1440 minutes (a day), got {v:g}")
        return v


class EscalationPolicy(_Model):
    """Rules in order; after the last rule the policy starts over ``num_loops`` more times."""

    id: str = Field(min_length=1)
    name: str | None = None
    num_loops: int = 0
    rules: list[Rule] = Field(min_length=1)

    @field_validator("num_loops")
    @classmethod
    def _loops(cls, v: int) -> int:
        if v < 0:
            raise ValueError(f"num_loops must not be negative, got {v} (0 = one pass, no repeat)")
        if v > 9:
            raise ValueError(f"num_loops is at most 9 (as in PagerDuty), got {v}")
        return v


class SupportHours(_Model):
    """Business hours of a service, for ``urgency: use_support_hours``."""

    timezone: Zone | None = None
    days_of_week: list[DayOfWeek] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    start_time: TimeOfDay
    end_time: TimeOfDay
    urgency_during: Urgency = "high"
    urgency_outside: Urgency = "low"


class Service(_Model):
    """A paged service: where its alerts arrive and whom they escalate to."""

    name: str = Field(min_length=1)
    escalation_policy: str
    integration_keys: list[str] = Field(default_factory=list)
    urgency: Literal["high", "low", "use_support_hours"] = "high"
    support_hours: SupportHours | None = None

    @model_validator(mode="after")
    def _hours(self) -> Service:
        if self.urgency == "use_support_hours" and self.support_hours is None:
            raise ValueError("urgency use_support_hours needs a support_hours block")
        return self


class OnCall(_Model):
    """A whole on-call file, checked: every reference resolves."""

    timezone: Zone = "UTC"
    generate_people: int | None = Field(default=None, ge=1, le=200)
    people: list[Person] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)
    escalation_policies: list[EscalationPolicy] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)

    @cached_property
    def people_by_id(self) -> dict[str, Person]:
        """People keyed by id."""
        return {p.id: p for p in self.people}

    @cached_property
    def schedules_by_id(self) -> dict[str, Schedule]:
        """Schedules keyed by id."""
        return {s.id: s for s in self.schedules}

    @cached_property
    def policies_by_id(self) -> dict[str, EscalationPolicy]:
        """Escalation policies keyed by id."""
        return {p.id: p for p in self.escalation_policies}

    @cached_property
    def services_by_name(self) -> dict[str, Service]:
        """Services keyed by name."""
        return {s.name: s for s in self.services}

    def on_call(self, schedule_id: str, when: datetime) -> str | None:
        """Id of the person on call for ``schedule_id`` at ``when``, or None for a gap.

        Raises:
            KeyError: for an unknown schedule id.
        """
        from gameday.oncall.schedule import on_call

        return on_call(self.schedules_by_id[schedule_id], when, self.timezone)

    def urgency(self, service: str, when: datetime) -> Urgency:
        """Urgency of a new incident on ``service`` at ``when`` (support hours applied)."""
        from gameday.oncall.schedule import in_support_hours

        svc = self.services_by_name[service]
        if svc.urgency != "use_support_hours":
            return svc.urgency
        hours = svc.support_hours
        assert hours is not None  # checked by Service._hours
        inside = in_support_hours(hours, when, self.timezone)
        return hours.urgency_during if inside else hours.urgency_outside

    def lookup_service(self, key: str) -> str | None:
        """Service whose integration key (routing key, API key or receiver name) is ``key``."""
        for svc in self.services:
            if key in svc.integration_keys:
                return svc.name
        return key if key in self.services_by_name else None

    def targets(self, policy_id: str, level: int, when: datetime) -> list[str]:
        """People the rule at index ``level`` of a policy notifies at ``when``, in order."""
        rule = self.policies_by_id[policy_id].rules[level]
        out: list[str] = []
        for target in rule.targets:
            pid = target.id if target.type == "user" else self.on_call(target.id, when)
            if pid is not None and pid not in out:
                out.append(pid)
        return out

    def person_zone(self, person_id: str) -> str:
        """The time zone a person lives in (the file's default when not given)."""
        return self.people_by_id[person_id].timezone or self.timezone

    def local_time(self, person_id: str, when: datetime) -> datetime:
        """``when`` on the person's own wall clock (for :func:`ack_delay`)."""
        from gameday.oncall.clock import local_wall, zone

        return local_wall(when, zone(self.person_zone(person_id)))
