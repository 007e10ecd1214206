"""Load and check an on-call file, reporting every problem with its place in the file.

Schema problems come from pydantic (unknown keys with did-you-mean, bad durations, negative
delays, zero-length rotations); reference problems (unknown person, schedule or policy,
duplicate ids, one integration key on two services) are checked here on the raw data, so a
single run reports both kinds together.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gameday.errors import InputError, Problem, did_you_mean
from gameday.oncall.model import OnCall
from gameday.oncall.people import DEFAULT_PEOPLE, generate_people
from gameday.yamldoc import Loc, YamlDoc, load_yaml, parse_yaml, problems_from_validation


def load_oncall(path: str | Path, seed: int = 0) -> OnCall:
    """Read an on-call file.

    Args:
        path: the YAML file.
        seed: the session seed; names the generated people when the file has none.

    Raises:
        InputError: with every problem found, each located.
    """
    return parse_oncall(load_yaml(path), seed)


def loads_oncall(text: str, path: str = "oncall.yaml", seed: int = 0) -> OnCall:
    """Like :func:`load_oncall` for YAML text already in memory."""
    return parse_oncall(parse_yaml(text, path), seed)


def check_oncall(path: str | Path, seed: int = 0) -> list[Problem]:
    """Every problem in an on-call file, sorted by position; empty when it is fine."""
    try:
        load_oncall(path, seed)
    except InputError as exc:
        return sorted(exc.problems, key=lambda p: (p.line or 0, p.col or 0, p.message))
    return []


def parse_oncall(doc: YamlDoc, seed: int = 0) -> OnCall:
    """Validate a parsed on-call document (see :func:`load_oncall`)."""
    data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(doc.problem((), "an on-call file must be a mapping of keys"))
    problems: list[Problem] = []
    data = dict(data)
    if not data.get("people"):
        n = data.get("generate_people", DEFAULT_PEOPLE)
        if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 200:
            data["people"] = [p.model_dump() for p in generate_people(seed, n)]
    elif "generate_people" in data:
        problems.append(
            doc.problem(
                ("generate_people",),
                "generate_people is ignored when people are listed",
                "remove one of the two",
            )
        )
    problems += _reference_problems(doc, data)
    model = None
    try:
        model = OnCall.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, doc, OnCall) + problems
    if problems or model is None:
        raise InputError(problems)
    return model


def _items(data: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _ids(doc: YamlDoc, data: Any, key: str, field: str, problems: list[Problem]) -> set[str]:
    seen: dict[str, int] = {}
    for i, item in _items(data, key):
        value = item.get(field)
        if not isinstance(value, str):
            continue
        if value in seen:
            first = doc.where((key, seen[value], field))[0]
            problems.append(
                doc.problem(
                    (key, i, field),
                    f"duplicate {field} {value!r}",
                    f"first used on line {first}" if first else None,
                )
            )
        else:
            seen[value] = i
    return set(seen)


def _unknown(doc: YamlDoc, loc: Loc, what: str, name: Any, known: set[str]) -> Problem | None:
    if not isinstance(name, str) or name in known:
        return None
    hint = did_you_mean(name, sorted(known))
    if hint is None and known:
        hint = "known: " + ", ".join(sorted(known)[:8])
    return doc.problem(loc, f"unknown {what} {name!r}", hint)


def _reference_problems(doc: YamlDoc, data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    people = _ids(doc, data, "people", "id", problems)
    schedules = _ids(doc, data, "schedules", "id", problems)
    policies = _ids(doc, data, "escalation_policies", "id", problems)
    _ids(doc, data, "services", "name", problems)
    found: list[Problem | None] = []
    for i, sched in _items(data, "schedules"):
        for j, layer in _items(sched, "layers"):
            users = layer.get("users")
            for k, user in enumerate(users if isinstance(users, list) else []):
                found.append(
                    _unknown(doc, ("schedules", i, "layers", j, "users", k), "person", user, people)
                )
        for j, override in _items(sched, "overrides"):
            found.append(
                _unknown(
                    doc,
                    ("schedules", i, "overrides", j, "user"),
                    "person",
                    override.get("user"),
                    people,
                )
            )
    for i, policy in _items(data, "escalation_policies"):
        for j, rule in _items(policy, "rules"):
            for k, target in _items(rule, "targets"):
                loc: Loc = ("escalation_policies", i, "rules", j, "targets", k, "id")
                kind = str(target.get("type", "")).removesuffix("_reference")
                if kind == "user":
                    found.append(_unknown(doc, loc, "person", target.get("id"), people))
                elif kind == "schedule":
                    found.append(_unknown(doc, loc, "schedule", target.get("id"), schedules))
    owner: dict[str, str] = {}
    for i, svc in _items(data, "services"):
        loc = ("services", i, "escalation_policy")
        found.append(
            _unknown(doc, loc, "escalation policy", svc.get("escalation_policy"), policies)
        )
        keys = svc.get("integration_keys")
        for k, key in enumerate(keys if isinstance(keys, list) else []):
            if not isinstance(key, str):
                continue
            if key in owner and owner[key] != svc.get("name"):
                found.append(
                    doc.problem(
                        ("services", i, "integration_keys", k),
                        f"integration key {key!r} already belongs to service {owner[key]!r}",
                        "each routing key, API key or receiver maps to one service",
                    )
                )
            owner.setdefault(key, str(svc.get("name")))
    return problems + [p for p in found if p is not None]
